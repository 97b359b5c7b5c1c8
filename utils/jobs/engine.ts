import type { IDBPDatabase } from 'idb';
import type { ImagePromptDB } from '../store/schema';
import { AppError, isTransient, toAppError } from '../errors';
import { findRoute, PROVIDER_NAMES, wireModel, type ProviderId, type RouteSpec } from '../models';
import { RequestTimeout } from '../net/timed-fetch';
import { abortableSleep } from '../net/sleep';
import { clampRetryAfter, REQUEST_LIMITS, type ProviderCallContext } from '../providers/http';
import type { GenerationInput, JobCost, ProviderAdapter, ProviderHandle, ProviderOutput, ProviderTarget, SubmitOutcome } from '../providers/types';
import { cacheKeyFor } from './cache-key';
import { DOWNLOAD_LIMITS, downloadOutput } from './download';
import { ProviderSlots } from './provider-slots';
import { evictLeastRecentlyUsed, isQuotaExceeded } from './eviction';
import { isTerminal, JOB_STATES, type JobRecord, type JobRequest, type ResultRecord } from '../store/types';
import { requireReference } from '../store/references';
import { referencePlan, trayOf } from '../reference-plan';

/**
 * The job engine: runs persisted jobs to their end, step by step, writing each state before
 * the step starts. Nothing it needs lives only in memory: after a worker restart,
 * `resumeUnfinished()` picks every job up from its record. A job that has a provider id is
 * only ever polled, never submitted again.
 *
 * No job can hold its provider slot forever: every provider request has its own time limit
 * (utils/providers/http.ts), and every step that waits on the network also races the job's
 * deadline, so a step that never ends (or ignores its abort signal) is abandoned there and the
 * job ends as timed_out. Waits the provider asks for (Retry-After) are clamped, and a wait that
 * would run past the deadline ends the job instead.
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
  /** Base URL and key for a provider as they are now (keys may change while a job runs); asked before every request. */
  targetFor: (provider: ProviderId) => Promise<ProviderTarget>;
  /** Turns a job into the adapter's input: prepares the reference for the route, or describes it. */
  prepareInput: (job: JobRecord, route: RouteSpec, signal: AbortSignal) => Promise<GenerationInput & { description?: string }>;
  /** Called after every persisted change. */
  onChange?: (job: JobRecord) => void;
  /** Called when results were deleted to make room for new ones. */
  onResultsEvicted?: (resultIds: string[]) => void;
  /** Held while any job runs so the worker is not stopped for idleness. */
  keepAlive?: { hold(): void; release(): void };
  /** The wait before the first status check of a job just submitted; each later wait is POLL_GROWTH times the one before. */
  pollIntervalMs?: number;
  /** The longest wait between two status checks. */
  maxPollIntervalMs?: number;
  maxRetries?: number;
  deadlineMs?: number;
  maxActivePerProvider?: number;
}

export interface JobEngine {
  /**
   * Starts a job for a request, or answers it without a new provider request: from the cache
   * (a finished job with the same inputs whose images are still stored: `cached: true`), or,
   * unless `fresh`, with the job already running for the same inputs (two panels pressing
   * Create at the same moment): that job is returned as it is, with `cached: false`, so both
   * panels show the one job and the user pays once.
   */
  enqueue(request: JobRequest): Promise<{ job: JobRecord; cached: boolean; joined: boolean }>;
  run(jobId: string): Promise<void>;
  resumeUnfinished(): Promise<number>;
  cancel(jobId: string): Promise<void>;
  activeCount(): number;
}

/** Thrown into a step that is still waiting when its job's deadline arrives. */
class DeadlineReached extends Error {
  constructor() {
    super('The job reached its deadline.');
    this.name = 'DeadlineReached';
  }
}

