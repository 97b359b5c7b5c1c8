import { describe, expect, it, vi } from 'vitest';
import { AppError } from '../../../utils/errors';
import type { ProviderAdapter } from '../../../utils/providers/types';
import { freshDb } from '../helpers';
import { fakeClock, fakeProvider, jobRecord, pngResponse, recordingSleep, request, resultRecord, setup, settle, until, withQuota } from './fixtures';

/** A sleep that only ends when the job is canceled: a job parked in it holds its slot. */
const sleepUntilAborted = (_ms: number, signal: AbortSignal) =>
  new Promise<void>((_, reject) => {
    if (signal.aborted) return reject(new DOMException('aborted', 'AbortError'));
    signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')), { once: true });
  });

/** The same database, counting the reads asked for of each job record. */
function watchingJobReads(db: ReturnType<typeof freshDb>) {
  const asked = new Map<string, number>();
  const wrapped = db().then(
    (d) =>
      new Proxy(d, {
        get(target, prop) {
          if (prop === 'get') {
            return async (store: 'jobs', id: string) => {
              if (store === 'jobs') asked.set(id, (asked.get(id) ?? 0) + 1);
              return target.get(store, id);
            };
          }
          const v = Reflect.get(target, prop, target) as unknown;
          return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        },
      }),
  );
  return { db: () => wrapped, asked };
}

describe('job engine: several jobs at once', () => {
  it('runs at most N jobs per provider at a time and finishes them all', async () => {
    const { adapter } = fakeProvider(3);
    let inFlight = 0;
    let maxInFlight = 0;
    const submit = adapter.submit.bind(adapter);
    adapter.submit = async (...args) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      return submit(...args);
    };
    const fetch = vi.fn(async () => {
      inFlight--;
      return pngResponse();
    }) as unknown as typeof globalThis.fetch;
    const { engine, db } = await setup({ maxActivePerProvider: 2, fetch }, adapter);
    const jobs = await Promise.all([1, 2, 3, 4, 5].map((i) => engine.enqueue({ ...request, prompt: `prompt ${i}` })));
    await settle(engine);
    expect(maxInFlight).toBe(2);
    for (const { job } of jobs) expect((await db.get('jobs', job.id))?.state).toBe('done');
  });

  it('gives a canceled waiting job\u2019s place back without freeing a slot it never held', async () => {
    const { adapter, calls } = fakeProvider(Number.POSITIVE_INFINITY);
    const watched = watchingJobReads(freshDb());
    const { engine, db } = await setup({ maxActivePerProvider: 1, sleep: sleepUntilAborted, db: watched.db }, adapter);
    const a = await engine.enqueue({ ...request, prompt: 'a' });
    await until('a to be polling', async () => (await db.get('jobs', a.job.id))?.state === 'polling');
    const b = await engine.enqueue({ ...request, prompt: 'b' });
    await engine.cancel(b.job.id);
    expect((await db.get('jobs', b.job.id))?.state).toBe('canceled');
    const c = await engine.enqueue({ ...request, prompt: 'c' });
    // a still holds the only slot: c waits. The engine starts c from the record it has just
    // written and asks for a slot; with one free, it would read c at once to drive it, all
    // before the next turn of the loop.
    expect(engine.activeCount()).toBe(2);
    await new Promise((r) => setImmediate(r));
    expect(watched.asked.get(c.job.id) ?? 0).toBe(0);
    expect(calls.submit).toBe(1);
    expect((await db.get('jobs', c.job.id))?.state).toBe('queued');
    await engine.cancel(a.job.id);
    await until('c to be submitted', () => calls.submit === 2);
    await engine.cancel(c.job.id);
    await settle(engine);
  });

  it('never drives one job twice, however often run() and resume are called', async () => {
    const { adapter, calls } = fakeProvider(1);
    const { engine, db } = await setup({}, adapter);
    await db.put('jobs', jobRecord('job-q'));
    await Promise.all([engine.run('job-q'), engine.run('job-q'), engine.resumeUnfinished(), engine.resumeUnfinished()]);
    await settle(engine);
    const job = await db.get('jobs', 'job-q');
    expect(job?.state).toBe('done');
    expect(calls.submit).toBe(1);
    expect(calls.poll).toBe(2);
  });

  it('pays once when two panels ask for the same thing at the same moment: both get the one job', async () => {
    const { adapter, calls } = fakeProvider(0);
    // Both requests must be in flight together: hold every submit until both are enqueued,
    // or (on a busy machine) the first could finish and rightly answer the second from cache.
    let open!: () => void;
    const bothEnqueued = new Promise<void>((r) => (open = r));
    const submit = adapter.submit.bind(adapter);
    adapter.submit = async (...args) => {
      await bothEnqueued;
      return submit(...args);
    };
    let n = 0;
    const { engine, db } = await setup({ newId: () => crypto.randomUUID() + `-${++n}` }, adapter);
    const [one, two] = await Promise.all([engine.enqueue(request), engine.enqueue(request)]);
    open();
    expect(two.job.id).toBe(one.job.id);
    // Not a cache answer: the panel shows the running job, not "the saved result".
    expect([one.cached, two.cached]).toEqual([false, false]);
    // Which of the two arrives first is up to the scheduler: exactly one creates, the other joins.
    expect([one.joined, two.joined].sort()).toEqual([false, true]);
    await settle(engine);
    expect(calls.submit).toBe(1);
    const stored = await db.getAll('jobs');
    expect(stored.map((j) => j.state)).toEqual(['done']);
    expect(await db.count('results')).toBe(1);
    // Once it is done, the same request is a cache answer; "New variation" still pays again.
    expect((await engine.enqueue(request)).cached).toBe(true);
    const fresh = await engine.enqueue({ ...request, fresh: true });
    expect(fresh.job.id).not.toBe(one.job.id);
    await settle(engine);
    expect(calls.submit).toBe(2);
  });

  it('joins a running identical job from a later Create, but never a fresh one or a dead submit', async () => {
    const { adapter, calls } = fakeProvider(Number.POSITIVE_INFINITY);
    const { engine, db, clock } = await setup({ sleep: sleepUntilAborted }, adapter);
    const first = await engine.enqueue(request);
    await until('the first to be polling', async () => (await db.get('jobs', first.job.id))?.state === 'polling');
    const later = await engine.enqueue(request);
    expect(later).toEqual({ job: expect.objectContaining({ id: first.job.id }), cached: false, joined: true });
    expect(first.joined).toBe(false);
    const variation = await engine.enqueue({ ...request, fresh: true });
    expect(variation.job.id).not.toBe(first.job.id);
    expect(variation.joined).toBe(false);
    await until('the variation to be submitted', () => calls.submit === 2);
    // A 'submitting' record left by a stopped worker will end as "may have been charged": not joined.
    const other = { ...request, prompt: 'left by a stopped worker' };
    const dead = await engine.enqueue({ ...other, fresh: true });
    await engine.cancel(dead.job.id);
    const d = await db.get('jobs', dead.job.id);
    await db.put('jobs', { ...d!, id: 'dead', state: 'submitting', error: undefined, deadlineAt: clock.now() + 60_000 });
    const again = await engine.enqueue(other);
    expect(again.job.id).not.toBe('dead');
    for (const id of [first.job.id, variation.job.id, again.job.id, 'dead']) await engine.cancel(id);
    await settle(engine);
  });
});

