import { describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { DEFAULT_SETTINGS, isAllowedBaseUrl, loadSettings, parseSettings, updateSettings } from '@/utils/settings';

describe('settings', () => {
  it('defaults every provider to its real host', () => {
    expect(DEFAULT_SETTINGS.providers.fal.baseUrl).toBe('https://queue.fal.run');
    expect(DEFAULT_SETTINGS.providers.openai.baseUrl).toBe('https://api.openai.com');
    expect(DEFAULT_SETTINGS.defaultModel).toBe('flux-dev');
    expect(DEFAULT_SETTINGS.routes).toEqual({});
  });

  it('falls back field by field when stored settings are damaged', () => {
    const s = parseSettings({
      providers: { fal: { baseUrl: 'http://evil.example' }, replicate: { baseUrl: 'https://proxy.example/replicate/' }, openai: 7 },
      routes: 'nonsense',
      defaultModel: 'no-such-model',
    });
    expect(s.providers.fal.baseUrl).toBe('https://queue.fal.run');
    expect(s.providers.replicate.baseUrl).toBe('https://proxy.example/replicate');
    expect(s.providers.openai.baseUrl).toBe('https://api.openai.com');
    expect(s.routes).toEqual({});
    expect(s.defaultModel).toBe('flux-dev');
    expect(parseSettings(null)).toEqual(DEFAULT_SETTINGS);
    expect(parseSettings('garbage')).toEqual(DEFAULT_SETTINGS);
  });

  it('accepts https anywhere and plain http only on this machine', () => {
    expect(isAllowedBaseUrl('https://queue.fal.run')).toBe(true);
    expect(isAllowedBaseUrl('http://127.0.0.1:8787/fal')).toBe(true);
    expect(isAllowedBaseUrl('http://localhost:9000')).toBe(true);
    expect(isAllowedBaseUrl('http://queue.fal.run')).toBe(false);
    expect(isAllowedBaseUrl('http://192.168.1.5')).toBe(false);
    expect(isAllowedBaseUrl('https://user:pw@host.example')).toBe(false);
    expect(isAllowedBaseUrl('ftp://host.example')).toBe(false);
    expect(isAllowedBaseUrl('not a url')).toBe(false);
  });

  it('round-trips through storage', async () => {
    await updateSettings((s) => ({ ...s, providers: { ...s.providers, fal: { baseUrl: 'http://127.0.0.1:1/fal' } }, routes: { 'flux-dev': 'fal:fal-ai/flux/dev/image-to-image' } }));
    const back = await loadSettings();
    expect(back.providers.fal.baseUrl).toBe('http://127.0.0.1:1/fal');
    expect(back.routes['flux-dev']).toBe('fal:fal-ai/flux/dev/image-to-image');
    await fakeBrowser.storage.local.set({ settings: { providers: { fal: { baseUrl: 42 } } } });
    expect((await loadSettings()).providers.fal.baseUrl).toBe('https://queue.fal.run');
  });

  it('applies each change to fresh settings, so quick successive edits all survive', async () => {
    await Promise.all([
      updateSettings((s) => ({ ...s, routes: { ...s.routes, 'flux-dev': 'replicate:black-forest-labs/flux-dev' } })),
      updateSettings((s) => ({ ...s, routes: { ...s.routes, 'imagen-3': 'fal:fal-ai/imagen3' } })),
    ]);
    await updateSettings((s) => ({ ...s, providers: { ...s.providers, bfl: { baseUrl: 'https://bfl-proxy.example' } } }));
    const s = await loadSettings();
    expect(s.routes).toEqual({ 'flux-dev': 'replicate:black-forest-labs/flux-dev', 'imagen-3': 'fal:fal-ai/imagen3' });
    expect(s.providers.bfl.baseUrl).toBe('https://bfl-proxy.example');
  });
});
