// @vitest-environment node
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Jimp, JimpMime } from 'jimp';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import { OPENROUTER_MODELS, UPSTREAM_FAIL_MARKER } from '../../sandbox/providers/openrouter';

/**
 * The OpenRouter sandbox speaks the Image API as OpenRouter documents it (see the header of
 * sandbox/providers/openrouter.ts): it answers a valid request with b64_json PNGs, media_type and
 * usage.cost, refuses malformed ones in OpenRouter's error shape, and records how many references
 * it received.
 */

let sb: Sandbox;
let base: string;
let PNG_URI: string;

beforeAll(async () => {
  sb = await startSandbox({ port: 0, timing: { queueMs: 10, runMs: 10 } });
  base = `${sb.url}/openrouter/api/v1`;
  const img = new Jimp({ width: 40, height: 30, color: 0x3366ccff });
  PNG_URI = `data:image/png;base64,${(await img.getBuffer(JimpMime.png)).toString('base64')}`;
});
afterAll(() => sb.close());
beforeEach(() => sb.reset());

const ref = (url: string) => ({ type: 'image_url', image_url: { url } });

async function post(body: unknown, headers: Record<string, string> = { Authorization: 'Bearer sk-or-v1-test' }) {
  const res = await fetch(`${base}/images`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const errorOf = (b: Record<string, unknown>) => b.error as { code: number; message: string; metadata?: Record<string, unknown> };

describe('OpenRouter sandbox: POST /api/v1/images', () => {
  it('answers n PNGs as b64_json with media_type, usage.cost, and records the references received', async () => {
    const { status, body } = await post({ model: 'openai/gpt-image-2', prompt: 'a cat', n: 2, aspect_ratio: '16:9', input_references: [ref(PNG_URI), ref(PNG_URI)] });
    expect(status).toBe(200);
    const data = body.data as Array<{ b64_json: string; media_type: string }>;
    expect(data).toHaveLength(2);
    for (const d of data) {
      expect(d.media_type).toBe('image/png');
      const bytes = Buffer.from(d.b64_json, 'base64');
      expect(bytes.readUInt32BE(0)).toBe(0x89504e47);
      const img = await Jimp.fromBuffer(bytes);
      expect(img.bitmap.width / img.bitmap.height).toBeCloseTo(16 / 9, 1);
    }
    expect(typeof body.created).toBe('number');
    expect(body.usage).toMatchObject({ cost: 0.106, total_tokens: expect.any(Number) });
    const recorded = sb.requests.find((r) => r.provider === 'openrouter' && r.method === 'POST');
    expect(recorded?.referencesReceived).toEqual({ reference: 2 });
  });

  it('makes an image from the prompt alone', async () => {
    const { status, body } = await post({ model: 'bytedance-seed/seedream-4.5', prompt: 'a lighthouse', seed: 7 });
    expect(status).toBe(200);
    expect(body.data).toHaveLength(1);
    expect(sb.requests.at(-1)?.referencesReceived).toBeUndefined();
  });

  it('wants a Bearer key', async () => {
    const none = await post({ model: 'openai/gpt-image-2', prompt: 'a cat' }, {});
    expect(none.status).toBe(401);
    expect(errorOf(none.body)).toEqual({ code: 401, message: 'Missing Authentication header' });
    expect((await post({ model: 'openai/gpt-image-2', prompt: 'a cat' }, { Authorization: 'Bearer bad' })).status).toBe(401);
  });

  it.each([
    ['no model', { prompt: 'a cat' }, /model/],
    ['an unknown model', { model: 'openai/gpt-image-9', prompt: 'a cat' }, /is not a valid model ID/],
    ['an empty prompt', { model: 'openai/gpt-image-2', prompt: '' }, /prompt/],
    ['n above 10', { model: 'openai/gpt-image-2', prompt: 'a cat', n: 11 }, /^n:/],
    ['n > 1 on a single-image model', { model: 'google/gemini-3.1-flash-image', prompt: 'a cat', n: 2 }, /n > 1/],
    ['an aspect ratio outside the enum', { model: 'openai/gpt-image-2', prompt: 'a cat', aspect_ratio: '7:5' }, /aspect_ratio/],
    ['a seed that is not an integer', { model: 'bytedance-seed/seedream-4.5', prompt: 'a cat', seed: 1.5 }, /seed/],
    ['a misspelt field', { model: 'openai/gpt-image-2', prompt: 'a cat', inputReferences: [] }, /inputReferences/],
    ['a bare URL string as a reference', { model: 'openai/gpt-image-2', prompt: 'a cat', input_references: ['data:image/png;base64,AAAA'] }, /input_references\[0\]/],
    ['a data URL that is not an image', { model: 'openai/gpt-image-2', prompt: 'a cat', input_references: [ref('data:text/plain;base64,aGVsbG8=')] }, /input_references\[0\]/],
    ['a reference on the internet', { model: 'openai/gpt-image-2', prompt: 'a cat', input_references: [ref('https://example.com/cat.png')] }, /localhost/],
  ])('refuses %s with 400', async (_what, body, message) => {
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(errorOf(res.body).code).toBe(400);
    expect(errorOf(res.body).message).toMatch(message);
  });

  it('takes at most 16 references, and no more than the model itself does', async () => {
    const seventeen = Array.from({ length: 17 }, () => ref(PNG_URI));
    expect(errorOf((await post({ model: 'openai/gpt-image-2', prompt: 'a cat', input_references: seventeen })).body).message).toMatch(/at most 16/);
    const nine = Array.from({ length: 9 }, () => ref(PNG_URI));
    const flux = await post({ model: 'black-forest-labs/flux.2-pro', prompt: 'a cat', input_references: nine });
    expect(flux.status).toBe(400);
    expect(errorOf(flux.body).message).toMatch(/at most 8/);
  });

  it('fails a prompt with the upstream-failure marker with 502, and flags the unsafe marker with 403 reasons', async () => {
    const failed = await post({ model: 'openai/gpt-image-2', prompt: `a cat ${UPSTREAM_FAIL_MARKER}` });
    expect(failed.status).toBe(502);
    expect(errorOf(failed.body)).toEqual({ code: 502, message: 'Provider returned error' });
    const flagged = await post({ model: 'openai/gpt-image-2', prompt: 'a cat [sandbox:unsafe]' });
    expect(flagged.status).toBe(403);
    expect(errorOf(flagged.body).metadata).toMatchObject({ reasons: ['sexual'], model_slug: 'openai/gpt-image-2' });
  });

  it('answers a retired model with 404 "No endpoints found" and leaves it out of the listing', async () => {
    sb.retire('openrouter', 'google/gemini-3-pro-image');
    const res = await post({ model: 'google/gemini-3-pro-image', prompt: 'a cat' });
    expect(res.status).toBe(404);
    expect(errorOf(res.body).message).toBe('No endpoints found for google/gemini-3-pro-image.');
    const list = (await (await fetch(`${base}/images/models`)).json()) as { data: Array<{ id: string }> };
    expect(list.data.map((m) => m.id)).not.toContain('google/gemini-3-pro-image');
  });

  it('answers injected faults in OpenRouter\u2019s shape', async () => {
    sb.injectFault({ provider: 'openrouter', on: 'submit', status: 402 });
    const res = await post({ model: 'openai/gpt-image-2', prompt: 'a cat' });
    expect(res.status).toBe(402);
    expect(errorOf(res.body)).toEqual({ code: 402, message: 'Insufficient credits. Add more using https://openrouter.ai/credits' });
  });
});

describe('OpenRouter sandbox: model list and key', () => {
  it('lists every served image model without a key, with supported parameters', async () => {
    const res = await fetch(`${base}/images/models`);
    expect(res.status).toBe(200);
    const list = (await res.json()) as { data: Array<Record<string, unknown>> };
    expect(list.data.map((m) => m.id)).toEqual(OPENROUTER_MODELS.map((m) => m.id));
    expect(list.data[0]).toMatchObject({
      architecture: { input_modalities: ['text', 'image'], output_modalities: ['image'] },
      supported_parameters: { aspect_ratio: { type: 'enum' } },
      supports_streaming: false,
      endpoints: '/api/v1/images/models/openai/gpt-image-2/endpoints',
    });
  });

  it('describes the key on GET /api/v1/key, and refuses a missing key', async () => {
    const ok = await fetch(`${base}/key`, { headers: { Authorization: 'Bearer sk-or-v1-test' } });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { data: Record<string, unknown> }).data).toHaveProperty('limit_remaining');
    expect((await fetch(`${base}/key`)).status).toBe(401);
  });
});