export function createJobEngine(deps: EngineDeps): JobEngine {
  const pollIntervalMs = deps.pollIntervalMs ?? FIRST_POLL_MS;
  const maxPollIntervalMs = deps.maxPollIntervalMs ?? MAX_POLL_MS;
  const maxRetries = deps.maxRetries ?? 4;
  const deadlineMs = deps.deadlineMs ?? 15 * 60_000;
  const maxActive = deps.maxActivePerProvider ?? 4;

  const running = new Map<string, AbortController>();
  const slots = new ProviderSlots(maxActive);
  /** Jobs whose provider-side cancel was already sent (or is being sent): it is sent once. */
  const canceledAtProvider = new Set<string>();

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

  async function enqueue(request: JobRequest): Promise<{ job: JobRecord; cached: boolean; joined: boolean }> {
    // Read side by side; a routing error (no key) is still the one reported first.
    const tray = trayOf(request);
    const [routed, referenced, d] = await Promise.allSettled([
      deps.chooseRoute(request),
      Promise.all(tray.map((r) => requireReference(r.referenceId, deps.db))),
      deps.db(),
    ]);
    if (routed.status === 'rejected') throw routed.reason;
    if (referenced.status === 'rejected') throw referenced.reason;
    if (d.status === 'rejected') throw d.reason;
    const route = routed.value;
    // The image prompt is the tray's first reference; every reference (hash, role, weight) keys the cache.
    const reference = referenced.value[0] ?? null;
    const model = wireModel(route);
    const keyed = tray.map((r, i) => ({ sha256: referenced.value[i]!.sha256, role: r.role, weight: r.weight }));
    const cacheKey = await cacheKeyFor(request, route.id, keyed, route.modelOverride);
    // Which references this route cannot use, and why: kept so the result can say so.
    const unused = referencePlan(route, tray).unused;
    const now = deps.now();
    // Lineage is copied now, not looked up later: adding the same picture again from elsewhere
    // overwrites the reference's source. It stays out of the cache key (and so does runId).
    const parent = reference?.source.kind === 'result' ? reference.source : undefined;
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
      ...(parent?.resultId ? { parentResultId: parent.resultId } : {}),
      ...(parent?.jobId ? { parentJobId: parent.jobId } : {}),
      ...(unused.length > 0 ? { unusedReferences: unused } : {}),
    };

    // Looking for an answer and writing the new job happen in one transaction: IndexedDB runs
    // read-write transactions on the same store one after the other, so of two identical
    // requests arriving together, the second always sees the first one's job.
    const tx = d.value.transaction(['jobs', 'results'], 'readwrite');
    const jobs = tx.objectStore('jobs');
    const results = tx.objectStore('results');
    let answer: { job: JobRecord; cached: boolean; created: boolean } = { job: base, cached: false, created: true };
    let unusedFor: string[] = [];
    if (!request.fresh) {
      const candidates = await jobs.index('byCacheKey').getAll(cacheKey);
      candidates.sort((a, b) => b.createdAt - a.createdAt);
      let hit: JobRecord | undefined;
      for (const job of candidates) {
        if (job.state !== 'done' || job.resultIds.length === 0) continue;
        const stored = await Promise.all(job.resultIds.map((rid) => results.get(rid)));
        if (stored.every((r) => r !== undefined)) {
          hit = job;
          unusedFor = stored.filter((r) => now - r!.lastUsedAt >= LAST_USED_GRANULARITY_MS).map((r) => r!.id);
          break;
        }
      }
      const live = hit ? undefined : candidates.find((j) => canJoin(j, now));
      if (hit) {
        answer = { job: { ...base, state: 'done', cachedFrom: hit.id, resultIds: hit.resultIds, description: hit.description }, cached: true, created: true };
      } else if (live) {
        answer = { job: live, cached: false, created: false };
      }
    }
    if (answer.created) await jobs.put(answer.job);
    await tx.done;

    if (answer.created) deps.onChange?.(answer.job);
    // Marking the images as used rewrites their records, Blobs included (tens of ms): not while
    // the panel is about to show them, and not at all for images used moments ago.
    if (unusedFor.length) void markUsed(unusedFor, now).catch(() => {});
    // A joined job is normally running already (run() is then a no-op); one left by a stopped
    // worker and not resumed yet starts here. A new one starts from the record just written.
    if (!answer.cached) void start(answer.job.id, answer.created ? answer.job : undefined);
    return { job: answer.job, cached: answer.cached, joined: !answer.created };
  }

  /**
   * The wait between polls, cut short when the provider pushes word that the job moved on.
   * Abort ends it as deps.sleep does; the sleep left behind is stopped, not left to run out.
   */
  async function napUntilChange(ms: number, signal: AbortSignal, change: Promise<void> | undefined): Promise<void> {
    if (!change || signal.aborted) return deps.sleep(ms, signal);
    const nap = new AbortController();
    const stop = () => nap.abort(signal.reason);
    signal.addEventListener('abort', stop, { once: true });
    try {
      await Promise.race([deps.sleep(ms, nap.signal), change]);
    } finally {
      signal.removeEventListener('abort', stop);
      nap.abort();
    }
  }

  /** Moves results up in the least-recently-used order that eviction follows. */
  async function markUsed(resultIds: string[], now: number): Promise<void> {
    const tx = (await deps.db()).transaction('results', 'readwrite');
    for (const id of resultIds) {
      const r = await tx.store.get(id);
      if (r && r.lastUsedAt < now) await tx.store.put({ ...r, lastUsedAt: now });
    }
    await tx.done;
  }

  /**
   * Whether a new identical request may share this job instead of paying for its own: it has
   * not ended and has time left. A 'submitting' record that this worker is not driving was left
   * by a stopped worker and will end as "may have been charged": not one to join.
   */
  function canJoin(job: JobRecord, now: number): boolean {
    if (isTerminal(job.state) || now > job.deadlineAt) return false;
    return job.state !== 'submitting' || running.has(job.id);
  }

  function run(jobId: string): Promise<void> {
    return start(jobId);
  }

  /** Drives a job; `known` is its record when the caller has just written it (no need to read it back). */
  async function start(jobId: string, known?: JobRecord): Promise<void> {
    if (running.has(jobId)) return;
    const controller = new AbortController();
    running.set(jobId, controller);
    deps.keepAlive?.hold();
    let provider: ProviderId | undefined;
    try {
      const first = known ?? (await (await deps.db()).get('jobs', jobId));
      if (!first || isTerminal(first.state)) return;
      const slotFree = slots.inUse(first.provider) < maxActive;
      await slots.acquire(first.provider, controller.signal);
      provider = first.provider; // only a slot actually held is given back
      // After waiting for a slot, start from the record as it is now.
      await drive(jobId, controller.signal, slotFree ? first : undefined);
    } catch (err) {
      if (!controller.signal.aborted) await fail(jobId, err);
    } finally {
      if (provider) slots.release(provider);
      running.delete(jobId);
      deps.keepAlive?.release();
    }
  }

  /**
   * Runs one step that waits on the network, racing the job's deadline (`limitAt`). The step
   * gets its own signal, aborted at the deadline, and on the user's cancel when
   * `abortOnCancel`. At the deadline DeadlineReached is thrown at once, even if the step does
   * not stop: a step that ignores its signal cannot keep the job (and its slot) any longer.
   * `onAbandoned` receives the abandoned step's promise (to clean up whatever it still returns).
   */
  function withinDeadline<T>(
    limitAt: number,
    cancel: AbortSignal,
    abortOnCancel: boolean,
    step: (signal: AbortSignal) => Promise<T>,
    onAbandoned?: (late: Promise<T>) => void,
  ): Promise<T> {
    const remaining = limitAt - deps.now();
    if (remaining <= 0) return Promise.reject(new DeadlineReached());
    const stepControl = new AbortController();
    const timer = new AbortController();
    const onCancel = () => stepControl.abort(cancel.reason);
    if (abortOnCancel) {
      if (cancel.aborted) stepControl.abort(cancel.reason);
      else cancel.addEventListener('abort', onCancel, { once: true });
    }
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const finish = () => {
        settled = true;
        timer.abort();
        cancel.removeEventListener('abort', onCancel);
      };
      let work: Promise<T>;
      try {
        work = step(stepControl.signal);
      } catch (err) {
        work = Promise.reject(err);
      }
      abortableSleep(remaining, timer.signal).then(
        () => {
          if (settled) return;
          finish();
          const reached = new DeadlineReached();
          stepControl.abort(reached);
          onAbandoned?.(work);
          reject(reached);
        },
        () => {},
      );
      work.then(
        (v) => {
          if (settled) return;
          finish();
          resolve(v);
        },
        (e: unknown) => {
          if (settled) return;
          finish();
          reject(e);
        },
      );
    });
  }

  /**
   * Runs a job's steps until it ends. Each step starts from the job's record: the one a step
   * just wrote (update() returns it, read in the same transaction), else read afresh (after a
   * wait, or when another context may have ended the job).
   */
  async function drive(jobId: string, signal: AbortSignal, first: JobRecord | undefined): Promise<void> {
    let written: JobRecord | null | undefined = first;
    let pollDelay = pollIntervalMs;
    // Consecutive transient failures, for backoff; a restarted worker starts again from 0.
    let pollFailures = 0;
    let pollTimeouts = 0;
    let downloadFailures = 0;
    let lastLookTaken = false;
    let resumedSubmitting = true; // a 'submitting' record seen before we submit ourselves is a dead worker's
    // A job this driver has just submitted cannot be done yet: its first check waits a moment.
    // A job found polling (a restarted worker) is checked at once.
    let justSubmitted = false;
    for (;;) {
      if (signal.aborted) return;
      const job: JobRecord | undefined = written ?? (await (await deps.db()).get('jobs', jobId));
      written = undefined;
      if (!job || isTerminal(job.state)) return;
      const route = routeOf(job);
      if (!route) {
        await fail(jobId, new AppError('internal', 'This job\u2019s model route no longer exists.'));
        return;
      }
      const adapter = deps.adapterFor(job.provider);
      if (!adapter) {
        await fail(jobId, new AppError('internal', `No adapter for ${job.provider}.`));
        return;
      }
      const name = providerName(job);
      if (deps.now() > job.deadlineAt && job.state !== 'downloading') {
        // A worker that was stopped for long (the browser was closed) finds the deadline gone
        // by: the provider may have finished meanwhile, and that paid result is worth a last look.
        if (job.handle && !lastLookTaken && (job.state === 'submitted' || job.state === 'polling')) {
          lastLookTaken = true;
          const outcome = await lastLook(job, adapter, route, signal);
          if (outcome?.kind === 'done') {
            written = await update(jobId, (j) => ({ ...j, state: 'downloading', outputs: outcome.outputs, progress: undefined, ...costOf(outcome) }));
            continue;
          }
        }
        await giveUp(job);
        return;
      }

      switch (job.state) {
        case 'queued': {
          if (job.notBefore && job.notBefore > deps.now()) {
            if (job.notBefore > job.deadlineAt) {
              await fail(jobId, waitTooLong(job, job.error?.kind === 'provider_down' ? 'provider_down' : 'rate_limited', job.notBefore - deps.now()), 'timed_out');
              return;
            }
            await deps.sleep(job.notBefore - deps.now(), signal);
            continue;
          }
          let prepared: { target: ProviderTarget; input: GenerationInput & { description?: string } };
          try {
            prepared = await withinDeadline(job.deadlineAt, signal, true, async (s) => {
              const target = await deps.targetFor(job.provider);
              return { target, input: await deps.prepareInput(job, route, s) };
            });
          } catch (err) {
            if (err instanceof DeadlineReached) {
              await fail(jobId, stuck(job), 'timed_out');
              return;
            }
            throw err;
          }
          const { target, input } = prepared;
          if (signal.aborted) return;
          // Written before the call, so a restarted worker can look the job up (see 'submitting').
          const reserved = adapter.reserveHandle?.();
          const marked = await update(jobId, (j) => ({
            ...j,
            state: 'submitting',
            submitStartedAt: deps.now(),
            ...(reserved ? { reservedHandle: reserved } : {}),
            ...(input.description !== undefined ? { description: input.description } : {}),
            ...(input.seed !== undefined ? { seed: input.seed } : {}),
          }));
          if (!marked) return;
          resumedSubmitting = false;
          // Canceled while the record was being written: nothing has been sent yet.
          if (signal.aborted) return;
          // A queue submit is not aborted by a cancel: it answers in seconds with the provider's
          // id, which is what the job needs to cancel the work at the provider. A sync call is
          // the work itself, and closing it is the only way to stop waiting for it.
          const sync = adapter.mode === 'sync';
          const ctx = (s: AbortSignal): ProviderCallContext => ({
            ...target,
            fetch: deps.fetch,
            signal: s,
            limits: sync ? REQUEST_LIMITS.generate : REQUEST_LIMITS.submit,
          });
          let outcome: SubmitOutcome;
          try {
            outcome = await withinDeadline(
              job.deadlineAt,
              signal,
              sync,
              (s) => adapter.submit(route, input, ctx(s), reserved),
              // Abandoned at the deadline: if the provider still answers with an id, stop the work there.
              (late) => void late.then((o) => (o.kind === 'submitted' ? cancelAtProvider(job, o.handle) : undefined), () => {}),
            );
          } catch (err) {
            if (err instanceof DeadlineReached) {
              await fail(jobId, mayHaveBeenCharged(job), 'timed_out');
              return;
            }
            const e = toAppError(err);
            if (e.kind === 'canceled' && signal.aborted) return;
            if (isRequestTimeout(e)) {
              // Sent, and never answered in full: the provider may have it (and charge for it).
              await fail(jobId, mayHaveBeenCharged(job), 'timed_out');
              return;
            }
            // Retry only what the provider itself refused (429, 5xx): a network failure during
            // submit may have reached the provider, and a paid request must never run twice.
            const refusedByProvider = e.kind === 'rate_limited' || e.kind === 'provider_down';
            if (refusedByProvider && job.attempts < maxRetries) {
              const wait = backoff(job.attempts, e.retryAfterMs);
              if (deps.now() + wait > job.deadlineAt) {
                await fail(jobId, waitTooLong(job, e.kind, wait), 'timed_out');
                return;
              }
              await update(jobId, (j) => ({ ...j, state: 'queued', attempts: j.attempts + 1, notBefore: deps.now() + wait, error: e.toJSON() }));
              continue;
            }
            await fail(jobId, e);
            return;
          }
          const stored: JobRecord | null =
            outcome.kind === 'submitted'
              ? await update(jobId, (j) => ({
                  ...j,
                  state: 'submitted',
                  handle: outcome.handle,
                  progress: { stage: 'queued', queuePosition: outcome.queuePosition },
                }))
              : await update(jobId, (j) => ({ ...j, state: 'downloading', handle: outcome.handle, outputs: outcome.outputs, progress: undefined, notice: outcome.notice, ...costOf(outcome) }));
          if (!stored) {
            // Canceled while the submit was in flight: the record stays canceled, and the work
            // the provider just accepted is canceled there too.
            if (outcome.kind === 'submitted') await cancelAtProvider(job, outcome.handle);
            return;
          }
          justSubmitted = outcome.kind === 'submitted';
          written = stored;
          continue;
        }

        case 'submitting': {
          if (!resumedSubmitting) continue;
          if (job.reservedHandle) {
            // The job's id at the provider was chosen before sending: look it up instead of
            // guessing (poll says so when the provider never received it).
            written = await update(jobId, (j) => ({ ...j, state: 'polling', handle: j.reservedHandle, lookingUp: true, progress: { stage: 'queued' } }));
            continue;
          }
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
          written = await update(jobId, (j) => ({ ...j, state: 'polling' }));
          continue;

        case 'polling': {
          if (!job.handle) {
            await fail(jobId, new AppError('internal', 'This job lost its provider id.'));
            return;
          }
          const handle = job.handle;
          if (justSubmitted) {
            justSubmitted = false;
            await deps.sleep(pollDelay, signal);
            pollDelay = nextPollDelay(pollDelay, maxPollIntervalMs);
            continue; // read the record again: it may have been canceled meanwhile
          }
          try {
            const target = await deps.targetFor(job.provider);
            const outcome = await withinDeadline(job.deadlineAt, signal, true, (s) => adapter.poll(route, handle, { ...target, fetch: deps.fetch, signal: s }));
            pollFailures = 0;
            pollTimeouts = 0;
            // Found: from here, not finding it again means something else (see below).
            if (job.lookingUp) await update(jobId, (j) => ({ ...j, lookingUp: undefined }));
            if (outcome.kind === 'done') {
              written = await update(jobId, (j) => ({ ...j, state: 'downloading', outputs: outcome.outputs, progress: undefined, notice: outcome.notice, ...costOf(outcome) }));
              continue;
            }
            const progress = { stage: outcome.stage, queuePosition: outcome.queuePosition, ...(outcome.step ? { step: outcome.step } : {}) };
            if (JSON.stringify(progress) !== JSON.stringify(job.progress)) {
              await update(jobId, (j) => ({ ...j, progress }));
            }
            await napUntilChange(pollDelay, signal, adapter.nextChange?.(handle));
            pollDelay = nextPollDelay(pollDelay, maxPollIntervalMs);
          } catch (err) {
            if (err instanceof DeadlineReached) {
              await giveUp(job, stuck(job));
              return;
            }
            const e = toAppError(err);
            if (signal.aborted) return;
            if (e.kind === 'not_found' && job.lookingUp && adapter.resendsUnreceived && job.attempts < maxRetries) {
              // The stopped worker's submit never reached the provider, and sending it again
              // costs the user nothing: from the start, with a new reserved id.
              written = await update(jobId, (j) => ({
                ...j,
                state: 'queued',
                attempts: j.attempts + 1,
                handle: undefined,
                reservedHandle: undefined,
                lookingUp: undefined,
                submitStartedAt: undefined,
                progress: undefined,
              }));
              continue;
            }
            if (isRequestTimeout(e)) {
              // A status check left unanswered: one more try on a fresh connection (a dead
              // socket looks the same), then the job ends and frees its slot.
              if (++pollTimeouts >= MAX_POLL_TIMEOUTS) {
                await giveUp(job, stuck(job));
                return;
              }
            } else if (!isTransient(e.kind)) {
              await fail(jobId, e);
              return;
            }
            // Told to slow down: poll at the slowest pace from now on.
            if (e.kind === 'rate_limited') pollDelay = maxPollIntervalMs;
            // Polling is free: keep trying until the deadline, backing off, and waiting as
            // long as the provider asks (Retry-After, within bounds) when it says so.
            const wait = backoff(++pollFailures, e.retryAfterMs);
            if (deps.now() + wait > job.deadlineAt) {
              await giveUp(job, e.retryAfterMs !== undefined ? waitTooLong(job, e.kind, wait) : stuck(job));
              return;
            }
            await deps.sleep(wait, signal);
            continue;
          }
          continue;
        }

        case 'downloading': {
          const outputs = job.outputs ?? [];
          if (outputs.length === 0) {
            await fail(jobId, new AppError('bad_reply', `${job.provider} finished without any image.`, { provider: job.provider }));
            return;
          }
          // The provider already made (and charged for) these images: keep trying a while
          // past the deadline, as long as the links may still work. A job resumed after a long
          // stop still gets one attempt (each download has its own time limits).
          const limitAt = job.deadlineAt + DOWNLOAD_GRACE_MS;
          const attemptUntil = Math.max(limitAt, deps.now() + outputs.length * DOWNLOAD_LIMITS.totalMs);
          try {
            const ids = await withinDeadline(attemptUntil, signal, true, (s) => downloadAll(job, outputs, s));
            await update(jobId, (j) => ({ ...j, state: 'done', resultIds: ids, outputs: undefined, error: undefined }));
          } catch (err) {
            if (err instanceof DeadlineReached) {
              await fail(jobId, new AppError('timed_out', `${name} did not deliver the images in time; the job was stopped so others can run.`, { provider: job.provider }), 'timed_out');
              return;
            }
            const e = toAppError(err);
            if (signal.aborted) return;
            if (isTransient(e.kind) || isRequestTimeout(e)) {
              const wait = backoff(++downloadFailures, e.retryAfterMs);
              if (deps.now() + wait < limitAt) {
                await deps.sleep(wait, signal);
                continue;
              }
            }
            await fail(jobId, e, isRequestTimeout(e) ? 'timed_out' : 'failed');
          }
          return;
        }

        default:
          return;
      }
    }
  }

  /** The route a job runs on, with the model id it was created with (even if the user changed the override since). */
  function routeOf(job: JobRecord): RouteSpec | undefined {
    const found = findRoute(job.routeId);
    if (!found) return undefined;
    return job.model && job.model !== found.route.endpoint ? { ...found.route, modelOverride: job.model } : found.route;
  }

  /** Downloads each output into `results`, skipping those already saved (after a restart). */
  async function downloadAll(job: JobRecord, outputs: ProviderOutput[], signal: AbortSignal): Promise<string[]> {
    const d = await deps.db();
    const ids: string[] = [];
    for (const [index, output] of outputs.entries()) {
      const id = `${job.id}:${index}`;
      ids.push(id);
      if ((await d.getKey('results', id)) !== undefined) continue;
      const { blob, mime, thumb } = await downloadOutput(output, deps.fetch, signal, job.provider);
      if (signal.aborted) throw new AppError('canceled', 'Canceled.');
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
        ...(thumb ? { thumb } : {}),
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
      // Past the deadline already: the look gets a short time of its own, whatever the adapter does.
      return await withinDeadline(deps.now() + LAST_LOOK_MS, signal, true, (s) => adapter.poll(route, job.handle!, { ...target, fetch: deps.fetch, signal: s }));
    } catch {
      return undefined; // out of time either way
    }
  }

  /** Ends a job that ran out of time (first, so its slot is freed), then cancels it at the provider. */
  async function giveUp(job: JobRecord, error?: AppError) {
    const why = error ?? new AppError('timed_out', `${providerName(job)} did not finish in time; the job was stopped so others can run.`, { provider: job.provider });
    await fail(job.id, why, 'timed_out');
    if (job.handle) await cancelAtProvider(job, job.handle);
  }

  /**
   * Asks the provider to stop a job's work, once per job, best effort. The call has its own
   * time limit (utils/providers/http.ts), so a provider that does not answer cannot hold it.
   */
  async function cancelAtProvider(job: JobRecord, handle: ProviderHandle): Promise<void> {
    if (canceledAtProvider.has(job.id)) return;
    canceledAtProvider.add(job.id);
    const adapter = deps.adapterFor(job.provider);
    const route = routeOf(job);
    if (!adapter?.cancel || !route) return;
    try {
      const target = await deps.targetFor(job.provider);
      await adapter.cancel(route, handle, { ...target, fetch: deps.fetch });
    } catch {
      // The provider may have finished already; the job has ended for the user regardless.
    }
  }

  async function resumeUnfinished(): Promise<number> {
    const d = await deps.db();
    // Every panel open and worker start asks: read only unfinished jobs, by their state, not the
    // whole history (measured: 443 ms for 5,000 records read whole).
    const tx = d.transaction('jobs');
    const byState = tx.store.index('byState');
    const unfinished = (await Promise.all(JOB_STATES.filter((s) => !isTerminal(s)).map((s) => byState.getAll(s)))).flat();
    await tx.done;
    const open = unfinished.filter((j) => !running.has(j.id));
    for (const job of open) void run(job.id);
    return open.length;
  }

  async function cancel(jobId: string): Promise<void> {
    // Stop the driver first, so that it starts nothing new; then end the record at once (the
    // panel shows it canceled); then, if the provider's id is known, cancel the work there.
    // A submit still in flight is handled by the driver when it returns (see 'queued').
    running.get(jobId)?.abort();
    const ended = await update(jobId, (j) => ({ ...j, state: 'canceled', progress: undefined, error: new AppError('canceled', 'Canceled.').toJSON() }));
    if (ended?.handle) await cancelAtProvider(ended, ended.handle);
  }

  return {
    enqueue,
    run,
    resumeUnfinished,
    cancel,
    activeCount: () => running.size,
  };
}

