import { beforeEach, describe, expect, it } from 'vitest';
import { IDBFactory } from 'fake-indexeddb';
import { addReference, loadDraft, patchDraft, setImagePrompt, setTray, trayHasRoom } from '../../../utils/store/drafts';
import { db, resetDbForTests } from '../../../utils/store/schema';
import { DEFAULT_DRAFT, TRAY_MAX } from '../../../utils/store/types';

const ids = (d: { references: { referenceId: string }[] }) => d.references.map((r) => r.referenceId);

beforeEach(() => {
  globalThis.indexedDB = new IDBFactory();
  resetDbForTests();
});

describe('the tray in the draft', () => {
  it('starts the tray with the first image prompt, then replaces only the first slot', async () => {
    let d = await setImagePrompt('a');
    expect(ids(d)).toEqual(['a']);
    expect(d.referenceId).toBe('a');
    await addReference('b');
    d = await setImagePrompt('c', { intake: { status: 'idle' } });
    expect(ids(d)).toEqual(['c', 'b']);
    expect(d.referenceId).toBe('c');
  });

  it('moves an image already in the tray up to the image prompt, with its role, instead of listing it twice', async () => {
    await setTray([{ referenceId: 'a' }, { referenceId: 'b', role: 'style', weight: 0.3 }, { referenceId: 'c' }]);
    const d = await setImagePrompt('b');
    expect(d.references).toEqual([{ referenceId: 'b', role: 'style', weight: 0.3 }, { referenceId: 'c' }]);
    expect(d.referenceId).toBe('b');
  });

  it('appends with addReference, never twice, and refuses a full tray clearly', async () => {
    let d = await addReference('a');
    expect(d.referenceId).toBe('a');
    await addReference('b');
    d = await addReference('a');
    expect(ids(d)).toEqual(['a', 'b']);
    await setTray(Array.from({ length: TRAY_MAX }, (_, i) => ({ referenceId: `r${i}` })));
    expect(await trayHasRoom()).toBe(false);
    await expect(addReference('one-more')).rejects.toMatchObject({ kind: 'invalid_input', message: expect.stringContaining(`${TRAY_MAX} images at most`) });
    expect((await loadDraft()).references).toHaveLength(TRAY_MAX);
  });

  it('adopts a draft from before trays: its single referenceId is the tray', async () => {
    await (await db()).put('drafts', { ...DEFAULT_DRAFT, referenceId: 'old', references: [] });
    const d = await addReference('new');
    expect(ids(d)).toEqual(['old', 'new']);
    expect(d.referenceId).toBe('old');
  });

  it('setTray reorders, removes and keeps referenceId in step', async () => {
    await setTray([{ referenceId: 'a' }, { referenceId: 'b' }, { referenceId: 'c' }]);
    let d = await setTray([{ referenceId: 'c', role: 'character' }, { referenceId: 'a' }, { referenceId: 'c' }]);
    expect(d.references).toEqual([{ referenceId: 'c', role: 'character' }, { referenceId: 'a' }]);
    expect(d.referenceId).toBe('c');
    d = await setTray([]);
    expect(d.referenceId).toBeNull();
    await expect(setTray(Array.from({ length: TRAY_MAX + 1 }, (_, i) => ({ referenceId: `r${i}` })))).rejects.toMatchObject({ kind: 'invalid_input' });
  });

  it('keeps the two in step when older code patches only referenceId, and leaves the tray alone otherwise', async () => {
    await setTray([{ referenceId: 'a' }, { referenceId: 'b' }]);
    let d = await patchDraft({ prompt: 'a fox' });
    expect(ids(d)).toEqual(['a', 'b']);
    d = await patchDraft({ referenceId: 'z' });
    expect(ids(d)).toEqual(['z']);
    d = await patchDraft({ referenceId: null });
    expect(d.references).toEqual([]);
  });

  it('does not lose a concurrent prompt edit when the worker adds a reference', async () => {
    await Promise.all([patchDraft({ prompt: 'typed' }), addReference('a'), addReference('b')]);
    const d = await loadDraft();
    expect(d.prompt).toBe('typed');
    expect(ids(d)).toEqual(['a', 'b']);
  });
});