describe('job engine: synchronous providers', () => {
  it('reports a sync job that died inside its call as possibly charged, never calling again', async () => {
    const { adapter, calls } = fakeProvider(0, 'sync');
    const { engine, db, clock } = await setup({}, adapter);
    await db.put('jobs', jobRecord('job-s', { state: 'submitting', submitStartedAt: clock.now() - 40_000 }));
    await engine.resumeUnfinished();
    await settle(engine);
    const job = await db.get('jobs', 'job-s');
    expect(job?.state).toBe('failed');
    expect(job?.error?.kind).toBe('may_have_been_charged');
    expect(job?.error?.message).toMatch(/may have been received and charged/);
    expect(calls.submit).toBe(0);
  });

  it('keeps the worker alive for the whole of a long sync call and saves what it returns', async () => {
    let finish!: () => void;
    const gate = new Promise<void>((r) => (finish = r));
    const adapter: ProviderAdapter = {
      ...fakeProvider(0, 'sync').adapter,
      async submit() {
        await gate;
        return { kind: 'done', outputs: [{ kind: 'url', url: 'https://cdn.example/sync.png' }] };
      },
      async poll() {
        throw new AppError('internal', 'sync providers are never polled');
      },
    };
    const hold = vi.fn();
    const release = vi.fn();
    const { engine, db } = await setup({ keepAlive: { hold, release } }, adapter);
    const { job } = await engine.enqueue(request);
    await until('the call to be in flight', async () => (await db.get('jobs', job.id))?.state === 'submitting');
    expect(hold).toHaveBeenCalledTimes(1);
    expect(release).not.toHaveBeenCalled();
    finish();
    await settle(engine);
    expect(release).toHaveBeenCalledTimes(1);
    const done = await db.get('jobs', job.id);
    expect(done?.state).toBe('done');
    expect(await db.get('results', `${job.id}:0`)).toBeDefined();
  });
});

