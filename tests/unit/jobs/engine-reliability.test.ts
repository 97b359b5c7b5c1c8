import { describe, expect, it } from 'vitest';
import { AppError } from '../../../utils/errors';
import { RequestTimeout } from '../../../utils/net/timed-fetch';
import { REQUEST_LIMITS, type ProviderCallContext } from '../../../utils/providers/http';
import type { ProviderContext, ProviderHandle } from '../../../utils/providers/types';
import { fakeClock, fakeProvider, recordingSleep, request, setup, settle, until } from './fixtures';

/** Issue 12: no job stays unfinished, waits are bounded, nobody pays twice, cancels reach the provider. */

const never = () => new Promise<never>(() => {});
/** What keyedFetch throws when a request of ours runs out of time. */
const requestTimeout = () => new AppError('timed_out', 'fal did not finish its reply within 15 s.', { provider: 'fal', cause: new RequestTimeout(15_000, 'body') });
/** A real-time limit for things that must happen "soon" (the old code never got there). */
const SOON_MS = 5000;

describe('a stuck job ends and frees its provider slot', () => {
  it('ends a job whose status check never returns (even ignoring its signal) at its deadline, and runs the next job', async () => {
    const { adapter, calls } = fakeProvider(0);
    const poll = adapter.poll.bind(adapter);
    adapter.poll = async (route, handle, ctx) => (handle.requestId === 'req-1' ? never() : poll(route, handle, ctx));
    const cancelled: ProviderHandle[] = [];
    adapter.cancel = async (_route, handle) => {
      calls.cancel++;
      cancelled.push(handle);
    };
    const { engine, db } = await setup({ maxActivePerProvider: 1, deadlineMs: 300 }, adapter);
    const stuck = await engine.enqueue({ ...request, prompt: 'stuck' });
    await until('the first job to be polling', async () => (await db.get('jobs', stuck.job.id))?.state === 'polling');
    const next = await engine.enqueue({ ...request, prompt: 'next' });
    expect((await db.get('jobs', next.job.id))?.state).toBe('queued'); // waiting for the only slot

    await until('the first job to end', async () => (await db.get('jobs', stuck.job.id))?.state === 'timed_out', SOON_MS);
    const ended = await db.get('jobs', stuck.job.id);
    expect(ended?.error).toMatchObject({ kind: 'timed_out', message: 'fal did not answer in time; the job was stopped so others can run.' });
    expect(cancelled).toEqual([{ requestId: 'req-1' }]); // the work is stopped at the provider too
    await until('the next job to finish', async () => (await db.get('jobs', next.job.id))?.state === 'done', SOON_MS);
    await settle(engine);
  });

  it('ends a job whose queue submit never returns, warns it may have been charged, and cancels a handle that comes back late', async () => {
    const { adapter, calls } = fakeProvider(0);
    let answer!: (handle: ProviderHandle) => void;
    const late = new Promise<ProviderHandle>((r) => (answer = r));
    adapter.submit = async () => {
      calls.submit++;
      return { kind: 'submitted', handle: await late };
    };
    const cancelled: ProviderHandle[] = [];
    adapter.cancel = async (_r, handle) => {
      cancelled.push(handle);
    };
    const { engine, db } = await setup({ deadlineMs: 200 }, adapter);
    const { job } = await engine.enqueue(request);
    await until('the job to end', async () => (await db.get('jobs', job.id))?.state === 'timed_out', SOON_MS);
    expect((await db.get('jobs', job.id))?.error).toMatchObject({
      kind: 'may_have_been_charged',
      message: expect.stringMatching(/^fal did not answer in time; the job was stopped so others can run\. It may have received the request/),
    });
    expect(engine.activeCount()).toBe(0);
    answer({ requestId: 'late-1' });
    await until('the late handle to be canceled', () => cancelled.length === 1);
    expect(cancelled).toEqual([{ requestId: 'late-1' }]);
    expect((await db.get('jobs', job.id))?.state).toBe('timed_out');
  });

  it('ends a job whose preparation (describing the reference) never returns', async () => {
    const { engine, db } = await setup({ deadlineMs: 200, prepareInput: never });
    const { job } = await engine.enqueue(request);
    await until('the job to end', async () => (await db.get('jobs', job.id))?.state === 'timed_out', SOON_MS);
    expect((await db.get('jobs', job.id))?.error?.message).toBe('fal did not answer in time; the job was stopped so others can run.');
    await settle(engine);
  });

  it('tries a status check left unanswered once more, then stops the job', async () => {
    // One timeout: a fresh try succeeds and the job finishes.
    {
      const { adapter, calls } = fakeProvider(1);
      const poll = adapter.poll.bind(adapter);
      let timeouts = 1;
      adapter.poll = async (...args) => {
        if (timeouts-- > 0) throw requestTimeout();
        return poll(...args);
      };
      const { engine, db } = await setup({}, adapter);
      const { job } = await engine.enqueue(request);
      await settle(engine);
      expect((await db.get('jobs', job.id))?.state).toBe('done');
      expect(calls.cancel).toBe(0);
    }
    // Two in a row: the provider is stuck; the job ends (and frees its slot) long before its deadline.
    {
      const { adapter, calls } = fakeProvider(0);
      let polls = 0;
      adapter.poll = async () => {
        polls++;
        throw requestTimeout();
      };
      const clock = fakeClock();
      const { engine, db } = await setup({}, adapter, clock);
      const t0 = clock.now();
      const { job } = await engine.enqueue(request);
      await settle(engine);
      const ended = await db.get('jobs', job.id);
      expect(ended?.state).toBe('timed_out');
      expect(ended?.error?.message).toBe('fal did not answer in time; the job was stopped so others can run.');
      expect(polls).toBe(2);
      expect(calls.cancel).toBe(1);
      expect(clock.now() - t0).toBeLessThan(60_000);
    }
  });

  it('gives each kind of call its limits: long for a sync generation, longer than quick for a queue submit', async () => {
    const seen: Array<ProviderCallContext['limits']> = [];
    for (const mode of ['sync', 'queue'] as const) {
      const { adapter } = fakeProvider(0, mode);
      const submit = adapter.submit.bind(adapter);
      adapter.submit = async (route, input, ctx: ProviderContext) => {
        seen.push((ctx as ProviderCallContext).limits);
        return submit(route, input, ctx);
      };
      const { engine } = await setup({}, adapter);
      await engine.enqueue(request);
      await settle(engine);
    }
    expect(seen).toEqual([REQUEST_LIMITS.generate, REQUEST_LIMITS.submit]);
  });
});

