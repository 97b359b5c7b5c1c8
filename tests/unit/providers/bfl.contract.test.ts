// @vitest-environment node
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Jimp } from 'jimp';
import { MODELS, toRouteStrength, type RouteSpec } from '@/utils/models';
import { BFL_USD_PER_CREDIT, bflAdapter, devSize, isOfficialBflHost, reportedCost } from '@/utils/providers/bfl';
import type { GenerationInput, PreparedImage, ProviderContext, ProviderHandle } from '@/utils/providers/types';
import { startSandbox, type Sandbox } from '../../../sandbox/server';
import { fakeFetch, jsonResponse, realImage } from './contract-helpers';

// ---- helpers ---------------------------------------------------------------------------


const KEY = 'bfl_contract_test_key';
const BASE = 'https://api.bfl.ai';
const ctxWith = (f: typeof fetch, baseUrl = BASE): ProviderContext => ({ fetch: f, baseUrl, key: KEY });

const ROUTES = MODELS.flatMap((m) => m.routes.filter((r) => r.provider === 'bfl').map((r) => ({ model: m.id, route: r })));
const route = (endpoint: string) => {
  const r = ROUTES.find((x) => x.route.endpoint === endpoint)?.route;
  if (!r) throw new Error(`no route ${endpoint}`);
  return r;
};

function panelInput(route: RouteSpec, image: PreparedImage): GenerationInput {
  return {
    prompt: 'a glass house in a pine forest, morning fog',
    image,
    strength: route.strength ? toRouteStrength(route.strength, 0.7) : undefined,
    aspectRatio: route.aspectRatios?.includes('16:9') ? '16:9' : undefined,
    numImages: Math.min(2, route.maxImages),
    seed: route.seed ? 1234 : undefined,
  };
}

const TASK = '9b5b2a1c-2a44-4d0c-9a35-3f3e8a6e2f10';
const REGIONAL = `https://api.us1.bfl.ai/v1/get_result?id=${TASK}`;
const HANDLE: ProviderHandle = { id: TASK, pollingUrl: REGIONAL };

let PNG: PreparedImage;
beforeAll(async () => {
  PNG = await realImage('image/png', 96, 64);
});

// ---- wire form -------------------------------------------------------------------------------

/** BFL's FluxDevInputs / FluxUltraInput, written out by hand. */
const EXPECTED_BODY: Record<string, (b64: string) => Record<string, unknown>> = {
  // 96x64 is 3:2: about one megapixel of that shape, in multiples of 32.
  'flux-dev': (b64) => ({ prompt: 'a glass house in a pine forest, morning fog', image_prompt: b64, width: 1248, height: 832, seed: 1234 }),
  'flux-pro-1.1-ultra': (b64) => ({ prompt: 'a glass house in a pine forest, morning fog', image_prompt: b64, image_prompt_strength: 0.7, aspect_ratio: '16:9', seed: 1234 }),
};

