import { describe, expect, it } from 'vitest';
import { checkSummary, lifecycleText, modelRouteRows, routeDetailViews, routeOptionLabel } from '@/entrypoints/options/route-views';
import { findRoute, getModel, type RouteSpec } from '@/utils/models';
import { DEFAULT_SETTINGS, type Settings } from '@/utils/settings';
import type { ModelCheckRow } from '@/utils/model-check';

const route = (id: string) => findRoute(id)!.route;
const withLife = (r: RouteSpec, lifecycle: RouteSpec['lifecycle']): RouteSpec => ({ ...r, lifecycle });

describe('route views for the options page', () => {
  it('says where each route stands, with its source', () => {
    const live = route('fal:fal-ai/flux/dev/image-to-image');
    expect(lifecycleText(withLife(live, { status: 'live', source: 'fal docs' }))).toBe('Live (source: fal docs).');
    expect(lifecycleText(withLife(live, { status: 'deprecated', source: 'fal docs' }))).toBe('Deprecated. (source: fal docs)');
    expect(lifecycleText(withLife(live, { status: 'deprecated', shutdownOn: '2027-01-15', note: 'Use v2.', source: 'fal docs' }))).toBe(
      'Deprecated: switched off on 15 January 2027. Use v2. (source: fal docs)',
    );
    const retired = route('openai:gpt-image-1');
    expect(lifecycleText(retired)).toMatch(/^Retired on 23 October 2026; never chosen(\. Replaced by OpenAI: .+)? \(source: .+\)\.$/);
    expect(lifecycleText(withLife(retired, { status: 'retired', retiredOn: '2026-10-23', source: 's' }))).toBe('Retired on 23 October 2026; never chosen (source: s).');
  });

  it('labels a route in the picker with what this browser knows of it', () => {
    const r = route('openai:gpt-image-2');
    expect(routeOptionLabel(r, DEFAULT_SETTINGS)).toMatch(/^OpenAI: .+ \(sends the image\)$/);
    const marked: Settings = { ...DEFAULT_SETTINGS, unavailableRoutes: { [r.id]: { since: 0, message: 'gone' } } };
    expect(routeOptionLabel(r, marked)).toMatch(/: unavailable$/);
    expect(routeOptionLabel(withLife(r, { status: 'deprecated', source: 's' }), DEFAULT_SETTINGS)).toMatch(/: deprecated$/);
  });

  it('lists every model with where it runs and why, and only routes that may still be chosen', () => {
    const rows = modelRouteRows(DEFAULT_SETTINGS, new Set(['fal']), false);
    const chatgpt = rows.find((r) => r.modelId === 'chatgpt-image')!;
    expect(chatgpt.runsOn).toMatch(/^fal: /);
    expect(chatgpt.why).toMatch(/^Uses your fal key\./);
    expect(chatgpt.chosen).toBe('');
    expect(chatgpt.choices.map((c) => c.id)).toEqual(['fal:openai/gpt-image-2/edit', 'openai:gpt-image-2', 'openrouter:openai/gpt-image-2']);
    const realistic = modelRouteRows(DEFAULT_SETTINGS, new Set(), false).find((r) => r.modelId === 'realistic')!;
    expect(realistic.runsOn).toBe('\u2014');
    expect(realistic.why).toMatch(/^Realistic needs a .+ API key\. Add it in Settings\.$/);
  });

  it('shows a route\u2019s mark and the last check\u2019s finding', () => {
    const id = 'fal:fal-ai/nano-banana-pro/edit';
    const settings: Settings = { ...DEFAULT_SETTINGS, unavailableRoutes: { [id]: { since: Date.UTC(2026, 11, 1), message: 'fal no longer offers it.' } } };
    const checks = new Map<string, ModelCheckRow>([[id, { routeId: id, model: 'fal-ai/nano-banana-pro/edit', status: 'missing', detail: 'fal no longer lists it.' }]]);
    const view = routeDetailViews(getModel('imagen-3'), settings, checks).find((v) => v.id === id)!;
    expect(view.unavailable).toEqual({ since: '1 December 2026', message: 'fal no longer offers it.' });
    expect(view.check).toBe('Check: fal no longer lists it.');
  });

  it('sums up a check, counting only routes a lookup could answer', () => {
    const row = (status: ModelCheckRow['status']): ModelCheckRow => ({ routeId: status, model: 'm', status, detail: '' });
    expect(checkSummary([row('present'), row('deprecated'), row('unchecked'), row('retired'), row('error')])).toBe('Checked 2 routes with free lookups.');
    expect(checkSummary([row('present'), row('missing'), row('missing')])).toBe('Checked 3 routes with free lookups; 2 no longer offered, now marked unavailable.');
  });
});
