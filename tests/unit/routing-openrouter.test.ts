import { describe, expect, it } from 'vitest';
import { chooseRoute } from '@/utils/routing';
import { DEFAULT_SETTINGS } from '@/utils/settings';
import type { ModelId, ProviderId } from '@/utils/models';

/** Issue 11, "one key for the current models": an OpenRouter key alone runs every row OpenRouter serves. */
const only = (configured: ProviderId[], extra: Partial<typeof DEFAULT_SETTINGS> = {}) => ({
  settings: { ...DEFAULT_SETTINGS, ...extra },
  configured: new Set(configured),
  sandbox: false,
});

describe('routing with only an OpenRouter key', () => {
  it.each([
    ['chatgpt-image', 'openrouter:openai/gpt-image-2'],
    ['imagen-3', 'openrouter:google/gemini-3.1-flash-image'],
    ['seedream-v3', 'openrouter:bytedance-seed/seedream-4.5'],
    ['flux-ultra', 'openrouter:black-forest-labs/flux.2-pro'],
  ] as Array<[ModelId, string]>)('%s runs on OpenRouter', (model, routeId) => {
    const c = chooseRoute(model, only(['openrouter']));
    expect(c.route.id).toBe(routeId);
    expect(c.via).toBe('provider');
    expect(c.reason).toContain('OpenRouter');
    // Each runs a successor model, and says which.
    expect(c.successorNote).toBeTruthy();
  });

  it('says which keys Ideogram v3 needs, since OpenRouter does not serve it', () => {
    expect(() => chooseRoute('ideogram-v3', only(['openrouter']))).toThrow(
      expect.objectContaining({ kind: 'no_key', message: 'Ideogram v3 needs a fal or Ideogram API key. Add it in Settings.' }),
    );
  });

  it('moves to the next OpenRouter route when the provider said a model is gone', () => {
    const marked = only(['openrouter'], { unavailableRoutes: { 'openrouter:google/gemini-3.1-flash-image': { since: Date.UTC(2026, 11, 1), message: 'No endpoints found for google/gemini-3.1-flash-image.' } } });
    expect(chooseRoute('imagen-3', marked).route.id).toBe('openrouter:google/gemini-3-pro-image');
  });

  it('keeps the preference order of the existing routes when other keys are there too', () => {
    expect(chooseRoute('chatgpt-image', only(['openrouter', 'fal'])).route.id).toBe('fal:openai/gpt-image-2/edit');
    expect(chooseRoute('chatgpt-image', only(['openrouter', 'openai'])).route.id).toBe('openai:gpt-image-2');
  });
});
