// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { act, cleanup, renderHook, waitFor } from '@testing-library/react';
import { IDBFactory } from 'fake-indexeddb';
import { cachedAnswerJob, showCachedAnswer, useJobs } from '../../entrypoints/sidepanel/hooks';
import { db } from '../../utils/store/schema';
import { publish } from '../../utils/events';
import { jobRecord, request, resultRecord } from '../unit/jobs/fixtures';

// The panel's own database (the default one): a fresh factory before the first open.
globalThis.indexedDB = new IDBFactory();

afterEach(cleanup);

const T = 1_700_000_000_000;

async function seed() {
  const d = await db();
  await d.clear('jobs');
  await d.clear('results');
  await d.put('jobs', jobRecord('a', { state: 'done', resultIds: ['a:0'] }, T));
  await d.put('results', resultRecord('a:0'));
  await d.put('jobs', jobRecord('b', { state: 'polling' }, T + 1));
  await d.put('jobs', jobRecord('c', { state: 'done' }, T + 2));
  return d;
}

describe('useJobs: the Create tab keeps its recent jobs fresh', () => {
  it('re-reads only the job that changed; the others keep their identity', async () => {
    const d = await seed();
    const { result } = renderHook(() => useJobs(10));
    await waitFor(() => expect(result.current.map((j) => j.job.id)).toEqual(['c', 'b', 'a']));
    const [c, , a] = result.current;

    await d.put('jobs', jobRecord('b', { state: 'done', resultIds: ['b:0'] }, T + 1));
    await d.put('results', resultRecord('b:0'));
    publish({ type: 'job.changed', jobId: 'b', state: 'done' });

    await waitFor(() => expect(result.current[1]!.job.state).toBe('done'), { timeout: 5000 });
    expect(result.current[1]!.results.map((r) => r.id)).toEqual(['b:0']);
    expect(result.current[0]).toBe(c);
    expect(result.current[2]).toBe(a);
  });

  it('puts a new job first and keeps to the limit', async () => {
    const d = await seed();
    const { result } = renderHook(() => useJobs(3));
    await waitFor(() => expect(result.current).toHaveLength(3));
    await d.put('jobs', jobRecord('d', { state: 'queued' }, T + 3));
    publish({ type: 'job.changed', jobId: 'd', state: 'queued' });
    await waitFor(() => expect(result.current.map((j) => j.job.id)).toEqual(['d', 'c', 'b']), { timeout: 5000 });
  });

  it('drops a job that is gone, and re-reads everything when results change anywhere', async () => {
    const d = await seed();
    const { result } = renderHook(() => useJobs(10));
    await waitFor(() => expect(result.current).toHaveLength(3));
    await d.delete('jobs', 'c');
    publish({ type: 'job.changed', jobId: 'c', state: 'deleted' });
    await waitFor(() => expect(result.current.map((j) => j.job.id)).toEqual(['b', 'a']), { timeout: 5000 });

    const a = result.current[1];
    await d.put('results', resultRecord('a:0', { starred: true }));
    publish({ type: 'results.changed' });
    await waitFor(() => expect(result.current[1]!.results[0]!.starred).toBe(true), { timeout: 5000 });
    expect(result.current[1]).not.toBe(a);
  });

  it('shows a cache hit at once from the job it reuses, then the stored job in its place', async () => {
    const d = await seed();
    const { result } = renderHook(() => useJobs(10));
    await waitFor(() => expect(result.current).toHaveLength(3));
    const answer = { jobId: 'z', cachedFrom: 'a', request: { ...request, prompt: 'same inputs' }, at: T + 10 };
    // No waiting, and no act() to flush it: the list has it when the call returns, as the
    // panel must within the reply's own task (flushSync), before the next frame.
    const actEnv = globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean };
    actEnv.IS_REACT_ACT_ENVIRONMENT = false;
    try {
      showCachedAnswer(answer);
    } finally {
      actEnv.IS_REACT_ACT_ENVIRONMENT = true;
    }
    expect(result.current.map((j) => j.job.id)).toEqual(['z', 'c', 'b', 'a']);
    expect(result.current[0]!.results.map((r) => r.id)).toEqual(['a:0']);
    expect(result.current[0]!.job).toMatchObject({ state: 'done', cachedFrom: 'a', resultIds: ['a:0'], request: { prompt: 'same inputs' } });

    // The stored job arrives and takes its place.
    await d.put('jobs', jobRecord('z', { state: 'done', cachedFrom: 'a', resultIds: ['a:0'], notice: 'stored' }, T + 9));
    publish({ type: 'job.changed', jobId: 'z', state: 'done' });
    await waitFor(() => expect(result.current[0]!.job.notice).toBe('stored'), { timeout: 5000 });
    expect(result.current.map((j) => j.job.id)).toEqual(['z', 'c', 'b', 'a']);

    // Nothing is made up for a job already read, or from a job not on screen.
    act(() => showCachedAnswer({ ...answer, at: T + 20 }));
    act(() => showCachedAnswer({ ...answer, jobId: 'y', cachedFrom: 'gone' }));
    expect(result.current.map((j) => j.job.id)).toEqual(['z', 'c', 'b', 'a']);
    expect(result.current[0]!.job.notice).toBe('stored');
  });

  it('makes the cached job from the reused one without that job\u2019s own run', () => {
    const from = jobRecord('a', {
      state: 'done',
      resultIds: ['a:0'],
      model: 'flux/dev',
      description: 'a lake',
      handle: { requestId: 'r1' },
      cost: { usd: 0.03, source: 'reported' },
      starred: true,
      notice: 'slow provider',
      seed: 7,
    });
    const job = cachedAnswerJob(from, { jobId: 'z', cachedFrom: 'a', request, at: 5 });
    expect(job).toEqual({
      id: 'z',
      createdAt: 5,
      updatedAt: 5,
      state: 'done',
      request,
      routeId: from.routeId,
      provider: 'fal',
      model: 'flux/dev',
      cacheKey: from.cacheKey,
      cachedFrom: 'a',
      resultIds: ['a:0'],
      attempts: 0,
      deadlineAt: from.deadlineAt,
      description: 'a lake',
    });
  });
});
