import { describe, expect, it } from 'vitest';
import { cacheKeyFor } from '../../../utils/jobs/cache-key';
import type { ReferenceSource } from '../../../utils/store/types';
import { fakeProvider, request, route, settle, setup } from './fixtures';

const fromResult: ReferenceSource = { kind: 'result', jobId: 'job-parent', resultId: 'job-parent:1' };

async function setSource(db: Awaited<ReturnType<typeof setup>>['db'], source: ReferenceSource) {
  const ref = await db.get('references', 'ref-1');
  await db.put('references', { ...ref!, source });
}

describe('job lineage', () => {
  it('records the result and job an image prompt was made from, and the compare run', async () => {
    const { engine, db } = await setup();
    await setSource(db, fromResult);
    const { job } = await engine.enqueue({ ...request, runId: 'run-7' });
    expect(job).toMatchObject({ parentResultId: 'job-parent:1', parentJobId: 'job-parent' });
    expect(job.request.runId).toBe('run-7');
    await settle(engine);
    const stored = await db.get('jobs', job.id);
    expect(stored).toMatchObject({ state: 'done', parentResultId: 'job-parent:1', parentJobId: 'job-parent' });
    expect(stored?.request.runId).toBe('run-7');
  });

  it('keeps the parent it grew from when the reference is later added from elsewhere', async () => {
    const { engine, db } = await setup();
    await setSource(db, fromResult);
    const { job } = await engine.enqueue(request);
    await setSource(db, { kind: 'page', url: 'https://example.com/a.png' });
    await settle(engine);
    expect(await db.get('jobs', job.id)).toMatchObject({ parentResultId: 'job-parent:1', parentJobId: 'job-parent' });
  });

  it('records no parent for an image from a page, or for a prompt without image', async () => {
    const { engine, db } = await setup();
    await setSource(db, { kind: 'page', url: 'https://example.com/a.png', jobId: 'stray', resultId: 'stray:0' });
    const fromPage = await engine.enqueue(request);
    const textOnly = await engine.enqueue({ ...request, referenceId: null, prompt: 'no image' });
    await settle(engine);
    for (const id of [fromPage.job.id, textOnly.job.id]) {
      const stored = await db.get('jobs', id);
      expect(stored).toBeDefined();
      expect(stored).not.toHaveProperty('parentResultId');
      expect(stored).not.toHaveProperty('parentJobId');
    }
  });

  it('gives the same cache key with or without a run id', async () => {
    const without = await cacheKeyFor(request, route.id, 'abc');
    const withRun = await cacheKeyFor({ ...request, runId: 'run-1' }, route.id, 'abc');
    expect(withRun).toBe(without);
    // The key does tell other inputs apart (so the equality above means something).
    expect(await cacheKeyFor({ ...request, prompt: 'other' }, route.id, 'abc')).not.toBe(without);
  });

  it('answers a compare job from the cache and still records its own lineage and run', async () => {
    const { adapter, calls } = fakeProvider(0);
    const { engine, db } = await setup({}, adapter);
    const first = await engine.enqueue(request);
    await settle(engine);
    // The same picture comes back as a result of another job: same bytes, same key.
    await setSource(db, fromResult);
    const second = await engine.enqueue({ ...request, runId: 'run-2' });
    expect(second.cached).toBe(true);
    expect(second.job.cacheKey).toBe(first.job.cacheKey);
    expect(calls.submit).toBe(1);
    const stored = await db.get('jobs', second.job.id);
    expect(stored).toMatchObject({ cachedFrom: first.job.id, parentResultId: 'job-parent:1', parentJobId: 'job-parent', state: 'done' });
    expect(stored?.request.runId).toBe('run-2');
    expect(await db.get('jobs', first.job.id)).not.toHaveProperty('parentJobId');
  });
});
