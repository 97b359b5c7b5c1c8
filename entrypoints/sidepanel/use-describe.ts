import { useEffect, useState } from 'react';
import { i18n } from '#i18n';
import type { DescribeBoxProps, DescribeView } from '@/components/DescribeBox';
import { AppError, toAppError, type SerializedError } from '@/utils/errors';
import { PROVIDER_NAMES } from '@/utils/models';
import { send } from '@/utils/protocol';
import type { DescribeState, DraftRecord } from '@/utils/store/types';
import { useObjectUrl, useReference } from './hooks';

/**
 * A run still "working" after this long was cut short (the browser stopped the worker mid-call):
 * the vision call itself gives up well before.
 */
export const DESCRIBE_STALE_MS = 3 * 60_000;

/** The longest prompt the draft keeps. */
const PROMPT_MAX = 10_000;

/** The prompt with the words added: after what is there, or instead of an empty prompt. */
export function withDescription(prompt: string, text: string): string {
  const words = text.trim();
  const joined = prompt.trim() ? `${prompt.trimEnd()}\n\n${words}` : words;
  return joined.slice(0, PROMPT_MAX);
}

/** What the box shows for the draft's describe state (null: nothing open); `stale`: see DESCRIBE_STALE_MS. */
export function describeView(state: DescribeState | null | undefined, stale: boolean): DescribeView | null {
  if (!state) return null;
  const providerName = state.provider ? PROVIDER_NAMES[state.provider] : '';
  switch (state.status) {
    case 'working':
      if (stale) return { status: 'error', error: new AppError('timed_out', i18n.t('describe.stale')).toJSON() };
      return state.referenceId ? { status: 'working', providerName } : { status: 'fetching' };
    case 'done':
      return { status: 'done', providerName, text: state.text ?? '' };
    case 'error':
      return { status: 'error', error: state.error ?? new AppError('internal', i18n.t('describe.stale')).toJSON() };
  }
}

/**
 * The Create tab's "Describe": the state lives on the draft (the worker writes it, from this
 * button or the page menu); this hook turns it into DescribeBox props and handles the buttons.
 */
export function useDescribe(draft: DraftRecord, patch: (p: Partial<Omit<DraftRecord, 'id'>>) => void): DescribeBoxProps {
  const state = draft.describe ?? null;
  const reference = useReference(state?.referenceId ?? null);
  const thumbUrl = useObjectUrl(reference?.thumb);
  // A confirmation belongs to the description it was about: kept with that run's id.
  const [notice, setNotice] = useState<{ runId: string | undefined; text: string } | null>(null);
  const say = (text: string) => setNotice({ runId: state?.id, text });
  /** A failure before the worker wrote anything (it did not answer at all). */
  const [sendError, setSendError] = useState<SerializedError | null>(null);
  /** The run that has been "working" too long to still be alive. */
  const [staleId, setStaleId] = useState<string | null>(null);

  const workingId = state?.status === 'working' ? state.id : null;
  const startedAt = state?.startedAt ?? 0;
  useEffect(() => {
    if (!workingId) return;
    const timer = setTimeout(() => setStaleId(workingId), Math.max(0, startedAt + DESCRIBE_STALE_MS - Date.now()));
    return () => clearTimeout(timer);
  }, [workingId, startedAt]);

  function describe(referenceId: string) {
    setSendError(null);
    setNotice(null);
    send('reference.describeOnDemand', { referenceId }).catch((err: unknown) => {
      // The worker also wrote its own errors to the draft; this covers the message getting lost.
      setSendError(toAppError(err).toJSON());
    });
  }

  const view = describeView(state, !!workingId && staleId === workingId) ?? (sendError ? { status: 'error' as const, error: sendError } : null);
  const text = view?.status === 'done' ? view.text : '';

  return {
    canDescribe: !!draft.referenceId,
    view,
    thumbUrl,
    notice: notice && notice.runId === state?.id ? notice.text : null,
    onDescribe: () => draft.referenceId && describe(draft.referenceId),
    onChange: (next) => state && patch({ describe: { ...state, text: next } }),
    onInsert: () => {
      patch({ prompt: withDescription(draft.prompt, text) });
      say(i18n.t('describe.inserted'));
    },
    onCopy: () => {
      // Text only, so no conversion: the write starts inside the click's user gesture.
      void (navigator.clipboard?.writeText(text) ?? Promise.reject(new Error('no clipboard'))).then(
        () => say(i18n.t('describe.copied')),
        () => say(i18n.t('describe.copyFailed')),
      );
    },
    onClose: () => {
      setSendError(null);
      patch({ describe: null });
    },
    onRetry: state?.referenceId ? () => describe(state.referenceId!) : undefined,
  };
}
