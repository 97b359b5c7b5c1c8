// @vitest-environment node
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Jimp, JimpMime } from 'jimp';
import { MODELS, toRouteStrength, type RouteSpec } from '@/utils/models';
import { DATA_URI_MAX_BYTES, replicateAdapter, throttleResetMs } from '@/utils/providers/replicate';
import type { GenerationInput, PreparedImage, ProviderContext, ProviderHandle, ProviderOutput } from '@/utils/providers/types';
import { startSandbox, type Sandbox } from '../../../sandbox/server';
import { errorOf, fakeFetch, jsonResponse } from './contract-helpers';

// ---- helpers ---------------------------------------------------------------------------


/** A real image: left half black, right half white (or noise, which does not compress). */
async function makeImage(width: number, height: number, mime: 'image/png' | 'image/jpeg', noise = false): Promise<PreparedImage> {
  const img = new Jimp({ width, height, color: 0xffffffff });
  const d = img.bitmap.data;
  let seed = 42;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      if (noise) {
        for (let c = 0; c < 3; c++) {
          seed = (seed * 1103515245 + 12345) >>> 0;
          d[i + c] = seed >>> 24;
        }
      } else if (x < width / 2) {
        d[i] = d[i + 1] = d[i + 2] = 0;
      }
    }
  }
  const buf = await img.getBuffer(mime === 'image/png' ? JimpMime.png : JimpMime.jpeg);
  return { blob: new Blob([new Uint8Array(buf)], { type: mime }), mime, width, height };
}

const dataUri = async (img: PreparedImage) => `data:${img.mime};base64,${Buffer.from(await img.blob.arrayBuffer()).toString('base64')}`;

const KEY = 'r8_contract_test_token';
const BASE = 'https://api.replicate.com';
const ctxWith = (f: typeof fetch, baseUrl = BASE): ProviderContext => ({ fetch: f, baseUrl, key: KEY });

/** Like the panel: "Reference strength" 0.7, 16:9 when offered, two images, a fixed seed. */
function panelInput(route: RouteSpec, image: PreparedImage): GenerationInput {
  return {
    prompt: 'a lighthouse at dusk, oil painting',
    image,
    strength: route.strength ? toRouteStrength(route.strength, 0.7) : undefined,
    aspectRatio: route.aspectRatios?.includes('16:9') ? '16:9' : undefined,
    numImages: Math.min(2, route.maxImages),
    seed: route.seed ? 1234 : undefined,
  };
}

const REPLICATE_ROUTES = MODELS.flatMap((m) => m.routes.filter((r) => r.provider === 'replicate').map((r) => ({ model: m.id, route: r })));
const route = (endpoint: string) => {
  const r = REPLICATE_ROUTES.find((x) => x.route.endpoint === endpoint)?.route;
  if (!r) throw new Error(`no route ${endpoint}`);
  return r;
};

const prediction = (status: string, extra: Record<string, unknown> = {}) => ({
  id: 'gm3qorzdhgbfurvjtvhg6dckhu',
  model: 'black-forest-labs/flux-dev',
  version: 'hidden',
  input: {},
  logs: '',
  output: null,
  data_removed: false,
  error: null,
  status,
  created_at: '2026-11-24T10:00:00.000Z',
  urls: {
    get: `${BASE}/v1/predictions/gm3qorzdhgbfurvjtvhg6dckhu`,
    cancel: `${BASE}/v1/predictions/gm3qorzdhgbfurvjtvhg6dckhu/cancel`,
    web: 'https://replicate.com/p/gm3qorzdhgbfurvjtvhg6dckhu',
  },
  ...extra,
});

const HANDLE: ProviderHandle = {
  id: 'gm3qorzdhgbfurvjtvhg6dckhu',
  getUrl: `${BASE}/v1/predictions/gm3qorzdhgbfurvjtvhg6dckhu`,
  cancelUrl: `${BASE}/v1/predictions/gm3qorzdhgbfurvjtvhg6dckhu/cancel`,
};

// ---- the wire form of every (model, route) pair ------------------------------------------

