import { describe, expect, it } from 'vitest';
import { findRoute, MODELS, ADAPTED_PROVIDERS } from '@/utils/models';

/**
 * The catalogue is a snapshot of a world that moves every few months: each route must say where
 * it stands and where that fact comes from, so that a stale fact is a visible, datable claim.
 */
const routes = MODELS.flatMap((m) => m.routes.map((r) => ({ model: m, route: r })));
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

describe('catalogue lifecycles', () => {
  it.each(routes.map(({ model, route }) => [route.id, model, route] as const))('%s has a lifecycle with its source', (_id, _model, route) => {
    expect(route.lifecycle, 'every route needs a lifecycle entry').toBeDefined();
    expect(['live', 'deprecated', 'retired']).toContain(route.lifecycle.status);
    expect(route.lifecycle.source.trim().length, 'the lifecycle names its source').toBeGreaterThan(5);
    if (route.lifecycle.status === 'retired') expect(route.lifecycle.retiredOn).toMatch(ISO_DATE);
    if (route.lifecycle.status === 'deprecated') {
      expect(route.lifecycle.shutdownOn ?? route.lifecycle.note, 'a deprecation says when, or why it is suspected').toBeTruthy();
      if (route.lifecycle.shutdownOn) expect(route.lifecycle.shutdownOn).toMatch(ISO_DATE);
    }
  });

  it('points every retired route at a live successor of the same model', () => {
    for (const { model, route } of routes) {
      if (route.lifecycle.status !== 'retired' || !route.lifecycle.successor) continue;
      const successor = findRoute(route.lifecycle.successor);
      expect(successor, `${route.id} -> ${route.lifecycle.successor}`).toBeDefined();
      expect(successor!.model.id).toBe(model.id);
      expect(successor!.route.lifecycle.status).toBe('live');
    }
  });

  it('keeps every model runnable on at least one live route, with image input where a live route takes it', () => {
    for (const model of MODELS) {
      const live = model.routes.filter((r) => r.lifecycle.status === 'live' && ADAPTED_PROVIDERS.has(r.provider));
      expect(live.length, model.name).toBeGreaterThan(0);
    }
    // "Described" only where no live route takes an image: the three retired text-only rows now
    // run on successors that see the image.
    for (const id of ['imagen-3', 'seedream-v3', 'dreamina-3-1', 'chatgpt-image'] as const) {
      const first = MODELS.find((m) => m.id === id)!.routes.find((r) => r.lifecycle.status === 'live')!;
      expect(first.imageInput, id).toBe('native');
    }
  });

  it('names the retirement of a model whose routes run a successor', () => {
    for (const model of MODELS) {
      if (!model.retired) continue;
      expect(model.retired.on).toMatch(ISO_DATE);
      expect(model.retired.source.length).toBeGreaterThan(5);
      expect(model.routes.some((r) => r.runs && r.lifecycle.status === 'live'), model.name).toBe(true);
    }
  });

  it('keeps route facts on the route: field names for fal, a wire size for every ratio offered, seed ranges', () => {
    for (const { route } of routes) {
      if (route.provider === 'fal') {
        expect(route.fal, `${route.id} needs its fal form`).toBeDefined();
        if (route.imageInput === 'native') expect(route.fal?.image, route.id).toBeDefined();
        if (route.aspectRatios?.length) expect(route.fal?.aspectField, route.id).toBeDefined();
      }
      if (route.sizes) for (const ratio of route.aspectRatios ?? []) expect(route.sizes[ratio], `${route.id} ${ratio}`).toBeDefined();
      if (route.seed) expect(route.seed.max).toBeLessThanOrEqual(2 ** 32 - 1);
      expect(route.maxImages).toBeGreaterThanOrEqual(1);
    }
    // Ideogram and BytePlus take signed 32-bit seeds.
    for (const { route } of routes.filter((x) => x.route.provider === 'ideogram' || x.route.provider === 'byteplus')) {
      if (route.seed) expect(route.seed.max, route.id).toBe(2_147_483_647);
    }
  });
});
