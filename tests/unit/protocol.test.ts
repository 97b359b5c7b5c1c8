import { describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { createRouter, isTrustedSender, send, type Handlers } from '@/utils/protocol';
import { AppError } from '@/utils/errors';

const EXT_ID = 'abcdefghijklmnop';
const ORIGIN = `chrome-extension://${EXT_ID}/`;

function handlers(overrides: Partial<Handlers> = {}): Handlers {
  return {
    'job.create': vi.fn(async () => ({ jobId: 'j1', cached: false, joined: false })),
    'jobs.compare': vi.fn<Handlers['jobs.compare']>(async ({ modelIds }) => ({ runId: 'run-1', jobs: modelIds.map((modelId, i) => ({ modelId, jobId: `j${i}`, cached: false, joined: false })) })),
    'job.cancel': vi.fn(async () => ({})),
    'jobs.resume': vi.fn(async () => ({ resumed: 0 })),
    'reference.fromUrl': vi.fn(async () => ({ referenceId: 'r1' })),
    'reference.describe': vi.fn(async () => ({ description: 'a hill' })),
    'reference.describeOnDemand': vi.fn(async () => ({ description: 'a hill', provider: 'openai' as const })),
    'models.check': vi.fn(async () => ({ checkedAt: 0, rows: [], reachable: [] })),
    'worker.ping': vi.fn(async () => ({})),
    'provider.testKey': vi.fn(async () => ({ ok: true, message: 'fine' })),
    ...overrides,
  };
}

const panel = { id: EXT_ID, url: `${ORIGIN}sidepanel.html` };
const trust = (s: { id?: string; url?: string }) => isTrustedSender(s, EXT_ID, ORIGIN);
const request = { prompt: 'a cat', referenceId: null, modelId: 'flux-dev' as const, settings: { influence: null, aspectRatio: null, numImages: 1, seed: null } };

describe('message protocol', () => {
  it('handles a valid message from an extension page', async () => {
    const h = handlers();
    const route = createRouter(h, trust);
    const reply = await route({ type: 'job.create', payload: { request } }, panel);
    expect(reply).toEqual({ ok: true, value: { jobId: 'j1', cached: false, joined: false } });
    expect(h['job.create']).toHaveBeenCalledWith({ request: { ...request, fresh: false, description: null } });
  });

  it('ignores content scripts, other extensions and web pages', () => {
    const h = handlers();
    const route = createRouter(h, trust);
    const msg = { type: 'job.create', payload: { request } };
    expect(route(msg, { id: EXT_ID, url: 'https://evil.example/page', tab: { id: 1 } as never })).toBeUndefined();
    expect(route(msg, { id: 'someoneelse', url: `chrome-extension://someoneelse/x.html` })).toBeUndefined();
    expect(route(msg, {})).toBeUndefined();
    expect(h['job.create']).not.toHaveBeenCalled();
  });

  it('drops unknown message types and answers invalid payloads with a readable error', async () => {
    const h = handlers();
    const route = createRouter(h, trust);
    expect(route({ type: 'admin.deleteEverything', payload: {} }, panel)).toBeUndefined();
    expect(route('job.create', panel)).toBeUndefined();
    const reply = await route({ type: 'job.create', payload: { request: { ...request, prompt: '   ' } } }, panel);
    expect(reply).toEqual({ ok: false, error: { kind: 'invalid_input', message: 'Write a prompt first.' } });
    expect(h['job.create']).not.toHaveBeenCalled();
  });

  it('carries an AppError\u2019s kind and message across the boundary', async () => {
    const route = createRouter(
      handlers({ 'job.create': async () => Promise.reject(new AppError('no_key', 'Add your fal key.', { provider: 'fal' })) }),
      trust,
    );
    // The fake browser delivers replies through sendResponse only.
    fakeBrowser.runtime.onMessage.addListener(((m: unknown, s: object, sendResponse: (r: unknown) => void) => {
      void route(m, { ...s, id: EXT_ID, url: `${ORIGIN}sidepanel.html` })?.then(sendResponse);
      return true;
    }) as never);
    await expect(send('job.create', { request })).rejects.toMatchObject({ kind: 'no_key', message: 'Add your fal key.', provider: 'fal' });
  });

  it('validates replies too', async () => {
    fakeBrowser.runtime.onMessage.addListener(((_m: unknown, _s: object, sendResponse: (r: unknown) => void) => {
      sendResponse({ ok: true, value: { jobId: 42 } });
      return true;
    }) as never);
    await expect(send('job.create', { request })).rejects.toThrow();
  });

  describe('jobs.compare', () => {
    const { modelId: _model, ...shared } = request;

    it('passes 2 to 6 distinct models and the request without a model or run id', async () => {
      const h = handlers();
      const route = createRouter(h, trust);
      const reply = await route({ type: 'jobs.compare', payload: { request: { ...shared, modelId: 'realistic', runId: 'mine' }, modelIds: ['flux-dev', 'imagen-3'] } }, panel);
      expect(reply).toEqual({
        ok: true,
        value: {
          runId: 'run-1',
          jobs: [
            { modelId: 'flux-dev', jobId: 'j0', cached: false, joined: false },
            { modelId: 'imagen-3', jobId: 'j1', cached: false, joined: false },
          ],
        },
      });
      expect(h['jobs.compare']).toHaveBeenCalledWith({ request: { ...shared, fresh: false, description: null }, modelIds: ['flux-dev', 'imagen-3'] });
    });

    it('refuses fewer than 2 or more than 6 models, and a model chosen twice', async () => {
      const h = handlers();
      const route = createRouter(h, trust);
      const seven = ['flux-dev', 'realistic', 'chatgpt-image', 'imagen-3', 'flux-ultra', 'ideogram-v3', 'minimax-image'];
      const refused = { ok: false, error: { kind: 'invalid_input', message: 'Choose 2 to 6 models' } };
      expect(await route({ type: 'jobs.compare', payload: { request: shared, modelIds: seven } }, panel)).toEqual(refused);
      expect(await route({ type: 'jobs.compare', payload: { request: shared, modelIds: ['flux-dev'] } }, panel)).toEqual(refused);
      expect(await route({ type: 'jobs.compare', payload: { request: shared, modelIds: ['flux-dev', 'imagen-3', 'flux-dev'] } }, panel)).toEqual({
        ok: false,
        error: { kind: 'invalid_input', message: 'Choose each model once.' },
      });
      expect(await route({ type: 'jobs.compare', payload: { request: shared, modelIds: ['flux-dev', 'no-such-model'] } }, panel)).toMatchObject({
        ok: false,
        error: { kind: 'invalid_input' },
      });
      expect(h['jobs.compare']).not.toHaveBeenCalled();
      // Six is allowed.
      expect(await route({ type: 'jobs.compare', payload: { request: shared, modelIds: seven.slice(0, 6) } }, panel)).toMatchObject({ ok: true });
    });

    it('is only answered for extension pages', () => {
      const h = handlers();
      const route = createRouter(h, trust);
      const msg = { type: 'jobs.compare', payload: { request: shared, modelIds: ['flux-dev', 'imagen-3'] } };
      expect(route(msg, { id: EXT_ID, url: 'https://evil.example/page', tab: { id: 1 } as never })).toBeUndefined();
      expect(h['jobs.compare']).not.toHaveBeenCalled();
    });
  });
});
