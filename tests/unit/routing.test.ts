import { describe, expect, it } from 'vitest';
import { chooseRoute, targetFor } from '@/utils/routing';
import { DEFAULT_SETTINGS } from '@/utils/settings';
import type { ProviderId } from '@/utils/models';

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
    expect(() => chooseRoute('flux-dev', env([]))).toThrow(expect.objectContaining({ kind: 'no_key', message: expect.stringContaining('fal API key') }));
  });

  it('falls back to the sandbox in the sandbox build and says so', () => {
    const c = chooseRoute('flux-dev', env([], true));
    expect(c.via).toBe('sandbox');
    expect(c.reason).toMatch(/sandbox/);
  });

  it('sends keys only to the configured address, and the sandbox key only to the sandbox', () => {
    const settings = { ...DEFAULT_SETTINGS };
    expect(targetFor('fal', { settings, key: 'k1', sandbox: true, sandboxUrl: 'http://127.0.0.1:8787', sandboxKey: 'sandbox' })).toEqual({ baseUrl: 'https://queue.fal.run', key: 'k1' });
    expect(targetFor('fal', { settings, key: undefined, sandbox: true, sandboxUrl: 'http://127.0.0.1:8787', sandboxKey: 'sandbox' })).toEqual({ baseUrl: 'http://127.0.0.1:8787/fal', key: 'sandbox' });
    expect(() => targetFor('fal', { settings, key: undefined, sandbox: false, sandboxUrl: 'x', sandboxKey: 'y' })).toThrow(expect.objectContaining({ kind: 'no_key' }));
  });
});
