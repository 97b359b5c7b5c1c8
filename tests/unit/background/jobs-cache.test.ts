import { describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { keptUntilChanged, routingReader, targetReader } from '../../../entrypoints/background/jobs';
import { setBaseUrl } from '../../../utils/provider-addresses';
import { setKey } from '../../../utils/secrets';
import { updateSettings } from '../../../utils/settings';
import { until } from '../helpers';

/** What the worker's engine keeps in memory between requests, and how it learns of changes. */

describe('keptUntilChanged', () => {
  function source() {
    let changed = () => {};
    let value = 1;
    const read = vi.fn(async () => value);
    const watch = vi.fn((onChange: () => void) => {
      changed = onChange;
    });
    return { read, watch, change: (v: number) => ((value = v), changed()), set: (v: number) => (value = v) };
  }

  it('reads once, and again only after a change', async () => {
    const s = source();
    const current = keptUntilChanged(s.read, s.watch);
    expect(await current()).toBe(1);
    expect(await current()).toBe(1);
    expect(s.read).toHaveBeenCalledTimes(1);
    expect(s.watch).toHaveBeenCalledTimes(1);
    s.change(2);
    expect(await current()).toBe(2);
    expect(await current()).toBe(2);
    expect(s.read).toHaveBeenCalledTimes(2);
  });

  it('starts watching before it reads, so a change during the first read is not missed', async () => {
    const s = source();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const current = keptUntilChanged(async () => {
      const v = await s.read();
      await gate;
      return v;
    }, s.watch);
    const first = current();
    s.change(5);
    release();
    expect(await first).toBe(1); // that read began before the change
    expect(await current()).toBe(5);
  });

  it('does not keep a failed read', async () => {
    let fail = true;
    const read = vi.fn(async () => {
      if (fail) throw new Error('storage busy');
      return 'ok';
    });
    const current = keptUntilChanged(read, () => {});
    await expect(current()).rejects.toThrow('storage busy');
    fail = false;
    expect(await current()).toBe('ok');
    expect(await current()).toBe('ok');
    expect(read).toHaveBeenCalledTimes(2);
  });
});

describe('the engine\u2019s routing and targets stay current', () => {
  it('sees a key saved in another page, through its keys.changed event', async () => {
    const env = routingReader(false);
    expect((await env()).configured.has('fal')).toBe(false);
    await setKey('fal', 'fal-key-1');
    await until('the saved key to be seen', async () => (await env()).configured.has('fal'));
    await setKey('fal', '');
    await until('the removed key to be seen', async () => !(await env()).configured.has('fal'));
  });

  it('sees a settings change, through storage.onChanged', async () => {
    const env = routingReader(false);
    expect((await env()).settings.routes['flux-dev']).toBeUndefined();
    await updateSettings((s) => ({ ...s, routes: { ...s.routes, 'flux-dev': 'replicate:black-forest-labs/flux-dev' } }));
    await until('the route choice to be seen', async () => (await env()).settings.routes['flux-dev'] === 'replicate:black-forest-labs/flux-dev');
  });

  it('reads the settings once between changes', async () => {
    const env = routingReader(false);
    await env();
    const reads = vi.spyOn(fakeBrowser.storage.local, 'get');
    await env();
    await env();
    expect(reads).not.toHaveBeenCalled();
  });

  it('uses a new key and a new address as soon as they are saved', async () => {
    const target = targetReader();
    await expect(target('bfl')).rejects.toMatchObject({ kind: 'no_key' });
    await setKey('bfl', 'bfl-key-1');
    // A failed read is not kept: the key is found at once.
    expect(await target('bfl')).toEqual({ baseUrl: 'https://api.bfl.ai', key: 'bfl-key-1' });
    await setKey('bfl', 'bfl-key-2');
    await until('the new key to be used', async () => (await target('bfl')).key === 'bfl-key-2');
    await setBaseUrl('bfl', 'https://bfl-proxy.example');
    await until('the new address to be used', async () => (await target('bfl')).baseUrl === 'https://bfl-proxy.example');
    await setKey('bfl', '');
  });
});
