import { describe, expect, it, vi } from 'vitest';
import { strToU8 } from 'fflate';
import type { IDBPDatabase } from 'idb';
import type { ImagePromptDB } from '../../../utils/store/schema';
import { AppError } from '../../../utils/errors';
import { importWorkspace } from '../../../utils/workspace/import';
import { entryName, type Manifest } from '../../../utils/workspace/manifest';
import { freshDb } from '../helpers';
import { buildZip, exportZip, manifest, manifestJob, manifestReference, manifestResult, png, uuid, type RawEntry } from './zip-fixtures';

/**
 * Every archive here is built by hand, byte by byte, the way someone trying to hurt the user
 * would: an import must refuse or skip what is wrong, say so, and write nothing it should not.
 */

const J = uuid(1);
const K = uuid(2);
const R = uuid(3);
const MiB = 1024 * 1024;

async function counts(d: IDBPDatabase<ImagePromptDB>) {
  return { jobs: await d.count('jobs'), results: await d.count('results'), references: await d.count('references') };
}

/** One job with one result: the smallest real export. */
function oneJob(fields: { job?: Parameters<typeof manifestJob>[1]; result?: Parameters<typeof manifestResult>[2] } = {}): Manifest {
  return manifest({ jobs: [manifestJob(J, { resultIds: [`${J}:0`], ...fields.job })], results: [manifestResult(J, 0, fields.result)] });
}

