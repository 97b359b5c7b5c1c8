import { describe, expect, it } from 'vitest';
import { subscribe, type AppEvent } from '../../../utils/events';
import { deleteResults, restoreResults, saveThumb, setStarred } from '../../../utils/store/results';
import { freshDb } from '../helpers';
import { jobRecord, resultRecord } from '../jobs/fixtures';

describe('results store', () => {
  it('stars and unstars a result, keeping everything else, and tells open panels', async () => {
    const db = freshDb();
    const d = await db();
    await d.put('results', resultRecord('j:0', { lastUsedAt: 42 }));
    const seen: AppEvent[] = [];
    const off = subscribe((e) => seen.push(e));
    const starred = await setStarred('j:0', true, db);
    expect(starred.starred).toBe(true);
    const stored = await d.get('results', 'j:0');
    expect(stored).toMatchObject({ starred: true, lastUsedAt: 42, jobId: 'j' });
    expect(stored?.blob.size).toBe(1000);
    await setStarred('j:0', false, db);
    expect((await d.get('results', 'j:0'))?.starred).toBe(false);
    // BroadcastChannel delivers asynchronously; allow for a busy machine.
    for (const end = Date.now() + 5000; seen.length < 2 && Date.now() < end; ) await new Promise((r) => setTimeout(r, 5));
    off();
    expect(seen).toEqual([{ type: 'results.changed' }, { type: 'results.changed' }]);
  });

  it('says so when the result is gone', async () => {
    const db = freshDb();
    await expect(setStarred('missing:0', true, db)).rejects.toMatchObject({ kind: 'not_found' });
  });
});

describe('stars on the job (for history filters)', () => {
  async function twoResults() {
    const db = freshDb();
    const d = await db();
    await d.put('jobs', jobRecord('j', { state: 'done', resultIds: ['j:0', 'j:1'] }));
    await d.put('results', resultRecord('j:0'));
    await d.put('results', resultRecord('j:1'));
    return { db, d };
  }

  it('keeps job.starred true while any of its results is starred', async () => {
    const { db, d } = await twoResults();
    expect((await d.get('jobs', 'j'))?.starred).toBeUndefined();
    await setStarred('j:0', true, db);
    expect((await d.get('jobs', 'j'))?.starred).toBe(true);
    await setStarred('j:1', true, db);
    await setStarred('j:0', false, db);
    expect((await d.get('jobs', 'j'))?.starred).toBe(true);
    await setStarred('j:1', false, db);
    expect((await d.get('jobs', 'j'))?.starred).toBeFalsy();
    // Nothing else on the job changes.
    expect(await d.get('jobs', 'j')).toMatchObject({ state: 'done', resultIds: ['j:0', 'j:1'], cacheKey: 'ck-j' });
  });

  it('marks a job answered from the cache with the same images too', async () => {
    const { db, d } = await twoResults();
    await d.put('jobs', jobRecord('c', { state: 'done', cacheKey: 'ck-j', cachedFrom: 'j', resultIds: ['j:0', 'j:1'] }));
    await d.put('jobs', jobRecord('fresh', { state: 'done', cacheKey: 'ck-j', resultIds: ['fresh:0'] }));
    await d.put('results', resultRecord('fresh:0'));
    await setStarred('j:1', true, db);
    expect((await d.get('jobs', 'c'))?.starred).toBe(true);
    expect((await d.get('jobs', 'fresh'))?.starred).toBeFalsy();
  });
});