describe('Black Forest Labs adapter: request wire form', () => {
  it('covers every BFL route in the catalogue', () => {
    expect(ROUTES.map((r) => `${r.model} ${r.route.endpoint}`).sort()).toEqual(['flux-dev flux-dev', 'flux-ultra flux-pro-1.1-ultra']);
    expect(route('flux-dev').strength).toBeUndefined(); // Redux-style image prompt: no knob
    expect(route('flux-pro-1.1-ultra').strength).toEqual({ field: 'image_prompt_strength', min: 0, max: 1, default: 0.1, higherKeepsMore: true });
  });

  for (const { model, route: r } of ROUTES) {
    it(`${model} via ${r.endpoint}: POST /v1/${r.endpoint} with x-key and a JSON body, image as plain base64`, async () => {
      const { fetch, calls } = fakeFetch(jsonResponse({ id: TASK, polling_url: REGIONAL, cost: 6 }));
      const out = await bflAdapter.submit(r, panelInput(r, PNG), ctxWith(fetch));
      expect(calls).toHaveLength(1);
      const c = calls[0]!;
      expect(c.url).toBe(`https://api.bfl.ai/v1/${r.endpoint}`);
      expect(c.method).toBe('POST');
      expect(c.headers['x-key']).toBe(KEY);
      expect(c.headers.authorization).toBeUndefined();
      expect(c.headers['content-type']).toBe('application/json');
      expect(c.init.credentials).toBe('omit');
      const b64 = Buffer.from(await PNG.blob.arrayBuffer()).toString('base64');
      const body = JSON.parse(String(c.body)) as Record<string, unknown>;
      expect(body).toEqual(EXPECTED_BODY[r.endpoint]!(b64));
      expect(String(body.image_prompt).startsWith('data:')).toBe(false);
      // The reported cost (credits) travels in the handle until the task is done.
      expect(out).toEqual({ kind: 'submitted', handle: { ...HANDLE, costCredits: '6' } });
    });
  }

  it('sizes FLUX.1 [dev] output like the reference, within 256-1440 and multiples of 32', () => {
    for (const [w, h] of [
      [96, 64],
      [64, 96],
      [100, 100],
      [3000, 500],
      [500, 3000],
      [1920, 1080],
    ] as const) {
      const s = devSize(w, h);
      expect(s.width % 32).toBe(0);
      expect(s.height % 32).toBe(0);
      for (const v of [s.width, s.height]) expect(v >= 256 && v <= 1440).toBe(true);
      const want = Math.min(21 / 9, Math.max(9 / 21, w / h));
      expect(Math.abs(s.width / s.height - want) / want).toBeLessThan(0.06);
    }
    expect(devSize(1, 1)).toEqual({ width: 1024, height: 1024 });
  });

  it('refuses to send without an image', async () => {
    const { fetch, calls } = fakeFetch();
    await expect(bflAdapter.submit(route('flux-dev'), { ...panelInput(route('flux-dev'), PNG), image: null }, ctxWith(fetch))).rejects.toMatchObject({ kind: 'invalid_input' });
    expect(calls).toHaveLength(0);
  });

  it('checks the key with GET /v1/credits', async () => {
    const { fetch, calls } = fakeFetch(jsonResponse({ credits: 42.5 }));
    await bflAdapter.testKey(ctxWith(fetch));
    expect(calls.map((c) => [c.method, c.url, c.headers['x-key']])).toEqual([['GET', `${BASE}/v1/credits`, KEY]]);
    await expect(bflAdapter.testKey(ctxWith(fakeFetch(jsonResponse({ detail: 'Not authenticated - Invalid Authentication' }, 403)).fetch))).rejects.toMatchObject({ kind: 'bad_key', provider: 'Black Forest Labs' });
  });
});

// ---- the polling host --------------------------------------------------------------------------

