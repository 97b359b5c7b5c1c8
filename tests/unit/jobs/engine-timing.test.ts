import { describe, expect, it } from 'vitest';
import { AppError } from '../../../utils/errors';
import { freshDb } from '../helpers';
import { fakeClock, fakeProvider, jobRecord, recordingSleep, request, resultRecord, settle, setup, until } from './fixtures';

/** The same database, noting every transaction opened that may write results. */
function watchingResultWrites(db: ReturnType<typeof freshDb>) {
  const writes: string[][] = [];
  const wrapped = db().then(
    (d) =>
      new Proxy(d, {
        get(target, prop) {
          if (prop === 'transaction') {
            return (stores: string | string[], mode?: IDBTransactionMode) => {
              const names = [stores].flat();
              if (mode === 'readwrite' && names.includes('results')) writes.push(names);
              return target.transaction(stores as 'results', mode);
            };
          }
          const v = Reflect.get(target, prop, target) as unknown;
          return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        },
      }),
  );
  return { db: () => wrapped, writes };
}

/** What the engine waits for between status checks, and what it does (and skips) on a cache hit. */

describe('status checks', () => {
  it('checks soon after the submit, then ever less often, up to 4 s apart', async () => {
    const { adapter, calls } = fakeProvider(10);
    const clock = fakeClock();
    const pollsAtSleep: number[] = [];
    const sleeps: number[] = [];
    const record = recordingSleep(clock, sleeps);
    const { engine, db } = await setup({ sleep: (ms, s) => (pollsAtSleep.push(calls.poll), record(ms, s)) }, adapter, clock);
    const { job } = await engine.enqueue(request);
    await settle(engine);
    expect((await db.get('jobs', job.id))?.state).toBe('done');
    // No check at the moment of the submit: the first after 200 ms, then each wait 1.5 times the last.
    expect(pollsAtSleep[0]).toBe(0);
    expect(sleeps).toEqual([200, 300, 450, 675, 1013, 1520, 2280, 3420, 4000, 4000, 4000]);
    expect(calls.poll).toBe(11);
  });

  it('checks a job it finds polling at once (a restarted worker), then keeps the same pace', async () => {
    const { adapter, calls } = fakeProvider(2);
    const clock = fakeClock();
    const pollsAtSleep: number[] = [];
    const sleeps: number[] = [];
    const record = recordingSleep(clock, sleeps);
    const { engine, db } = await setup({ sleep: (ms, s) => (pollsAtSleep.push(calls.poll), record(ms, s)) }, adapter, clock);
    await db.put('jobs', jobRecord('job-p', { state: 'polling', handle: { requestId: 'req-9' } }, clock.now()));
    await engine.run('job-p');
    await settle(engine);
    expect((await db.get('jobs', 'job-p'))?.state).toBe('done');
    expect(pollsAtSleep[0]).toBe(1);
    expect(sleeps).toEqual([200, 300]);
    expect(calls.submit).toBe(0);
  });

  it('still waits as long as the provider asks when a check is refused', async () => {
    const { adapter } = fakeProvider(1);
    const poll = adapter.poll.bind(adapter);
    let refused = false;
    adapter.poll = async (...args) => {
      if (!refused) {
        refused = true;
        throw new AppError('provider_down', 'fal is having trouble.', { retryAfterMs: 7_000 });
      }
      return poll(...args);
    };
    const clock = fakeClock();
    const sleeps: number[] = [];
    const { engine, db } = await setup({ sleep: recordingSleep(clock, sleeps) }, adapter, clock);
    const { job } = await engine.enqueue(request);
    await settle(engine);
    expect((await db.get('jobs', job.id))?.state).toBe('done');
    expect(sleeps).toEqual([200, 7_000, 300]);
  });
});

describe('a cache hit', () => {
  async function finishedJob(lastUsedAgoMs: number) {
    const clock = fakeClock();
    const watched = watchingResultWrites(freshDb());
    const env = await setup({ db: watched.db }, fakeProvider(0).adapter, clock);
    const first = await env.engine.enqueue(request);
    await settle(env.engine);
    const id = `${first.job.id}:0`;
    const stored = (await env.db.get('results', id))!;
    await env.db.put('results', { ...stored, lastUsedAt: clock.now() - lastUsedAgoMs });
    watched.writes.length = 0;
    return { ...env, first, id, before: clock.now() - lastUsedAgoMs, writes: watched.writes };
  }

  it('writes no image, and leaves the images untouched when they were used moments ago', async () => {
    const { engine, db, first, id, before, writes } = await finishedJob(5_000);
    const hit = await engine.enqueue(request);
    expect(hit).toMatchObject({ cached: true, job: { state: 'done', cachedFrom: first.job.id, resultIds: [id] } });
    // Anything the hit still started would have opened its transaction by the next turn of the loop.
    await new Promise((r) => setImmediate(r));
    // The one read-write transaction is the one that looks for the answer and writes the new job.
    expect(writes).toEqual([['jobs', 'results']]);
    expect((await db.get('results', id))?.lastUsedAt).toBe(before);
  });

  it('marks the images used again when their mark is old, after answering', async () => {
    const { engine, db, id, clock } = await finishedJob(24 * 3600_000);
    const hit = await engine.enqueue(request);
    expect(hit.cached).toBe(true);
    await until('the result to be marked used now', async () => (await db.get('results', id))?.lastUsedAt === clock.now());
    // The image itself is kept as it was.
    expect((await db.get('results', id))?.blob.size).toBeGreaterThan(0);
  });

  it('is not answered from a job whose images were removed', async () => {
    const { engine, db, id } = await finishedJob(0);
    await db.delete('results', id);
    const again = await engine.enqueue(request);
    expect(again.cached).toBe(false);
    await settle(engine);
  });
});

describe('a new request', () => {
  it('reports a missing key before a missing image prompt', async () => {
    const { engine } = await setup({
      chooseRoute: async () => {
        throw new AppError('no_key', 'Flux dev needs a fal key.');
      },
    });
    await expect(engine.enqueue({ ...request, referenceId: 'gone' })).rejects.toMatchObject({ kind: 'no_key' });
  });

  it('says the image prompt is gone when the route is fine', async () => {
    const { engine } = await setup();
    await expect(engine.enqueue({ ...request, referenceId: 'gone' })).rejects.toMatchObject({ kind: 'not_found' });
  });

  it('leaves results of other jobs alone on a hit', async () => {
    const { engine, db } = await setup({}, fakeProvider(0).adapter);
    await db.put('results', resultRecord('other:0', { lastUsedAt: 1 }));
    await engine.enqueue(request);
    await settle(engine);
    await engine.enqueue(request);
    await settle(engine);
    expect((await db.get('results', 'other:0'))?.lastUsedAt).toBe(1);
  });
});
