import { describe, expect, it } from 'vitest';
import { unzipSync, strFromU8 } from 'fflate';
import type { IDBPDatabase } from 'idb';
import type { ImagePromptDB } from '../../../utils/store/schema';
import type { JobRecord } from '../../../utils/store/types';
import { subscribe, type AppEvent } from '../../../utils/events';
import { exportWorkspace } from '../../../utils/workspace/export';
import { importWorkspace } from '../../../utils/workspace/import';
import { Manifest } from '../../../utils/workspace/manifest';
import { readDirectory } from '../../../utils/workspace/zip-reader';
import { freshDb } from '../helpers';
import { until } from '../jobs/fixtures';
import { bytesOf, doneJob, png, putReference, resultFor, uuid } from './zip-fixtures';

const J1 = uuid(1);
const J2 = uuid(2);
const J3 = uuid(3);
const J4 = uuid(4);
const J5 = uuid(5);
const R1 = uuid(0x101);
const R2 = uuid(0x102);
const T = 1_700_000_000_000;

/** Bytes that fflate's streaming Unzip would cut at: they must survive the round trip. */
const TRICKY = png(new Uint8Array([1, 2, 0x50, 0x4b, 0x07, 0x08, 3, 0x50, 0x4b, 0x01, 0x02, 4]));

/**
 * A history with everything an export must carry: a reference from a page, a job that grew
 * from another's result (lineage, a reference of kind 'result', a compare run), a failed job,
 * a job answered from the cache (showing another job's results), and a text-only job.
 */
async function seed(d: IDBPDatabase<ImagePromptDB>) {
  const r1 = await putReference(d, R1, png('ref-one'));
  const r2 = await putReference(d, R2, png('ref-two'), { kind: 'result', jobId: J1, resultId: `${J1}:0` });
  const base = await doneJob(J1, { referenceSha256: r1.sha256 });
  const j1 = { ...base, createdAt: T, request: { ...base.request, referenceId: R1 }, resultIds: [`${J1}:0`, `${J1}:1`], starred: true };
  j1.cacheKey = (await doneJob(J1, { referenceSha256: r1.sha256, request: j1.request })).cacheKey;
  const j2 = await doneJob(J2, {
    referenceSha256: r2.sha256,
    createdAt: T + 1000,
    request: { prompt: 'the same lighthouse, at night', referenceId: R2, modelId: 'flux-dev', settings: { influence: 0.8, aspectRatio: '16:9', numImages: 1, seed: null }, fresh: false, description: 'a lighthouse', runId: 'run-1', runIndex: 0 },
    resultIds: [`${J2}:0`],
    parentJobId: J1,
    parentResultId: `${J1}:0`,
    description: 'a tall white lighthouse',
  });
  const j3: JobRecord = { ...(await doneJob(J3)), createdAt: T + 2000, state: 'failed', error: { kind: 'provider_down', message: 'down' } };
  const j4: JobRecord = { ...j1, id: J4, createdAt: T + 3000, cachedFrom: J1 };
  const j5 = await doneJob(J5, { createdAt: T + 4000, resultIds: [`${J5}:0`] });
  for (const job of [j1, j2, j3, j4, j5]) await d.put('jobs', job);
  await d.put('results', resultFor(J1, 0, png('one-0'), { starred: true }));
  await d.put('results', resultFor(J1, 1, TRICKY));
  await d.put('results', resultFor(J2, 0, png('two-0')));
  await d.put('results', resultFor(J5, 0, png('five-0')));
  return { j1, j2, j4, j5 };
}

async function manifestOf(zip: Blob): Promise<Manifest> {
  const files = unzipSync(await bytesOf(zip));
  return Manifest.parse(JSON.parse(strFromU8(files['manifest.json']!)));
}

async function counts(d: IDBPDatabase<ImagePromptDB>) {
  return { jobs: await d.count('jobs'), results: await d.count('results'), references: await d.count('references') };
}