describe('Black Forest Labs adapter: where the key may go', () => {
  const r = () => route('flux-pro-1.1-ultra');

  it('polls the regional polling_url with the key when the base is an official BFL host', async () => {
    for (const base of ['https://api.bfl.ai', 'https://api.eu.bfl.ai/', 'https://api.us.bfl.ai']) {
      for (const polling of [REGIONAL, `https://api.eu2.bfl.ai/v1/get_result?id=${TASK}`, `https://api.bfl.ai/v1/get_result?id=${TASK}`]) {
        const { fetch, calls } = fakeFetch(jsonResponse({ id: TASK, status: 'Pending', result: null, progress: null }));
        expect(await bflAdapter.poll(r(), { id: TASK, pollingUrl: polling }, ctxWith(fetch, base))).toEqual({ kind: 'pending', stage: 'queued' });
        expect(calls.map((c) => [c.method, c.url, c.headers['x-key']])).toEqual([['GET', polling, KEY]]);
        expect(calls[0]!.init.redirect).toBe('error');
      }
    }
  });

  it('never sends the key to anything else', async () => {
    const hostile = [
      'https://evil.example/v1/get_result?id=x',
      'https://api.bfl.ai.evil.example/v1/get_result?id=x',
      'https://api.us1.bfl.ai.evil.example/v1/get_result?id=x',
      'https://evilbfl.ai/v1/get_result?id=x',
      'https://api.a.b.bfl.ai/v1/get_result?id=x',
      'https://delivery.us1.bfl.ai/v1/get_result?id=x',
      'http://api.us1.bfl.ai/v1/get_result?id=x',
      'https://api.us1.bfl.ai:8443/v1/get_result?id=x',
      'https://user:pw@api.us1.bfl.ai/v1/get_result?id=x',
      'not a url',
    ];
    for (const pollingUrl of hostile) {
      const { fetch, calls } = fakeFetch();
      await expect(bflAdapter.poll(r(), { id: 'x', pollingUrl }, ctxWith(fetch))).rejects.toMatchObject({ kind: 'bad_reply', message: expect.stringContaining('Black Forest Labs') });
      expect(calls).toHaveLength(0);
    }
  });

  it('gives a custom base (proxy, sandbox) no exception: only its own origin', async () => {
    const { fetch, calls } = fakeFetch(jsonResponse({ id: TASK, status: 'Pending' }));
    await expect(bflAdapter.poll(r(), HANDLE, ctxWith(fetch, 'http://127.0.0.1:8787/bfl'))).rejects.toMatchObject({ kind: 'bad_reply' });
    await expect(bflAdapter.poll(r(), HANDLE, ctxWith(fetch, 'https://bfl-proxy.example.com'))).rejects.toMatchObject({ kind: 'bad_reply' });
    expect(calls).toHaveLength(0);
    await bflAdapter.poll(r(), { id: TASK, pollingUrl: `http://127.0.0.1:8787/bfl/v1/get_result?id=${TASK}` }, ctxWith(fetch, 'http://127.0.0.1:8787/bfl'));
    expect(calls).toHaveLength(1);
  });

  it('recognises exactly the documented host shapes', () => {
    expect(isOfficialBflHost('https://api.bfl.ai')).toBe(true);
    expect(isOfficialBflHost('https://api.eu1.bfl.ai/v1/x')).toBe(true);
    expect(isOfficialBflHost('https://API.US.BFL.AI/')).toBe(true); // URL lowercases hosts
    expect(isOfficialBflHost('https://api.bfl.ai:443/')).toBe(true); // default port is normalised away
    expect(isOfficialBflHost('https://bfl.ai')).toBe(false);
    expect(isOfficialBflHost('https://api.-x.bfl.ai')).toBe(false);
  });
});

// ---- replies ----------------------------------------------------------------------------------

