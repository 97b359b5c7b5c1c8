import { beforeEach, describe, expect, it } from 'vitest';
import { IDBFactory } from 'fake-indexeddb';
import { loadDraft, patchDraft, setTray } from '../../../utils/store/drafts';
import { applyPreset, deletePreset, importedPresetName, listPresets, presetName, renamePreset, sameContent, savePreset } from '../../../utils/store/presets';
import { db, resetDbForTests } from '../../../utils/store/schema';
import { DEFAULT_DRAFT, PRESETS_MAX, type DraftRecord } from '../../../utils/store/types';
import { subscribe, type AppEvent } from '../../../utils/events';
import { until } from '../helpers';

beforeEach(() => {
  globalThis.indexedDB = new IDBFactory();
  resetDbForTests();
});

const settings = { influence: 0.4, aspectRatio: '16:9', numImages: 2, seed: 42 };

function draftWith(fields: Partial<DraftRecord> = {}): DraftRecord {
  return {
    ...DEFAULT_DRAFT,
    prompt: 'a lighthouse at dusk',
    modelId: 'chatgpt-image',
    settings,
    referenceId: 'ref-a',
    references: [{ referenceId: 'ref-a' }, { referenceId: 'ref-b', role: 'style', weight: 0.3 }],
    ...fields,
  };
}

/** A stored reference record, enough for applyPreset to find it. */
async function storeReference(id: string) {
  await (await db()).put('references', {
    id,
    createdAt: 1,
    blob: new Blob([id]),
    mime: 'image/png',
    width: 1,
    height: 1,
    thumb: new Blob([id]),
    sha256: id.padEnd(64, '0'),
    source: { kind: 'file', name: `${id}.png` },
  });
}