describe('export', () => {
  it('writes the manifest (deflated) and every image (stored), reporting progress per file', async () => {
    const db = freshDb();
    await seed(await db());
    const progress: [number, number][] = [];
    const zip = await exportWorkspace({ database: db, onProgress: (done, total) => progress.push([done, total]), now: () => T + 10_000, appVersion: '9.9.9' });

    expect(zip.type).toBe('application/zip');
    const entries = await readDirectory(zip, { maxEntries: 100, maxDirectoryBytes: 1e6 });
    expect(entries[0]).toMatchObject({ name: 'manifest.json', method: 8 });
    expect(entries.slice(1).every((e) => e.method === 0)).toBe(true);
    expect(entries.map((e) => e.name).sort()).toEqual(
      ['manifest.json', `references/${R1}.png`, `references/${R2}.png`, `results/${J1}_0.png`, `results/${J1}_1.png`, `results/${J2}_0.png`, `results/${J5}_0.png`].sort(),
    );
    expect(progress[0]).toEqual([0, 7]);
    expect(progress.at(-1)).toEqual([7, 7]);
    expect(progress.map(([done]) => done)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);

    const m = await manifestOf(zip);
    expect(m).toMatchObject({ format: 'image-prompt-export', version: 1, exportedAt: T + 10_000, appVersion: '9.9.9' });
    // Only finished jobs, oldest first.
    expect(m.jobs.map((j) => j.id)).toEqual([J1, J2, J4, J5]);
    expect(m.missingParents).toEqual({ jobIds: [], resultIds: [] });
    const j2 = m.jobs[1]!;
    expect(j2).toMatchObject({ parentJobId: J1, parentResultId: `${J1}:0`, seed: 7, description: 'a tall white lighthouse' });
    expect(j2.request).toMatchObject({ runId: 'run-1', runIndex: 0, description: 'a lighthouse', referenceId: R2 });
    expect(m.references.find((r) => r.id === R1)?.source).toEqual({ kind: 'page', url: 'https://example.com/cat.png', pageUrl: 'https://example.com/', pageTitle: 'Cats' });
  });

  it('exports a selection with the references it used, and names the parents it leaves behind', async () => {
    const db = freshDb();
    await seed(await db());
    const zip = await exportWorkspace({ database: db, jobIds: [J2] });
    const files = Object.keys(unzipSync(await bytesOf(zip))).sort();
    expect(files).toEqual(['manifest.json', `references/${R2}.png`, `results/${J2}_0.png`]);
    const m = await manifestOf(zip);
    expect(m.jobs.map((j) => j.id)).toEqual([J2]);
    expect(m.missingParents).toEqual({ jobIds: [J1], resultIds: [`${J1}:0`] });
  });

  it('gives a result shown by a cache-answered job to that job when its maker is not exported', async () => {
    const db = freshDb();
    await seed(await db());
    const m = await manifestOf(await exportWorkspace({ database: db, jobIds: [J4] }));
    expect(m.results.map((r) => [r.id, r.jobId])).toEqual([
      [`${J1}:0`, J4],
      [`${J1}:1`, J4],
    ]);
  });

  it('fails whole, in plain words, when an image cannot be read', async () => {
    const db = freshDb();
    const d = await db();
    await seed(d);
    const unreadable = { size: 10, type: 'image/png', slice: () => ({ arrayBuffer: () => Promise.reject(new DOMException('gone', 'NotFoundError')) }) } as unknown as Blob;
    const broken = new Proxy(d, {
      get(target, prop) {
        if (prop === 'get') {
          return async (store: 'results', id: string) => {
            const record = await target.get(store, id);
            return record && { ...record, blob: unreadable };
          };
        }
        const v = Reflect.get(target, prop, target) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    await expect(exportWorkspace({ database: async () => broken })).rejects.toThrow('The export could not be written.');
  });

  it('leaves out jobs that are not finished, even when selected', async () => {
    const db = freshDb();
    await seed(await db());
    const m = await manifestOf(await exportWorkspace({ database: db, jobIds: [J3] }));
    expect(m.jobs).toEqual([]);
  });
});

describe('import', () => {
  it('round-trips: the same jobs, images, references, stars, lineage and cache keys', async () => {
    const source = freshDb();
    const a = await source();
    await seed(a);
    const zip = await exportWorkspace({ database: source });

    const target = freshDb();
    const b = await target();
    const summary = await importWorkspace(zip, { database: target, now: () => T + 99 });
    expect(summary).toEqual({ jobsAdded: 4, jobsSkipped: 0, resultsAdded: 4, referencesAdded: 2, referencesReused: 0, problems: [] });

    for (const id of [J1, J2, J4, J5]) {
      const was = (await a.get('jobs', id))!;
      const now = (await b.get('jobs', id))!;
      expect(now).toMatchObject({
        id,
        state: 'done',
        createdAt: was.createdAt,
        routeId: was.routeId,
        provider: was.provider,
        model: was.model,
        resultIds: was.resultIds,
        seed: was.seed,
        cacheKey: was.cacheKey,
      });
      expect(now.request).toEqual({ ...was.request, fresh: false });
      expect(now.parentJobId).toBe(was.parentJobId);
      expect(now.parentResultId).toBe(was.parentResultId);
      expect(Boolean(now.starred)).toBe(Boolean(was.starred));
    }
    expect(await b.get('jobs', J3)).toBeUndefined();

    for (const was of await a.getAll('results')) {
      const now = (await b.get('results', was.id))!;
      expect(now).toMatchObject({ jobId: was.jobId, index: was.index, mime: was.mime, starred: was.starred, createdAt: was.createdAt, lastUsedAt: T + 99 });
      expect(now.thumb).toBeUndefined();
      expect(await bytesOf(now.blob)).toEqual(await bytesOf(was.blob));
    }
    for (const was of await a.getAll('references')) {
      const now = (await b.get('references', was.id))!;
      expect(now).toMatchObject({ sha256: was.sha256, mime: was.mime, source: was.source, createdAt: was.createdAt });
      expect(await bytesOf(now.blob)).toEqual(await bytesOf(was.blob));
      expect(now.thumb).toBeInstanceOf(Blob);
    }
  });

  it('skips everything the second time', async () => {
    const source = freshDb();
    await seed(await source());
    const zip = await exportWorkspace({ database: source });
    const target = freshDb();
    await importWorkspace(zip, { database: target });
    const before = await counts(await target());
    const again = await importWorkspace(zip, { database: target });
    expect(again).toEqual({ jobsAdded: 0, jobsSkipped: 4, resultsAdded: 0, referencesAdded: 0, referencesReused: 0, problems: [] });
    expect(await counts(await target())).toEqual(before);
  });

  it('merges: keeps jobs already here, reuses a stored picture with the same bytes, maps its id', async () => {
    const source = freshDb();
    const a = await source();
    const seeded = await seed(a);
    const zip = await exportWorkspace({ database: source });

    const target = freshDb();
    const b = await target();
    const MINE = uuid(0x999);
    await putReference(b, MINE, png('ref-one'));
    await b.put('jobs', { ...seeded.j1, request: { ...seeded.j1.request, referenceId: MINE }, routeId: 'kept-as-it-was' });
    await b.put('results', resultFor(J1, 0, png('one-0'), { starred: true }));
    await b.put('results', resultFor(J1, 1, TRICKY));

    const summary = await importWorkspace(zip, { database: target });
    expect(summary).toEqual({ jobsAdded: 3, jobsSkipped: 1, resultsAdded: 2, referencesAdded: 1, referencesReused: 1, problems: [] });
    expect((await b.get('jobs', J1))!.routeId).toBe('kept-as-it-was');
    // J4 used R1, whose bytes were already stored as MINE.
    expect((await b.get('jobs', J4))!.request.referenceId).toBe(MINE);
    expect((await b.get('jobs', J4))!.cacheKey).toBe((await a.get('jobs', J4))!.cacheKey);
    expect(await b.get('references', R1)).toBeUndefined();
    expect(await b.count('references')).toBe(2);
  });

  it('writes each job with its images in one transaction: a failure leaves nothing of it', async () => {
    const source = freshDb();
    await seed(await source());
    const zip = await exportWorkspace({ database: source, jobIds: [J2] });
    const target = freshDb();
    const summary = await importWorkspace(zip, { database: failingJobPuts(target) });
    expect(summary.jobsAdded).toBe(0);
    expect(summary.problems).toHaveLength(1);
    expect(summary.problems[0]).toContain('“the same lighthouse, at night” was not imported');
    expect(await counts(await target())).toEqual({ jobs: 0, results: 0, references: 0 });
  });

  it('tells open panels to refresh once it is done', async () => {
    const source = freshDb();
    await seed(await source());
    const zip = await exportWorkspace({ database: source });
    const events: AppEvent[] = [];
    const off = subscribe((e) => events.push(e));
    try {
      await importWorkspace(zip, { database: freshDb() });
      await until('both change events', () => events.length >= 2);
      expect(events).toEqual(expect.arrayContaining([{ type: 'results.changed' }, { type: 'job.changed', jobId: J5, state: 'done' }]));
    } finally {
      off();
    }
  });

  it('carries AVIF results too (the job engine keeps them)', async () => {
    const avif = new Uint8Array([0, 0, 0, 24, ...new TextEncoder().encode('ftypavif'), 0, 0, 0, 0, ...new TextEncoder().encode('mif1avif')]);
    const source = freshDb();
    const a = await source();
    await a.put('jobs', await doneJob(J5, { resultIds: [`${J5}:0`] }));
    await a.put('results', resultFor(J5, 0, avif, { mime: 'image/avif', blob: new Blob([avif], { type: 'image/avif' }) }));
    const zip = await exportWorkspace({ database: source });
    expect(Object.keys(unzipSync(await bytesOf(zip)))).toContain(`results/${J5}_0.avif`);
    const target = freshDb();
    expect(await importWorkspace(zip, { database: target })).toMatchObject({ jobsAdded: 1, resultsAdded: 1, problems: [] });
    const stored = (await (await target()).get('results', `${J5}:0`))!;
    expect(stored.mime).toBe('image/avif');
    expect(await bytesOf(stored.blob)).toEqual(avif);
  });

  it('reports progress per generation', async () => {
    const source = freshDb();
    await seed(await source());
    const zip = await exportWorkspace({ database: source });
    const progress: [number, number][] = [];
    await importWorkspace(zip, { database: freshDb(), onProgress: (done, total) => progress.push([done, total]) });
    expect(progress).toEqual([
      [0, 4],
      [1, 4],
      [2, 4],
      [3, 4],
      [4, 4],
    ]);
  });
});

/** The same database, except that writing a job fails (after its images were written in the same transaction). */
function failingJobPuts(database: () => Promise<IDBPDatabase<ImagePromptDB>>): () => Promise<IDBPDatabase<ImagePromptDB>> {
  const bind = <T extends object>(target: T, prop: string | symbol) => {
    const v = Reflect.get(target, prop, target) as unknown;
    return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
  };
  const wrapped = database().then(
    (d) =>
      new Proxy(d, {
        get(target, prop) {
          if (prop !== 'transaction') return bind(target, prop);
          return (...args: Parameters<typeof target.transaction>) => {
            const tx = target.transaction(...args);
            return new Proxy(tx, {
              get(t, p) {
                if (p !== 'objectStore') return bind(t, p);
                return (name: 'jobs' | 'results' | 'references') => {
                  const store = t.objectStore(name);
                  if (name !== 'jobs') return store;
                  return new Proxy(store, {
                    get(s, q) {
                      if (q === 'put') return () => Promise.reject(new DOMException('The disk said no.', 'UnknownError'));
                      return bind(s, q);
                    },
                  });
                };
              },
            });
          };
        },
      }),
  );
  return () => wrapped;
}