describe('Black Forest Labs adapter: replies', () => {
  const r = () => route('flux-dev');
  const poll = (body: unknown, status = 200) => bflAdapter.poll(r(), HANDLE, ctxWith(fakeFetch(jsonResponse(body, status)).fetch));

  it('maps statuses', async () => {
    expect(await poll({ id: TASK, status: 'Pending', result: null, progress: null })).toEqual({ kind: 'pending', stage: 'queued' });
    expect(await poll({ id: TASK, status: 'Pending', result: null, progress: 0.4 })).toEqual({ kind: 'pending', stage: 'running' });
    const sample = 'https://delivery-us1.bfl.ai/results/ab/cd/sample.jpeg?se=2026-11-24T10%3A10%3A00Z&sig=x';
    expect(await poll({ id: TASK, status: 'Ready', result: { sample, prompt: 'x', seed: 1234, start_time: 1, end_time: 2, duration: 1 }, progress: 1 })).toEqual({
      kind: 'done',
      outputs: [{ kind: 'url', url: sample }],
    });
    await expect(poll({ id: TASK, status: 'Request Moderated', result: null, details: { 'Moderation Reasons': ['Derivative Works'] } })).rejects.toMatchObject({ kind: 'moderated', message: expect.stringContaining('Black Forest Labs') });
    await expect(poll({ id: TASK, status: 'Content Moderated', result: null })).rejects.toMatchObject({ kind: 'moderated' });
    await expect(poll({ id: TASK, status: 'Task not found', result: null })).rejects.toMatchObject({ kind: 'bad_reply', message: expect.stringContaining('no longer knows') });
    await expect(poll({ id: TASK, status: 'Error', result: null, details: { 'Input Error': ['image could not be decoded'] } })).rejects.toMatchObject({ kind: 'invalid_input', message: expect.stringContaining('image could not be decoded') });
    await expect(poll({ id: TASK, status: 'Ready', result: {} })).rejects.toMatchObject({ kind: 'bad_reply', message: expect.stringContaining('sample') });
    await expect(poll({ id: TASK, status: 'Exploded' })).rejects.toMatchObject({ kind: 'bad_reply' });
  });

  it('reads the cost BFL reports at submit (credits, $0.01 each) and returns it, in dollars, when done', async () => {
    const submit = async (body: unknown) =>
      bflAdapter.submit(route('flux-pro-1.1-ultra'), panelInput(route('flux-pro-1.1-ultra'), PNG), ctxWith(fakeFetch(jsonResponse(body)).fetch));
    // AsyncResponse: cost, input_mp and output_mp are number | null.
    const withCost = await submit({ id: TASK, polling_url: REGIONAL, cost: 4.5, input_mp: 1, output_mp: 1.98 });
    expect(withCost).toEqual({ kind: 'submitted', handle: { ...HANDLE, costCredits: '4.5' } });
    // No cost, a null one or one we cannot read: the job goes on without it.
    for (const cost of [undefined, null, 'six', -1]) {
      expect(await submit({ id: TASK, polling_url: REGIONAL, cost })).toEqual({ kind: 'submitted', handle: HANDLE });
    }
    const sample = 'https://delivery-us1.bfl.ai/results/sample.jpeg';
    const ready = { id: TASK, status: 'Ready', result: { sample }, progress: 1 };
    const done = await bflAdapter.poll(r(), { ...HANDLE, costCredits: '4.5' }, ctxWith(fakeFetch(jsonResponse(ready)).fetch));
    expect(done).toEqual({ kind: 'done', outputs: [{ kind: 'url', url: sample }], cost: { usd: 0.045, source: 'reported' } });
    expect(reportedCost({ ...HANDLE, costCredits: '6' })).toEqual({ usd: 0.06, source: 'reported' });
    expect(reportedCost({ ...HANDLE, costCredits: 'x' })).toBeUndefined();
    expect(reportedCost(HANDLE)).toBeUndefined();
    expect(BFL_USD_PER_CREDIT).toBe(0.01);
  });

  it('maps documented HTTP errors', async () => {
    const submit = (res: Response) => bflAdapter.submit(route('flux-pro-1.1-ultra'), panelInput(route('flux-pro-1.1-ultra'), PNG), ctxWith(fakeFetch(res).fetch));
    await expect(submit(jsonResponse({ detail: 'Not authenticated - Invalid Authentication' }, 401))).rejects.toMatchObject({ kind: 'bad_key' });
    await expect(submit(jsonResponse({ detail: 'Insufficient credits' }, 402))).rejects.toMatchObject({ kind: 'out_of_credit', message: 'Black Forest Labs: Insufficient credits' });
    await expect(submit(jsonResponse({ detail: 'Too many active tasks' }, 429, { 'Retry-After': '5' }))).rejects.toMatchObject({ kind: 'rate_limited', retryAfterMs: 5000, message: expect.stringContaining('as many of your tasks') });
    await expect(
      submit(jsonResponse({ detail: [{ type: 'less_than_equal', loc: ['body', 'image_prompt_strength'], msg: 'Input should be less than or equal to 1', input: 2, ctx: { le: 1 } }] }, 422)),
    ).rejects.toMatchObject({ kind: 'invalid_input', message: 'Black Forest Labs: image_prompt_strength: Input should be less than or equal to 1' });
    await expect(submit(jsonResponse({ detail: 'Internal Server Error' }, 500))).rejects.toMatchObject({ kind: 'provider_down', message: expect.stringContaining('Black Forest Labs') });
    await expect(submit(jsonResponse({ id: TASK }))).rejects.toMatchObject({ kind: 'bad_reply' });
  });
});

// ---- end to end against the sandbox ---------------------------------------------------------

