import type { IDBPDatabase } from 'idb';
import type { ImagePromptDB } from '../db';
import { AppError, isTransient, toAppError } from '../errors';
import { findRoute, wireModel, type ProviderId, type RouteSpec } from '../models';
import type { GenerationInput, ProviderAdapter, ProviderOutput, ProviderTarget } from '../providers/types';
import type { ResultRecord } from '../results';
import { cacheKeyFor } from './cache-key';
import { downloadOutput } from './download';
import { ProviderSlots } from './provider-slots';
import { evictLeastRecentlyUsed, isQuotaExceeded } from './eviction';
import { isTerminal, type JobRecord, type JobRequest } from './types';

/**
 * The job engine: runs persisted jobs to their end, step by step, writing each state before
 * the step starts. Nothing it needs lives only in memory: after a worker restart,
 * `resumeUnfinished()` picks every job up from its record. A job that has a provider id is
 * only ever polled, never submitted again.
 */

export interface EngineDeps {
  db: () => Promise<IDBPDatabase<ImagePromptDB>>;
  fetch: typeof fetch;
  now: () => number;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  newId: () => string;
  adapterFor: (provider: ProviderId) => ProviderAdapter | undefined;
  /** Picks the route for a new request, with the user's model id applied (throws AppError 'no_key' etc.). */
  chooseRoute: (request: JobRequest) => Promise<RouteSpec>;
  /**
   * The provider said this route's model does not exist: remember it on this browser so it is
   * not chosen (and paid attention to) again. Never called for timeouts, 5xx or 429.
   */
  onRouteUnavailable?: (job: JobRecord, error: AppError) => Promise<void> | void;
  /** Base URL and key for a provider, read fresh each time (keys may change while a job runs). */
  targetFor: (provider: ProviderId) => Promise<ProviderTarget>;
  /** Turns a job into the adapter's input: prepares the reference for the route, or describes it. */
  prepareInput: (job: JobRecord, route: RouteSpec, signal: AbortSignal) => Promise<GenerationInput & { description?: string }>;
  /** Called after every persisted change. */
  onChange?: (job: JobRecord) => void;
  /** Called when results were deleted to make room for new ones. */
  onResultsEvicted?: (resultIds: string[]) => void;
  /** Held while any job runs so the worker is not stopped for idleness. */
  keepAlive?: { hold(): void; release(): void };
  pollIntervalMs?: number;
  maxPollIntervalMs?: number;
  maxRetries?: number;
  deadlineMs?: number;
  maxActivePerProvider?: number;
}

export interface JobEngine {
  enqueue(request: JobRequest): Promise<{ job: JobRecord; cached: boolean }>;
  run(jobId: string): Promise<void>;
  resumeUnfinished(): Promise<number>;
  cancel(jobId: string): Promise<void>;
  isRunning(jobId: string): boolean;
  activeCount(): number;
}

