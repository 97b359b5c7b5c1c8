// @vitest-environment node
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Jimp } from 'jimp';
import { MODELS, type RouteSpec } from '@/utils/models';
import { openaiAdapter, tryAgainMs } from '@/utils/providers/openai';
import type { GenerationInput, PreparedImage, ProviderContext } from '@/utils/providers/types';
import { startSandbox, type Sandbox } from '../../../sandbox/server.ts';
import { fakeFetch, json, makeImage } from './scripted-fetch';

// ---- helpers ---------------------------------------------------------------------------


const KEY = 'sk-proj-contract-test-000000000000';
const BASE = 'https://api.openai.com';
const ctxWith = (f: typeof fetch, baseUrl = BASE): ProviderContext => ({ fetch: f, baseUrl, key: KEY });
const apiError = (status: number, message: string, type: string, code: string | null, param: string | null = null, headers: Record<string, string> = {}) =>
  json(status, { error: { message, type, param, code } }, headers);

const ROUTES = MODELS.flatMap((m) => m.routes.filter((r) => r.provider === 'openai').map((r) => ({ model: m.id, route: r })));
const R = ROUTES[0]!.route;

function panelInput(route: RouteSpec, image: PreparedImage): GenerationInput {
  return { prompt: 'turn this into a watercolor poster that says HELLO', image, aspectRatio: '1536x1024', numImages: Math.min(2, route.maxImages) };
}

let PNG: PreparedImage;
let PNG_BYTES: Buffer;
beforeAll(async () => {
  PNG = await makeImage(48, 32, 'image/png');
  PNG_BYTES = Buffer.from(await PNG.blob.arrayBuffer());
});

// ---- wire form -------------------------------------------------------------------------------

