import { describe, expect, it } from 'vitest';
import { subscribe, type AppEvent } from '../../../utils/events';
import { setStarred } from '../../../utils/store/results';
import { freshDb } from '../helpers';
import { resultRecord } from '../jobs/fixtures';

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
