import { useEffect, useMemo, useState } from 'react';
import { browser } from 'wxt/browser';
import { ImagePromptField } from '@/components/ImagePromptField';
import { ModelPicker } from '@/components/ModelPicker';
import { SettingsForm } from '@/components/SettingsForm';
import { ResultsList } from '@/components/ResultsList';
import { ErrorNotice } from '@/components/ErrorNotice';
import { ReferenceDescription } from '@/components/ReferenceDescription';
import { ScreenshotCrop } from '@/components/ScreenshotCrop';
import { StorageUsage } from '@/components/StorageUsage';
import type { JobView } from '@/components/JobCard';
import { toAppError, type SerializedError } from '@/utils/errors';
import { adoptImageBlob, adoptResult } from '@/utils/intake/ingest';
import { findRoute, getModel, PROVIDER_NAMES } from '@/utils/models';
import { notesFor, routeLabel, type RoutingEnv } from '@/utils/routing';
import { send } from '@/utils/protocol';
import { setStarred } from '@/utils/store/results';
import { SANDBOX_BUILD } from '@/utils/settings';
import { routeState, useDraft, useJobs, useObjectUrl, useReference, useRoutingEnv, useWakeWorker, type JobWithResults } from './hooks';
import { isTerminal } from '@/utils/store/types';
import { useResultUrls } from './result-urls';
import { useStorageUsage } from './storage';
import { usePaste, useScreenshot } from './intake-hooks';

export function App() {
  const [draft, patch, loaded] = useDraft();
  const reference = useReference(draft.referenceId);
  const thumbUrl = useObjectUrl(reference?.thumb);
  const jobs = useJobs();
  const routingEnv = useRoutingEnv();
  const route = useMemo(() => (routingEnv ? routeState(draft.modelId, routingEnv) : null), [draft.modelId, routingEnv]);
  const resultUrls = useResultUrls(jobs);
  const [createError, setCreateError] = useState<SerializedError | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const storage = useStorageUsage();
  // A panel opening wakes a worker that was stopped mid-job, so its jobs go on at once
  // rather than at the next resume alarm.
  useEffect(() => {
    void send('jobs.resume', {}).catch(() => {});
  }, []);
  useWakeWorker(jobs.some((j) => !isTerminal(j.job.state)), pingWorker);
  const screenshot = useScreenshot();
  usePaste(
    (file) => void adoptImageBlob(file, { kind: 'paste', name: file.name }).catch(() => {}),
    (url) => void send('reference.fromUrl', { url }).catch(() => {}),
  );

  const routeSpec = route?.ok ? route.choice.route : null;
  const [describing, setDescribing] = useState(false);
  const [describeError, setDescribeError] = useState<SerializedError | null>(null);
  const needsDescription = !!reference && routeSpec?.imageInput === 'described';
  // The user's words for this reference, else the words the last job used for it.
  const descriptionText =
    draft.description && draft.description.referenceId === draft.referenceId
      ? draft.description.text
      : (jobs.find((j) => j.job.request.referenceId === draft.referenceId && j.job.description)?.job.description ?? '');

  async function describe() {
    if (!draft.referenceId) return;
    setDescribing(true);
    setDescribeError(null);
    try {
      const { description } = await send('reference.describe', { referenceId: draft.referenceId, modelId: draft.modelId });
      patch({ description: { referenceId: draft.referenceId, text: description } });
    } catch (err) {
      setDescribeError(toAppError(err).toJSON());
    } finally {
      setDescribing(false);
    }
  }
  const canCreate = loaded && draft.prompt.trim().length > 0 && route?.ok === true && draft.intake.status !== 'loading' && !busy;

  async function create(fresh: boolean) {
    setCreateError(null);
    setNotice(null);
    setBusy(true);
    try {
      const reply = await send('job.create', {
        request: {
          prompt: draft.prompt,
          referenceId: draft.referenceId,
          modelId: draft.modelId,
          settings: draft.settings,
          fresh,
          description: needsDescription && descriptionText.trim() ? descriptionText : null,
        },
      });
      patch({ lastJobId: reply.jobId });
      if (reply.cached) setNotice('Same inputs as before: showing the saved result. Choose \u201cNew variation\u201d for a fresh one.');
      else if (reply.joined) setNotice('The same request is already running (from another window): following it here instead of paying twice.');
    } catch (err) {
      setCreateError(toAppError(err).toJSON());
    } finally {
      setBusy(false);
    }
  }

  async function retry(jobId: string) {
    const job = jobs.find((j) => j.job.id === jobId)?.job;
    if (!job) return;
    try {
      await send('job.create', { request: { ...job.request, fresh: true } });
    } catch (err) {
      setCreateError(toAppError(err).toJSON());
    }
  }

  const views = useMemo(() => jobs.map((j) => toView(j, resultUrls, routingEnv)), [jobs, resultUrls, routingEnv]);
  const openSettings = () => void browser.runtime.openOptionsPage();

  return (
    <main className="panel">
      <header className="panel-header">
        <h1>Image Prompt</h1>
        {SANDBOX_BUILD ? <span className="badge sandbox" title="Providers without a key are answered by the local sandbox">sandbox</span> : null}
        <button type="button" className="link" onClick={() => void browser.runtime.openOptionsPage()}>
          Settings
        </button>
      </header>

      <ImagePromptField
        thumbUrl={thumbUrl}
        width={reference?.width}
        height={reference?.height}
        sourceUrl={reference?.source.url}
        pageUrl={reference?.source.pageUrl}
        sourceLabel={reference ? sourceLabel(reference.source.kind, reference.source.name) : undefined}
        loading={draft.intake.status === 'loading'}
        error={draft.intake.status === 'error' ? draft.intake.error : null}
        onFiles={(files) => void adoptImageBlob(files[0]!, { kind: 'file', name: files[0]!.name }).catch(() => {})}
        onUrl={(url) => void send('reference.fromUrl', { url }).catch(() => {})}
        onClear={() => patch({ referenceId: null, intake: { status: 'idle' } })}
        onScreenshot={screenshot.start}
      />
      {screenshot.shot ? (
        <ScreenshotCrop
          imageUrl={screenshot.shot.url}
          width={screenshot.shot.width}
          height={screenshot.shot.height}
          onUse={screenshot.use}
          onCancel={screenshot.cancel}
        />
      ) : null}

      <div className="field">
        <label htmlFor="prompt">Prompt</label>
        <textarea
          id="prompt"
          rows={4}
          value={draft.prompt}
          placeholder="What should the new image show?"
          onChange={(e) => patch({ prompt: e.target.value })}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.metaKey || e.ctrlKey) && canCreate) void create(false);
          }}
        />
      </div>

      <ModelPicker
        value={draft.modelId}
        onChange={(modelId) => patch({ modelId })}
        via={route === null ? 'provider' : route.ok ? route.choice.via : 'unavailable'}
        routeNote={route === null ? '' : route.ok ? `${PROVIDER_NAMES[route.choice.route.provider]}: ${route.choice.reason}` : route.error.message}
        successorNote={route?.ok ? route.choice.successorNote : undefined}
        warning={route?.ok ? route.choice.warning : undefined}
        onOpenSettings={openSettings}
      />

      {needsDescription ? (
        <ReferenceDescription
          modelName={getModel(draft.modelId).name}
          text={descriptionText}
          describing={describing}
          error={describeError}
          onChange={(text) => draft.referenceId && patch({ description: { referenceId: draft.referenceId, text } })}
          onDescribe={() => void describe()}
        />
      ) : null}

      <SettingsForm route={routeSpec} hasReference={!!reference} value={draft.settings} onChange={(p) => patch({ settings: { ...draft.settings, ...p } })} />

      <div className="create-bar">
        <button type="button" className="primary" disabled={!canCreate} onClick={() => void create(false)}>
          Create
        </button>
        <button type="button" disabled={!canCreate} onClick={() => void create(true)} title="Run again with the same inputs, ignoring the saved result">
          New variation
        </button>
      </div>
      {notice ? (
        <p role="status" className="notice">
          {notice}
        </p>
      ) : null}
      {createError ? <ErrorNotice error={createError} /> : null}

      <ResultsList
        jobs={views}
        onUseAsReference={(id) => void adoptResult(id).catch(() => {})}
        onCancel={(id) => void send('job.cancel', { jobId: id }).catch(() => {})}
        onRetry={(id) => void retry(id)}
        onToggleStar={(id, starred) => void setStarred(id, starred).catch(() => {})}
        onOpenSettings={openSettings}
      />
      <StorageUsage {...storage} />
    </main>
  );
}

