import { describe, expect, it, vi } from 'vitest';
import { AppError } from '../../../utils/errors';
import { PNG_1x1 } from '../helpers';
import { fakeProvider, request, route, settle, setup, until } from './fixtures';

describe('job engine', () => {
  it('runs a job through every state and stores the result', async () => {
    const { adapter, calls } = fakeProvider();
    const { engine, db, changes } = await setup({}, adapter);
    const { job, cached } = await engine.enqueue(request);
    expect(cached).toBe(false);
    await settle(engine);
    const done = await db.get('jobs', job.id);
    expect(done?.state).toBe('done');
    expect(done?.handle).toEqual({ requestId: 'req-1' });
    expect(done?.resultIds).toEqual([`${job.id}:0`]);
    const result = await db.get('results', `${job.id}:0`);
    expect(result?.mime).toBe('image/png');
    expect(result?.blob.size).toBe(PNG_1x1.length);
    expect(calls.submit).toBe(1);
    const states = changes.filter((c) => c.id === job.id).map((c) => c.state);
    expect(states).toEqual(expect.arrayContaining(['queued', 'submitting', 'submitted', 'polling', 'downloading', 'done']));
    expect(states.indexOf('submitting')).toBeLessThan(states.indexOf('submitted'));
  });

  it('answers identical inputs from the cache without a provider request', async () => {
    const { adapter, calls } = fakeProvider(0);
    const { engine, db } = await setup({}, adapter);
    const first = await engine.enqueue(request);
    await settle(engine);
    const second = await engine.enqueue(request);
    expect(second.cached).toBe(true);
    expect(second.job.state).toBe('done');
    expect(second.job.cachedFrom).toBe(first.job.id);
    expect(second.job.resultIds).toEqual([`${first.job.id}:0`]);
    expect(calls.submit).toBe(1);
    // A different prompt is a different job, and "new variation" always runs afresh.
    const other = await engine.enqueue({ ...request, prompt: 'a lighthouse at dawn' });
    expect(other.cached).toBe(false);
    const fresh = await engine.enqueue({ ...request, fresh: true });
    expect(fresh.cached).toBe(false);
    await settle(engine);
    expect(calls.submit).toBe(3);
    expect((await db.get('jobs', fresh.job.id))?.state).toBe('done');
  });

  it('resumes a submitted job by polling, never submitting again', async () => {
    const { adapter, calls } = fakeProvider(1);
    const { engine, db, clock } = await setup({}, adapter);
    await db.put('jobs', {
      id: 'job-x',
      createdAt: clock.now(),
      updatedAt: clock.now(),
      state: 'polling',
      request,
      routeId: route.id,
      provider: 'fal',
      cacheKey: 'ck',
      handle: { requestId: 'req-old' },
      resultIds: [],
      attempts: 0,
      deadlineAt: clock.now() + 60_000,
    });
    expect(await engine.resumeUnfinished()).toBe(1);
    await settle(engine);
    expect((await db.get('jobs', 'job-x'))?.state).toBe('done');
    expect(calls.submit).toBe(0);
    expect(calls.poll).toBe(2);
  });

  it('reports a job that died during submit as possibly charged instead of resubmitting', async () => {
    const { adapter, calls } = fakeProvider();
    const { engine, db, clock } = await setup({}, adapter);
    await db.put('jobs', {
      id: 'job-y',
      createdAt: clock.now(),
      updatedAt: clock.now(),
      state: 'submitting',
      submitStartedAt: clock.now(),
      request,
      routeId: route.id,
      provider: 'fal',
      cacheKey: 'ck',
      resultIds: [],
      attempts: 0,
      deadlineAt: clock.now() + 60_000,
    });
    await engine.resumeUnfinished();
    await settle(engine);
    const job = await db.get('jobs', 'job-y');
    expect(job?.state).toBe('failed');
    expect(job?.error?.kind).toBe('may_have_been_charged');
    expect(calls.submit).toBe(0);
  });

  it('resumes a download without downloading saved results again', async () => {
    const { engine, db, clock, deps } = await setup();
    await db.put('results', {
      id: 'job-z:0', jobId: 'job-z', index: 0, blob: new Blob([PNG_1x1]), mime: 'image/png', createdAt: 0, lastUsedAt: 0, starred: false,
    });
    await db.put('jobs', {
      id: 'job-z', createdAt: clock.now(), updatedAt: clock.now(), state: 'downloading', request, routeId: route.id, provider: 'fal',
      cacheKey: 'ck', resultIds: [], attempts: 0, deadlineAt: clock.now() + 60_000,
      outputs: [{ kind: 'url', url: 'https://cdn.example/0.png' }, { kind: 'url', url: 'https://cdn.example/1.png' }],
    });
    await engine.resumeUnfinished();
    await settle(engine);
    const job = await db.get('jobs', 'job-z');
    expect(job?.state).toBe('done');
    expect(job?.resultIds).toEqual(['job-z:0', 'job-z:1']);
    expect(deps.fetch).toHaveBeenCalledTimes(1);
    expect(deps.fetch).toHaveBeenCalledWith('https://cdn.example/1.png', expect.anything());
  });

  it('retries a rate-limited submit after Retry-After, then succeeds', async () => {
    const { adapter, calls } = fakeProvider(0);
    let refusals = 1;
    const submit = adapter.submit.bind(adapter);
    adapter.submit = async (...args) => {
      if (refusals-- > 0) {
        calls.submit++;
        throw new AppError('rate_limited', 'slow down', { retryAfterMs: 7000 });
      }
      return submit(...args);
    };
    const { engine, db, clock } = await setup({}, adapter);
    const t0 = clock.now();
    const { job } = await engine.enqueue(request);
    await settle(engine);
    const done = await db.get('jobs', job.id);
    expect(done?.state).toBe('done');
    expect(done?.attempts).toBe(1);
    expect(clock.now() - t0).toBeGreaterThanOrEqual(7000);
    expect(calls.submit).toBe(2);
  });

  it('does not retry a submit that failed on the network (it may have been received)', async () => {
    const { adapter, calls } = fakeProvider();
    adapter.submit = async () => {
      calls.submit++;
      throw new AppError('network', 'offline');
    };
    const { engine, db } = await setup({}, adapter);
    const { job } = await engine.enqueue(request);
    await settle(engine);
    expect((await db.get('jobs', job.id))?.state).toBe('failed');
    expect(calls.submit).toBe(1);
  });

  it('fails clearly when the result URL already expired', async () => {
    const { engine, db } = await setup({
      fetch: vi.fn(async () => new Response('gone', { status: 404 })) as unknown as typeof fetch,
    });
    const { job } = await engine.enqueue(request);
    await settle(engine);
    const failed = await db.get('jobs', job.id);
    expect(failed?.state).toBe('failed');
    expect(failed?.error?.kind).toBe('not_found');
    expect(failed?.error?.message).toMatch(/deleted the result/);
  });

  it('times out a job past its deadline and cancels it at the provider', async () => {
    const { adapter, calls } = fakeProvider(Number.POSITIVE_INFINITY);
    const { engine, db } = await setup({ deadlineMs: 10_000 }, adapter);
    const { job } = await engine.enqueue(request);
    await settle(engine);
    const out = await db.get('jobs', job.id);
    expect(out?.state).toBe('timed_out');
    expect(calls.cancel).toBe(1);
  });

  it('cancels a running job at the provider and keeps it canceled', async () => {
    const { adapter, calls } = fakeProvider(Number.POSITIVE_INFINITY);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { engine, db } = await setup(
      {
        sleep: async (_ms, signal) => {
          await gate;
          if (signal.aborted) throw new DOMException('aborted', 'AbortError');
        },
      },
      adapter,
    );
    const { job } = await engine.enqueue(request);
    await until('the job to be polling', async () => (await db.get('jobs', job.id))?.state === 'polling');
    await engine.cancel(job.id);
    release();
    await settle(engine);
    expect((await db.get('jobs', job.id))?.state).toBe('canceled');
    expect(calls.cancel).toBe(1);
  });

  it('refuses a job whose reference was deleted', async () => {
    const { engine } = await setup();
    await expect(engine.enqueue({ ...request, referenceId: 'missing' })).rejects.toMatchObject({ kind: 'not_found' });
  });

  it('keeps the worker alive exactly while jobs run', async () => {
    const hold = vi.fn();
    const release = vi.fn();
    const { engine } = await setup({ keepAlive: { hold, release } });
    await engine.enqueue(request);
    await settle(engine);
    expect(hold).toHaveBeenCalledTimes(1);
    expect(release).toHaveBeenCalledTimes(1);
  });
});

