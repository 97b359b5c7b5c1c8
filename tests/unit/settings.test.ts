import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { IDBFactory } from 'fake-indexeddb';
import { DEFAULT_SETTINGS, isAllowedBaseUrl, loadSettings, parseSettings, updateSettings } from '@/utils/settings';
import { allBaseUrls, getBaseUrl, migrateLegacyAddresses, setBaseUrl } from '@/utils/provider-addresses';
import { db, resetDbForTests } from '@/utils/store/schema';
import { getKey, maskKey, setKey } from '@/utils/secrets';
import { subscribe, type AppEvent } from '@/utils/events';

beforeEach(() => {
  globalThis.indexedDB = new IDBFactory();
  resetDbForTests();
});

describe('settings', () => {
  it('has a default for every field', () => {
    expect(DEFAULT_SETTINGS.routes).toEqual({});
    expect(DEFAULT_SETTINGS.modelOverrides).toEqual({});
    expect(DEFAULT_SETTINGS.unavailableRoutes).toEqual({});
  });

  it('falls back field by field when stored settings are damaged', () => {
    const s = parseSettings({
      routes: 'nonsense',
      // Stored by earlier versions, never read: dropped.
      defaultModel: 'flux-dev',
      modelOverrides: { 'openai:gpt-image-2': '../../v1/files' },
      unavailableRoutes: { 'fal:x': { since: 'yesterday' } },
    });
    expect(s.routes).toEqual({});
    expect(s).not.toHaveProperty('defaultModel');
    expect(s.modelOverrides).toEqual({});
    expect(s.unavailableRoutes).toEqual({});
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
    await updateSettings((s) => ({ ...s, routes: { 'flux-dev': 'fal:fal-ai/flux/dev/image-to-image' }, modelOverrides: { 'openai:gpt-image-2': 'gpt-image-2-2026-04-21' } }));
    const back = await loadSettings();
    expect(back.routes['flux-dev']).toBe('fal:fal-ai/flux/dev/image-to-image');
    expect(back.modelOverrides['openai:gpt-image-2']).toBe('gpt-image-2-2026-04-21');
    await fakeBrowser.storage.local.set({ settings: { routes: 42 } });
    expect((await loadSettings()).routes).toEqual({});
  });

  it('applies each change to fresh settings, so quick successive edits all survive', async () => {
    await Promise.all([
      updateSettings((s) => ({ ...s, routes: { ...s.routes, 'flux-dev': 'replicate:black-forest-labs/flux-dev' } })),
      updateSettings((s) => ({ ...s, routes: { ...s.routes, 'imagen-3': 'fal:fal-ai/nano-banana-pro/edit' } })),
    ]);
    const s = await loadSettings();
    expect(s.routes).toEqual({ 'flux-dev': 'replicate:black-forest-labs/flux-dev', 'imagen-3': 'fal:fal-ai/nano-banana-pro/edit' });
  });
});

describe('provider addresses (where keys go) live beside the keys, not in storage.local', () => {
  it('defaults every provider to its real host and keeps a chosen one in IndexedDB', async () => {
    expect(await getBaseUrl('fal')).toBe('https://queue.fal.run');
    expect((await allBaseUrls()).google).toBe('https://generativelanguage.googleapis.com');
    await setBaseUrl('bfl', 'https://bfl-proxy.example/');
    expect(await getBaseUrl('bfl')).toBe('https://bfl-proxy.example');
    expect(await (await db()).get('addresses', 'bfl')).toEqual({ provider: 'bfl', baseUrl: 'https://bfl-proxy.example' });
    expect(JSON.stringify(await fakeBrowser.storage.local.get(null))).not.toContain('bfl-proxy');
    await setBaseUrl('bfl', '');
    expect(await getBaseUrl('bfl')).toBe('https://api.bfl.ai');
  });

  it('keeps keys in IndexedDB only, never in storage.local, and shows no more than their last four characters', async () => {
    await setKey('fal', '  sk-fal-secret-1234  ');
    expect(await getKey('fal')).toBe('sk-fal-secret-1234');
    expect(JSON.stringify(await fakeBrowser.storage.local.get(null))).not.toContain('secret');
    expect(JSON.stringify(await fakeBrowser.storage.sync.get(null))).not.toContain('secret');
    expect(maskKey('sk-fal-secret-1234')).toBe('\u2022\u2022\u2022\u20221234');
    await setKey('fal', '');
    expect(await getKey('fal')).toBeUndefined();
  });

  it('refuses plain http anywhere but this computer', async () => {
    await expect(setBaseUrl('fal', 'http://evil.example')).rejects.toThrow(/https/);
    expect(await getBaseUrl('fal')).toBe('https://queue.fal.run');
  });

  it('moves the addresses version 0.1 kept in storage.local into IndexedDB, once', async () => {
    await fakeBrowser.storage.local.set({
      settings: { providers: { replicate: { baseUrl: 'https://proxy.example/replicate/' }, fal: { baseUrl: 'http://evil.example' }, openai: 7 }, routes: { 'flux-dev': 'fal:fal-ai/flux/dev/image-to-image' } },
    });
    const seen: AppEvent[] = [];
    const off = subscribe((e) => seen.push(e));
    await migrateLegacyAddresses();
    expect(await getBaseUrl('replicate')).toBe('https://proxy.example/replicate');
    // The worker's cached addresses hear of the move (BroadcastChannel delivers later).
    for (const end = Date.now() + 5000; seen.length < 1 && Date.now() < end; ) await new Promise((r) => setTimeout(r, 5));
    off();
    expect(seen).toEqual([{ type: 'keys.changed' }]);
    expect(await getBaseUrl('fal')).toBe('https://queue.fal.run');
    const stored = (await fakeBrowser.storage.local.get('settings')).settings as Record<string, unknown>;
    expect(stored.providers).toBeUndefined();
    expect((await loadSettings()).routes['flux-dev']).toBe('fal:fal-ai/flux/dev/image-to-image');
  });
});
