import { describe, expect, it } from 'vitest';
import { unzipSync, strFromU8 } from 'fflate';
import type { IDBPDatabase } from 'idb';
import type { ImagePromptDB } from '../../../utils/store/schema';
import type { PresetRecord } from '../../../utils/store/types';
import { exportWorkspace } from '../../../utils/workspace/export';
import { importWorkspace } from '../../../utils/workspace/import';
import { Manifest, type ManifestPreset } from '../../../utils/workspace/manifest';
import { freshDb } from '../helpers';
import { bytesOf, doneJob, exportZip, manifest, manifestReference, png, putReference, resultFor, uuid } from './zip-fixtures';

const J1 = uuid(1);
const RA = uuid(0x301);
const RB = uuid(0x302);
const GONE = uuid(0x303);
const P1 = uuid(0x401);
const P2 = uuid(0x402);
const settings = { influence: 0.5, aspectRatio: '3:2', numImages: 2, seed: 11 };

function preset(id: string, fields: Partial<PresetRecord> = {}): PresetRecord {
  return { id, name: 'Night', createdAt: 1_700_000_000_000, updatedAt: 1_700_000_000_000, prompt: 'a harbour at night', modelId: 'chatgpt-image', settings, references: [], ...fields };
}

function manifestPreset(id: string, fields: Partial<ManifestPreset> = {}): ManifestPreset {
  return { id, name: 'Night', createdAt: 1_700_000_000_000, updatedAt: 1_700_000_000_000, prompt: 'a harbour at night', modelId: 'chatgpt-image', settings, references: [], ...fields };
}

/** A job whose image prompt is RA, a preset sharing RA and adding RB (and one picture since deleted), and a plain preset. */
async function seed(d: IDBPDatabase<ImagePromptDB>) {
  await putReference(d, RA, png('shared'));
  await putReference(d, RB, png('preset-only'));
  const base = await doneJob(J1);
  await d.put('jobs', { ...base, request: { ...base.request, referenceId: RA }, resultIds: [`${J1}:0`] });
  await d.put('results', resultFor(J1, 0, png('out')));
  await d.put('presets', preset(P1, { references: [{ referenceId: RA }, { referenceId: GONE }, { referenceId: RB, role: 'style', weight: 0.2 }], updatedAt: 1_700_000_000_100 }));
  await d.put('presets', preset(P2, { name: 'Plain', prompt: 'just words', modelId: 'flux-dev' }));
}

async function manifestOf(zip: Blob): Promise<Manifest> {
  return Manifest.parse(JSON.parse(strFromU8(unzipSync(await bytesOf(zip))['manifest.json']!)));
}

const names = async (d: IDBPDatabase<ImagePromptDB>) => (await d.getAll('presets')).map((p) => p.name).sort();

describe('presets in an export', () => {
  it('go with the whole history, each picture once, without pictures no longer stored', async () => {
    const db = freshDb();
    await seed(await db());
    const zip = await exportWorkspace({ database: db });
    expect(Object.keys(unzipSync(await bytesOf(zip))).sort()).toEqual(['manifest.json', `references/${RA}.png`, `references/${RB}.png`, `results/${J1}_0.png`].sort());
    const m = await manifestOf(zip);
    expect(m.presets?.map((p) => p.name)).toEqual(['Plain', 'Night']);
    expect(m.presets?.[1]).toMatchObject({ id: P1, prompt: 'a harbour at night', modelId: 'chatgpt-image', settings, references: [{ referenceId: RA }, { referenceId: RB, role: 'style', weight: 0.2 }] });
    expect(m.references.map((r) => r.id).sort()).toEqual([RA, RB].sort());
  });

  it('stay out of a selection', async () => {
    const db = freshDb();
    await seed(await db());
    const m = await manifestOf(await exportWorkspace({ database: db, jobIds: [J1] }));
    expect(m.presets).toBeUndefined();
    expect(m.references.map((r) => r.id)).toEqual([RA]);
  });

  it('are written even with no generations', async () => {
    const db = freshDb();
    await (await db()).put('presets', preset(P2));
    const m = await manifestOf(await exportWorkspace({ database: db }));
    expect(m.jobs).toEqual([]);
    expect(m.presets?.map((p) => p.id)).toEqual([P2]);
  });
});

