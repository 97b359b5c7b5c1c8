import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { flushSync } from 'react-dom';
import { db } from '@/utils/store/schema';
import { DEFAULT_DRAFT, type DraftRecord, type JobRecord, type JobRequest, type ReferenceRecord, type ResultRecord } from '@/utils/store/types';
import { loadDraft, patchDraft } from '@/utils/store/drafts';
import { getReference } from '@/utils/store/references';
import { subscribe } from '@/utils/events';
import { offerThumbs } from './thumbs';
import { trayOf } from '@/utils/reference-plan';
import { chooseRoute, type RouteChoice, type RoutingEnv } from '@/utils/routing';
import { configuredProviders } from '@/utils/secrets';
import { loadSettings, SANDBOX_BUILD, watchSettings, type Settings } from '@/utils/settings';
import { toAppError, type SerializedError } from '@/utils/errors';
import type { ModelId, ProviderId } from '@/utils/models';

/** The persisted draft, kept in sync with other panels and the worker. */
export function useDraft(): [DraftRecord, (patch: Partial<Omit<DraftRecord, 'id'>>) => void, boolean] {
  const [draft, setDraft] = useState<DraftRecord>(DEFAULT_DRAFT);
  const [loaded, setLoaded] = useState(false);
  const pending = useRef<Partial<DraftRecord>>({});
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  useEffect(() => {
    let alive = true;
    const refresh = () =>
      void loadDraft().then(async (d) => {
        // The tray's records come with the draft, so the tray renders complete at once.
        await primeReferences(trayOf(d).map((r) => r.referenceId));
        // Keep fields the user is still typing that have not been written yet.
        if (alive) setDraft({ ...d, ...pending.current });
        if (alive) setLoaded(true);
      });
    refresh();
    const off = subscribe((e) => {
      if (e.type === 'draft.changed') refresh();
    });
    return () => {
      alive = false;
      off();
    };
  }, []);

  const flush = useCallback(() => {
    const patch = pending.current;
    pending.current = {};
    if (Object.keys(patch).length) void patchDraft(patch);
  }, []);

  const patch = useCallback(
    (p: Partial<Omit<DraftRecord, 'id'>>) => {
      setDraft((d) => ({ ...d, ...p }));
      pending.current = { ...pending.current, ...p };
      clearTimeout(timer.current);
      // Typing is written a moment later in one go; everything is flushed on unload.
      timer.current = setTimeout(flush, 250);
    },
    [flush],
  );

  useEffect(() => {
    window.addEventListener('pagehide', flush);
    return () => {
      window.removeEventListener('pagehide', flush);
      flush();
    };
  }, [flush]);

  return [draft, patch, loaded];
}

/** An object URL for a Blob, revoked when the Blob changes or the component goes away. */
export function useObjectUrl(blob: Blob | undefined | null): string | null {
  const url = useMemo(() => (blob ? URL.createObjectURL(blob) : null), [blob]);
  useEffect(() => () => {
    if (url) URL.revokeObjectURL(url);
  }, [url]);
  return url;
}

export function useReference(id: string | null): ReferenceRecord | null {
  // Keyed by id so that a cleared or changed id never shows the previous record.
  const [loaded, setLoaded] = useState<{ id: string; ref: ReferenceRecord | null } | null>(null);
  useEffect(() => {
    if (!id) return;
    let alive = true;
    void getReference(id)
      .then((r) => alive && setLoaded({ id, ref: r ?? null }));
    return () => {
      alive = false;
    };
  }, [id]);
  return id && loaded?.id === id ? loaded.ref : null;
}

/**
 * The records of the draft's tray, read by useDraft before it passes a new draft on (see
 * primeReferences): useReferences then has them in the same render. Only the latest tray's.
 */
let trayRecords: ReadonlyMap<string, ReferenceRecord> = new Map();

async function primeReferences(ids: readonly string[]): Promise<void> {
  const records = await Promise.all(ids.map((id) => trayRecords.get(id) ?? getReference(id).catch(() => undefined)));
  trayRecords = new Map(records.filter((r): r is ReferenceRecord => !!r).map((r) => [r.id, r]));
}

/** The records of `key`'s ids when the primed tray has every one of them, else null. */
function primedReferences(key: string): ReadonlyMap<string, ReferenceRecord> | null {
  const wanted = key ? key.split('\n') : [];
  return wanted.every((id) => trayRecords.has(id)) ? new Map(wanted.map((id) => [id, trayRecords.get(id)!])) : null;
}