describe('OpenAI adapter: request wire form', () => {
  it('has one route: ChatGPT Image via v1/images/edits, synchronous', () => {
    expect(ROUTES.map((r) => `${r.model} ${r.route.endpoint}`)).toEqual(['chatgpt-image v1/images/edits']);
    expect(openaiAdapter.mode).toBe('sync');
    expect(R.aspectRatios).toEqual(['1024x1024', '1536x1024', '1024x1536', 'auto']);
    expect(R.input.formats).toEqual(['image/png', 'image/webp', 'image/jpeg']);
  });

  it('POSTs multipart to /v1/images/edits with Bearer auth: model, prompt, image[], n, size', async () => {
    const { fetch, calls } = fakeFetch(json(200, { created: 1, data: [{ b64_json: PNG_BYTES.toString('base64') }] }));
    await openaiAdapter.submit(R, panelInput(R, PNG), ctxWith(fetch));
    expect(calls).toHaveLength(1);
    const c = calls[0]!;
    expect(c.url).toBe('https://api.openai.com/v1/images/edits');
    expect(c.method).toBe('POST');
    expect(c.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(c.headers['content-type']).toBeUndefined(); // fetch writes multipart/form-data; boundary=...
    expect(c.init.credentials).toBe('omit');
    expect(c.body).toBeInstanceOf(FormData);
    const form = c.body as FormData;
    expect([...form.keys()]).toEqual(['model', 'prompt', 'image[]', 'n', 'size']);
    expect(form.get('model')).toBe('gpt-image-1');
    expect(form.get('prompt')).toBe('turn this into a watercolor poster that says HELLO');
    expect(form.get('n')).toBe('2');
    expect(form.get('size')).toBe('1536x1024');
    const file = form.getAll('image[]');
    expect(file).toHaveLength(1);
    expect(file[0]).toBeInstanceOf(File);
    expect((file[0] as File).name).toBe('reference.png');
    expect((file[0] as File).type).toBe('image/png');
    expect(Buffer.from(await (file[0] as File).arrayBuffer()).equals(PNG_BYTES)).toBe(true);

    // Multipart really serialises with the field names OpenAI documents.
    const raw = await new Response(form).text();
    expect(raw).toContain('name="image[]"; filename="reference.png"');
    expect(raw).toContain('Content-Type: image/png');
  });

  it('names JPEG and WEBP parts by their type, and leaves size out when none is chosen', async () => {
    for (const [mime, name] of [
      ['image/jpeg', 'reference.jpg'],
      ['image/webp', 'reference.webp'],
    ] as const) {
      const { fetch, calls } = fakeFetch(json(200, { data: [{ b64_json: PNG_BYTES.toString('base64') }] }));
      await openaiAdapter.submit(R, { ...panelInput(R, await makeImage(16, 16, mime)), aspectRatio: undefined, numImages: 1 }, ctxWith(fetch));
      const form = calls[0]!.body as FormData;
      expect((form.get('image[]') as File).name).toBe(name);
      expect((form.get('image[]') as File).type).toBe(mime);
      expect(form.has('size')).toBe(false);
      expect(form.get('n')).toBe('1');
    }
  });

  it('refuses to send without an image', async () => {
    const { fetch, calls } = fakeFetch();
    await expect(openaiAdapter.submit(R, { ...panelInput(R, PNG), image: null }, ctxWith(fetch))).rejects.toMatchObject({ kind: 'invalid_input' });
    expect(calls).toHaveLength(0);
  });

  it('checks the key with GET /v1/models', async () => {
    const { fetch, calls } = fakeFetch(json(200, { object: 'list', data: [] }));
    await openaiAdapter.testKey(ctxWith(fetch));
    expect(calls.map((c) => [c.method, c.url, c.headers.authorization])).toEqual([['GET', `${BASE}/v1/models`, `Bearer ${KEY}`]]);
  });

  it('follows a configured base URL with a path (proxies, the sandbox)', async () => {
    const { fetch, calls } = fakeFetch(json(200, { data: [{ b64_json: PNG_BYTES.toString('base64') }] }));
    await openaiAdapter.submit(R, panelInput(R, PNG), ctxWith(fetch, 'https://gateway.example.com/openai/'));
    expect(calls[0]!.url).toBe('https://gateway.example.com/openai/v1/images/edits');
  });
});

// ---- replies ----------------------------------------------------------------------------------

describe('OpenAI adapter: replies', () => {
  const submit = (res: Response) => openaiAdapter.submit(R, panelInput(R, PNG), ctxWith(fakeFetch(res).fetch));

  it('decodes data[].b64_json into image blobs (PNG unless output_format says otherwise)', async () => {
    const out = await submit(json(200, { created: 1713833628, data: [{ b64_json: PNG_BYTES.toString('base64') }, { b64_json: PNG_BYTES.toString('base64') }], usage: { total_tokens: 100 } }));
    expect(out.kind).toBe('done');
    const outputs = out.kind === 'done' ? out.outputs : [];
    expect(outputs).toHaveLength(2);
    for (const o of outputs) {
      expect(o.kind).toBe('blob');
      const blob = (o as { blob: Blob }).blob;
      expect(blob.type).toBe('image/png');
      expect(Buffer.from(await blob.arrayBuffer()).equals(PNG_BYTES)).toBe(true);
    }
    const jpeg = await submit(json(200, { data: [{ b64_json: PNG_BYTES.toString('base64') }], output_format: 'jpeg' }));
    expect(jpeg.kind === 'done' && (jpeg.outputs[0] as { blob: Blob }).blob.type).toBe('image/jpeg');
    await expect(submit(json(200, { data: [{ url: 'https://example.com/x.png' }] }))).rejects.toMatchObject({ kind: 'bad_reply', message: expect.stringContaining('OpenAI') });
    await expect(submit(json(200, { data: [] }))).rejects.toMatchObject({ kind: 'bad_reply' });
  });

  it('maps documented errors', async () => {
    const badKey = submit(apiError(401, `Incorrect API key provided: ${KEY.slice(0, 8)}***0000. You can find your API key at https://platform.openai.com/account/api-keys.`, 'invalid_request_error', 'invalid_api_key'));
    await expect(badKey).rejects.toMatchObject({ kind: 'bad_key', message: 'OpenAI did not accept the API key.', provider: 'OpenAI' });
    await expect(
      submit(apiError(403, 'Your organization must be verified to use the model `gpt-image-1`.', 'invalid_request_error', null)),
    ).rejects.toMatchObject({ kind: 'bad_key', message: expect.stringContaining('must be verified') });
    await expect(
      submit(apiError(429, 'You exceeded your current quota, please check your plan and billing details.', 'insufficient_quota', 'insufficient_quota')),
    ).rejects.toMatchObject({ kind: 'out_of_credit', message: expect.stringMatching(/^OpenAI: You exceeded your current quota/) });
    await expect(
      submit(apiError(429, 'Rate limit reached for gpt-image-1 on images per minute (IPM): Limit 5, Used 5, Requested 1. Please try again in 12s.', 'requests', 'rate_limit_exceeded')),
    ).rejects.toMatchObject({ kind: 'rate_limited', retryAfterMs: 12_000 });
    await expect(submit(apiError(429, 'Slow down.', 'requests', 'rate_limit_exceeded', null, { 'Retry-After': '3' }))).rejects.toMatchObject({ kind: 'rate_limited', retryAfterMs: 3000 });
    await expect(
      submit(apiError(400, 'Your request was rejected by the safety system. safety_violations=[violence].', 'image_generation_user_error', 'moderation_blocked')),
    ).rejects.toMatchObject({ kind: 'moderated', message: expect.stringContaining('OpenAI') });
    await expect(submit(apiError(400, 'Your request was rejected as a result of our safety system.', 'invalid_request_error', 'content_policy_violation'))).rejects.toMatchObject({ kind: 'moderated' });
    await expect(
      submit(apiError(400, "Invalid value: '512x512'. Supported values are: '1024x1024', '1024x1536', '1536x1024', and 'auto'.", 'invalid_request_error', 'invalid_value', 'size')),
    ).rejects.toMatchObject({ kind: 'invalid_input', message: expect.stringMatching(/^OpenAI: Invalid value: '512x512'/) });
    await expect(submit(apiError(500, 'The server had an error while processing your request. Sorry about that!', 'server_error', null))).rejects.toMatchObject({ kind: 'provider_down', message: expect.stringContaining('OpenAI') });
  });

  it('reads "try again in ..." hints', () => {
    expect(tryAgainMs('Please try again in 12s.')).toBe(12_000);
    expect(tryAgainMs('Please try again in 1.5s.')).toBe(1500);
    expect(tryAgainMs('Please try again in 120ms.')).toBe(120);
    expect(tryAgainMs('Please try again in 1m30s.')).toBe(90_000);
    expect(tryAgainMs('no hint here')).toBeUndefined();
  });

  it('has nothing to poll', async () => {
    await expect(openaiAdapter.poll(R, {}, ctxWith(fakeFetch().fetch))).rejects.toMatchObject({ kind: 'internal' });
  });
});

// ---- end to end against the sandbox ---------------------------------------------------------

describe('OpenAI adapter against the sandbox', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox({ port: 0, timing: { queueMs: 50, runMs: 50 } });
  });
  afterAll(() => sb.close());
  beforeEach(() => sb.reset());
  const ctx = () => ({ fetch: globalThis.fetch, baseUrl: `${sb.url}/openai`, key: 'sandbox' });

  it('edits the reference into PNGs of the chosen size in one call', async () => {
    const ref = await makeImage(120, 80, 'image/jpeg');
    const started = Date.now();
    const out = await openaiAdapter.submit(R, panelInput(R, ref), ctx());
    expect(Date.now() - started).toBeGreaterThanOrEqual(90); // the call itself takes the work time
    expect(out.kind).toBe('done');
    const outputs = out.kind === 'done' ? out.outputs : [];
    expect(outputs).toHaveLength(2);
    for (const o of outputs) {
      const blob = (o as { blob: Blob }).blob;
      expect(blob.type).toBe('image/png');
      const img = await Jimp.fromBuffer(Buffer.from(await blob.arrayBuffer()));
      expect(img.bitmap.width / img.bitmap.height).toBeCloseTo(1.5, 1);
      const row = Math.floor(img.bitmap.height / 2) * img.bitmap.width * 4;
      const at = (x: number) => (img.bitmap.data[row + x * 4] ?? 0) + (img.bitmap.data[row + x * 4 + 1] ?? 0) + (img.bitmap.data[row + x * 4 + 2] ?? 0);
      expect(at(Math.floor(img.bitmap.width / 4))).toBeLessThan(at(Math.floor((3 * img.bitmap.width) / 4)) - 100);
    }
    const rec = sb.requests.find((q) => q.provider === 'openai');
    expect(rec?.headers.authorization).toBe('Bearer sandbox');
    expect(rec?.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
  });

  it('checks keys and maps sandbox faults and validation', async () => {
    await openaiAdapter.testKey(ctx());
    await expect(openaiAdapter.testKey({ ...ctx(), key: '' })).rejects.toMatchObject({ kind: 'bad_key' });
    sb.injectFault({ provider: 'openai', on: 'submit', status: 400 });
    await expect(openaiAdapter.submit(R, panelInput(R, PNG), ctx())).rejects.toMatchObject({ kind: 'moderated' });
    sb.injectFault({ provider: 'openai', on: 'submit', status: 429 });
    await expect(openaiAdapter.submit(R, panelInput(R, PNG), ctx())).rejects.toMatchObject({ kind: 'rate_limited', retryAfterMs: 12_000 });
    sb.injectFault({ provider: 'openai', on: 'submit', status: 429, body: { error: { message: 'You exceeded your current quota.', type: 'insufficient_quota', param: null, code: 'insufficient_quota' } } });
    await expect(openaiAdapter.submit(R, panelInput(R, PNG), ctx())).rejects.toMatchObject({ kind: 'out_of_credit' });
    await expect(openaiAdapter.submit(R, { ...panelInput(R, PNG), numImages: 11 }, ctx())).rejects.toMatchObject({ kind: 'invalid_input', message: expect.stringContaining("Invalid 'n'") });
  });
});
