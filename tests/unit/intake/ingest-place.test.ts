import { beforeEach, describe, expect, it, vi } from 'vitest';
import { IDBFactory } from 'fake-indexeddb';
import { adoptFrom } from '@/utils/intake/ingest';
import { loadDraft, setTray } from '@/utils/store/drafts';
import { resetDbForTests } from '@/utils/store/schema';
import { TRAY_MAX } from '@/utils/store/types';
import type { AppEvent } from '@/utils/events';

// Decoding needs a browser; here each blob's text stands for a distinct, already normal image.
vi.mock('@/utils/image/normalize', () => ({
  normalizeImage: async (blob: Blob, opts: { onThumbnail?: (thumb: Blob) => void } = {}) => {
    opts.onThumbnail?.(blob);
    return { blob, mime: 'image/png', width: 1, height: 1, thumb: blob, sha256: await blob.text() };
  },
}));
const published: AppEvent[] = [];
vi.mock('@/utils/events', () => ({ publish: (e: AppEvent) => published.push(e), subscribe: () => () => {} }));

const image = (name: string) => async () => new Blob([name], { type: 'image/png' });
const ids = async () => (await loadDraft()).references.map((r) => r.referenceId);

beforeEach(() => {
  published.length = 0;
  globalThis.indexedDB = new IDBFactory();
  resetDbForTests();
});

describe('where an adopted image goes in the tray', () => {
  it('"Use as image prompt" replaces the first image and keeps the rest; "add" appends', async () => {
    const a = await adoptFrom(undefined, { kind: 'file' }, image('a'), { place: 'add' });
    const b = await adoptFrom(undefined, { kind: 'file' }, image('b'), { place: 'add' });
    expect(await ids()).toEqual([a.id, b.id]);
    const c = await adoptFrom(undefined, { kind: 'page' }, image('c'));
    expect(await ids()).toEqual([c.id, b.id]);
    const d = await loadDraft();
    expect(d.referenceId).toBe(c.id);
    expect(d.intake.status).toBe('idle');
    // The same picture again is the same reference: not added twice.
    await adoptFrom(undefined, { kind: 'drop' }, image('b'), { place: 'add' });
    expect(await ids()).toEqual([c.id, b.id]);
  });

  it('refuses to add to a full tray before fetching, and says so in the draft', async () => {
    await setTray(Array.from({ length: TRAY_MAX }, (_, i) => ({ referenceId: `r${i}` })));
    const getBlob = vi.fn(image('x'));
    await expect(adoptFrom('https://img.example/x.png', { kind: 'page' }, getBlob, { place: 'add' })).rejects.toMatchObject({ kind: 'invalid_input' });
    expect(getBlob).not.toHaveBeenCalled();
    const d = await loadDraft();
    expect(d.intake).toMatchObject({ status: 'error', error: { kind: 'invalid_input' } });
    expect(d.references).toHaveLength(TRAY_MAX);
  });

  it('sends the thumbnail out before the image is stored, named by the intake it belongs to', async () => {
    let startedAt: number | undefined;
    const getBlob = async () => {
      const d = await loadDraft();
      if (d.intake.status === 'loading') startedAt = d.intake.startedAt;
      return new Blob(['p'], { type: 'image/png' });
    };
    const ref = await adoptFrom('https://img.example/p.png', { kind: 'page' }, getBlob);
    const previews = published.filter((e) => e.type === 'intake.preview');
    expect(previews).toHaveLength(1);
    expect(previews[0]).toMatchObject({ startedAt });
    expect(startedAt).toBeTypeOf('number');
    // The preview is the stored reference's own thumbnail, sent before the draft named it.
    expect(await (previews[0] as { thumb: Blob }).thumb.text()).toBe(await ref.thumb.text());
    const drafts = published.filter((e) => e.type === 'draft.changed');
    expect(published.indexOf(previews[0]!)).toBeLessThan(published.lastIndexOf(drafts.at(-1)!));
  });
});
