import { useCallback, useState } from 'react';
import { i18n } from '#i18n';
import { toAppError, type SerializedError } from '@/utils/errors';
import { getModel, type ModelId } from '@/utils/models';
import { send } from '@/utils/protocol';
import type { DraftRecord, JobRequest } from '@/utils/store/types';
import { trayOf } from '@/utils/reference-plan';
import { showCachedAnswer } from './hooks';

/** What Create sends for the current draft (the worker validates it again). */
export function requestFromDraft(draft: DraftRecord, fresh: boolean, description: string | null): JobRequest {
  return {
    prompt: draft.prompt,
    referenceId: draft.referenceId,
    // The whole tray in order (roles and weights included); the worker sends what the route uses.
    references: trayOf(draft),
    modelId: draft.modelId,
    settings: draft.settings,
    fresh,
    description: description?.trim() ? description : null,
  };
}

export interface Generation {
  busy: boolean;
  error: SerializedError | null;
  notice: string | null;
  create(request: JobRequest): Promise<void>;
  /** The same request on several models at once, shown side by side as one run. */
  compare(request: JobRequest, modelIds: ModelId[]): Promise<void>;
  /** Runs a finished job's request again, fresh (a retry must not answer from the cache). */
  retry(request: JobRequest): Promise<void>;
  say(notice: string | null): void;
}

/** The panel's commands that start generations, with their busy, error and notice state. */
export function useGeneration(): Generation {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<SerializedError | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const run = useCallback(async (work: () => Promise<string | null>) => {
    setError(null);
    setNotice(null);
    setBusy(true);
    try {
      setNotice(await work());
    } catch (err) {
      setError(toAppError(err).toJSON());
    } finally {
      setBusy(false);
    }
  }, []);

  const create = useCallback(
    (request: JobRequest) =>
      run(async () => {
        const reply = await send('job.create', { request });
        if (reply.cached && reply.cachedFrom) showCachedAnswer({ jobId: reply.jobId, cachedFrom: reply.cachedFrom, request, at: Date.now() });
        if (reply.cached) return i18n.t('panel.cachedNotice');
        if (reply.joined) return i18n.t('panel.joinedNotice');
        return null;
      }),
    [run],
  );

  const compare = useCallback(
    (request: JobRequest, modelIds: ModelId[]) =>
      run(async () => {
        const { modelId: _chosen, ...rest } = request;
        const reply = await send('jobs.compare', { request: rest, modelIds });
        const skipped = reply.jobs.filter((j) => j.error);
        // A model that cannot run says why, without stopping the others.
        if (skipped.length) return skipped.map((j) => i18n.t('panel.compareSkipped', [getModel(j.modelId).name, j.error?.message ?? ''])).join(' ');
        return i18n.t('panel.compareStarted', [String(modelIds.length)]);
      }),
    [run],
  );

  const retry = useCallback(
    (request: JobRequest) =>
      run(async () => {
        await send('job.create', { request: { ...request, fresh: true } });
        return null;
      }),
    [run],
  );

  return { busy, error, notice, create, compare, retry, say: setNotice };
}
