// @vitest-environment node
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { IDBFactory } from 'fake-indexeddb';
import { Jimp } from 'jimp';
import { cacheKeyFor } from '@/utils/jobs/cache-key';
import { inputShare, mergeDescriptions, prepareInput } from '@/utils/jobs/prepare-input';
import { sha256Hex } from '@/utils/image/bytes';
import { mergeDescription } from '@/utils/describe';
import { findRoute, type RouteSpec } from '@/utils/models';
import { db, resetDbForTests } from '@/utils/store/schema';
import type { JobRecord, JobRequest, ReferenceUse } from '@/utils/store/types';
import { jobRecord, request, route as FIXTURE_ROUTE, settle, setup } from './fixtures';

const routeById = (id: string): RouteSpec => findRoute(id)!.route;
const GPT = routeById('openai:gpt-image-2');
const GEMINI = routeById('google:gemini-3-pro-image');
const REMIX = routeById('ideogram:v1/ideogram-v3/remix');
const FLUX = routeById('fal:fal-ai/flux/dev/image-to-image');
const DESCRIBED = routeById('vyro:v2/image/generations:realistic');

async function storeReferences(ids: string[]) {
  globalThis.indexedDB = new IDBFactory();
  resetDbForTests();
  const d = await db();
  for (const [i, id] of ids.entries()) {
    const img = new Jimp({ width: 40 + i, height: 30, color: 0x2266ccff + i * 0x100 });
    const blob = new Blob([new Uint8Array(await img.getBuffer('image/jpeg'))], { type: 'image/jpeg' });
    await d.put('references', { id, createdAt: 0, blob, mime: 'image/jpeg', width: 40 + i, height: 30, thumb: blob, sha256: `sha-${id}`, source: { kind: 'file' } });
  }
}

const jobWith = (references: ReferenceUse[], over: Partial<JobRequest> = {}): JobRecord =>
  jobRecord('j', { request: { ...request, referenceId: references[0]?.referenceId ?? null, references, ...over } });

describe('prepareInput with a tray', () => {
  beforeEach(() => storeReferences(['a', 'b', 'c']));

  it('prepares every used reference in tray order; `image` is the first', async () => {
    const out = await prepareInput(jobWith([{ referenceId: 'a' }, { referenceId: 'b' }, { referenceId: 'c' }], { modelId: 'chatgpt-image' }), GPT, vi.fn());
    expect(out.images?.map((i) => i.width)).toEqual([40, 41, 42]);
    expect(out.image).toBe(out.images![0]);
    expect(out.images!.every((i) => i.role === undefined && i.weight === undefined)).toBe(true);
  });

  it('carries the planned role of each reference, and prepares only the used ones', async () => {
    const out = await prepareInput(
      jobWith([{ referenceId: 'a' }, { referenceId: 'b', role: 'style' }, { referenceId: 'gone', role: 'content' }], { modelId: 'ideogram-v3' }),
      REMIX,
      vi.fn(),
    );
    // The third would take the content role a second time: not used, so never read (it does not even exist).
    expect(out.images?.map((i) => [i.width, i.role])).toEqual([
      [40, 'content'],
      [41, 'style'],
    ]);
  });

  it('sends one image on a single-image route, whatever the tray holds', async () => {
    const out = await prepareInput(jobWith([{ referenceId: 'a' }, { referenceId: 'missing' }]), FLUX, vi.fn());
    expect(out.images).toHaveLength(1);
    expect(out.image?.width).toBe(40);
  });

  it('keeps the old single-reference input for requests from before trays', async () => {
    const out = await prepareInput(jobRecord('j', { request: { ...request, referenceId: 'b' } }), FLUX, vi.fn());
    expect(out.images?.map((i) => i.width)).toEqual([41]);
    const none = await prepareInput(jobRecord('j', { request: { ...request, referenceId: null } }), FLUX, vi.fn());
    expect(none.image).toBeNull();
    expect(none.images).toEqual([]);
  });

  it('describes each used reference on a described route, the user\u2019s words standing for the first', async () => {
    const describe = vi.fn(async () => 'A red door.');
    const job = jobWith([{ referenceId: 'a' }, { referenceId: 'b' }, { referenceId: 'c' }, { referenceId: 'a' }], { modelId: 'realistic', description: 'My own words.' });
    const out = await prepareInput(job, DESCRIBED, describe);
    expect(describe).toHaveBeenCalledTimes(2); // b and c; the fourth is over the described max of 3
    expect(out.image).toBeNull();
    expect(out.description).toBe('Reference image 1: My own words.\nReference image 2: A red door.\nReference image 3: A red door.');
    expect(out.prompt).toBe(`${request.prompt}\n\n${out.description}`);
  });

  it('keeps the single-reference description exactly as before', async () => {
    const describe = vi.fn(async () => 'A blue field.');
    const out = await prepareInput(jobWith([{ referenceId: 'a' }], { modelId: 'realistic' }), DESCRIBED, describe);
    expect(out.description).toBe('A blue field.');
    expect(out.prompt).toBe(mergeDescription(request.prompt, 'A blue field.'));
  });

  it('reuses the words a retried job already has instead of describing again', async () => {
    const describe = vi.fn(async () => 'new words');
    const job = { ...jobWith([{ referenceId: 'a' }, { referenceId: 'b' }], { modelId: 'realistic' }), description: 'Reference image 1: x\nReference image 2: y' };
    const out = await prepareInput(job, DESCRIBED, describe);
    expect(describe).not.toHaveBeenCalled();
    expect(out.description).toBe(job.description);
  });
});