describe('job engine: retries', () => {
  it('backs off on repeated transient poll failures and waits as long as Retry-After says', async () => {
    const { adapter } = fakeProvider(0);
    const failures = [
      new AppError('provider_down', 'down'),
      new AppError('network', 'offline'),
      new AppError('provider_down', 'down'),
      new AppError('rate_limited', 'slow down', { retryAfterMs: 9_000 }),
    ];
    const poll = adapter.poll.bind(adapter);
    adapter.poll = async (...args) => {
      const next = failures.shift();
      if (next) throw next;
      return poll(...args);
    };
    const sleeps: number[] = [];
    const clock = fakeClock();
    const { engine, db } = await setup({ sleep: recordingSleep(clock, sleeps) }, adapter, clock);
    const { job } = await engine.enqueue(request);
    await settle(engine);
    expect((await db.get('jobs', job.id))?.state).toBe('done');
    expect(sleeps).toHaveLength(5);
    // The first check's own short wait after the submit; then 2 s, 4 s, 8 s (plus jitter under
    // 250 ms), then exactly what the provider asked for.
    expect(sleeps[0]).toBe(200);
    const failing = sleeps.slice(1);
    expect(failing[0]).toBeGreaterThanOrEqual(2000);
    expect(failing[0]).toBeLessThan(2250);
    expect(failing[1]).toBeGreaterThanOrEqual(4000);
    expect(failing[1]).toBeLessThan(4250);
    expect(failing[2]).toBeGreaterThanOrEqual(8000);
    expect(failing[2]).toBeLessThan(8250);
    expect(failing[3]).toBe(9000);
  });

  it('slows polling to its slowest pace once the provider throttles', async () => {
    const { adapter } = fakeProvider(3);
    let throttled = false;
    const poll = adapter.poll.bind(adapter);
    adapter.poll = async (...args) => {
      if (!throttled) {
        throttled = true;
        throw new AppError('rate_limited', 'slow down', { retryAfterMs: 1_000 });
      }
      return poll(...args);
    };
    const sleeps: number[] = [];
    const clock = fakeClock();
    const { engine, db: d } = await setup({ pollIntervalMs: 500, maxPollIntervalMs: 6_000, sleep: recordingSleep(clock, sleeps) }, adapter, clock);
    const { job } = await engine.enqueue(request);
    await settle(engine);
    expect((await d.get('jobs', job.id))?.state).toBe('done');
    // The first check after its usual short wait, then what the 429 asked for, then the slowest pace.
    expect(sleeps).toEqual([500, 1_000, 6_000, 6_000, 6_000]);
  });

  it('retries a failed download after Retry-After and keeps the result', async () => {
    const sleeps: number[] = [];
    const replies = [
      () => new Response('busy', { status: 503, headers: { 'retry-after': '6' } }),
      () => {
        throw new TypeError('Failed to fetch');
      },
      () => pngResponse(),
    ];
    const fetch = vi.fn(async () => replies.shift()!()) as unknown as typeof globalThis.fetch;
    const clock = fakeClock();
    const { engine, db: d } = await setup({ fetch, sleep: recordingSleep(clock, sleeps) }, undefined, clock);
    const { job } = await engine.enqueue(request);
    await settle(engine);
    const done = await d.get('jobs', job.id);
    expect(done?.state).toBe('done');
    expect(await d.get('results', done!.resultIds[0]!)).toBeDefined();
    expect(fetch).toHaveBeenCalledTimes(3);
    const downloadWaits = sleeps.filter((ms) => ms >= 2000);
    expect(downloadWaits[0]).toBe(6000);
    expect(downloadWaits[1]).toBeGreaterThanOrEqual(4000); // the second failure waits longer
  });
});

