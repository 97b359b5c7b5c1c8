import { describe, expect, it } from 'vitest';
import { chooseRoute, notesFor, routeLabel, targetFor, usableRoutes } from '@/utils/routing';
import { DEFAULT_SETTINGS } from '@/utils/settings';
import { getModel, MODELS, ProviderId, wireModel } from '@/utils/models';

const env = (configured: ProviderId[], sandbox = false, routes = {}) => ({
  settings: { ...DEFAULT_SETTINGS, routes },
  configured: new Set(configured),
  sandbox,
});

describe('routing', () => {
  it('uses the provider the user has a key for', () => {
    const c = chooseRoute('flux-dev', env(['fal']));
    expect(c.route.provider).toBe('fal');
    expect(c.via).toBe('provider');
    expect(c.reason).toContain('fal');
  });

  it('asks for a key, naming the provider, when none is set in the normal build', () => {
    expect(() => chooseRoute('flux-dev', env([]))).toThrow(expect.objectContaining({ kind: 'no_key', message: 'Flux dev needs a fal, Replicate or Black Forest Labs API key. Add it in Settings.' }));
  });

  it('falls back to the sandbox in the sandbox build and says so', () => {
    const c = chooseRoute('flux-dev', env([], true));
    expect(c.via).toBe('sandbox');
    expect(c.reason).toMatch(/sandbox/);
  });

  it('sends keys only to the configured address, and the sandbox key only to the sandbox', () => {
    const baseUrl = 'https://queue.fal.run';
    expect(targetFor('fal', { baseUrl, key: 'k1', sandbox: true, sandboxUrl: 'http://127.0.0.1:8787', sandboxKey: 'sandbox' })).toEqual({ baseUrl: 'https://queue.fal.run', key: 'k1' });
    expect(targetFor('fal', { baseUrl, key: undefined, sandbox: true, sandboxUrl: 'http://127.0.0.1:8787', sandboxKey: 'sandbox' })).toEqual({ baseUrl: 'http://127.0.0.1:8787/fal', key: 'sandbox' });
    expect(() => targetFor('fal', { baseUrl, key: undefined, sandbox: false, sandboxUrl: 'x', sandboxKey: 'y' })).toThrow(expect.objectContaining({ kind: 'no_key' }));
  });
});