/**
 * The stored records of several references (the tray), by id; an id not stored (any more) is
 * absent. The draft's tray is there in the first render (primed by useDraft); other ids are
 * read after it, and while they load, the records last read that way stay shown.
 */
export function useReferences(ids: readonly string[]): ReadonlyMap<string, ReferenceRecord> {
  const key = [...new Set(ids)].sort().join('\n');
  const primed = useMemo(() => primedReferences(key), [key]);
  const [refs, setRefs] = useState<ReadonlyMap<string, ReferenceRecord>>(() => new Map());
  useEffect(() => {
    if (primed) return;
    let alive = true;
    const wanted = key ? key.split('\n') : [];
    void Promise.all(wanted.map((id) => getReference(id).catch(() => undefined))).then(
      (records) => alive && setRefs(new Map(records.filter((r): r is ReferenceRecord => !!r).map((r) => [r.id, r]))),
    );
    return () => {
      alive = false;
    };
  }, [key, primed]);
  return primed ?? refs;
}

/** Object URLs for the thumbnails of several references, by id; revoked when they change or go away. */
export function useReferenceThumbUrls(refs: ReadonlyMap<string, ReferenceRecord>): ReadonlyMap<string, string> {
  const urls = useMemo(() => new Map([...refs].map(([id, r]) => [id, URL.createObjectURL(r.thumb)])), [refs]);
  useEffect(() => () => urls.forEach((u) => URL.revokeObjectURL(u)), [urls]);
  return urls;
}

export interface JobWithResults {
  job: JobRecord;
  results: ResultRecord[];
}

/** A Create answered from the cache: the new job, the finished job it reuses, and the request. */
export interface CachedAnswer {
  jobId: string;
  cachedFrom: string;
  request: JobRequest;
  at: number;
}

const cachedAnswerListeners = new Set<(answer: CachedAnswer) => void>();

/**
 * Shows a cache hit at once, from the job it reuses (see useJobs): called with the worker's
 * reply, before the new job has been read back. Chromium runs the page's IndexedDB answers only
 * after the frame that follows a click, so reading the job first costs a frame (bench 4).
 */
export function showCachedAnswer(answer: CachedAnswer): void {
  for (const listener of cachedAnswerListeners) listener(answer);
}

/**
 * The job the worker stores for a cache hit (engine.enqueue), made from the job it reuses:
 * the same route and images, this request, nothing of the old job's own run. Shown only
 * until the stored job is read, which replaces it.
 */
export function cachedAnswerJob(from: JobRecord, answer: CachedAnswer): JobRecord {
  return {
    id: answer.jobId,
    createdAt: answer.at,
    updatedAt: answer.at,
    state: 'done',
    request: answer.request,
    routeId: from.routeId,
    provider: from.provider,
    ...(from.model ? { model: from.model } : {}),
    cacheKey: from.cacheKey,
    cachedFrom: from.id,
    resultIds: from.resultIds,
    attempts: 0,
    deadlineAt: from.deadlineAt,
    ...(from.description ? { description: from.description } : {}),
    ...(from.unusedReferences ? { unusedReferences: from.unusedReferences } : {}),
  };
}

