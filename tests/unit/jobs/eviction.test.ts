import { describe, expect, it } from 'vitest';
import { evictLeastRecentlyUsed, isQuotaExceeded } from '../../../utils/jobs/eviction';
import { freshDb } from '../helpers';
import { jobRecord, resultRecord } from './fixtures';

async function seeded() {
  const d = await freshDb()();
  await d.put('jobs', jobRecord('a', { state: 'done', resultIds: ['a:0', 'a:1'] }));
  await d.put('jobs', jobRecord('b', { state: 'done', resultIds: ['b:0'] }));
  await d.put('jobs', jobRecord('run', { state: 'polling', handle: { requestId: 'x' } }));
  await d.put('results', resultRecord('a:0', { lastUsedAt: 30, bytes: 100 }));
  await d.put('results', resultRecord('a:1', { lastUsedAt: 10, bytes: 200 }));
  await d.put('results', resultRecord('b:0', { lastUsedAt: 20, bytes: 400 }));
  await d.put('results', resultRecord('s:0', { lastUsedAt: 1, bytes: 800, starred: true }));
  // A job that is still running may already have saved its first image.
  await d.put('results', resultRecord('run:0', { lastUsedAt: 2, bytes: 800 }));
  return d;
}

describe('eviction', () => {
  it('removes least recently used results first and stops once enough room is made', async () => {
    const d = await seeded();
    const out = await evictLeastRecentlyUsed(d, { bytesWanted: 500 });
    expect(out.evicted).toEqual(['a:1', 'b:0']);
    expect(out.freedBytes).toBe(600);
    expect((await d.getAllKeys('results')).sort()).toEqual(['a:0', 'run:0', 's:0']);
  });

  it('never removes a starred result, a running job\u2019s result or any job record', async () => {
    const d = await seeded();
    const out = await evictLeastRecentlyUsed(d, { bytesWanted: Number.MAX_SAFE_INTEGER });
    expect(out.evicted.sort()).toEqual(['a:0', 'a:1', 'b:0']);
    expect((await d.getAllKeys('results')).sort()).toEqual(['run:0', 's:0']);
    expect((await d.getAllKeys('jobs')).sort()).toEqual(['a', 'b', 'run']);
  });

  it('recognises the browser\u2019s quota error', () => {
    expect(isQuotaExceeded(new DOMException('full', 'QuotaExceededError'))).toBe(true);
    expect(isQuotaExceeded(new DOMException('x', 'AbortError'))).toBe(false);
    expect(isQuotaExceeded(new Error('QuotaExceededError'))).toBe(false);
  });
});