/** What Replicate's model schemas expect, written out by hand (not derived from the adapter). */
const EXPECTED_INPUT: Record<string, (uri: string) => Record<string, unknown>> = {
  'black-forest-labs/flux-dev': (uri) => ({ prompt: 'a lighthouse at dusk, oil painting', image: uri, prompt_strength: 0.3, num_outputs: 2, seed: 1234 }),
  'black-forest-labs/flux-1.1-pro-ultra': (uri) => ({ prompt: 'a lighthouse at dusk, oil painting', image_prompt: uri, image_prompt_strength: 0.7, aspect_ratio: '16:9', seed: 1234 }),
  'ideogram-ai/ideogram-character': (uri) => ({ prompt: 'a lighthouse at dusk, oil painting', character_reference_image: uri, seed: 1234 }),
  'minimax/image-01': (uri) => ({ prompt: 'a lighthouse at dusk, oil painting', subject_reference: uri, number_of_images: 2, aspect_ratio: '16:9' }),
  // Text only (the reference reaches it described, in the prompt): no image, no count field.
  'bytedance/dreamina-3.1': () => ({ prompt: 'a lighthouse at dusk, oil painting', seed: 1234 }),
};

describe('Replicate adapter: request wire form', () => {
  it('covers every Replicate route in the catalogue', () => {
    expect(REPLICATE_ROUTES.map((r) => r.route.endpoint).sort()).toEqual(Object.keys(EXPECTED_INPUT).sort());
    expect(REPLICATE_ROUTES.map((r) => r.model).sort()).toEqual(['dreamina-3-1', 'flux-dev', 'flux-ultra', 'ideogram-character', 'minimax-image']);
    expect(REPLICATE_ROUTES.every((r) => r.route.lifecycle.status === 'live')).toBe(true);
  });

  for (const { model, route: r } of REPLICATE_ROUTES) {
    it(`${model} via ${r.endpoint}: POST /v1/models/{owner}/{name}/predictions with Bearer auth and { input }`, async () => {
      const image = await makeImage(64, 48, r.input.formats.includes('image/png') ? 'image/png' : 'image/jpeg');
      const { fetch, calls } = fakeFetch(jsonResponse(prediction('starting'), 201));
      const out = await replicateAdapter.submit(r, panelInput(r, image), ctxWith(fetch));

      expect(calls).toHaveLength(1);
      const c = calls[0]!;
      expect(c.url).toBe(`https://api.replicate.com/v1/models/${r.endpoint}/predictions`);
      expect(c.method).toBe('POST');
      expect(c.headers.authorization).toBe(`Bearer ${KEY}`);
      expect(c.headers['content-type']).toBe('application/json');
      expect(c.headers.prefer).toBeUndefined(); // never hold the worker's fetch open
      expect(c.init.credentials).toBe('omit');
      expect(c.init.redirect).toBe('error');
      expect(JSON.parse(String(c.body))).toEqual({ input: EXPECTED_INPUT[r.endpoint]!(await dataUri(image)) });
      expect(out).toEqual({ kind: 'submitted', handle: HANDLE });
    });
  }

  it('sends the seed as given (prepareInput refuses seeds above the route\u2019s maximum)', async () => {
    const r = route('ideogram-ai/ideogram-character');
    expect(r.seed).toEqual({ max: 2 ** 31 - 1 });
    const { fetch, calls } = fakeFetch(jsonResponse(prediction('starting'), 201));
    await replicateAdapter.submit(r, { ...panelInput(r, await makeImage(8, 8, 'image/png')), seed: 2 ** 31 - 1 }, ctxWith(fetch));
    expect((JSON.parse(String(calls[0]!.body)) as { input: { seed: number } }).input.seed).toBe(2 ** 31 - 1);
  });

  it('sends a model id override in the predictions path, with the route\u2019s own inputs', async () => {
    const r = route('bytedance/dreamina-3.1');
    const { fetch, calls } = fakeFetch(jsonResponse(prediction('starting'), 201));
    await replicateAdapter.submit({ ...r, modelOverride: 'bytedance/dreamina-3.2' }, panelInput(r, PNG), ctxWith(fetch));
    expect(calls[0]!.url).toBe('https://api.replicate.com/v1/models/bytedance/dreamina-3.2/predictions');
    expect(JSON.parse(String(calls[0]!.body))).toEqual({ input: EXPECTED_INPUT['bytedance/dreamina-3.1']!('') });
  });

  it('looks models up with the free GET /v1/models/{owner}/{name}: 200 present, 404 missing', async () => {
    const { fetch, calls } = fakeFetch(jsonResponse({ url: 'https://replicate.com/bytedance/dreamina-3.1', owner: 'bytedance', name: 'dreamina-3.1' }), jsonResponse({ detail: 'Not found.', status: 404 }, 404));
    expect(await replicateAdapter.checkModels!(['bytedance/dreamina-3.1', 'bytedance/dreamina-9'], ctxWith(fetch))).toEqual({ 'bytedance/dreamina-3.1': 'present', 'bytedance/dreamina-9': 'missing' });
    expect(calls.map((c) => [c.method, c.url, c.headers.authorization])).toEqual([
      ['GET', `${BASE}/v1/models/bytedance/dreamina-3.1`, `Bearer ${KEY}`],
      ['GET', `${BASE}/v1/models/bytedance/dreamina-9`, `Bearer ${KEY}`],
    ]);
  });

  it('uploads references over ~1 MB to the Files API (multipart `content`) and passes urls.get', async () => {
    const r = route('black-forest-labs/flux-dev');
    const big = await makeImage(700, 700, 'image/png', true);
    expect(big.blob.size).toBeGreaterThan(DATA_URI_MAX_BYTES);
    const fileUrl = `${BASE}/v1/files/cneqzikepnug6xezperrr4z55o`;
    const { fetch, calls } = fakeFetch(
      jsonResponse({ id: 'cneqzikepnug6xezperrr4z55o', name: 'reference.png', content_type: 'image/png', size: big.blob.size, urls: { get: fileUrl } }, 201),
      jsonResponse(prediction('starting'), 201),
    );
    await replicateAdapter.submit(r, panelInput(r, big), ctxWith(fetch));

    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual([`POST ${BASE}/v1/files`, `POST ${BASE}/v1/models/black-forest-labs/flux-dev/predictions`]);
    const up = calls[0]!;
    expect(up.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(up.headers['content-type']).toBeUndefined(); // fetch writes the multipart boundary itself
    expect(up.body).toBeInstanceOf(FormData);
    const content = (up.body as FormData).get('content');
    expect(content).toBeInstanceOf(File);
    expect((content as File).name).toBe('reference.png');
    expect((content as File).type).toBe('image/png');
    expect(Buffer.from(await (content as File).arrayBuffer()).equals(Buffer.from(await big.blob.arrayBuffer()))).toBe(true);
    expect((JSON.parse(String(calls[1]!.body)) as { input: { image: string } }).input.image).toBe(fileUrl);
  });

  it('refuses a route without an image before sending anything', async () => {
    const r = route('black-forest-labs/flux-dev');
    const { fetch, calls } = fakeFetch();
    await expect(replicateAdapter.submit(r, { ...panelInput(r, await makeImage(8, 8, 'image/png')), image: null }, ctxWith(fetch))).rejects.toMatchObject({ kind: 'invalid_input' });
    expect(calls).toHaveLength(0);
  });

  it('polls urls.get and cancels with POST urls.cancel, both with the key', async () => {
    const { fetch, calls } = fakeFetch(jsonResponse(prediction('processing')), jsonResponse(prediction('canceled')));
    const r = route('black-forest-labs/flux-dev');
    expect(await replicateAdapter.poll(r, HANDLE, ctxWith(fetch))).toEqual({ kind: 'pending', stage: 'running' });
    await replicateAdapter.cancel!(r, HANDLE, ctxWith(fetch));
    expect(calls.map((c) => [c.method, c.url, c.headers.authorization])).toEqual([
      ['GET', HANDLE.getUrl, `Bearer ${KEY}`],
      ['POST', HANDLE.cancelUrl, `Bearer ${KEY}`],
    ]);
  });

  it('never sends the key to URLs on another origin', async () => {
    const r = route('black-forest-labs/flux-dev');
    const evil = { id: 'x', getUrl: 'https://evil.example/v1/predictions/x', cancelUrl: 'https://api.replicate.com.evil.example/v1/predictions/x/cancel' };
    const { fetch, calls } = fakeFetch();
    await expect(replicateAdapter.poll(r, evil, ctxWith(fetch))).rejects.toMatchObject({ kind: 'bad_reply', message: expect.stringContaining('Replicate') });
    await expect(replicateAdapter.cancel!(r, evil, ctxWith(fetch))).rejects.toMatchObject({ kind: 'bad_reply' });
    // A reply pointing elsewhere is stored as given but can never carry the key there.
    const sub = fakeFetch(jsonResponse(prediction('starting', { urls: { get: evil.getUrl, cancel: evil.cancelUrl } }), 201));
    const out = await replicateAdapter.submit(r, panelInput(r, await makeImage(8, 8, 'image/png')), ctxWith(sub.fetch));
    expect(out.kind).toBe('submitted');
    await expect(replicateAdapter.poll(r, out.handle!, ctxWith(fetch))).rejects.toMatchObject({ kind: 'bad_reply' });
    expect(calls).toHaveLength(0);
  });

  it('checks the key with GET /v1/account', async () => {
    const { fetch, calls } = fakeFetch(jsonResponse({ type: 'user', username: 'someone', name: 'Someone' }));
    await replicateAdapter.testKey(ctxWith(fetch));
    expect(calls.map((c) => [c.method, c.url, c.headers.authorization])).toEqual([['GET', `${BASE}/v1/account`, `Bearer ${KEY}`]]);
    const bad = fakeFetch(jsonResponse({ title: 'Unauthenticated', detail: 'You did not pass a valid authentication token', status: 401 }, 401));
    await expect(replicateAdapter.testKey(ctxWith(bad.fetch))).rejects.toMatchObject({ kind: 'bad_key', message: expect.stringContaining('Replicate') });
  });
});

// ---- replies -------------------------------------------------------------------------------

describe('Replicate adapter: replies', () => {
  const r = route('black-forest-labs/flux-dev');
  const poll = async (body: unknown, status = 200) => replicateAdapter.poll(r, HANDLE, ctxWith(fakeFetch(jsonResponse(body, status)).fetch));

  it('maps statuses: starting = queued, processing = running, succeeded = outputs', async () => {
    expect(await poll(prediction('starting'))).toEqual({ kind: 'pending', stage: 'queued' });
    expect(await poll(prediction('processing'))).toEqual({ kind: 'pending', stage: 'running' });
    const urls = ['https://replicate.delivery/xezq/a/out-0.webp', 'https://replicate.delivery/xezq/b/out-1.webp'];
    expect(await poll(prediction('succeeded', { output: urls }))).toEqual({ kind: 'done', outputs: urls.map((url): ProviderOutput => ({ kind: 'url', url })) });
    expect(await poll(prediction('succeeded', { output: urls[0] }))).toEqual({ kind: 'done', outputs: [{ kind: 'url', url: urls[0] }] });
  });

  it('answers at once when the create call already finished', async () => {
    const { fetch } = fakeFetch(jsonResponse(prediction('succeeded', { output: ['https://replicate.delivery/x/out-0.webp'] }), 201));
    const out = await replicateAdapter.submit(r, panelInput(r, await makeImage(8, 8, 'image/png')), ctxWith(fetch));
    expect(out).toEqual({ kind: 'done', outputs: [{ kind: 'url', url: 'https://replicate.delivery/x/out-0.webp' }], handle: HANDLE });
  });

  it('maps failed / canceled / aborted predictions', async () => {
    await expect(poll(prediction('failed', { error: 'NSFW content detected. Try running it again, or try a different prompt.' }))).rejects.toMatchObject({ kind: 'moderated', message: expect.stringContaining('Replicate') });
    await expect(poll(prediction('failed', { error: 'CUDA out of memory' }))).rejects.toMatchObject({ kind: 'invalid_input', message: expect.stringMatching(/Replicate.*CUDA out of memory/) });
    await expect(poll(prediction('canceled'))).rejects.toMatchObject({ kind: 'canceled' });
    await expect(poll(prediction('aborted'))).rejects.toMatchObject({ kind: 'timed_out' });
    await expect(poll(prediction('succeeded', { output: null, data_removed: true }))).rejects.toMatchObject({ kind: 'not_found' });
    await expect(poll({ status: 'succeeded' })).rejects.toMatchObject({ kind: 'bad_reply', message: expect.stringContaining('Replicate') });
  });

  it('maps documented HTTP errors', async () => {
    const submit = (res: Response) => replicateAdapter.submit(r, panelInput(r, PNG), ctxWith(fakeFetch(res).fetch));
    await expect(submit(jsonResponse({ title: 'Unauthenticated', detail: 'You did not pass a valid authentication token', status: 401 }, 401))).rejects.toMatchObject({ kind: 'bad_key', provider: 'Replicate' });
    await expect(
      submit(jsonResponse({ title: 'Billing required', detail: 'You need to set up billing to run this model. Go to https://replicate.com/account/billing#billing to set it up.', status: 402 }, 402)),
    ).rejects.toMatchObject({ kind: 'out_of_credit', message: expect.stringMatching(/^Replicate: You need to set up billing/) });
    await expect(
      submit(jsonResponse({ title: 'Input validation failed', detail: '- input.prompt_strength: Must be less than or equal to 1\n', status: 422, invalid_fields: [{ type: 'number_lte', field: 'input.prompt_strength', description: 'Must be less than or equal to 1' }] }, 422)),
    ).rejects.toMatchObject({ kind: 'invalid_input', message: 'Replicate: input.prompt_strength: Must be less than or equal to 1' });
    await expect(submit(jsonResponse({ detail: 'Request was throttled. Your rate limit resets in ~30s.' }, 429))).rejects.toMatchObject({ kind: 'rate_limited', retryAfterMs: 30_000, message: expect.stringContaining('throttled') });
    await expect(submit(jsonResponse({ detail: 'Request was throttled. Your rate limit resets in ~30s.' }, 429, { 'Retry-After': '7' }))).rejects.toMatchObject({ kind: 'rate_limited', retryAfterMs: 7000 });
    await expect(submit(jsonResponse({ detail: 'The requested resource could not be found.', status: 404 }, 404))).rejects.toMatchObject({ kind: 'route_unavailable', routeId: r.id, provider: 'Replicate' });
    await expect(submit(jsonResponse({ title: 'Internal Server Error', status: 500 }, 500))).rejects.toMatchObject({ kind: 'provider_down', message: expect.stringContaining('Replicate') });
    await expect(submit(new Response('<html>bad gateway</html>', { status: 502 }))).rejects.toMatchObject({ kind: 'provider_down' });
  });

  it('never reports route_unavailable for 429, 5xx, a timeout, or a 404 while polling', async () => {
    const submit = (res: Response) => replicateAdapter.submit(r, panelInput(r, PNG), ctxWith(fakeFetch(res).fetch));
    for (const status of [429, 500, 503, 504]) {
      expect((await errorOf(submit(jsonResponse({ detail: 'x', status }, status)))).kind, String(status)).not.toBe('route_unavailable');
    }
    const lost = await errorOf(replicateAdapter.poll(r, HANDLE, ctxWith(fakeFetch(jsonResponse({ detail: 'Not found.', status: 404 }, 404)).fetch)));
    expect(lost.kind).not.toBe('route_unavailable');
  });

  it('reports a refused upload as too large', async () => {
    const big = await makeImage(700, 700, 'image/png', true);
    const { fetch } = fakeFetch(jsonResponse({ detail: 'Files must be less than 100MB in size' }, 413));
    await expect(replicateAdapter.submit(r, panelInput(r, big), ctxWith(fetch))).rejects.toMatchObject({ kind: 'too_large' });
  });

  it('reads the reset time from the throttle text', () => {
    expect(throttleResetMs('Request was throttled. Your rate limit resets in ~30s.')).toBe(30_000);
    expect(throttleResetMs('Your rate limit resets in 2m')).toBe(120_000);
    expect(throttleResetMs('no hint')).toBeUndefined();
  });
});

let PNG: PreparedImage;
beforeAll(async () => {
  PNG = await makeImage(32, 24, 'image/png');
});

// ---- end to end against the sandbox ---------------------------------------------------------

describe('Replicate adapter against the sandbox', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox({ port: 0, timing: { queueMs: 50, runMs: 50 } });
  });
  afterAll(() => sb.close());
  beforeEach(() => sb.reset());

  const ctx = () => ({ fetch: globalThis.fetch, baseUrl: `${sb.url}/replicate`, key: 'sandbox' });

  async function runToEnd(r: RouteSpec, input: GenerationInput) {
    const sub = await replicateAdapter.submit(r, input, ctx());
    if (sub.kind === 'done') return { outputs: sub.outputs, stages: [] as string[] };
    const stages: string[] = [];
    for (let i = 0; i < 200; i++) {
      const p = await replicateAdapter.poll(r, sub.handle, ctx());
      if (p.kind === 'done') return { outputs: p.outputs, stages };
      stages.push(p.stage);
      await new Promise((res) => setTimeout(res, 10));
    }
    throw new Error('never finished');
  }

  async function lum(url: string) {
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    const img = await Jimp.fromBuffer(Buffer.from(await res.arrayBuffer()));
    const { width, height, data } = img.bitmap;
    const at = (x: number) => {
      const i = (Math.floor(height / 2) * width + x) * 4;
      return (data[i] ?? 0) + (data[i + 1] ?? 0) + (data[i + 2] ?? 0);
    };
    return { width, height, left: at(Math.floor(width / 4)), right: at(Math.floor((3 * width) / 4)) };
  }

  it('reports starting as queued and processing as running', async () => {
    const r = route('black-forest-labs/flux-dev');
    sb.setTiming({ queueMs: 60_000 });
    const starting = await replicateAdapter.submit(r, panelInput(r, PNG), ctx());
    expect(await replicateAdapter.poll(r, starting.handle!, ctx())).toEqual({ kind: 'pending', stage: 'queued' });
    sb.setTiming({ queueMs: 0, runMs: 60_000 });
    const processing = await replicateAdapter.submit(r, panelInput(r, PNG), ctx());
    expect(await replicateAdapter.poll(r, processing.handle!, ctx())).toEqual({ kind: 'pending', stage: 'running' });
  });

  it('submits and polls every route to PNGs (derived from the reference where the model takes one)', async () => {
    for (const { route: r } of REPLICATE_ROUTES) {
      const image = await makeImage(120, 80, r.input.formats.includes('image/png') ? 'image/png' : 'image/jpeg');
      const { outputs, stages } = await runToEnd(r, panelInput(r, image));
      // starting -> processing, never back (how much of each a poll sees depends on timing).
      expect(stages.join(',')).toMatch(/^(queued,?)*(running,?)*$/);
      expect(outputs, r.id).toHaveLength(Math.min(2, r.maxImages));
      for (const o of outputs) {
        expect(o.kind).toBe('url');
        const l = await lum((o as { url: string }).url);
        // Dark left half survived: the reference went through.
        if (r.imageInput === 'native') expect(l.left, r.id).toBeLessThan(l.right - 100);
      }
    }
  });

  it('accepts a seed at each route\u2019s maximum', async () => {
    for (const { route: r } of REPLICATE_ROUTES.filter((x) => x.route.seed)) {
      const max = r.seed ? r.seed.max : 0;
      const { outputs } = await runToEnd(r, { ...panelInput(r, PNG), numImages: 1, seed: max });
      expect(outputs.length, r.id).toBeGreaterThan(0);
    }
  });

  it('refuses a seed above ideogram-character\u2019s maximum, as Replicate\u2019s schema does', async () => {
    const r = route('ideogram-ai/ideogram-character');
    await expect(replicateAdapter.submit(r, { ...panelInput(r, PNG), seed: 2 ** 31 }, ctx())).rejects.toMatchObject({ kind: 'invalid_input', message: expect.stringContaining('input.seed') });
  });

  it('checks models against the sandbox and answers route_unavailable for a model it does not have', async () => {
    const ids = REPLICATE_ROUTES.map((x) => x.route.endpoint);
    const present = await replicateAdapter.checkModels!([...ids, 'bytedance/dreamina-9'], ctx());
    expect(present).toEqual({ ...Object.fromEntries(ids.map((id) => [id, 'present'])), 'bytedance/dreamina-9': 'missing' });
    const model = (await (await fetch(`${sb.url}/replicate/v1/models/bytedance/dreamina-3.1`, { headers: { Authorization: 'Bearer sandbox' } })).json()) as Record<string, unknown>;
    expect(model).toMatchObject({ url: 'https://replicate.com/bytedance/dreamina-3.1', owner: 'bytedance', name: 'dreamina-3.1', visibility: 'public', is_official: true, latest_version: { id: expect.any(String), created_at: expect.any(String) } });
    expect(typeof model.run_count).toBe('number');

    const r = route('bytedance/dreamina-3.1');
    const e = await errorOf(replicateAdapter.submit({ ...r, modelOverride: 'bytedance/dreamina-9' }, panelInput(r, PNG), ctx()));
    expect(e).toMatchObject({ kind: 'route_unavailable', routeId: r.id });

    sb.retire('replicate', 'bytedance/dreamina-3.1');
    expect(await replicateAdapter.checkModels!(['bytedance/dreamina-3.1'], ctx())).toEqual({ 'bytedance/dreamina-3.1': 'missing' });
    expect(await errorOf(replicateAdapter.submit(r, panelInput(r, PNG), ctx()))).toMatchObject({ kind: 'route_unavailable', routeId: r.id });
    const gone = await fetch(`${sb.url}/replicate/v1/models/bytedance/dreamina-3.1/predictions`, {
      method: 'POST',
      headers: { Authorization: 'Bearer sandbox', 'Content-Type': 'application/json' },
      body: JSON.stringify({ input: { prompt: 'x' } }),
    });
    expect([gone.status, await gone.json()]).toEqual([404, { detail: 'The requested resource could not be found.', status: 404 }]);
  });

  it('runs Dreamina 3.1 as text to image with its own inputs', async () => {
    const r = route('bytedance/dreamina-3.1');
    const post = (input: Record<string, unknown>) =>
      fetch(`${sb.url}/replicate/v1/models/bytedance/dreamina-3.1/predictions`, {
        method: 'POST',
        headers: { Authorization: 'Bearer sandbox', 'Content-Type': 'application/json', Prefer: 'wait=5' },
        body: JSON.stringify({ input }),
      });
    const done = (await (await post({ prompt: 'x', aspect_ratio: 'custom', width: 1600, height: 900, resolution: '2K', use_pre_llm: false })).json()) as { status: string; output: unknown };
    expect(done.status).toBe('succeeded');
    expect(typeof done.output).toBe('string'); // one URI, not a list
    const l = await lum(done.output as string);
    expect(l.width / l.height).toBeCloseTo(16 / 9, 1);
    expect((await post({ prompt: 'x', width: 4000 })).status).toBe(422);
    expect((await post({ prompt: 'x', use_pre_llm: 'yes' })).status).toBe(422);
    expect(r.imageInput).toBe('described');
  });

  it('uploads a large reference through the sandbox Files API', async () => {
    const r = route('black-forest-labs/flux-dev');
    const big = await makeImage(700, 700, 'image/png', true);
    const { outputs } = await runToEnd(r, { ...panelInput(r, big), numImages: 1 });
    expect(outputs).toHaveLength(1);
    expect(sb.requests.map((q) => `${q.method} ${q.path.split('?')[0]}`)).toContain('POST /replicate/v1/files');
    const created = sb.requests.find((q) => q.path.endsWith('/predictions'));
    expect((created?.body as { input: { image: string } }).input.image).toMatch(new RegExp(`^${sb.url}/replicate/v1/files/[a-z0-9]+$`));
  });

  it('checks keys, maps sandbox faults and surfaces validation errors', async () => {
    await replicateAdapter.testKey(ctx());
    await expect(replicateAdapter.testKey({ ...ctx(), key: '' })).rejects.toMatchObject({ kind: 'bad_key' });
    const r = route('black-forest-labs/flux-dev');
    sb.injectFault({ provider: 'replicate', on: 'submit', status: 429 });
    await expect(replicateAdapter.submit(r, panelInput(r, PNG), ctx())).rejects.toMatchObject({ kind: 'rate_limited', retryAfterMs: 30_000 });
    sb.injectFault({ provider: 'replicate', on: 'submit', status: 402 });
    await expect(replicateAdapter.submit(r, panelInput(r, PNG), ctx())).rejects.toMatchObject({ kind: 'out_of_credit' });
    await expect(replicateAdapter.submit(r, { ...panelInput(r, PNG), numImages: 9 }, ctx())).rejects.toMatchObject({
      kind: 'invalid_input',
      message: expect.stringContaining('input.num_outputs'),
    });
  });

  it('cancels a running prediction', async () => {
    sb.setTiming({ queueMs: 5000 });
    const r = route('black-forest-labs/flux-dev');
    const sub = await replicateAdapter.submit(r, panelInput(r, PNG), ctx());
    expect(sub.kind).toBe('submitted');
    await replicateAdapter.cancel!(r, sub.handle!, ctx());
    await expect(replicateAdapter.poll(r, sub.handle!, ctx())).rejects.toMatchObject({ kind: 'canceled' });
  });
});
