import { describe, expect, it } from 'vitest';
import { findRoute, MODELS, type RouteSpec } from '@/utils/models';
import { estimateRoute, formatUsd, priceFor, ROUTE_PRICES, sumEstimates, type RoutePrice } from '@/utils/pricing';

const routeOf = (id: string): RouteSpec => {
  const found = findRoute(id);
  if (!found) throw new Error(`no route ${id}`);
  return found.route;
};

describe('price table', () => {
  it('prices only routes that exist and are not retired, each with a date and a source', () => {
    for (const [id, price] of Object.entries(ROUTE_PRICES)) {
      const route = routeOf(id);
      expect(route.lifecycle.status, id).not.toBe('retired');
      expect(price.usd, id).toBeGreaterThan(0);
      expect(price.checkedOn, id).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(price.source.length, id).toBeGreaterThan(10);
      for (const ratio of Object.keys(price.byAspect ?? {})) expect(route.aspectRatios, `${id} ${ratio}`).toContain(ratio);
    }
  });

  it('has no entry (rather than a guess) where no price was published or read', () => {
    expect(priceFor('replicate:black-forest-labs/flux-dev')).toBeUndefined();
    expect(priceFor('vyro:v2/image/generations:realistic')).toBeUndefined();
    expect(priceFor('google:gemini-3-pro-image')).toBeUndefined();
    expect(priceFor('toString')).toBeUndefined(); // not fooled by Object.prototype
    const all = MODELS.flatMap((m) => m.routes.map((r) => r.id));
    expect(all.filter((id) => priceFor(id)).length).toBe(Object.keys(ROUTE_PRICES).length);
  });
});

describe('estimateRoute', () => {
  const settings = { aspectRatio: null, numImages: 1 };

  it('multiplies a per-image price by the images asked for, capped at what the route sends', () => {
    const ultra = routeOf('fal:fal-ai/flux-pro/v1.1-ultra');
    expect(estimateRoute(ultra, settings)).toMatchObject({ priced: true, usd: 0.06, checkedOn: '2026-12-06' });
    expect(estimateRoute(ultra, { aspectRatio: '16:9', numImages: 3 })).toMatchObject({ usd: 0.18 });
    // BFL's Ultra route makes one image per job whatever the panel asks.
    expect(estimateRoute(routeOf('bfl:flux-pro-1.1-ultra'), { aspectRatio: null, numImages: 4 })).toMatchObject({ usd: 0.06 });
  });

  it('charges per megapixel from the route size table, rounding up where the provider does', () => {
    const seedream = { ...routeOf('fal:fal-ai/bytedance/seedream/v4/edit'), id: 'test:mp' };
    const prices: Record<string, RoutePrice> = {
      'test:mp': { usd: 0.01, unit: 'megapixel', roundUpMegapixels: true, checkedOn: '2026-01-01', source: 'test table' },
    };
    // 2048x2048 = exactly 4 MP of 1024x1024; 2560x1440 = 3.52 MP, billed as 4.
    expect(estimateRoute(seedream, { aspectRatio: '1:1', numImages: 1 }, prices)).toMatchObject({ usd: 0.04 });
    expect(estimateRoute(seedream, { aspectRatio: '16:9', numImages: 2 }, prices)).toMatchObject({ usd: 0.08 });
    // Without rounding, the fraction counts.
    prices['test:mp'] = { ...prices['test:mp']!, roundUpMegapixels: false };
    expect(estimateRoute(seedream, { aspectRatio: '16:9', numImages: 1 }, prices)).toMatchObject({ usd: 0.035 });
    // No size for the ratio and no assumption: no estimate.
    expect(estimateRoute(seedream, { aspectRatio: null, numImages: 1 }, prices)).toEqual({ priced: false });
  });

  it('assumes the stated megapixels where the output follows the reference (FLUX.1 [dev] on fal)', () => {
    expect(estimateRoute(routeOf('fal:fal-ai/flux/dev/image-to-image'), { aspectRatio: null, numImages: 2 })).toMatchObject({ usd: 0.05 });
  });

  it('reads per-size prices by aspect ratio, gives none for sizes the provider did not list, and the dearest for "auto"', () => {
    const gpt = routeOf('fal:openai/gpt-image-2/edit');
    expect(estimateRoute(gpt, { aspectRatio: '1:1', numImages: 2 })).toMatchObject({ usd: 0.44 });
    expect(estimateRoute(gpt, { aspectRatio: '3:2', numImages: 1 })).toMatchObject({ usd: 0.17 });
    expect(estimateRoute(gpt, { aspectRatio: '16:9', numImages: 1 })).toEqual({ priced: false });
    expect(estimateRoute(gpt, { aspectRatio: null, numImages: 1 })).toMatchObject({ priced: true, usd: 0.22 });
  });

  it('gives no estimate for a route without a published price', () => {
    expect(estimateRoute(routeOf('replicate:black-forest-labs/flux-dev'), settings)).toEqual({ priced: false });
  });
});

describe('sumEstimates', () => {
  it('adds the priced parts, says when some had no price, and keeps the oldest date', () => {
    const a = { priced: true as const, usd: 0.06, checkedOn: '2026-12-06', source: 'a' };
    const b = { priced: true as const, usd: 0.03, checkedOn: '2026-11-01', source: 'b' };
    expect(sumEstimates([a])).toEqual({ usd: 0.06, partial: false, checkedOn: '2026-12-06' });
    expect(sumEstimates([a, b, { priced: false }])).toEqual({ usd: 0.09, partial: true, checkedOn: '2026-11-01' });
    expect(sumEstimates([{ priced: false }, { priced: false }])).toEqual({ usd: null, partial: false });
    // 0.1 + 0.2 is not 0.30000000000000004 dollars.
    expect(sumEstimates([{ ...a, usd: 0.1 }, { ...a, usd: 0.2 }]).usd).toBe(0.3);
  });
});

describe('formatUsd', () => {
  it('shows cents, and a tenth of a cent where it matters under a dollar', () => {
    expect(formatUsd(0.04)).toBe('$0.04');
    expect(formatUsd(1.2)).toBe('$1.20');
    expect(formatUsd(1.225)).toBe('$1.23');
    expect(formatUsd(0.005)).toBe('$0.005');
    expect(formatUsd(0.025)).toBe('$0.025');
    expect(formatUsd(0.0421)).toBe('$0.042');
    expect(formatUsd(0)).toBe('$0.00');
  });
});