/**
 * Status checks: the first FIRST_POLL_MS after the submit, then each wait POLL_GROWTH times the
 * one before, up to MAX_POLL_MS (200, 300, 450, 675 ms, ... 4 s). A job that takes T is then seen
 * done at most about T / 2 + 200 ms late (about T / 4 on average), and at most 4 s late however
 * long it runs; the first minute costs about 20 checks. Our choice: ../shared/docs/providers.md
 * gives no polling interval for fal, Replicate or BFL; the waits a provider asks for
 * (Retry-After, and the slowest pace once it says 429) still come first (see 'polling').
 */
const FIRST_POLL_MS = 200;
const POLL_GROWTH = 1.5;
const MAX_POLL_MS = 4000;

function nextPollDelay(delay: number, max: number): number {
  return Math.min(max, Math.round(delay * POLL_GROWTH));
}

/**
 * How stale a result's last-used mark may be before a cache hit renews it. Eviction only needs
 * the rough order (it runs when the disk is full), and renewing rewrites the image.
 */
const LAST_USED_GRANULARITY_MS = 10 * 60_000;

/** How long past its deadline a job keeps trying to download images the provider already made. */
const DOWNLOAD_GRACE_MS = 5 * 60_000;
/** Eviction frees a little more than the one image, so the next ones do not evict again at once. */
const EVICTION_HEADROOM_BYTES = 8 * 1024 * 1024;
/** Status checks in a row left unanswered (each one for its full time limit) before the job is stopped. */
const MAX_POLL_TIMEOUTS = 2;
/** The most a last look at a job found past its deadline may take. */
const LAST_LOOK_MS = 30_000;