describe('waits the provider asks for are bounded', () => {
  it('polls at most once a second however often Retry-After: 0 comes back', async () => {
    const { adapter } = fakeProvider(0);
    const poll = adapter.poll.bind(adapter);
    let refusals = 20;
    let polls = 0;
    adapter.poll = async (...args) => {
      polls++;
      if (refusals-- > 0) throw new AppError('rate_limited', 'fal is limiting requests right now.', { retryAfterMs: 0 });
      return poll(...args);
    };
    const sleeps: number[] = [];
    const clock = fakeClock();
    const { engine, db } = await setup({ sleep: recordingSleep(clock, sleeps) }, adapter, clock);
    const t0 = clock.now();
    const { job } = await engine.enqueue(request);
    await settle(engine);
    expect((await db.get('jobs', job.id))?.state).toBe('done');
    // After the first check's own short wait, every wait was at least a second.
    expect(sleeps[0]).toBe(200);
    expect(Math.min(...sleeps.slice(1))).toBeGreaterThanOrEqual(1000);
    const perSecond = (polls - 1) / ((clock.now() - t0) / 1000);
    expect(perSecond).toBeLessThanOrEqual(1);
  });

  it('ends a job rather than sleep past its deadline when a status check asks for a month', async () => {
    const { adapter, calls } = fakeProvider(0);
    adapter.poll = async () => {
      throw new AppError('rate_limited', 'fal is limiting requests right now.', { retryAfterMs: 30 * 24 * 3600_000 });
    };
    const sleeps: number[] = [];
    const clock = fakeClock();
    const { engine, db } = await setup({ sleep: recordingSleep(clock, sleeps) }, adapter, clock);
    const { job } = await engine.enqueue(request);
    await settle(engine);
    const ended = await db.get('jobs', job.id);
    expect(ended?.state).toBe('timed_out');
    expect(ended?.error).toMatchObject({ kind: 'rate_limited', message: expect.stringContaining('longer than this job may run') });
    expect(Math.max(0, ...sleeps)).toBeLessThanOrEqual(15 * 60_000);
    expect(calls.cancel).toBe(1);
  });

  it('ends a rate-limited submit at once when the wait asked for would pass the deadline', async () => {
    const { adapter, calls } = fakeProvider(0);
    adapter.submit = async () => {
      calls.submit++;
      throw new AppError('rate_limited', 'fal is limiting requests right now.', { retryAfterMs: 99_999_999_999_000 });
    };
    const sleeps: number[] = [];
    const clock = fakeClock();
    const { engine, db } = await setup({ sleep: recordingSleep(clock, sleeps) }, adapter, clock);
    const { job } = await engine.enqueue(request);
    await settle(engine);
    const ended = await db.get('jobs', job.id);
    expect(ended?.state).toBe('timed_out');
    expect(ended?.error?.kind).toBe('rate_limited');
    expect(ended?.error?.message).toMatch(/^fal is limiting requests and asked to wait 24 hours, longer than this job may run/);
    expect(sleeps).toEqual([]);
    expect(calls.submit).toBe(1);
  });

  it('waits at least 1 s before resubmitting after a 429 that says Retry-After: 0', async () => {
    const { adapter, calls } = fakeProvider(0);
    const submit = adapter.submit.bind(adapter);
    let refusals = 1;
    adapter.submit = async (...args) => {
      if (refusals-- > 0) {
        calls.submit++;
        throw new AppError('rate_limited', 'slow down', { retryAfterMs: 0 });
      }
      return submit(...args);
    };
    const sleeps: number[] = [];
    const clock = fakeClock();
    const { engine, db } = await setup({ sleep: recordingSleep(clock, sleeps) }, adapter, clock);
    const { job } = await engine.enqueue(request);
    await settle(engine);
    expect((await db.get('jobs', job.id))?.state).toBe('done');
    expect(sleeps[0]).toBeGreaterThanOrEqual(1000);
  });
});

