import { beforeEach, describe, expect, it } from 'vitest';
import { IDBFactory } from 'fake-indexeddb';
import { isAllowedBaseUrl } from '../../utils/settings';
import { checkImageSource } from '../../utils/url-policy';
import { targetFor } from '../../utils/routing';
import { resetDbForTests } from '../../utils/store/schema';
import { configuredProviders } from '../../utils/secrets';
import { getBaseUrl, setBaseUrl } from '../../utils/provider-addresses';
import { providerAddresses } from '../../utils/intake/network-guard-settings';
import { clearComfySetup, hasComfySetup, loadComfySetup, saveComfySetup } from '../../utils/comfyui/setup-store';
import { DEFAULT_MAPPING, defaultWorkflow } from '../../utils/comfyui/default-workflow';
import { WorkflowError } from '../../utils/comfyui/workflow';

beforeEach(() => {
  globalThis.indexedDB = new IDBFactory();
  resetDbForTests();
});

describe('ComfyUI addresses', () => {
  it('accepts a local-network http address for ComfyUI only', () => {
    for (const url of ['http://192.168.1.20:8188', 'http://10.0.0.5:8188', 'http://gpu-box.local:8188', 'http://gpubox:8188', 'http://127.0.0.1:8188']) {
      expect(isAllowedBaseUrl(url, 'comfyui'), url).toBe(true);
    }
    expect(isAllowedBaseUrl('http://192.168.1.20:8188', 'fal')).toBe(false);
    expect(isAllowedBaseUrl('http://192.168.1.20:8188')).toBe(false);
    // Plain http across the internet stays refused, even for ComfyUI; https is fine anywhere.
    expect(isAllowedBaseUrl('http://example.com:8188', 'comfyui')).toBe(false);
    expect(isAllowedBaseUrl('http://169.254.1.1:8188', 'comfyui')).toBe(false);
    expect(isAllowedBaseUrl('https://comfy.example.com', 'comfyui')).toBe(true);
  });

  it('leaves image sources to the URL policy: a private address is still refused there', () => {
    expect(checkImageSource('http://192.168.1.20:8188/view?filename=a.png').ok).toBe(false);
    expect(checkImageSource('http://127.0.0.1:8188/view?filename=a.png').ok).toBe(false);
  });

  it('stores a local-network address for ComfyUI and refuses it for a keyed provider', async () => {
    await setBaseUrl('comfyui', 'http://192.168.1.20:8188/');
    expect(await getBaseUrl('comfyui')).toBe('http://192.168.1.20:8188');
    await expect(setBaseUrl('openai', 'http://192.168.1.20:8188')).rejects.toThrow();
  });

  it('sends ComfyUI requests to its address without a key; in the sandbox build its default address means the sandbox', () => {
    const env = { key: undefined, sandbox: false, sandboxUrl: 'http://127.0.0.1:8787', sandboxKey: 'sandbox' };
    expect(targetFor('comfyui', { ...env, baseUrl: 'http://192.168.1.20:8188' })).toEqual({ baseUrl: 'http://192.168.1.20:8188', key: '' });
    expect(targetFor('comfyui', { ...env, sandbox: true, baseUrl: 'http://127.0.0.1:8188' })).toEqual({ baseUrl: 'http://127.0.0.1:8787/comfyui', key: '' });
    expect(() => targetFor('fal', { ...env, baseUrl: 'https://queue.fal.run' })).toThrow(/fal/);
  });
});

describe('ComfyUI setup', () => {
  it('makes ComfyUI usable once saved, without a key, and keeps its address reachable only then', async () => {
    expect((await configuredProviders()).has('comfyui')).toBe(false);
    expect(await providerAddresses(false)).not.toContain('http://127.0.0.1:8188');
    await saveComfySetup({ workflow: defaultWorkflow(), mapping: DEFAULT_MAPPING, source: 'template' });
    expect(await hasComfySetup()).toBe(true);
    expect([...(await configuredProviders())]).toEqual(['comfyui']);
    expect(await providerAddresses(false)).toContain('http://127.0.0.1:8188');
    expect(await loadComfySetup()).toEqual({ workflow: defaultWorkflow(), mapping: DEFAULT_MAPPING, source: 'template' });
    await clearComfySetup();
    expect((await configuredProviders()).has('comfyui')).toBe(false);
  });

  it('keeps an address the user typed reachable even before the setup is saved', async () => {
    await setBaseUrl('comfyui', 'http://192.168.1.20:8188');
    expect(await providerAddresses(false)).toContain('http://192.168.1.20:8188');
  });

  it('refuses to save a mapping that does not fit its workflow', async () => {
    await expect(saveComfySetup({ workflow: defaultWorkflow(), mapping: { ...DEFAULT_MAPPING, imageNode: '6' }, source: 'template' })).rejects.toBeInstanceOf(WorkflowError);
    expect(await hasComfySetup()).toBe(false);
  });
});