describe('routing with route lifecycles (providers retire models)', () => {
  const withMarks = (configured: ProviderId[], extra: Partial<typeof DEFAULT_SETTINGS> = {}, sandbox = false) => ({
    settings: { ...DEFAULT_SETTINGS, ...extra },
    configured: new Set(configured),
    sandbox,
  });

  it('never chooses a retired route, with any key', () => {
    for (const model of MODELS) {
      for (const keys of [['fal'], ['openai'], ['byteplus'], ['google'], ['replicate'], ProviderId.options] as ProviderId[][]) {
        let choice;
        try {
          choice = chooseRoute(model.id, withMarks(keys));
        } catch {
          continue;
        }
        expect(choice.route.lifecycle.status, `${model.id} with ${keys.join('+')}`).not.toBe('retired');
      }
    }
  });

  it('runs every one of the ten rows with one fal key, except Realistic which needs imagine.art', () => {
    for (const model of MODELS) {
      if (model.id === 'realistic') {
        expect(() => chooseRoute(model.id, withMarks(['fal']))).toThrow(expect.objectContaining({ kind: 'no_key', message: expect.stringContaining('imagine.art') }));
        continue;
      }
      const c = chooseRoute(model.id, withMarks(['fal']));
      expect(c.route.provider, model.id).toBe('fal');
      expect(c.route.lifecycle.status, model.id).toBe('live');
    }
  });

  it('says plainly when a row runs on a successor, with the date', () => {
    const imagen = chooseRoute('imagen-3', withMarks(['fal']));
    expect(imagen.route.imageInput).toBe('native');
    expect(imagen.successorNote).toBe('Imagen 3 was retired by Google on 30 June 2026; this uses Gemini 3 Pro Image, its successor.');
    expect(chooseRoute('chatgpt-image', withMarks(['openai'])).successorNote).toBe('gpt-image-1 was retired by OpenAI on 23 October 2026; this uses GPT Image 2, its successor.');
    expect(chooseRoute('seedream-v3', withMarks(['byteplus'])).successorNote).toMatch(/^Seedream 3\.0 was retired by BytePlus on 13 May 2026; this uses Seedream 4\.0/);
    // The real model, where a provider still has it, needs no note.
    expect(chooseRoute('dreamina-3-1', withMarks(['replicate'])).successorNote).toBeUndefined();
    expect(chooseRoute('flux-dev', withMarks(['fal'])).successorNote).toBeUndefined();
  });

  it('skips a route a provider said is gone, and goes back to it once the mark is cleared', () => {
    const first = chooseRoute('imagen-3', withMarks(['fal', 'google']));
    const marked = withMarks(['fal', 'google'], { unavailableRoutes: { [first.route.id]: { since: Date.UTC(2026, 11, 1), message: 'gone' } } });
    const next = chooseRoute('imagen-3', marked);
    expect(next.route.id).not.toBe(first.route.id);
    expect(next.route.provider).toBe('google');
    expect(chooseRoute('imagen-3', withMarks(['fal', 'google'])).route.id).toBe(first.route.id);
  });

  it('explains a chosen route that is retired or gone, then routes automatically', () => {
    const retired = getModel('chatgpt-image').routes.find((r) => r.lifecycle.status === 'retired' && r.provider === 'openai')!;
    const c = chooseRoute('chatgpt-image', withMarks(['openai'], { routes: { 'chatgpt-image': retired.id } }));
    expect(c.route.id).toBe('openai:gpt-image-2');
    expect(c.reason).toMatch(/^Your chosen route is unavailable \(Retired on 23 October 2026\)\. Uses your OpenAI key\.$/);
    // Old settings saved under a renamed route id still resolve (to the retired gpt-image-1 route).
    expect(chooseRoute('chatgpt-image', withMarks(['openai'], { routes: { 'chatgpt-image': 'openai:v1/images/edits' } })).reason).toMatch(/^Your chosen route is unavailable/);
  });

  it('says so when no route can run a model any more', () => {
    const model = getModel('ideogram-v3');
    const all = Object.fromEntries(model.routes.map((r) => [r.id, { since: 0, message: 'gone' }]));
    expect(() => chooseRoute('ideogram-v3', withMarks(['fal', 'ideogram'], { unavailableRoutes: all }))).toThrow(
      expect.objectContaining({ kind: 'route_unavailable', message: expect.stringContaining('No route for Ideogram v3 works any more') }),
    );
  });

  it('prefers live routes to deprecated ones when routing automatically', () => {
    const live = { status: 'live', source: 's' } as const;
    const deprecated = { status: 'deprecated', shutdownOn: '2027-01-15', source: 's' } as const;
    const a = { ...getModel('flux-dev').routes[0]!, id: 'a', lifecycle: deprecated };
    const b = { ...getModel('flux-dev').routes[0]!, id: 'b', lifecycle: live };
    const spec = { ...getModel('flux-dev'), routes: [a, b] };
    expect(usableRoutes(spec, DEFAULT_SETTINGS).map((r) => r.id)).toEqual(['b', 'a']);
    expect(notesFor(spec, a).warning).toBe('fal will switch this route off on 15 January 2027.');
  });

  it('applies the user\u2019s model id to the chosen route', () => {
    const c = chooseRoute('chatgpt-image', withMarks(['openai'], { modelOverrides: { 'openai:gpt-image-2': 'gpt-image-2.6-flare' } }));
    expect(c.route.modelOverride).toBe('gpt-image-2.6-flare');
    expect(wireModel(c.route)).toBe('gpt-image-2.6-flare');
    expect(routeLabel(c.route)).toContain('gpt-image-2.6-flare');
  });

  it('names every provider that could run a model when no key is set', () => {
    expect(() => chooseRoute('imagen-3', withMarks([]))).toThrow(expect.objectContaining({ message: 'Imagen 3 needs a fal, Google Gemini or OpenRouter API key. Add it in Settings.' }));
  });
});