describe('canceling while the submit is in flight', () => {
  it('cancels the provider job with the handle the submit returns, once, and stays canceled', async () => {
    const { adapter, calls } = fakeProvider(0);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const submit = adapter.submit.bind(adapter);
    let sawAbort = false;
    adapter.submit = async (route, input, ctx) => {
      await gate;
      sawAbort = ctx.signal?.aborted ?? false;
      return submit(route, input, ctx);
    };
    const cancelled: ProviderHandle[] = [];
    adapter.cancel = async (_r, handle) => {
      calls.cancel++;
      cancelled.push(handle);
    };
    const { engine, db } = await setup({}, adapter);
    const { job } = await engine.enqueue(request);
    await until('the submit to be in flight', async () => (await db.get('jobs', job.id))?.state === 'submitting');
    await Promise.all([engine.cancel(job.id), engine.cancel(job.id)]);
    expect((await db.get('jobs', job.id))?.state).toBe('canceled');
    release();
    await settle(engine);
    // A queue submit is let finish: its answer is what lets us stop the work at the provider.
    expect(sawAbort).toBe(false);
    expect(cancelled).toEqual([{ requestId: 'req-1' }]);
    const after = await db.get('jobs', job.id);
    expect(after?.state).toBe('canceled');
    expect(after?.error?.kind).toBe('canceled');
    expect(calls.poll).toBe(0);
    expect(await db.count('results')).toBe(0);
  });

  it('cancels once when the cancel arrives just as the handle is stored', async () => {
    const { adapter, calls } = fakeProvider(Number.POSITIVE_INFINITY);
    const ref: { engine?: { cancel(id: string): Promise<void> } } = {};
    const cancels: Promise<void>[] = [];
    const { engine, db } = await setup(
      {
        onChange: (j) => {
          if (j.state === 'submitted') cancels.push(ref.engine!.cancel(j.id), ref.engine!.cancel(j.id));
        },
      },
      adapter,
    );
    ref.engine = engine;
    const { job } = await engine.enqueue(request);
    await until('the cancels to be sent', () => cancels.length === 2);
    await Promise.all(cancels);
    await settle(engine);
    expect((await db.get('jobs', job.id))?.state).toBe('canceled');
    expect(calls.cancel).toBe(1);
  });

  it('closes a sync call at once on cancel (closing it is the only way to stop waiting)', async () => {
    const { adapter } = fakeProvider(0, 'sync');
    let aborted = false;
    adapter.submit = (_r, _i, ctx) =>
      new Promise((_, reject) => {
        ctx.signal?.addEventListener('abort', () => {
          aborted = true;
          reject(new AppError('canceled', 'Canceled.'));
        });
      });
    const { engine, db } = await setup({}, adapter);
    const { job } = await engine.enqueue(request);
    await until('the call to be in flight', async () => (await db.get('jobs', job.id))?.state === 'submitting');
    await engine.cancel(job.id);
    await settle(engine);
    expect(aborted).toBe(true);
    expect((await db.get('jobs', job.id))?.state).toBe('canceled');
  });
});
