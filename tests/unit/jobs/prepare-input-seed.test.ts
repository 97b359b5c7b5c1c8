import { describe, expect, it } from 'vitest';
import { prepareInput, randomSeed } from '@/utils/jobs/prepare-input';
import { getModel } from '@/utils/models';
import { jobRecord } from './fixtures';

const noDescribe = async () => {
  throw new Error('no reference here: nothing to describe');
};

describe('the seed a job sends', () => {
  it('is the user\u2019s when set, else a random one within the route\u2019s range, so it can be recorded and reused', async () => {
    const route = getModel('flux-dev').routes.find((r) => r.seed)!;
    if (!route.seed) throw new Error('flux-dev has a route that takes a seed');
    const { max } = route.seed;
    const base = jobRecord('j1').request;
    const job = jobRecord('j1', { request: { ...base, referenceId: null, settings: { influence: null, aspectRatio: null, numImages: 1, seed: 1234 } } });
    expect((await prepareInput(job, route, noDescribe)).seed).toBe(1234);
    const random = jobRecord('j2', { request: { ...job.request, settings: { ...job.request.settings, seed: null } } });
    const seeds = new Set<number>();
    for (let i = 0; i < 20; i++) {
      const seed = (await prepareInput(random, route, noDescribe)).seed;
      expect(seed).toBeGreaterThanOrEqual(0);
      expect(seed).toBeLessThanOrEqual(max);
      seeds.add(seed!);
    }
    expect(seeds.size).toBeGreaterThan(1);
  });

  it('is left out for a route that takes no seed', async () => {
    const route = getModel('chatgpt-image').routes.find((r) => !r.seed)!;
    const job = jobRecord('j3', { request: { ...jobRecord('j3').request, referenceId: null, modelId: 'chatgpt-image' } });
    expect((await prepareInput(job, route, noDescribe)).seed).toBeUndefined();
  });

  it('stays within small ranges', () => {
    for (let i = 0; i < 200; i++) expect(randomSeed(3)).toBeLessThanOrEqual(3);
    expect(randomSeed(0)).toBe(0);
  });
});