describe('deleting results, and Undo', () => {
  async function threeResults() {
    const db = freshDb();
    const d = await db();
    await d.put('jobs', jobRecord('j', { state: 'done', resultIds: ['j:0', 'j:1', 'j:2'] }));
    await d.put('jobs', jobRecord('other', { state: 'done', resultIds: ['other:0'] }));
    await d.put('results', resultRecord('j:0', { starred: true, thumb: new Blob(['t'], { type: 'image/webp' }) }));
    await d.put('results', resultRecord('j:1', { lastUsedAt: 7 }));
    await d.put('results', resultRecord('j:2'));
    await d.put('results', resultRecord('other:0'));
    await setStarred('j:0', true, db);
    return { db, d };
  }

  it('removes the results and their ids from the job, so nothing reads as "removed to free space"', async () => {
    const { db, d } = await threeResults();
    const undo = await deleteResults(['j:1'], db);
    expect(await d.get('results', 'j:1')).toBeUndefined();
    expect((await d.get('jobs', 'j'))?.resultIds).toEqual(['j:0', 'j:2']);
    expect(undo.results.map((r) => r.id)).toEqual(['j:1']);
    expect(await d.getAllKeys('results')).toEqual(['j:0', 'j:2', 'other:0']);
  });

  it('clears job.starred when the only starred result is deleted, and Undo brings it back', async () => {
    const { db, d } = await threeResults();
    const undo = await deleteResults(['j:0'], db);
    expect((await d.get('jobs', 'j'))?.starred).toBeFalsy();
    await restoreResults(undo, db);
    const job = await d.get('jobs', 'j');
    expect(job?.starred).toBe(true);
    expect(job?.resultIds).toEqual(['j:0', 'j:1', 'j:2']);
    const back = await d.get('results', 'j:0');
    expect(back).toMatchObject({ id: 'j:0', jobId: 'j', index: 0, starred: true });
    expect(back?.thumb?.size).toBe(1);
  });

  it('puts several results of one job back exactly where they were', async () => {
    const { db, d } = await threeResults();
    const undo = await deleteResults(['j:2', 'j:0', 'missing:0', 'other:0'], db);
    expect((await d.get('jobs', 'j'))?.resultIds).toEqual(['j:1']);
    expect((await d.get('jobs', 'other'))?.resultIds).toEqual([]);
    expect(undo.results.map((r) => r.id).sort()).toEqual(['j:0', 'j:2', 'other:0']);
    await restoreResults(undo, db);
    expect((await d.get('jobs', 'j'))?.resultIds).toEqual(['j:0', 'j:1', 'j:2']);
    expect((await d.get('jobs', 'other'))?.resultIds).toEqual(['other:0']);
    expect(await d.get('results', 'j:1')).toMatchObject({ lastUsedAt: 7 });
    expect((await d.getAllKeys('results')).sort()).toEqual(['j:0', 'j:1', 'j:2', 'other:0']);
    // Neighbours deleted together, in the order the grid lists them.
    await restoreResults(await deleteResults(['j:0', 'j:1'], db), db);
    expect((await d.get('jobs', 'j'))?.resultIds).toEqual(['j:0', 'j:1', 'j:2']);
  });

  it('undoes two deletions in turn, newest first', async () => {
    const { db, d } = await threeResults();
    const first = await deleteResults(['j:0'], db);
    const second = await deleteResults(['j:1'], db);
    expect((await d.get('jobs', 'j'))?.resultIds).toEqual(['j:2']);
    await restoreResults(second, db);
    await restoreResults(first, db);
    expect((await d.get('jobs', 'j'))?.resultIds).toEqual(['j:0', 'j:1', 'j:2']);
  });

  it('takes the image out of cache-answered jobs too, and restores it there', async () => {
    const { db, d } = await threeResults();
    await d.put('jobs', jobRecord('c', { state: 'done', cacheKey: 'ck-j', cachedFrom: 'j', resultIds: ['j:0', 'j:1', 'j:2'] }));
    const undo = await deleteResults(['j:1'], db);
    expect((await d.get('jobs', 'c'))?.resultIds).toEqual(['j:0', 'j:2']);
    await restoreResults(undo, db);
    expect((await d.get('jobs', 'c'))?.resultIds).toEqual(['j:0', 'j:1', 'j:2']);
  });

  it('tells open panels about the deletion and the undo', async () => {
    const { db } = await threeResults();
    const seen: AppEvent[] = [];
    const off = subscribe((e) => seen.push(e));
    const undo = await deleteResults(['j:1'], db);
    await restoreResults(undo, db);
    for (const end = Date.now() + 5000; seen.length < 2 && Date.now() < end; ) await new Promise((r) => setTimeout(r, 5));
    off();
    expect(seen).toEqual([{ type: 'results.changed' }, { type: 'results.changed' }]);
  });
});

describe('saveThumb', () => {
  it('stores a preview made later, keeping the rest of the record', async () => {
    const db = freshDb();
    const d = await db();
    await d.put('results', resultRecord('j:0', { starred: true, lastUsedAt: 9 }));
    await saveThumb('j:0', new Blob(['thumb'], { type: 'image/webp' }), db);
    const stored = await d.get('results', 'j:0');
    expect(stored?.thumb?.size).toBe(5);
    expect(stored).toMatchObject({ starred: true, lastUsedAt: 9 });
    expect(stored?.blob.size).toBe(1000);
  });

  it('does nothing for a result that is gone', async () => {
    const db = freshDb();
    await saveThumb('gone:0', new Blob(['x']), db);
    expect(await (await db()).get('results', 'gone:0')).toBeUndefined();
  });
});