describe('presets', () => {
  it('saves the prompt, model, settings and tray under a trimmed name, and lists the newest first', async () => {
    const first = await savePreset('  Night  ', draftWith(), { now: 10 });
    expect(first).toMatchObject({ status: 'saved', replaced: false });
    if (first.status !== 'saved') throw new Error('not saved');
    expect(first.preset).toMatchObject({
      name: 'Night',
      createdAt: 10,
      updatedAt: 10,
      prompt: 'a lighthouse at dusk',
      modelId: 'chatgpt-image',
      settings,
      references: [{ referenceId: 'ref-a' }, { referenceId: 'ref-b', role: 'style', weight: 0.3 }],
    });
    await savePreset('Day', draftWith({ prompt: 'noon' }), { now: 20 });
    expect((await listPresets()).map((p) => p.name)).toEqual(['Day', 'Night']);
  });

  it('keeps a draft from before trays as a tray of its image prompt', async () => {
    const out = await savePreset('Old', draftWith({ references: [], referenceId: 'ref-x' }));
    expect(out.status === 'saved' && out.preset.references).toEqual([{ referenceId: 'ref-x' }]);
  });

  it('asks before replacing a preset of the same name (any case), then replaces it in place', async () => {
    const first = await savePreset('Portrait', draftWith(), { now: 10 });
    const asked = await savePreset('portrait ', draftWith({ prompt: 'changed' }), { now: 20 });
    expect(asked).toMatchObject({ status: 'exists', existing: { name: 'Portrait', prompt: 'a lighthouse at dusk' } });
    expect((await listPresets()).map((p) => p.prompt)).toEqual(['a lighthouse at dusk']);

    const replaced = await savePreset('portrait', draftWith({ prompt: 'changed' }), { replace: true, now: 30 });
    expect(replaced).toMatchObject({ status: 'saved', replaced: true, preset: { name: 'portrait', prompt: 'changed', createdAt: 10, updatedAt: 30 } });
    const all = await listPresets();
    expect(all).toHaveLength(1);
    expect(first.status === 'saved' && all[0]!.id).toBe(first.status === 'saved' && first.preset.id);
  });

  it('refuses an empty name and cleans control characters out of names', async () => {
    await expect(savePreset('   ', draftWith())).rejects.toMatchObject({ kind: 'invalid_input', message: 'Give the preset a name.' });
    expect(presetName('a\tb\nc')).toBe('a b c');
    expect(presetName('x'.repeat(200))).toHaveLength(80);
  });

  it(`refuses a new preset past ${PRESETS_MAX}, but still replaces one`, async () => {
    const d = await db();
    const tx = d.transaction('presets', 'readwrite');
    for (let i = 0; i < PRESETS_MAX; i++) void tx.store.put({ ...draftWith(), id: `p${i}`, name: `n${i}`, createdAt: i, updatedAt: i, references: [] });
    await tx.done;
    await expect(savePreset('one more', draftWith())).rejects.toMatchObject({ kind: 'invalid_input', message: expect.stringContaining('1000 presets') });
    expect(await savePreset('n5', draftWith(), { replace: true })).toMatchObject({ status: 'saved', replaced: true });
  });

  it('renames, refusing a name another preset has', async () => {
    const a = await savePreset('A', draftWith());
    await savePreset('B', draftWith());
    if (a.status !== 'saved') throw new Error('not saved');
    expect(await renamePreset(a.preset.id, ' b')).toMatchObject({ status: 'exists', existing: { name: 'B' } });
    expect(await renamePreset(a.preset.id, 'C', 99)).toMatchObject({ status: 'renamed', preset: { name: 'C', updatedAt: 99 } });
    expect((await listPresets()).map((p) => p.name).sort()).toEqual(['B', 'C']);
    await expect(renamePreset('nope', 'D')).rejects.toMatchObject({ kind: 'not_found' });
  });

  it('deletes and returns what it deleted, so it can be put back', async () => {
    const a = await savePreset('A', draftWith());
    if (a.status !== 'saved') throw new Error('not saved');
    expect(await deletePreset(a.preset.id)).toEqual(a.preset);
    expect(await deletePreset(a.preset.id)).toBeUndefined();
    expect(await listPresets()).toEqual([]);
  });

  it('applies prompt, model, settings and tray in one write, leaving out pictures no longer stored', async () => {
    await storeReference('ref-b');
    const saved = await savePreset('Night', draftWith(), { now: 10 });
    if (saved.status !== 'saved') throw new Error('not saved');
    await patchDraft({ prompt: 'something else', modelId: 'flux-dev', intake: { status: 'idle' } });
    await setTray([{ referenceId: 'other' }]);

    const applied = await applyPreset(saved.preset.id, 50);
    expect(applied.missing).toBe(1);
    const draft = await loadDraft();
    expect(draft).toMatchObject({ prompt: 'a lighthouse at dusk', modelId: 'chatgpt-image', settings, updatedAt: 50 });
    expect(draft.references).toEqual([{ referenceId: 'ref-b', role: 'style', weight: 0.3 }]);
    expect(draft.referenceId).toBe('ref-b');
    expect(applied.draft).toEqual(draft);
  });

  it('empties the tray when none of the pictures is stored, and says a missing preset is gone', async () => {
    const saved = await savePreset('Night', draftWith());
    if (saved.status !== 'saved') throw new Error('not saved');
    const applied = await applyPreset(saved.preset.id);
    expect(applied.missing).toBe(2);
    expect(applied.draft).toMatchObject({ references: [], referenceId: null });
    await expect(applyPreset('nope')).rejects.toMatchObject({ kind: 'not_found', message: 'This preset no longer exists.' });
  });

  it('tells open panels when presets change', async () => {
    const events: AppEvent[] = [];
    const off = subscribe((e) => events.push(e));
    await savePreset('A', draftWith());
    await until('presets.changed', () => events.some((e) => e.type === 'presets.changed'));
    off();
  });

  it('names an imported preset beside a different one of the same name, and skips the same one', () => {
    const content = { prompt: 'p', modelId: 'flux-dev' as const, settings, references: [] };
    const stored = (name: string, prompt: string) => ({ ...content, prompt, id: name, name, createdAt: 0, updatedAt: 0 });
    expect(importedPresetName('A', content, [])).toBe('A');
    expect(importedPresetName('A', content, [stored('a', 'p')])).toBeUndefined();
    expect(importedPresetName('A', content, [stored('A', 'other')])).toBe('A (imported)');
    expect(importedPresetName('A', content, [stored('A', 'other'), stored('A (imported)', 'p')])).toBeUndefined();
    expect(importedPresetName('A', content, [stored('A', 'other'), stored('A (imported)', 'more')])).toBe('A (imported 2)');
  });

  it('compares content, not names or dates', () => {
    const a = { prompt: 'p', modelId: 'flux-dev' as const, settings, references: [{ referenceId: 'r', role: 'style' as const }] };
    expect(sameContent(a, { ...a, settings: { ...settings } })).toBe(true);
    expect(sameContent(a, { ...a, references: [{ referenceId: 'r' }] })).toBe(false);
    expect(sameContent(a, { ...a, settings: { ...settings, seed: null } })).toBe(false);
  });
});
