import { describe, expect, it } from 'vitest';
import { findRoute, type RouteSpec } from '@/utils/models';
import { referencePlan, referenceSlots, toRouteWeight, trayOf } from '@/utils/reference-plan';
import type { ReferenceUse } from '@/utils/store/types';

const routeById = (id: string): RouteSpec => {
  const found = findRoute(id);
  if (!found) throw new Error(`no route ${id}`);
  return found.route;
};
const tray = (n: number, extra: Partial<ReferenceUse> = {}): ReferenceUse[] => Array.from({ length: n }, (_, i) => ({ referenceId: `r${i + 1}`, ...extra }));

const FLUX = routeById('fal:fal-ai/flux/dev/image-to-image');
const GPT = routeById('openai:gpt-image-2');
const REMIX = routeById('ideogram:v1/ideogram-v3/remix');
const CHARACTER = routeById('ideogram:v1/ideogram-v3/generate');
const DESCRIBED = routeById('vyro:v2/image/generations:realistic');

describe('trayOf', () => {
  it('is the request\u2019s references when it has them, else the single image prompt, else empty', () => {
    const refs = [{ referenceId: 'a', role: 'style' as const }, { referenceId: 'b' }];
    expect(trayOf({ referenceId: 'a', references: refs })).toEqual(refs);
    expect(trayOf({ referenceId: 'a', references: [] })).toEqual([{ referenceId: 'a' }]);
    expect(trayOf({ referenceId: 'a' })).toEqual([{ referenceId: 'a' }]);
    expect(trayOf({ referenceId: null })).toEqual([]);
  });

  it('gives a copy: changing it does not change the request', () => {
    const refs = [{ referenceId: 'a' }];
    trayOf({ referenceId: 'a', references: refs }).push({ referenceId: 'b' });
    expect(refs).toHaveLength(1);
  });
});

describe('referencePlan', () => {
  it('uses the first reference on a single-image route and says the others are too many', () => {
    const plan = referencePlan(FLUX, tray(3));
    expect(plan.mode).toBe('native');
    expect(plan.used).toEqual([{ index: 0, referenceId: 'r1', role: undefined, weight: undefined }]);
    expect(plan.unused).toEqual([
      { index: 1, referenceId: 'r2', reason: 'too-many' },
      { index: 2, referenceId: 'r3', reason: 'too-many' },
    ]);
  });

  it('uses up to the route\u2019s max in tray order (16 on gpt-image edits)', () => {
    const plan = referencePlan(GPT, tray(17));
    expect(plan.used.map((u) => u.index)).toEqual([...Array(16).keys()]);
    expect(plan.unused).toEqual([{ index: 16, referenceId: 'r17', reason: 'too-many' }]);
  });

  it('gives a reference without a role (or with one the route does not take) the route\u2019s first role', () => {
    const plan = referencePlan(REMIX, [{ referenceId: 'a' }, { referenceId: 'b', role: 'style' }, { referenceId: 'c', role: 'character' }]);
    expect(plan.used.map((u) => [u.referenceId, u.role])).toEqual([
      ['a', 'content'],
      ['b', 'style'],
    ]);
    // 'character' is not a remix role: it falls back to 'content', which is taken.
    expect(plan.unused).toEqual([{ index: 2, referenceId: 'c', reason: 'role-taken' }]);
  });

  it('takes a single role once: a second character reference is not used, style references are', () => {
    const plan = referencePlan(CHARACTER, [{ referenceId: 'a', role: 'character' }, { referenceId: 'b', role: 'character' }, { referenceId: 'c', role: 'style' }, { referenceId: 'd', role: 'style' }]);
    expect(plan.used.map((u) => `${u.referenceId}:${u.role}`)).toEqual(['a:character', 'c:style', 'd:style']);
    expect(plan.unused).toEqual([{ index: 1, referenceId: 'b', reason: 'role-taken' }]);
  });

  it('leaves roles out on routes that do not tell them apart', () => {
    const plan = referencePlan(GPT, [{ referenceId: 'a', role: 'style' }]);
    expect(plan.used[0]!.role).toBeUndefined();
  });

  it('describes up to three references on described routes, with no weight', () => {
    expect(referenceSlots(DESCRIBED).max).toBe(3);
    const plan = referencePlan(DESCRIBED, tray(4, { weight: 0.5 }));
    expect(plan.mode).toBe('described');
    expect(plan.used.map((u) => u.referenceId)).toEqual(['r1', 'r2', 'r3']);
    expect(plan.used.every((u) => u.weight === undefined)).toBe(true);
    expect(plan.unused).toEqual([{ index: 3, referenceId: 'r4', reason: 'too-many' }]);
  });

  it('maps the tray\u2019s 0..1 weight onto a route\u2019s own scale, and uses the default when none is set', () => {
    const weighted: RouteSpec = { ...FLUX, references: { max: 2, weight: { min: 1, max: 100, default: 50 } } };
    const plan = referencePlan(weighted, [{ referenceId: 'a', weight: 0.25 }, { referenceId: 'b' }]);
    expect(plan.used.map((u) => u.weight)).toEqual([25.75, 50]);
    expect(toRouteWeight({ max: 1, weight: { min: 0, max: 1, default: 0.5 } }, 2)).toBe(1);
    expect(toRouteWeight({ max: 1 }, 0.5)).toBeUndefined();
  });

  it('says "no-image" for every reference on a route that takes none', () => {
    const none: RouteSpec = { ...FLUX, references: { max: 0 } };
    expect(referencePlan(none, tray(2)).unused.map((u) => u.reason)).toEqual(['no-image', 'no-image']);
  });
});