describe('job engine: storage full', () => {
  it('removes the least recently used unstarred results to make room, then saves the new one', async () => {
    const base = freshDb();
    const d0 = await base();
    // Already stored: an old plain result, an older starred one, one of a job still running,
    // and a recent plain one. Room for nothing more.
    await d0.put('jobs', jobRecord('old', { state: 'done', resultIds: ['old:0'] }));
    await d0.put('jobs', jobRecord('fav', { state: 'done', resultIds: ['fav:0'] }));
    await d0.put('jobs', jobRecord('busy', { state: 'downloading', handle: { requestId: 'r' }, outputs: [] }));
    await d0.put('jobs', jobRecord('new', { state: 'done', resultIds: ['new:0'] }));
    await d0.put('results', resultRecord('old:0', { lastUsedAt: 10 }));
    await d0.put('results', resultRecord('fav:0', { lastUsedAt: 1, starred: true }));
    await d0.put('results', resultRecord('busy:0', { lastUsedAt: 2 }));
    await d0.put('results', resultRecord('new:0', { lastUsedAt: 20 }));
    const quota = withQuota(base, () => 4000);
    const evicted: string[][] = [];
    const { engine, db } = await setup({ db: quota.db, onResultsEvicted: (ids) => evicted.push(ids), adapterFor: () => fakeProvider(0).adapter });
    // The stale 'busy' job is not ours to run here.
    const { job } = await engine.enqueue({ ...request, prompt: 'needs room' });
    await until('the new job to end', async () => ['done', 'failed'].includes((await db.get('jobs', job.id))?.state ?? ''));
    await engine.cancel('busy');
    await settle(engine);

    const done = await db.get('jobs', job.id);
    expect(done?.state).toBe('done');
    expect(await db.get('results', `${job.id}:0`)).toBeDefined();
    expect(quota.attempts.refused).toBe(1);
    const left = (await db.getAllKeys('results')).sort();
    expect(left).toContain('fav:0');
    expect(left).toContain('busy:0');
    expect(left).not.toContain('old:0');
    expect(evicted.flat()).toContain('old:0');
    expect(evicted.flat()).not.toContain('fav:0');
    expect(evicted.flat()).not.toContain('busy:0');
    // Every job record is still there.
    expect((await db.getAllKeys('jobs')).sort()).toEqual(['busy', 'fav', job.id, 'new', 'old'].sort());
  });

  it('fails the job as storage_full, keeping starred results, when nothing can be removed', async () => {
    const base = freshDb();
    const d0 = await base();
    await d0.put('jobs', jobRecord('fav', { state: 'done', resultIds: ['fav:0', 'fav:1'] }));
    await d0.put('results', resultRecord('fav:0', { starred: true }));
    await d0.put('results', resultRecord('fav:1', { starred: true }));
    const quota = withQuota(base, () => 2000);
    const { engine, db } = await setup({ db: quota.db });
    const { job } = await engine.enqueue(request);
    await settle(engine);
    const failed = await db.get('jobs', job.id);
    expect(failed?.state).toBe('failed');
    expect(failed?.error?.kind).toBe('storage_full');
    expect(failed?.error?.message).toMatch(/no room left/);
    expect(quota.attempts.results).toBe(2); // the first try and exactly one retry
    expect((await db.getAllKeys('results')).sort()).toEqual(['fav:0', 'fav:1']);
    expect(await db.get('jobs', 'fav')).toBeDefined();
  });
});

describe('job engine: deadlines after a long stop', () => {
  it('takes one last look before giving up, and saves a result the provider finished meanwhile', async () => {
    const { adapter, calls } = fakeProvider(0);
    const { engine, db, clock } = await setup({}, adapter);
    // The browser was closed for an hour with this job polling; its deadline is long gone.
    await db.put('jobs', jobRecord('job-late', { state: 'polling', handle: { requestId: 'req-late' }, deadlineAt: clock.now() - 45 * 60_000 }));
    await engine.resumeUnfinished();
    await settle(engine);
    const job = await db.get('jobs', 'job-late');
    expect(job?.state).toBe('done');
    expect(await db.get('results', 'job-late:0')).toBeDefined();
    expect(calls.cancel).toBe(0);
    expect(calls.submit).toBe(0);
  });

  it('gives up (and cancels at the provider) when the last look finds it still running', async () => {
    const { adapter, calls } = fakeProvider(Number.POSITIVE_INFINITY);
    const { engine, db, clock } = await setup({}, adapter);
    await db.put('jobs', jobRecord('job-late', { state: 'polling', handle: { requestId: 'req-late' }, deadlineAt: clock.now() - 1 }));
    await engine.resumeUnfinished();
    await settle(engine);
    expect((await db.get('jobs', 'job-late'))?.state).toBe('timed_out');
    expect(calls.poll).toBe(1);
    expect(calls.cancel).toBe(1);
  });
});