/**
 * Exponential backoff with jitter; when the provider said how long to wait, that instead,
 * kept within bounds (clampRetryAfter: never under 1 s, never absurdly long).
 */
function backoff(attempt: number, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined) return clampRetryAfter(retryAfterMs);
  return Math.min(30_000, 1000 * 2 ** attempt) + Math.floor(Math.random() * 250);
}

/** A request of ours that ran out of time (not a provider saying it timed out). */
function isRequestTimeout(e: AppError): boolean {
  return e.kind === 'timed_out' && e.cause instanceof RequestTimeout;
}

/**
 * The cost a finished outcome carried, for the job record. Stored when the provider delivers
 * (the charge is made then, even if a download later fails); a cache hit never gets one.
 */
function costOf(outcome: { cost?: JobCost }): { cost?: JobCost } {
  return outcome.cost && Number.isFinite(outcome.cost.usd) && outcome.cost.usd >= 0 ? { cost: outcome.cost } : {};
}

function providerName(job: JobRecord): string {
  return PROVIDER_NAMES[job.provider] ?? job.provider;
}

function stuck(job: JobRecord): AppError {
  return new AppError('timed_out', `${providerName(job)} did not answer in time; the job was stopped so others can run.`, { provider: job.provider });
}

function mayHaveBeenCharged(job: JobRecord): AppError {
  const name = providerName(job);
  return new AppError(
    'may_have_been_charged',
    `${name} did not answer in time; the job was stopped so others can run. It may have received the request and charged for it: check your ${name} account before creating it again.`,
    { provider: job.provider },
  );
}

/** The provider asked for a wait that would run past the job's deadline: end it rather than sleep past it. */
function waitTooLong(job: JobRecord, kind: AppError['kind'], waitMs: number): AppError {
  const name = providerName(job);
  const why = kind === 'rate_limited' ? `${name} is limiting requests and asked to wait ${formatWait(waitMs)}` : `${name} is having trouble and asked to wait ${formatWait(waitMs)}`;
  return new AppError(kind === 'rate_limited' ? 'rate_limited' : 'provider_down', `${why}, longer than this job may run; it was stopped. Try again later.`, {
    provider: job.provider,
    retryAfterMs: waitMs,
  });
}

function formatWait(ms: number): string {
  const s = Math.ceil(ms / 1000);
  if (s < 120) return `${s} s`;
  const min = Math.ceil(s / 60);
  return min < 120 ? `${min} minutes` : `${Math.round(min / 60)} hours`;
}