export function createJobEngine(deps: EngineDeps): JobEngine {
  const pollIntervalMs = deps.pollIntervalMs ?? 1000;
  const maxPollIntervalMs = deps.maxPollIntervalMs ?? 4000;
  const maxRetries = deps.maxRetries ?? 4;
  const deadlineMs = deps.deadlineMs ?? 15 * 60_000;
  const maxActive = deps.maxActivePerProvider ?? 4;

  const running = new Map<string, AbortController>();
  const slots = new ProviderSlots(maxActive);

  /** Read-modify-write in one transaction; a job someone else already ended is left alone. */
  async function update(id: string, mutate: (job: JobRecord) => JobRecord): Promise<JobRecord | null> {
    const d = await deps.db();
    const tx = d.transaction('jobs', 'readwrite');
    const current = await tx.store.get(id);
    if (!current || isTerminal(current.state)) {
      await tx.done;
      return null;
    }
    const next = { ...mutate(current), updatedAt: deps.now() };
    await tx.store.put(next);
    await tx.done;
    deps.onChange?.(next);
    return next;
  }

  async function fail(id: string, err: unknown, state: 'failed' | 'timed_out' = 'failed') {
    const appError = toAppError(err);
    const ended = await update(id, (j) => ({
      ...j,
      state,
      error: { ...appError.toJSON(), ...(appError.kind === 'route_unavailable' ? { routeId: j.routeId } : {}) },
      progress: undefined,
    }));
    if (ended && appError.kind === 'route_unavailable') {
      try {
        await deps.onRouteUnavailable?.(ended, appError);
      } catch {
        // Remembering is a courtesy; the job has ended with a clear message either way.
      }
    }
    return ended;
  }

  async function enqueue(request: JobRequest): Promise<{ job: JobRecord; cached: boolean }> {
    const d = await deps.db();
    const route = await deps.chooseRoute(request);
    const reference = request.referenceId ? await d.get('references', request.referenceId) : null;
    if (request.referenceId && !reference) {
      throw new AppError('not_found', 'The image prompt is no longer stored. Add the image again.');
    }
    const model = wireModel(route);
    const cacheKey = await cacheKeyFor(request, route.id, reference?.sha256 ?? null, route.modelOverride);
    const now = deps.now();
    const base: JobRecord = {
      id: deps.newId(),
      createdAt: now,
      updatedAt: now,
      state: 'queued',
      request,
      routeId: route.id,
      provider: route.provider,
      model,
      cacheKey,
      resultIds: [],
      attempts: 0,
      deadlineAt: now + deadlineMs,
    };

    if (!request.fresh) {
      const hit = await findCached(d, cacheKey);
      if (hit) {
        const job: JobRecord = { ...base, state: 'done', cachedFrom: hit.id, resultIds: hit.resultIds, description: hit.description };
        await d.put('jobs', job);
        await touchResults(d, hit.resultIds, now);
        deps.onChange?.(job);
        return { job, cached: true };
      }
    }
    await d.put('jobs', base);
    deps.onChange?.(base);
    void run(base.id);
    return { job: base, cached: false };
  }

  async function findCached(d: IDBPDatabase<ImagePromptDB>, cacheKey: string): Promise<JobRecord | undefined> {
    const candidates = await d.getAllFromIndex('jobs', 'byCacheKey', cacheKey);
    candidates.sort((a, b) => b.createdAt - a.createdAt);
    for (const job of candidates) {
      if (job.state !== 'done' || job.resultIds.length === 0) continue;
      const present = await Promise.all(job.resultIds.map((rid) => d.getKey('results', rid)));
      if (present.every((k) => k !== undefined)) return job;
    }
    return undefined;
  }

  async function touchResults(d: IDBPDatabase<ImagePromptDB>, ids: string[], now: number) {
    const tx = d.transaction('results', 'readwrite');
    for (const id of ids) {
      const r = await tx.store.get(id);
      if (r) await tx.store.put({ ...r, lastUsedAt: now });
    }
    await tx.done;
  }

  async function run(jobId: string): Promise<void> {
    if (running.has(jobId)) return;
    const controller = new AbortController();
    running.set(jobId, controller);
    deps.keepAlive?.hold();
    let provider: ProviderId | undefined;
    try {
      const first = await (await deps.db()).get('jobs', jobId);
      if (!first || isTerminal(first.state)) return;
      await slots.acquire(first.provider, controller.signal);
      provider = first.provider; // only a slot actually held is given back
      await drive(jobId, controller.signal);
    } catch (err) {
      if (!controller.signal.aborted) await fail(jobId, err);
    } finally {
      if (provider) slots.release(provider);
      running.delete(jobId);
      deps.keepAlive?.release();
    }
  }

  async function drive(jobId: string, signal: AbortSignal): Promise<void> {
    let pollDelay = pollIntervalMs;
    // Consecutive transient failures, for backoff; a restarted worker starts again from 0.
    let pollFailures = 0;
    let downloadFailures = 0;
    let lastLookTaken = false;
    let resumedSubmitting = true; // a 'submitting' record seen before we submit ourselves is a dead worker's
    for (;;) {
      if (signal.aborted) return;
      const job = await (await deps.db()).get('jobs', jobId);
      if (!job || isTerminal(job.state)) return;
      const found = findRoute(job.routeId);
      if (!found) {
        await fail(jobId, new AppError('internal', 'This job\u2019s model route no longer exists.'));
        return;
      }
      // The model id this job was created with, even if the user changed the override since.
      const route = job.model && job.model !== found.route.endpoint ? { ...found.route, modelOverride: job.model } : found.route;
      const adapter = deps.adapterFor(job.provider);
      if (!adapter) {
        await fail(jobId, new AppError('internal', `No adapter for ${job.provider}.`));
        return;
      }
      if (deps.now() > job.deadlineAt && job.state !== 'downloading') {
        // A worker that was stopped for long (the browser was closed) finds the deadline gone
        // by: the provider may have finished meanwhile, and that paid result is worth a last look.
        if (job.handle && !lastLookTaken && (job.state === 'submitted' || job.state === 'polling')) {
          lastLookTaken = true;
          const outcome = await lastLook(job, adapter, route, signal);
          if (outcome?.kind === 'done') {
            await update(jobId, (j) => ({ ...j, state: 'downloading', outputs: outcome.outputs, progress: undefined }));
            continue;
          }
        }
        await giveUp(job, adapter, route);
        return;
      }

      switch (job.state) {
        case 'queued': {
          if (job.notBefore && job.notBefore > deps.now()) {
            await deps.sleep(job.notBefore - deps.now(), signal);
            continue;
          }
          const target = await deps.targetFor(job.provider);
          const input = await deps.prepareInput(job, route, signal);
          if (signal.aborted) return;
          const marked = await update(jobId, (j) => ({
            ...j,
            state: 'submitting',
            submitStartedAt: deps.now(),
            ...(input.description !== undefined ? { description: input.description } : {}),
          }));
          if (!marked) return;
          resumedSubmitting = false;
          try {
            const outcome = await adapter.submit(route, input, { ...target, fetch: deps.fetch, signal });
            if (outcome.kind === 'submitted') {
              await update(jobId, (j) => ({
                ...j,
                state: 'submitted',
                handle: outcome.handle,
                progress: { stage: 'queued', queuePosition: outcome.queuePosition },
              }));
            } else {
              await update(jobId, (j) => ({ ...j, state: 'downloading', handle: outcome.handle, outputs: outcome.outputs, progress: undefined, notice: outcome.notice }));
            }
          } catch (err) {
            const e = toAppError(err);
            // Retry only what the provider itself refused (429, 5xx): a network failure during
            // submit may have reached the provider, and a paid request must never run twice.
            const refusedByProvider = e.kind === 'rate_limited' || e.kind === 'provider_down';
            if (refusedByProvider && job.attempts < maxRetries) {
              const wait = e.retryAfterMs ?? backoff(job.attempts);
              await update(jobId, (j) => ({ ...j, state: 'queued', attempts: j.attempts + 1, notBefore: deps.now() + wait, error: e.toJSON() }));
              continue;
            }
            if (e.kind === 'canceled' && signal.aborted) return;
            await fail(jobId, e);
            return;
          }
          continue;
        }

        case 'submitting': {
          if (!resumedSubmitting) continue;
          // The worker stopped while a submit call was in flight: the provider may have
          // received it (and charged for it). Say so instead of sending it again.
          await fail(
            jobId,
            new AppError(
              'may_have_been_charged',
              `The extension was interrupted while sending this job to ${job.provider}. It may have been received and charged; check your ${job.provider} account before creating it again.`,
              { provider: job.provider },
            ),
          );
          return;
        }

        case 'submitted':
          await update(jobId, (j) => ({ ...j, state: 'polling' }));
          continue;

        case 'polling': {
          if (!job.handle) {
            await fail(jobId, new AppError('internal', 'This job lost its provider id.'));
            return;
          }
          try {
            const target = await deps.targetFor(job.provider);
            const outcome = await adapter.poll(route, job.handle, { ...target, fetch: deps.fetch, signal });
            pollFailures = 0;
            if (outcome.kind === 'done') {
              await update(jobId, (j) => ({ ...j, state: 'downloading', outputs: outcome.outputs, progress: undefined, notice: outcome.notice }));
              continue;
            }
            const progress = { stage: outcome.stage, queuePosition: outcome.queuePosition };
            if (JSON.stringify(progress) !== JSON.stringify(job.progress)) {
              await update(jobId, (j) => ({ ...j, progress }));
            }
            await deps.sleep(pollDelay, signal);
            pollDelay = Math.min(maxPollIntervalMs, Math.round(pollDelay * 1.3));
          } catch (err) {
            const e = toAppError(err);
            if (signal.aborted) return;
            if (isTransient(e.kind)) {
              // Told to slow down: poll at the slowest pace from now on.
              if (e.kind === 'rate_limited') pollDelay = maxPollIntervalMs;
              // Polling is free: keep trying until the deadline, backing off, and waiting as
              // long as the provider asks (Retry-After) when it says so.
              await deps.sleep(backoff(++pollFailures, e.retryAfterMs), signal);
              continue;
            }
            await fail(jobId, e);
            return;
          }
          continue;
        }

        case 'downloading': {
          const outputs = job.outputs ?? [];
          if (outputs.length === 0) {
            await fail(jobId, new AppError('bad_reply', `${job.provider} finished without any image.`, { provider: job.provider }));
            return;
          }
          try {
            const ids = await downloadAll(job, outputs, signal);
            await update(jobId, (j) => ({ ...j, state: 'done', resultIds: ids, outputs: undefined, error: undefined }));
          } catch (err) {
            const e = toAppError(err);
            if (signal.aborted) return;
            // The provider already made (and charged for) these images: keep trying a while
            // past the deadline, as long as the links may still work.
            if (isTransient(e.kind) && deps.now() < job.deadlineAt + DOWNLOAD_GRACE_MS) {
              await deps.sleep(backoff(++downloadFailures, e.retryAfterMs), signal);
              continue;
            }
            await fail(jobId, e);
          }
          return;
        }

        default:
          return;
      }
    }
  }

  /** Downloads each output into `results`, skipping those already saved (after a restart). */
  async function downloadAll(job: JobRecord, outputs: ProviderOutput[], signal: AbortSignal): Promise<string[]> {
    const d = await deps.db();
    const ids: string[] = [];
    for (const [index, output] of outputs.entries()) {
      const id = `${job.id}:${index}`;
      ids.push(id);
      if ((await d.getKey('results', id)) !== undefined) continue;
      const { blob, mime } = await downloadOutput(output, deps.fetch, signal, job.provider);
      const now = deps.now();
      const record: ResultRecord = {
        id,
        jobId: job.id,
        index,
        blob,
        mime,
        width: output.width,
        height: output.height,
        createdAt: now,
        lastUsedAt: now,
        starred: false,
      };
      await saveResult(d, record);
    }
    return ids;
  }

  /**
   * Writes one result. When the browser is out of room, deletes the least recently used
   * results that are neither starred nor part of a running job, and tries once more.
   */
  async function saveResult(d: IDBPDatabase<ImagePromptDB>, record: ResultRecord): Promise<void> {
    try {
      await d.put('results', record);
      return;
    } catch (err) {
      if (!isQuotaExceeded(err)) throw err;
    }
    const { evicted } = await evictLeastRecentlyUsed(d, { bytesWanted: record.blob.size * 2 + EVICTION_HEADROOM_BYTES });
    if (evicted.length) deps.onResultsEvicted?.(evicted);
    try {
      await d.put('results', record);
    } catch (err) {
      if (!isQuotaExceeded(err)) throw err;
      throw new AppError(
        'storage_full',
        'There is no room left to save this image, even after removing older images that are not starred.',
        { cause: err },
      );
    }
  }

  async function lastLook(job: JobRecord, adapter: ProviderAdapter, route: RouteSpec, signal: AbortSignal) {
    try {
      const target = await deps.targetFor(job.provider);
      return await adapter.poll(route, job.handle!, { ...target, fetch: deps.fetch, signal });
    } catch {
      return undefined; // out of time either way
    }
  }

  async function giveUp(job: JobRecord, adapter: ProviderAdapter, route: RouteSpec) {
    if (job.handle && adapter.cancel) {
      try {
        const target = await deps.targetFor(job.provider);
        await adapter.cancel(route, job.handle, { ...target, fetch: deps.fetch });
      } catch {
        // Best effort: the job is over for us either way.
      }
    }
    await fail(job.id, new AppError('timed_out', `${job.provider} did not finish in time.`, { provider: job.provider }), 'timed_out');
  }

  async function resumeUnfinished(): Promise<number> {
    const d = await deps.db();
    const all = await d.getAll('jobs');
    const open = all.filter((j) => !isTerminal(j.state) && !running.has(j.id));
    for (const job of open) void run(job.id);
    return open.length;
  }

  async function cancel(jobId: string): Promise<void> {
    const d = await deps.db();
    const job = await d.get('jobs', jobId);
    if (!job || isTerminal(job.state)) return;
    running.get(jobId)?.abort();
    const adapter = deps.adapterFor(job.provider);
    const found = findRoute(job.routeId);
    if (job.handle && adapter?.cancel && found) {
      try {
        const target = await deps.targetFor(job.provider);
        await adapter.cancel(found.route, job.handle, { ...target, fetch: deps.fetch });
      } catch {
        // The provider may have finished already; the job is canceled for the user regardless.
      }
    }
    await update(jobId, (j) => ({ ...j, state: 'canceled', progress: undefined, error: new AppError('canceled', 'Canceled.').toJSON() }));
  }

  return {
    enqueue,
    run,
    resumeUnfinished,
    cancel,
    isRunning: (id) => running.has(id),
    activeCount: () => running.size,
  };
}

/** How long past its deadline a job keeps trying to download images the provider already made. */
const DOWNLOAD_GRACE_MS = 5 * 60_000;
/** Eviction frees a little more than the one image, so the next ones do not evict again at once. */
const EVICTION_HEADROOM_BYTES = 8 * 1024 * 1024;

/** Exponential backoff with jitter, unless the provider said how long to wait. */
function backoff(attempt: number, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined) return retryAfterMs;
  return Math.min(30_000, 1000 * 2 ** attempt) + Math.floor(Math.random() * 250);
}