describe('inputShare and mergeDescriptions', () => {
  it('splits a route\u2019s total byte budget between several references, never above its own cap', () => {
    expect(inputShare(GEMINI, 1)).toBe(GEMINI.input);
    expect(inputShare(GEMINI, 4).maxBytes).toBe(3_500_000);
    expect(inputShare(GEMINI, 4).formats).toEqual(GEMINI.input.formats);
    expect(inputShare(GPT, 16)).toBe(GPT.input);
    expect(inputShare(REMIX, 1)).toBe(REMIX.input);
    expect(inputShare(REMIX, 2).maxBytes).toBe(5_000_000);
  });

  it('labels several descriptions by position and leaves one alone', () => {
    expect(mergeDescriptions(['only'])).toBe('only');
    expect(mergeDescriptions(['a', 'b'])).toBe('Reference image 1: a\nReference image 2: b');
  });
});

describe('cache keys of trays', () => {
  const base: JobRequest = { ...request };
  /** The key as it was made before trays (v1), spelled out so a change to it cannot go unnoticed. */
  const v1 = (sha: string | null) =>
    sha256Hex(
      JSON.stringify({
        v: 1,
        reference: sha,
        prompt: base.prompt.trim(),
        modelId: base.modelId,
        routeId: 'route',
        influence: base.settings.influence,
        aspectRatio: base.settings.aspectRatio,
        numImages: base.settings.numImages,
        seed: base.settings.seed,
        description: null,
      }),
    );

  it('keeps the old key for one plain reference or none, however it is given', async () => {
    expect(await cacheKeyFor(base, 'route', 'abc')).toBe(await v1('abc'));
    expect(await cacheKeyFor(base, 'route', [{ sha256: 'abc' }])).toBe(await v1('abc'));
    expect(await cacheKeyFor(base, 'route', null)).toBe(await v1(null));
    expect(await cacheKeyFor(base, 'route', [])).toBe(await v1(null));
  });

  it('keys several references, roles and weights, in order', async () => {
    const one = await cacheKeyFor(base, 'route', [{ sha256: 'a' }]);
    const two = await cacheKeyFor(base, 'route', [{ sha256: 'a' }, { sha256: 'b' }]);
    const swapped = await cacheKeyFor(base, 'route', [{ sha256: 'b' }, { sha256: 'a' }]);
    const styled = await cacheKeyFor(base, 'route', [{ sha256: 'a' }, { sha256: 'b', role: 'style' }]);
    const weighted = await cacheKeyFor(base, 'route', [{ sha256: 'a' }, { sha256: 'b', weight: 0.4 }]);
    const roleOnOne = await cacheKeyFor(base, 'route', [{ sha256: 'a', role: 'style' }]);
    expect(new Set([one, two, swapped, styled, weighted, roleOnOne]).size).toBe(6);
    // The same tray gives the same key.
    expect(await cacheKeyFor(base, 'route', [{ sha256: 'a' }, { sha256: 'b', role: 'style' }])).toBe(styled);
  });
});

describe('enqueue with a tray', () => {
  it('keys the job by every reference and records the ones its route cannot use', async () => {
    const { engine, db: d } = await setup();
    const ref1 = (await d.get('references', 'ref-1'))!;
    await d.put('references', { ...ref1, id: 'ref-2', sha256: 'def' });
    const references: ReferenceUse[] = [{ referenceId: 'ref-1' }, { referenceId: 'ref-2', role: 'style' }];
    const { job } = await engine.enqueue({ ...request, references });
    expect(job.cacheKey).toBe(await cacheKeyFor({ ...request, references }, FIXTURE_ROUTE.id, [{ sha256: 'abc' }, { sha256: 'def', role: 'style' }]));
    // Flux dev on fal takes one image: the second is recorded as not used.
    expect(job.unusedReferences).toEqual([{ index: 1, referenceId: 'ref-2', reason: 'too-many' }]);
    await settle(engine);
    expect((await d.get('jobs', job.id))?.unusedReferences).toEqual(job.unusedReferences);
  });

  it('keeps the old key and records nothing for a plain single reference', async () => {
    const { engine } = await setup();
    const { job } = await engine.enqueue(request);
    expect(job.cacheKey).toBe(await cacheKeyFor(request, FIXTURE_ROUTE.id, 'abc'));
    expect(job).not.toHaveProperty('unusedReferences');
    await settle(engine);
  });

  it('refuses a tray whose reference is gone, before anything is sent', async () => {
    const { engine } = await setup();
    await expect(engine.enqueue({ ...request, references: [{ referenceId: 'ref-1' }, { referenceId: 'nope' }] })).rejects.toBeTruthy();
  });
});