/** The route a retry would take now, when it is another one than the job's. */
function alternativeFor(modelId: JobWithResults['job']['request']['modelId'], routeId: string, env: RoutingEnv | null): string | null {
  if (!env) return null;
  const state = routeState(modelId, env);
  return state.ok && state.choice.route.id !== routeId ? routeLabel(state.choice.route) : null;
}

const pingWorker = () => send('worker.ping', {});

function sourceLabel(kind: string, name?: string): string {
  if (kind === 'result') return 'a previous result';
  if (kind === 'file') return name ?? 'your device';
  if (kind === 'paste') return 'pasted';
  if (kind === 'screenshot') return 'a screenshot';
  return '';
}

function toView({ job, results }: JobWithResults, urls: Map<string, string>, env: RoutingEnv | null): JobView {
  const found = findRoute(job.routeId);
  const override = job.model && found && job.model !== found.route.endpoint ? job.model : undefined;
  return {
    id: job.id,
    state: job.state,
    prompt: job.request.prompt,
    modelName: getModel(job.request.modelId).name,
    createdAt: job.createdAt,
    cached: !!job.cachedFrom,
    via: found ? PROVIDER_NAMES[found.route.provider] : '',
    progress: job.progress,
    error: job.error,
    description: job.description,
    successorNote: found ? notesFor(found.model, found.route).successorNote : undefined,
    modelOverride: override,
    notice: job.notice,
    alternative: job.error?.kind === 'route_unavailable' ? alternativeFor(job.request.modelId, job.routeId, env) : undefined,
    removedCount: Math.max(0, job.resultIds.length - results.length),
    results: results.flatMap((r) => {
      const url = urls.get(r.id);
      if (!url) return [];
      const ext = r.mime.split('/')[1]?.replace('jpeg', 'jpg') ?? 'png';
      return [{ id: r.id, url, width: r.width, height: r.height, starred: r.starred, fileName: `image-prompt-${job.id.slice(0, 8)}-${r.index + 1}.${ext}` }];
    }),
  };
}