describe('Black Forest Labs adapter against the sandbox', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox({ port: 0, timing: { queueMs: 50, runMs: 50 } });
  });
  afterAll(() => sb.close());
  beforeEach(() => sb.reset());
  const ctx = () => ({ fetch: globalThis.fetch, baseUrl: `${sb.url}/bfl`, key: 'sandbox' });

  it('reports Pending as queued, then as running once progress appears', async () => {
    const r = route('flux-dev');
    sb.setTiming({ queueMs: 60_000 });
    const queued = await bflAdapter.submit(r, panelInput(r, PNG), ctx());
    expect(await bflAdapter.poll(r, queued.handle!, ctx())).toEqual({ kind: 'pending', stage: 'queued' });
    sb.setTiming({ queueMs: 0, runMs: 60_000 });
    const running = await bflAdapter.submit(r, panelInput(r, PNG), ctx());
    expect(await bflAdapter.poll(r, running.handle!, ctx())).toEqual({ kind: 'pending', stage: 'running' });
  });

  it('submits and polls both routes to an image derived from the reference', async () => {
    for (const { route: r } of ROUTES) {
      const sub = await bflAdapter.submit(r, panelInput(r, PNG), ctx());
      expect(sub.kind).toBe('submitted');
      expect(sub.handle?.pollingUrl).toBe(`${sb.url}/bfl/v1/get_result?id=${sub.handle?.id}`);
      const stages: string[] = [];
      let url = '';
      for (let i = 0; i < 200 && !url; i++) {
        const p = await bflAdapter.poll(r, sub.handle!, ctx());
        if (p.kind === 'done') {
          url = (p.outputs[0] as { url: string }).url;
          // The sandbox reports BFL's prices in credits: 2.5 for FLUX.1 [dev], 6 for Ultra.
          expect(p.cost).toEqual({ usd: r.endpoint === 'flux-dev' ? 0.025 : 0.06, source: 'reported' });
        }
        else {
          stages.push(p.stage);
          await new Promise((res) => setTimeout(res, 10));
        }
      }
      expect(stages.join(',')).toMatch(/^(queued,?)*(running,?)*$/); // never back to queued
      const res = await fetch(url);
      expect(res.headers.get('content-type')).toBe('image/png');
      const img = await Jimp.fromBuffer(Buffer.from(await res.arrayBuffer()));
      const { width, height, data } = img.bitmap;
      if (r.endpoint === 'flux-pro-1.1-ultra') expect(width / height).toBeCloseTo(16 / 9, 1);
      else expect(width / height).toBeCloseTo(1.5, 1);
      const row = Math.floor(height / 2) * width * 4;
      const at = (x: number) => (data[row + x * 4] ?? 0) + (data[row + x * 4 + 1] ?? 0) + (data[row + x * 4 + 2] ?? 0);
      expect(at(Math.floor(width / 4))).toBeLessThan(at(Math.floor((3 * width) / 4)) - 100);
    }
    const submitted = sb.requests.filter((q) => q.method === 'POST');
    expect(submitted.map((q) => q.headers['x-key'])).toEqual(['sandbox', 'sandbox']);
  });

  it('checks keys and maps sandbox faults, moderation and validation', async () => {
    await bflAdapter.testKey(ctx());
    await expect(bflAdapter.testKey({ ...ctx(), key: '' })).rejects.toMatchObject({ kind: 'bad_key' });
    const r = route('flux-pro-1.1-ultra');
    sb.injectFault({ provider: 'bfl', on: 'submit', status: 429 });
    await expect(bflAdapter.submit(r, panelInput(r, PNG), ctx())).rejects.toMatchObject({ kind: 'rate_limited', retryAfterMs: 5000 });
    sb.injectFault({ provider: 'bfl', on: 'submit', status: 402 });
    await expect(bflAdapter.submit(r, panelInput(r, PNG), ctx())).rejects.toMatchObject({ kind: 'out_of_credit' });
    await expect(bflAdapter.submit(r, { ...panelInput(r, PNG), strength: 2 }, ctx())).rejects.toMatchObject({ kind: 'invalid_input', message: expect.stringContaining('image_prompt_strength') });
    const sub = await bflAdapter.submit(r, panelInput(r, PNG), ctx());
    sb.injectFault({ provider: 'bfl', on: 'status', status: 200, body: { id: sub.handle?.id, status: 'Content Moderated', result: null } });
    await expect(bflAdapter.poll(r, sub.handle!, ctx())).rejects.toMatchObject({ kind: 'moderated' });
    await expect(bflAdapter.poll(r, { id: 'nope', pollingUrl: `${sb.url}/bfl/v1/get_result?id=nope` }, ctx())).rejects.toMatchObject({ kind: 'bad_reply' });
  });
});