describe('presets in an import', () => {
  it('come back with their pictures, apply-ready, and are not added twice', async () => {
    const from = freshDb();
    await seed(await from());
    const zip = await exportWorkspace({ database: from });

    const to = freshDb();
    const summary = await importWorkspace(zip, { database: to });
    expect(summary).toMatchObject({ jobsAdded: 1, presetsAdded: 2, presetsSkipped: 0, referencesAdded: 2, problems: [] });
    const d = await to();
    const night = (await d.getAll('presets')).find((p) => p.name === 'Night')!;
    expect(night).toMatchObject({ id: P1, prompt: 'a harbour at night', settings, references: [{ referenceId: RA }, { referenceId: RB, role: 'style', weight: 0.2 }] });
    for (const { referenceId } of night.references) expect(await d.getKey('references', referenceId)).toBe(referenceId);

    const again = await importWorkspace(zip, { database: to });
    expect(again).toMatchObject({ jobsSkipped: 1, presetsAdded: 0, presetsSkipped: 2, referencesAdded: 0 });
    expect(await names(d)).toEqual(['Night', 'Plain']);
  });

  it('keep a local preset of the same name but other content, naming the imported one "(imported)"', async () => {
    const from = freshDb();
    await seed(await from());
    const zip = await exportWorkspace({ database: from });

    const to = freshDb();
    const d = await to();
    await d.put('presets', preset(uuid(0x999), { prompt: 'my own night' }));
    // The same content under the same name is the same preset: skipped.
    await d.put('presets', preset(uuid(0x998), { name: 'plain', prompt: 'just words', modelId: 'flux-dev' }));
    const summary = await importWorkspace(zip, { database: to });
    expect(summary).toMatchObject({ presetsAdded: 1, presetsSkipped: 1 });
    expect(await names(d)).toEqual(['Night', 'Night (imported)', 'plain']);
    expect((await d.getAll('presets')).find((p) => p.name === 'Night')?.prompt).toBe('my own night');

    // Importing the file again finds "Night (imported)".
    expect(await importWorkspace(zip, { database: to })).toMatchObject({ presetsAdded: 0, presetsSkipped: 2 });
    expect(await d.count('presets')).toBe(3);
  });

  it('reuse pictures already stored, under their stored ids', async () => {
    const bytes = png('shared');
    const m = manifest({ references: [await manifestReference(RA, bytes)], presets: [manifestPreset(P1, { references: [{ referenceId: RA }] })] });
    const to = freshDb();
    const d = await to();
    const mine = uuid(0x777);
    await putReference(d, mine, bytes);
    const summary = await importWorkspace(exportZip(m, { [`references/${RA}.png`]: bytes }), { database: to });
    expect(summary).toMatchObject({ presetsAdded: 1, referencesAdded: 0, referencesReused: 1 });
    expect((await d.get('presets', P1))?.references).toEqual([{ referenceId: mine }]);
  });

  it('cut the "(imported)" name to fit', async () => {
    const long = 'x'.repeat(80);
    const to = freshDb();
    const d = await to();
    await d.put('presets', preset(uuid(0x999), { name: long, prompt: 'mine' }));
    await importWorkspace(exportZip(manifest({ presets: [manifestPreset(P1, { name: long })] }), {}), { database: to });
    const imported = await d.get('presets', P1);
    expect(imported?.name).toMatch(/^x+ \(imported\)$/);
    expect(imported?.name.length).toBeLessThanOrEqual(80);
  });
});

describe('presets in a hostile file', () => {
  async function refusedWith(m: unknown): Promise<string> {
    const zip = exportZip(m as Manifest, {});
    const to = freshDb();
    const err = (await importWorkspace(zip, { database: to }).then(
      () => null,
      (e: unknown) => e,
    )) as Error | null;
    expect(await (await to()).count('presets')).toBe(0);
    return err?.message ?? 'imported';
  }
  const damaged = 'This export’s list of contents (manifest.json) is damaged or was changed, so nothing was imported.';

  it('refuses more than 1,000 presets, bad ids, bad names and a preset listed twice', async () => {
    const many = Array.from({ length: 1001 }, (_, i) => manifestPreset(uuid(0x10000 + i), { name: `p${i}` }));
    expect(await refusedWith(manifest({ presets: many }))).toBe(damaged);
    expect(await refusedWith(manifest({ presets: [manifestPreset('../../etc/passwd')] }))).toBe(damaged);
    expect(await refusedWith(manifest({ presets: [manifestPreset(P1, { references: [{ referenceId: 'not-a-uuid' }] })] }))).toBe(damaged);
    expect(await refusedWith(manifest({ presets: [manifestPreset(P1, { name: 'x'.repeat(81) })] }))).toBe(damaged);
    expect(await refusedWith(manifest({ presets: [manifestPreset(P1, { name: '   ' })] }))).toBe(damaged);
    expect(await refusedWith(manifest({ presets: [manifestPreset(P1, { name: 'evil\u0007' })] }))).toBe(damaged);
    expect(await refusedWith(manifest({ presets: [manifestPreset(P1), manifestPreset(P1, { name: 'Other' })] }))).toBe(damaged);
  });

  it('leaves out a preset whose pictures are not listed in the file, and says so', async () => {
    const to = freshDb();
    const summary = await importWorkspace(exportZip(manifest({ presets: [manifestPreset(P1, { references: [{ referenceId: RA }] }), manifestPreset(P2, { name: 'Fine' })] }), {}), { database: to });
    expect(summary).toMatchObject({ presetsAdded: 1 });
    expect(summary.problems).toEqual(['The preset “Night” was not imported: it uses an image that is not in the file.']);
    expect(await names(await to())).toEqual(['Fine']);
  });

  it('imports a preset without a listed picture that is missing or not what it claims, and says so', async () => {
    const good = png('good');
    const m = manifest({
      references: [await manifestReference(RA, png('claimed')), await manifestReference(RB, good)],
      presets: [manifestPreset(P1, { references: [{ referenceId: RA }, { referenceId: RB }] })],
    });
    const to = freshDb();
    const summary = await importWorkspace(exportZip(m, { [`references/${RA}.png`]: png('swapped'), [`references/${RB}.png`]: good }), { database: to });
    expect(summary).toMatchObject({ presetsAdded: 1, referencesAdded: 1 });
    expect(summary.problems).toEqual(['An image of the preset “Night” was not imported: its bytes do not match its checksum.']);
    const d = await to();
    expect((await d.get('presets', P1))?.references).toEqual([{ referenceId: RB }]);
    expect(await d.count('references')).toBe(1);
  });
});
