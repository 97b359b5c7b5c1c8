import { describe, expect, it } from 'vitest';
import { unzipSync, strFromU8 } from 'fflate';
import { cacheKeyFor } from '../../../utils/jobs/cache-key';
import type { JobRecord, ReferenceUse } from '../../../utils/store/types';
import { exportWorkspace } from '../../../utils/workspace/export';
import { importWorkspace } from '../../../utils/workspace/import';
import { Manifest } from '../../../utils/workspace/manifest';
import { freshDb } from '../helpers';
import { bytesOf, doneJob, png, putReference, resultFor, uuid } from './zip-fixtures';

const J1 = uuid(1);
const J2 = uuid(2);
const RA = uuid(0x201);
const RB = uuid(0x202);
const RC = uuid(0x203);

/** A job whose tray held three pictures (one a style reference), one of which its route did not use. */
async function seed() {
  const db = freshDb();
  const d = await db();
  const [a, b, c] = [await putReference(d, RA, png('tray-a')), await putReference(d, RB, png('tray-b')), await putReference(d, RC, png('tray-c'))];
  const references: ReferenceUse[] = [{ referenceId: RA }, { referenceId: RB, role: 'style', weight: 0.3 }, { referenceId: RC }];
  const base = await doneJob(J1);
  const request = { ...base.request, referenceId: RA, references };
  const job: JobRecord = {
    ...base,
    request,
    cacheKey: await cacheKeyFor(request, base.routeId, [{ sha256: a.sha256 }, { sha256: b.sha256, role: 'style', weight: 0.3 }, { sha256: c.sha256 }]),
    resultIds: [`${J1}:0`],
    unusedReferences: [{ index: 2, referenceId: RC, reason: 'too-many' }],
  };
  // A plain job from before trays, sharing the first picture.
  const plain = { ...(await doneJob(J2, { referenceSha256: a.sha256, request: { ...base.request, prompt: 'plain', referenceId: RA } })), resultIds: [`${J2}:0`] };
  await d.put('jobs', job);
  await d.put('jobs', plain);
  await d.put('results', resultFor(J1, 0, png('out-1')));
  await d.put('results', resultFor(J2, 0, png('out-2')));
  return { db, job, plain };
}

describe('export and import of a job\u2019s tray', () => {
  it('exports every picture of the tray, with roles, weights and the unused ones', async () => {
    const { db } = await seed();
    const zip = await exportWorkspace({ database: db, now: () => 1_800_000_000_000, appVersion: '1.0.0' });
    const files = unzipSync(await bytesOf(zip));
    const manifest = Manifest.parse(JSON.parse(strFromU8(files['manifest.json']!)));
    expect(manifest.references.map((r) => r.id).sort()).toEqual([RA, RB, RC].sort());
    for (const id of [RA, RB, RC]) expect(files[`references/${id}.png`]).toBeDefined();
    const j1 = manifest.jobs.find((j) => j.id === J1)!;
    expect(j1.request.references).toEqual([{ referenceId: RA }, { referenceId: RB, role: 'style', weight: 0.3 }, { referenceId: RC }]);
    expect(j1.unusedReferences).toEqual([{ index: 2, referenceId: RC, reason: 'too-many' }]);
    // A job with just its image prompt is written as before trays.
    expect(manifest.jobs.find((j) => j.id === J2)!.request).not.toHaveProperty('references');
  });

  it('round-trips: the tray, its pictures and the cache key come back', async () => {
    const { db, job, plain } = await seed();
    const zip = await exportWorkspace({ database: db, now: () => 1_800_000_000_000, appVersion: '1.0.0' });
    const target = freshDb();
    const summary = await importWorkspace(new File([zip], 'export.zip'), { database: target, makeThumb: async (b) => b, now: () => 1_800_000_000_001 });
    // The plain job's picture came in with the first job: not counted again.
    expect(summary).toMatchObject({ jobsAdded: 2, referencesAdded: 3, referencesReused: 0, problems: [] });
    const d = await target();
    expect(await d.count('references')).toBe(3);
    const back = (await d.get('jobs', J1))!;
    expect(back.request.referenceId).toBe(RA);
    expect(back.request.references).toEqual(job.request.references);
    expect(back.unusedReferences).toEqual(job.unusedReferences);
    expect(back.cacheKey).toBe(job.cacheKey);
    expect((await d.get('jobs', J2))!.cacheKey).toBe(plain.cacheKey);
    for (const id of [RA, RB, RC]) expect(await d.get('references', id)).toBeDefined();
  });

  it('maps tray ids onto pictures already stored under other ids', async () => {
    const { db, job } = await seed();
    const zip = await exportWorkspace({ database: db, now: () => 1_800_000_000_000, appVersion: '1.0.0' });
    const target = freshDb();
    const other = uuid(0x999);
    await putReference(await target(), other, png('tray-b'));
    const summary = await importWorkspace(new File([zip], 'export.zip'), { database: target, makeThumb: async (b) => b, now: () => 1_800_000_000_001 });
    expect(summary.problems).toEqual([]);
    const back = (await (await target()).get('jobs', J1))!;
    expect(back.request.references?.map((r) => r.referenceId)).toEqual([RA, other, RC]);
    expect(back.cacheKey).toBe(job.cacheKey);
  });
});