/** Recent jobs and their stored results, refreshed on every job change. */
export function useJobs(limit = 50): JobWithResults[] {
  const [jobs, setJobs] = useState<JobWithResults[]>([]);
  useEffect(() => {
    let alive = true;
    let current: JobWithResults[] = [];
    /** Job ids changed since the last read; `all` after a change that may touch any job. */
    let pending: Set<string> | 'all' | null = null;
    const withResults = async (job: JobRecord): Promise<JobWithResults> => {
      const d = await db();
      const results = (await Promise.all(job.resultIds.map((id) => d.get('results', id)))).filter((r): r is ResultRecord => !!r);
      offerThumbs(results);
      return { job, results };
    };
    const readAll = async (): Promise<JobWithResults[]> => {
      const d = await db();
      const recent: JobRecord[] = [];
      let cursor = await d.transaction('jobs').store.index('byCreatedAt').openCursor(null, 'prev');
      while (cursor && recent.length < limit) {
        recent.push(cursor.value);
        cursor = await cursor.continue();
      }
      return Promise.all(recent.map(withResults));
    };
    /**
     * A job's own change re-reads only that job (and its results): a finished generation then
     * costs one record and its images, not the whole list (bench figures 3 and 4). Untouched
     * entries keep their identity, so their cards need not render again.
     */
    const readChanged = async (ids: Set<string>): Promise<JobWithResults[]> => {
      const d = await db();
      let next = current;
      for (const id of ids) {
        const job = await d.get('jobs', id);
        const at = next.findIndex((j) => j.job.id === id);
        if (!job) {
          if (at >= 0) next = next.filter((_, i) => i !== at);
          continue;
        }
        const entry = await withResults(job);
        if (at >= 0) next = next.map((j, i) => (i === at ? entry : j));
        else next = [entry, ...next].sort((a, b) => b.job.createdAt - a.job.createdAt).slice(0, limit);
      }
      return next;
    };
    const refresh = async () => {
      const work = pending;
      pending = null;
      if (!work) return;
      const next = work === 'all' ? await readAll() : await readChanged(work);
      if (!alive) return;
      current = next;
      setJobs(next);
      if (pending) await refresh();
    };
    let running: Promise<void> | null = null;
    const schedule = (change: string | 'all') => {
      if (change === 'all' || pending === 'all') pending = 'all';
      else {
        const ids: Set<string> = pending ?? new Set();
        ids.add(change);
        pending = ids;
      }
      // Bursts of changes (polling) collapse into one read; one read at a time, in order.
      running ??= Promise.resolve().then(async () => {
        try {
          await refresh();
        } finally {
          running = null;
        }
      });
    };
    schedule('all');
    const off = subscribe((e) => {
      if (e.type === 'job.changed') schedule(e.jobId);
      else if (e.type === 'results.changed') schedule('all');
    });
    // A cache hit whose reused job is on screen: its card is drawn now, in the reply's own task
    // (its thumbnails are loaded already), and the stored job replaces it when its read lands.
    const onCached = (answer: CachedAnswer) => {
      if (!alive || current.some((j) => j.job.id === answer.jobId)) return;
      const from = current.find((j) => j.job.id === answer.cachedFrom);
      if (!from) return;
      current = [{ job: cachedAnswerJob(from.job, answer), results: from.results }, ...current].sort((a, b) => b.job.createdAt - a.job.createdAt).slice(0, limit);
      const next = current;
      flushSync(() => setJobs(next));
      schedule(answer.jobId);
    };
    cachedAnswerListeners.add(onCached);
    return () => {
      alive = false;
      off();
      cachedAnswerListeners.delete(onCached);
    };
  }, [limit]);
  return jobs;
}

export type RouteState = { ok: true; choice: RouteChoice } | { ok: false; error: SerializedError };

/** Settings and keys as routing sees them, kept fresh as they change anywhere. */
export function useRoutingEnv(): RoutingEnv | null {
  const [settings, setSettings] = useState<Settings | null>(null);
  const [configured, setConfigured] = useState<Set<ProviderId> | null>(null);
  useEffect(() => {
    void loadSettings().then(setSettings);
    void configuredProviders().then(setConfigured);
    const refreshKeys = () => void configuredProviders().then(setConfigured);
    window.addEventListener('focus', refreshKeys);
    const off = watchSettings((s) => {
      setSettings(s);
      refreshKeys();
    });
    const offKeys = subscribe((e) => {
      if (e.type === 'keys.changed') refreshKeys();
    });
    return () => {
      off();
      offKeys();
      window.removeEventListener('focus', refreshKeys);
    };
  }, []);
  return useMemo(() => (settings && configured ? { settings, configured, sandbox: SANDBOX_BUILD } : null), [settings, configured]);
}

/** How a model will run with the current keys, settings and route marks. */
export function routeState(modelId: ModelId, env: RoutingEnv): RouteState {
  try {
    return { ok: true, choice: chooseRoute(modelId, env) };
  } catch (err) {
    return { ok: false, error: toAppError(err).toJSON() };
  }
}

/** How often an open panel with unfinished jobs checks that the worker is there. */
const WAKE_INTERVAL_MS = 500;

/**
 * While jobs are unfinished, keeps a worker that the browser stopped from staying stopped: the
 * ping restarts it, and a starting worker resumes every unfinished job from its record.
 */
export function useWakeWorker(active: boolean, ping: () => Promise<unknown>): void {
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => void ping().catch(() => {}), WAKE_INTERVAL_MS);
    return () => clearInterval(timer);
  }, [active, ping]);
}