async function refusal(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

describe('import of a hostile file', () => {
  it('refuses a file over the size cap before reading a byte of it', async () => {
    const file = exportZip(oneJob(), { [`results/${J}_0.png`]: png('a') });
    const slice = vi.spyOn(file, 'slice');
    const db = freshDb();
    const err = await refusal(importWorkspace(file, { database: db, limits: { maxFileBytes: file.size - 1 } }));
    expect(err.kind).toBe('too_large');
    expect(err.message).toMatch(/^This file is larger than .+, the most an import reads\.$/);
    expect(slice).not.toHaveBeenCalled();
    expect(await counts(await db())).toEqual({ jobs: 0, results: 0, references: 0 });
  });

  it('refuses a file with too many entries', async () => {
    const many: RawEntry[] = Array.from({ length: 25 }, (_, i) => ({ name: `junk/${i}`, data: new Uint8Array([i]) }));
    const db = freshDb();
    const err = await refusal(importWorkspace(exportZip(oneJob(), { [`results/${J}_0.png`]: png('a') }, many), { database: db, limits: { maxEntries: 20 } }));
    expect(err.message).toBe('This file holds more than 20 entries, the most an import reads.');
    expect(await counts(await db())).toEqual({ jobs: 0, results: 0, references: 0 });
  });

  it('stops inflating a zip bomb whose header lies about its size, and imports the rest', async () => {
    const m = manifest({
      jobs: [manifestJob(J, { resultIds: [`${J}:0`] }), manifestJob(K, { resultIds: [`${K}:0`], createdAt: 1_700_000_001_000 })],
      results: [manifestResult(J, 0), manifestResult(K, 0)],
    });
    const bomb: RawEntry = { name: `results/${J}_0.png`, data: new Uint8Array(16 * MiB), method: 8, declaredSize: 68 };
    const file = new Blob([buildZip([{ name: 'manifest.json', data: strToU8(JSON.stringify(m)), method: 8 }, bomb, { name: `results/${K}_0.png`, data: png('fine') }])]);
    const db = freshDb();
    const summary = await importWorkspace(file, { database: db, limits: { maxEntryBytes: MiB } });
    expect(summary).toMatchObject({ jobsAdded: 1, resultsAdded: 1 });
    expect(summary.problems).toEqual([`“a lighthouse at dusk 01” was not imported: an image is larger than 1 MB.`]);
    const d = await db();
    expect(await d.get('jobs', J)).toBeUndefined();
    expect(await d.get('results', `${J}:0`)).toBeUndefined();
    expect(await d.get('jobs', K)).toBeDefined();
  });

  it('stops the import when the file unpacks past the total cap, keeping what was complete', async () => {
    const m = manifest({
      jobs: [manifestJob(J, { resultIds: [`${J}:0`] }), manifestJob(K, { resultIds: [`${K}:0`], createdAt: 1_700_000_001_000 })],
      results: [manifestResult(J, 0), manifestResult(K, 0)],
    });
    const big = (tag: string) => png(new Uint8Array(700 * 1024).fill(tag.charCodeAt(0)));
    const file = exportZip(m, { [`results/${J}_0.png`]: big('a'), [`results/${K}_0.png`]: big('b') });
    const db = freshDb();
    const summary = await importWorkspace(file, { database: db, limits: { maxTotalBytes: MiB } });
    expect(summary).toMatchObject({ jobsAdded: 1, resultsAdded: 1 });
    expect(summary.problems).toEqual(['Stopped: the file unpacks to more than 1 MB. Generations before this point were imported.']);
    expect(await counts(await db())).toEqual({ jobs: 1, results: 1, references: 0 });
  });

  it('never reads entries the manifest does not list (path traversal, absolute paths, backslashes, extras), and names them', async () => {
    const sneaky = ['../evil.png', '/etc/cron.d/evil', 'results\\..\\evil.png', `results/../../${J}_0.png`, 'README.html', 'manifest.json/'];
    const extra = sneaky.map((name) => ({ name, data: strToU8('<script>alert(1)</script>') }));
    const db = freshDb();
    const summary = await importWorkspace(exportZip(oneJob(), { [`results/${J}_0.png`]: png('a') }, extra), { database: db });
    expect(summary).toMatchObject({ jobsAdded: 1, resultsAdded: 1 });
    expect(summary.problems).toEqual(sneaky.map((name) => `Ignored “${name}”: not part of the export.`));
    expect(await counts(await db())).toEqual({ jobs: 1, results: 1, references: 0 });
  });

  it('names a few unexpected entries, then only counts them, with names made safe to show', async () => {
    const extra = Array.from({ length: 13 }, (_, i) => ({ name: `x\u202e${i}\u0007`, data: new Uint8Array(1) }));
    const summary = await importWorkspace(exportZip(oneJob(), { [`results/${J}_0.png`]: png('a') }, extra), { database: freshDb() });
    expect(summary.problems).toHaveLength(11);
    expect(summary.problems[0]).toBe('Ignored “x?0?”: not part of the export.');
    expect(summary.problems[10]).toBe('Ignored 3 more unexpected entries.');
  });

  it('uses the first of two entries with the same name and says so', async () => {
    const file = exportZip(oneJob(), { [`results/${J}_0.png`]: png('a') }, [{ name: `results/${J}_0.png`, data: strToU8('<html>') }]);
    const db = freshDb();
    const summary = await importWorkspace(file, { database: db });
    expect(summary.jobsAdded).toBe(1);
    expect(summary.problems).toEqual([`Ignored a second “results/${J}_0.png”.`]);
  });

  it('refuses bytes that are not the image the manifest says (sniffed by magic number)', async () => {
    const db = freshDb();
    const html = strToU8('<!doctype html><script>alert(1)</script>');
    const summary = await importWorkspace(exportZip(oneJob(), { [`results/${J}_0.png`]: html }), { database: db });
    expect(summary.jobsAdded).toBe(0);
    expect(summary.problems).toEqual(['“a lighthouse at dusk 01” was not imported: a file is not the image it claims to be.']);
    const jpegAsPng = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0]);
    const again = await importWorkspace(exportZip(oneJob(), { [`results/${J}_0.png`]: jpegAsPng }), { database: db });
    expect(again.jobsAdded).toBe(0);
    expect(await counts(await db())).toEqual({ jobs: 0, results: 0, references: 0 });
  });

  it('leaves out a job whose image is missing or damaged', async () => {
    const db = freshDb();
    const missing = await importWorkspace(exportZip(oneJob(), {}), { database: db });
    expect(missing.problems).toEqual(['“a lighthouse at dusk 01” was not imported: an image is missing from the file.']);
    const m = oneJob();
    const damaged = new Blob([buildZip([{ name: 'manifest.json', data: strToU8(JSON.stringify(m)) }, { name: `results/${J}_0.png`, data: png('a'), crc: 42 }])]);
    const summary = await importWorkspace(damaged, { database: db });
    expect(summary.problems).toEqual(['“a lighthouse at dusk 01” was not imported: an image is damaged.']);
    expect(await counts(await db())).toEqual({ jobs: 0, results: 0, references: 0 });
  });

  it('refuses entries that point at the same bytes (an overlapping bomb)', async () => {
    const m = manifest({
      jobs: [manifestJob(J, { resultIds: [`${J}:0`, `${J}:1`] })],
      results: [manifestResult(J, 0), manifestResult(J, 1)],
    });
    const file = new Blob([
      buildZip([
        { name: 'manifest.json', data: strToU8(JSON.stringify(m)), method: 8 },
        { name: `results/${J}_0.png`, data: png('a') },
        { name: `results/${J}_1.png`, data: png('a'), sharesWith: 1 },
      ]),
    ]);
    const summary = await importWorkspace(file, { database: freshDb() });
    expect(summary.jobsAdded).toBe(0);
    expect(summary.problems).toEqual(['“a lighthouse at dusk 01” was not imported: an image is damaged.']);
  });

  it.each([
    ['not JSON', strToU8('{"format": "image-prompt-export", ')],
    ['not UTF-8', new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])],
    ['a prompt past its cap', strToU8(JSON.stringify(oneJob({ job: { request: { ...manifestJob(J).request, prompt: 'x'.repeat(10_001) } } })))],
    ['a file name outside its folder', strToU8(JSON.stringify(oneJob({ result: { file: `../results/${J}_0.png` } })))],
    ['a job that is not finished', strToU8(JSON.stringify({ ...oneJob(), jobs: [{ ...oneJob().jobs[0], state: 'queued' }] }))],
  ])('refuses a manifest that is %s, with one clear error and nothing imported', async (_what, bytes) => {
    const file = new Blob([buildZip([{ name: 'manifest.json', data: bytes, method: 8 }, { name: `results/${J}_0.png`, data: png('a') }])]);
    const db = freshDb();
    const err = await refusal(importWorkspace(file, { database: db }));
    expect(err.message).toBe('This export’s list of contents (manifest.json) is damaged or was changed, so nothing was imported.');
    expect(await counts(await db())).toEqual({ jobs: 0, results: 0, references: 0 });
  });

  it('caps the manifest while inflating it', async () => {
    const padded = { ...oneJob(), padding: ' '.repeat(2 * MiB) };
    const file = new Blob([buildZip([{ name: 'manifest.json', data: strToU8(JSON.stringify(padded)), method: 8, declaredSize: 100 }])]);
    const err = await refusal(importWorkspace(file, { database: freshDb(), limits: { maxManifestBytes: MiB } }));
    expect(err.message).toContain('manifest.json');
  });

  it('says when a file is not an export at all, or comes from a newer version', async () => {
    expect((await refusal(importWorkspace(new Blob(['PK not really']), { database: freshDb() }))).message).toBe('This file is not an Image Prompt export.');
    const noManifest = new Blob([buildZip([{ name: 'photo.png', data: png('a') }])]);
    expect((await refusal(importWorkspace(noManifest, { database: freshDb() }))).message).toBe('This file is not an Image Prompt export.');
    const newer = new Blob([buildZip([{ name: 'manifest.json', data: strToU8(JSON.stringify({ ...oneJob(), version: 2 })) }])]);
    expect((await refusal(importWorkspace(newer, { database: freshDb() }))).message).toBe(
      'This export was made by a newer version of Image Prompt. Update the extension, then import it again.',
    );
  });

  it('re-hashes reference pictures and refuses one that does not match its checksum', async () => {
    const real = png('reference');
    const ref = await manifestReference(R, png('something else'));
    const m = oneJob({ job: { request: { ...manifestJob(J).request, referenceId: R } } });
    m.references = [ref];
    const db = freshDb();
    const summary = await importWorkspace(exportZip(m, { [`results/${J}_0.png`]: png('a'), [entryName('references', R, 'image/png')]: real }), { database: db });
    // The generation itself is kept; its reference shows as no longer stored, as it would at home.
    expect(summary).toMatchObject({ jobsAdded: 1, referencesAdded: 0, referencesReused: 0 });
    expect(summary.problems).toEqual(['The image prompt of “a lighthouse at dusk 01” was not imported: its bytes do not match its checksum.']);
    const d = await db();
    expect(await d.count('references')).toBe(0);
    const job = (await d.get('jobs', J))!;
    expect(job.request.referenceId).toBe(R);
    // Without the picture its cache key cannot be rebuilt: one of its own answers nothing else.
    expect(job.cacheKey).toBe(`imported:${J}`);
  });

  it('gives a reference a new id when its id is taken by another picture', async () => {
    const bytes = png('mine');
    const m = oneJob({ job: { request: { ...manifestJob(J).request, referenceId: R } } });
    m.references = [await manifestReference(R, bytes)];
    const db = freshDb();
    const d = await db();
    await d.put('references', { ...m.references[0]!, id: R, sha256: 'f'.repeat(64), blob: new Blob(['other']), thumb: new Blob(['other']) } as never);
    const summary = await importWorkspace(exportZip(m, { [`results/${J}_0.png`]: png('a'), [m.references[0]!.file]: bytes }), { database: db });
    expect(summary).toMatchObject({ jobsAdded: 1, referencesAdded: 1 });
    const job = (await d.get('jobs', J))!;
    expect(job.request.referenceId).not.toBe(R);
    expect((await d.get('references', job.request.referenceId!))!.sha256).toBe(m.references[0]!.sha256);
  });
});