describe('OpenRouter sandbox: POST /api/v1/chat/completions (describing)', () => {
  const imagePart = (url: string, detail?: string) => ({ type: 'image_url', image_url: { url, ...(detail ? { detail } : {}) } });
  const userMessage = (...content: unknown[]) => ({ role: 'user', content });
  const describeBody = (over: Record<string, unknown> = {}) => ({
    model: 'openai/gpt-4o-mini',
    max_completion_tokens: 200,
    messages: [userMessage({ type: 'text', text: 'Describe this picture.' }, imagePart(PNG_URI, 'low'))],
    ...over,
  });

  async function chat(body: unknown, headers: Record<string, string> = { Authorization: 'Bearer sk-or-v1-test' }) {
    const res = await fetch(`${base}/chat/completions`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  it('answers a chat.completion whose words come from the image, and records the image', async () => {
    const { status, body } = await chat(describeBody());
    expect(status).toBe(200);
    expect(body).toMatchObject({ object: 'chat.completion', model: 'openai/gpt-4o-mini', system_fingerprint: null });
    const choices = body.choices as Array<{ finish_reason: string; message: { role: string; content: string } }>;
    expect(choices).toHaveLength(1);
    expect(choices[0]!.finish_reason).toBe('stop');
    expect(choices[0]!.message.role).toBe('assistant');
    // The test image is a flat blue.
    expect(choices[0]!.message.content).toMatch(/blue/);
    expect(body.usage).toMatchObject({ completion_tokens: expect.any(Number), total_tokens: expect.any(Number) });
    const recorded = sb.requests.find((r) => r.path === '/openrouter/api/v1/chat/completions');
    expect(recorded?.method).toBe('POST');
    expect(recorded?.referencesReceived).toEqual({ reference: 1 });
  });

  it('stops at the token cap with finish_reason "length" (a token is a word here)', async () => {
    const { body } = await chat(describeBody({ max_completion_tokens: undefined, max_tokens: 3 }));
    const choice = (body.choices as Array<{ finish_reason: string; message: { content: string } }>)[0]!;
    expect(choice.message.content.split(' ')).toHaveLength(3);
    expect(choice.finish_reason).toBe('length');
  });

  it('wants a Bearer key', async () => {
    const none = await chat(describeBody(), {});
    expect(none.status).toBe(401);
    expect(errorOf(none.body)).toEqual({ code: 401, message: 'Missing Authentication header' });
    expect((await chat(describeBody(), { Authorization: 'Bearer bad' })).status).toBe(401);
  });

  // Bodies are made when each test runs (PNG_URI comes from beforeAll); SOME_URI stands in where
  // the request fails before any image is read.
  const SOME_URI = 'data:image/png;base64,iVBORw0KGgo=';
  it.each([
    ['no messages', () => describeBody({ messages: [] }), /messages/],
    ['messages that are not an array', () => describeBody({ messages: 'describe this' }), /messages/],
    ['a message without a role', () => describeBody({ messages: [{ content: 'hi' }] }), /role/],
    ['content that is neither text nor parts', () => describeBody({ messages: [{ role: 'user', content: 42 }] }), /content/],
    ['a text part without text', () => describeBody({ messages: [userMessage({ type: 'text' })] }), /text/],
    ['an image part without a url', () => describeBody({ messages: [userMessage({ type: 'image_url', image_url: {} })] }), /image_url\.url/],
    ['an image part written the SDK way (imageUrl)', () => describeBody({ messages: [userMessage({ type: 'image_url', imageUrl: { url: SOME_URI } })] }), /image_url\.url/],
    ['an unknown detail', () => describeBody({ messages: [userMessage(imagePart(SOME_URI, 'medium'))] }), /detail/],
    ['an unknown part type', () => describeBody({ messages: [userMessage({ type: 'picture', url: SOME_URI })] }), /type/],
    ['a data URL that is not an image', () => describeBody({ messages: [userMessage(imagePart('data:text/plain;base64,aGVsbG8='))] }), /image/],
    ['no model', () => describeBody({ model: undefined }), /model/],
    ['a model that is not a vision model here', () => describeBody({ model: 'openai/gpt-image-2' }), /is not a valid model ID/],
    ['a token cap below 1', () => describeBody({ max_completion_tokens: 0 }), /max_completion_tokens/],
    ['a misspelt field', () => describeBody({ maxTokens: 200 }), /maxTokens/],
  ])('refuses %s with 400', async (_what, body, message) => {
    const res = await chat(body());
    expect(res.status).toBe(400);
    expect(errorOf(res.body).code).toBe(400);
    expect(errorOf(res.body).message).toMatch(message);
  });

  it('answers a retired vision model with 404 "No endpoints found", and injected faults in OpenRouter\u2019s shape', async () => {
    sb.retire('openrouter', 'openai/gpt-4o-mini');
    const gone = await chat(describeBody());
    expect(gone.status).toBe(404);
    expect(errorOf(gone.body).message).toBe('No endpoints found for openai/gpt-4o-mini.');
    sb.reset();
    sb.injectFault({ provider: 'openrouter', on: 'chat', status: 429 });
    const limited = await chat(describeBody());
    expect(limited.status).toBe(429);
    expect(errorOf(limited.body).code).toBe(429);
  });
});
