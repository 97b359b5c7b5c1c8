// @vitest-environment node
import { beforeAll, describe, expect, it } from 'vitest';
import { MODELS, type RouteSpec } from '@/utils/models';
import { OPENROUTER_MAX_REFERENCES, OPENROUTER_VISION_MODEL, openrouterAdapter } from '@/utils/providers/openrouter';
import type { GenerationInput, PreparedImage, PreparedReference, ProviderContext, ProviderOutput } from '@/utils/providers/types';
import { OPENROUTER_MODELS, OPENROUTER_VISION_MODELS, UPSTREAM_FAIL_MARKER } from '../../../sandbox/providers/openrouter';
import { errorOf, fakeFetch, isPng, jsonResponse, realImage, useSandbox } from './contract-helpers';

const KEY = 'sk-or-v1-contract-test-0000000000000000';
const BASE = 'https://openrouter.ai';
const ctxWith = (f: typeof fetch, baseUrl = BASE, key = KEY): ProviderContext => ({ fetch: f, baseUrl, key });
const orError = (status: number, message: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
  jsonResponse({ error: { code: status, message, ...extra }, user_id: 'user_x' }, status, headers);

const ROUTES = MODELS.flatMap((m) => m.routes.filter((r) => r.provider === 'openrouter').map((r) => ({ model: m.id, route: r })));
const byId = (id: string): RouteSpec => {
  const r = ROUTES.find((x) => x.route.id === id)?.route;
  if (!r) throw new Error(`no route ${id}`);
  return r;
};
const GPT = byId('openrouter:openai/gpt-image-2');
const SEEDREAM = byId('openrouter:bytedance-seed/seedream-4.5');

let PNG: PreparedImage;
let JPEG: PreparedImage;
let PNG_BYTES: Buffer;
let JPEG_BYTES: Buffer;
beforeAll(async () => {
  PNG = await realImage('image/png', 48, 32);
  JPEG = await realImage('image/jpeg', 40, 40);
  PNG_BYTES = Buffer.from(await PNG.blob.arrayBuffer());
  JPEG_BYTES = Buffer.from(await JPEG.blob.arrayBuffer());
});

/** The panel with two references in the tray (a content image and a style image), 16:9, two images. */
function panelInput(route: RouteSpec, over: Partial<GenerationInput> = {}): GenerationInput {
  const images: PreparedReference[] = [
    { ...PNG, role: 'content' },
    { ...JPEG, role: 'style' },
  ];
  return {
    prompt: 'the cat from the first picture, painted in the style of the second',
    image: images[0]!,
    images,
    aspectRatio: '16:9',
    numImages: Math.min(2, route.maxImages),
    seed: 1234,
    ...over,
  };
}

const okReply = (images: Array<{ bytes: Buffer; media_type?: string }>, cost?: number) =>
  jsonResponse({
    created: 1_765_000_000,
    data: images.map((i) => ({ b64_json: i.bytes.toString('base64'), ...(i.media_type ? { media_type: i.media_type } : {}) })),
    usage: { prompt_tokens: 0, completion_tokens: 4175, total_tokens: 4175, ...(cost !== undefined ? { cost } : {}) },
  });

function dataUriBytes(uri: string): { mime: string; bytes: Buffer } {
  const m = /^data:([^;,]+);base64,(.*)$/.exec(uri);
  if (!m) throw new Error(`not a data URI: ${uri.slice(0, 40)}`);
  return { mime: m[1]!, bytes: Buffer.from(m[2]!, 'base64') };
}

async function bytesOf(o: ProviderOutput): Promise<Buffer> {
  if (o.kind !== 'blob') throw new Error('expected a blob');
  return Buffer.from(await o.blob.arrayBuffer());
}

describe('OpenRouter routes in the catalogue', () => {
  it('serves ChatGPT Image, Imagen 3, Seedream v3 and Flux Ultra (FLUX.2 [pro]), each live and after the existing routes', () => {
    expect(ROUTES.map((r) => `${r.model} ${r.route.endpoint}`)).toEqual([
      'chatgpt-image openai/gpt-image-2',
      'imagen-3 google/gemini-3.1-flash-image',
      'imagen-3 google/gemini-3-pro-image',
      'flux-ultra black-forest-labs/flux.2-pro',
      'seedream-v3 bytedance-seed/seedream-4.5',
    ]);
    for (const { model, route } of ROUTES) {
      expect(route.lifecycle.status).toBe('live');
      expect(route.imageInput).toBe('native');
      expect(route.runs, route.id).toBeTruthy();
      expect(route.references!.max).toBeLessThanOrEqual(OPENROUTER_MAX_REFERENCES);
      const routes = MODELS.find((m) => m.id === model)!.routes;
      // Appended: every route of another provider comes first.
      const firstOpenRouter = routes.findIndex((r) => r.provider === 'openrouter');
      expect(routes.slice(firstOpenRouter).every((r) => r.provider === 'openrouter'), model).toBe(true);
    }
    expect(openrouterAdapter.mode).toBe('sync');
  });

  it('lists every catalogue slug in the sandbox with the same reference limit', () => {
    for (const { route } of ROUTES) {
      const m = OPENROUTER_MODELS.find((x) => x.id === route.endpoint);
      expect(m, route.endpoint).toBeDefined();
      expect(m!.maxReferences, route.id).toBe(route.references!.max);
      expect(m!.multi, route.id).toBe(route.maxImages > 1);
    }
  });
});

describe('OpenRouter adapter: request wire form', () => {
  it('POSTs JSON to /api/v1/images with Bearer auth: model, prompt, n, aspect_ratio and both references as data URLs', async () => {
    const { fetch, calls } = fakeFetch(okReply([{ bytes: PNG_BYTES, media_type: 'image/png' }, { bytes: PNG_BYTES, media_type: 'image/png' }], 0.106));
    await openrouterAdapter.submit(GPT, panelInput(GPT), ctxWith(fetch));
    expect(calls).toHaveLength(1);
    const c = calls[0]!;
    expect(c.url).toBe('https://openrouter.ai/api/v1/images');
    expect(c.method).toBe('POST');
    expect(c.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(c.headers['content-type']).toBe('application/json');
    expect(c.init.credentials).toBe('omit');
    const body = JSON.parse(String(c.body)) as Record<string, unknown>;
    // gpt-image-2 takes no seed: none is sent.
    expect(Object.keys(body)).toEqual(['model', 'prompt', 'n', 'aspect_ratio', 'input_references']);
    expect(body).toMatchObject({ model: 'openai/gpt-image-2', prompt: 'the cat from the first picture, painted in the style of the second', n: 2, aspect_ratio: '16:9' });
    const refs = body.input_references as Array<{ type: string; image_url: { url: string } }>;
    expect(refs.map((r) => r.type)).toEqual(['image_url', 'image_url']);
    const [first, second] = refs.map((r) => dataUriBytes(r.image_url.url));
    expect(first!.mime).toBe('image/png');
    expect(first!.bytes.equals(PNG_BYTES)).toBe(true);
    expect(second!.mime).toBe('image/jpeg');
    expect(second!.bytes.equals(JPEG_BYTES)).toBe(true);
  });

  it('sends the seed where the model takes one, one image per call, and the user\u2019s model override', async () => {
    const { fetch, calls } = fakeFetch(okReply([{ bytes: PNG_BYTES }]));
    await openrouterAdapter.submit({ ...SEEDREAM, modelOverride: 'bytedance-seed/seedream-5' }, panelInput(SEEDREAM), ctxWith(fetch));
    const body = JSON.parse(String(calls[0]!.body)) as Record<string, unknown>;
    expect(body).toMatchObject({ model: 'bytedance-seed/seedream-5', n: 1, aspect_ratio: '16:9', seed: 1234 });
  });

  it('sends a text-only request without input_references, and leaves out a ratio the route does not offer', async () => {
    const { fetch, calls } = fakeFetch(okReply([{ bytes: PNG_BYTES }]));
    await openrouterAdapter.submit(GPT, { prompt: 'a lighthouse', image: null, numImages: 1, aspectRatio: '21:9' }, ctxWith(fetch));
    expect(JSON.parse(String(calls[0]!.body))).toEqual({ model: 'openai/gpt-image-2', prompt: 'a lighthouse', n: 1 });
  });

  it('refuses more references than OpenRouter takes, before sending anything', async () => {
    const { fetch, calls } = fakeFetch(okReply([{ bytes: PNG_BYTES }]));
    const images = Array.from({ length: OPENROUTER_MAX_REFERENCES + 1 }, () => ({ ...PNG }));
    const err = await errorOf(openrouterAdapter.submit(GPT, panelInput(GPT, { images }), ctxWith(fetch)));
    expect(err.kind).toBe('invalid_input');
    expect(calls).toHaveLength(0);
  });
});

describe('OpenRouter adapter: reply', () => {
  it('returns every image as a blob typed by its bytes, with the reported cost', async () => {
    const { fetch } = fakeFetch(okReply([{ bytes: PNG_BYTES, media_type: 'image/png' }, { bytes: JPEG_BYTES, media_type: 'image/jpeg' }], 0.106));
    const out = await openrouterAdapter.submit(GPT, panelInput(GPT), ctxWith(fetch));
    expect(out.kind).toBe('done');
    if (out.kind !== 'done') return;
    expect(out.outputs.map((o) => (o.kind === 'blob' ? o.blob.type : o.kind))).toEqual(['image/png', 'image/jpeg']);
    expect((await bytesOf(out.outputs[0]!)).equals(PNG_BYTES)).toBe(true);
    expect(out.cost).toEqual({ usd: 0.106, source: 'reported' });
    expect(out.notice).toBeUndefined();
  });

  it('says so when fewer images came back than were asked for, and has no cost when none is reported', async () => {
    const { fetch } = fakeFetch(okReply([{ bytes: PNG_BYTES }]));
    const out = await openrouterAdapter.submit(GPT, panelInput(GPT), ctxWith(fetch));
    if (out.kind !== 'done') throw new Error('expected done');
    expect(out.outputs).toHaveLength(1);
    expect(out.notice).toBe('OpenRouter returned 1 of the 2 images asked for.');
    expect(out.cost).toBeUndefined();
  });

  it('refuses a reply without images, with an SVG, or with bytes that are not base64', async () => {
    for (const reply of [
      jsonResponse({ created: 1, data: [] }),
      okReply([{ bytes: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), media_type: 'image/svg+xml' }]),
      jsonResponse({ created: 1, data: [{ b64_json: '%%%not base64%%%' }] }),
      jsonResponse({ created: 1, images: [] }),
    ]) {
      const { fetch } = fakeFetch(reply);
      expect((await errorOf(openrouterAdapter.submit(GPT, panelInput(GPT), ctxWith(fetch)))).kind).toBe('bad_reply');
    }
  });
});

describe('OpenRouter adapter: errors', () => {
  const submitWith = async (res: Response, route: RouteSpec = GPT) => errorOf(openrouterAdapter.submit(route, panelInput(route), ctxWith(fakeFetch(res).fetch)));

  it('502: the generation failed upstream and nothing was charged', async () => {
    const err = await submitWith(orError(502, 'Provider returned error'));
    expect(err.kind).toBe('provider_down');
    expect(err.message).toMatch(/Nothing was charged/);
  });

  it('401: the key was refused, in our words (never echoing the key)', async () => {
    const err = await submitWith(orError(401, `User not found for key ${KEY}`));
    expect(err.kind).toBe('bad_key');
    expect(err.message).toBe('OpenRouter did not accept the API key.');
  });

  it('402: out of credit, with OpenRouter\u2019s words', async () => {
    const err = await submitWith(orError(402, 'Insufficient credits. Add more using https://openrouter.ai/credits'));
    expect(err.kind).toBe('out_of_credit');
    expect(err.message).toContain('openrouter.ai/credits');
  });

  it('429: rate limited, waiting as Retry-After says', async () => {
    const err = await submitWith(orError(429, 'Rate limit exceeded', {}, { 'Retry-After': '12' }));
    expect(err.kind).toBe('rate_limited');
    expect(err.retryAfterMs).toBe(12_000);
  });

  it('404 "No endpoints found for <model>" and 400 "not a valid model ID": the route is gone', async () => {
    for (const res of [orError(404, 'No endpoints found for openai/gpt-image-2.'), orError(400, 'openai/gpt-image-2 is not a valid model ID')]) {
      const err = await submitWith(res);
      expect(err.kind).toBe('route_unavailable');
      expect(err.routeId).toBe(GPT.id);
      expect(err.message).toMatch(/^OpenRouter no longer offers openai\/gpt-image-2/);
    }
  });

  it('404 about parameters or privacy settings, and a bare 404, are not the model going away', async () => {
    expect((await submitWith(orError(404, 'No endpoints found that support the requested parameters.'))).kind).toBe('invalid_input');
    expect((await submitWith(new Response('Not Found', { status: 404 }))).kind).toBe('invalid_input');
  });

  it('400: invalid input with OpenRouter\u2019s message', async () => {
    const err = await submitWith(orError(400, 'aspect_ratio: Invalid enum value'));
    expect(err.kind).toBe('invalid_input');
    expect(err.message).toBe('OpenRouter: aspect_ratio: Invalid enum value');
  });

  it('403: a moderation flag is "moderated"; a permission problem is a key problem', async () => {
    const flagged = await submitWith(orError(403, 'Your input was flagged', { metadata: { reasons: ['violence'], flagged_input: 'x', provider_name: 'p', model_slug: 'm' } }));
    expect(flagged.kind).toBe('moderated');
    expect(flagged.message).toContain('violence');
    const denied = await submitWith(orError(403, 'Only management keys can perform this operation'));
    expect(denied.kind).toBe('bad_key');
    expect(denied.message).toBe('OpenRouter: Only management keys can perform this operation');
  });

  it('524, 529 and 503: timed out, overloaded, no provider right now', async () => {
    expect((await submitWith(orError(524, 'Request timed out. Please try again later.'))).kind).toBe('timed_out');
    expect((await submitWith(orError(529, 'Provider returned error'))).kind).toBe('provider_down');
    const busy = await submitWith(orError(503, 'No available model provider', {}, { 'Retry-After': '5' }));
    expect(busy.kind).toBe('provider_down');
    expect(busy.retryAfterMs).toBe(5000);
  });
});

describe('OpenRouter adapter: key check and model lookup', () => {
  it('checks the key with GET /api/v1/key and reads a 401 as a bad key', async () => {
    const ok = fakeFetch(jsonResponse({ data: { label: 'sk-or-v1-abc...xyz', limit: null, usage: 0 } }));
    await openrouterAdapter.testKey(ctxWith(ok.fetch));
    expect(ok.calls[0]!.url).toBe('https://openrouter.ai/api/v1/key');
    expect(ok.calls[0]!.method).toBe('GET');
    expect(ok.calls[0]!.headers.authorization).toBe(`Bearer ${KEY}`);
    const bad = fakeFetch(orError(401, 'User not found.'));
    expect((await errorOf(openrouterAdapter.testKey(ctxWith(bad.fetch)))).kind).toBe('bad_key');
  });

  it('looks models up in GET /api/v1/images/models (free)', async () => {
    const { fetch, calls } = fakeFetch(jsonResponse({ data: [{ id: 'openai/gpt-image-2', name: 'GPT Image 2' }, { id: 'bytedance-seed/seedream-4.5', name: 'Seedream 4.5' }] }));
    const found = await openrouterAdapter.checkModels!(['openai/gpt-image-2', 'google/gemini-3-pro-image'], ctxWith(fetch));
    expect(calls[0]!.url).toBe('https://openrouter.ai/api/v1/images/models');
    expect(found).toEqual({ 'openai/gpt-image-2': 'present', 'google/gemini-3-pro-image': 'missing' });
  });

  it('never sends the key to another origin', async () => {
    const { fetch, calls } = fakeFetch(okReply([{ bytes: PNG_BYTES }]));
    await openrouterAdapter.submit(GPT, panelInput(GPT), ctxWith(fetch, 'https://my-gateway.example/or'));
    expect(calls[0]!.url).toBe('https://my-gateway.example/or/api/v1/images');
  });
});

describe('OpenRouter adapter: describing a picture', () => {
  const INSTRUCTION = 'Describe this picture in one paragraph.';
  const describeWith = (f: typeof fetch, image: PreparedImage = JPEG) =>
    openrouterAdapter.describe!({ image, instruction: INSTRUCTION, maxTokens: 200, sleep: async () => {} }, ctxWith(f));
  const chatReply = (message: Record<string, unknown>, finish = 'stop') =>
    jsonResponse({
      id: 'gen-1',
      object: 'chat.completion',
      created: 1_765_000_000,
      model: OPENROUTER_VISION_MODEL,
      system_fingerprint: null,
      choices: [{ index: 0, finish_reason: finish, message: { role: 'assistant', ...message } }],
      usage: { prompt_tokens: 120, completion_tokens: 30, total_tokens: 150 },
    });

  it('POSTs to /api/v1/chat/completions with Bearer auth: the vision model, the token cap, text then the image as a data URL', async () => {
    const { fetch, calls } = fakeFetch(chatReply({ content: 'A blue and orange split square.' }));
    expect(await describeWith(fetch)).toBe('A blue and orange split square.');
    expect(calls).toHaveLength(1);
    const c = calls[0]!;
    expect(c.url).toBe('https://openrouter.ai/api/v1/chat/completions');
    expect(c.method).toBe('POST');
    expect(c.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(c.headers['content-type']).toBe('application/json');
    expect(c.init.credentials).toBe('omit');
    const body = JSON.parse(String(c.body)) as { model: string; max_completion_tokens: number; messages: Array<{ role: string; content: Array<Record<string, unknown>> }> };
    expect(Object.keys(body).sort()).toEqual(['max_completion_tokens', 'messages', 'model']);
    expect(body.model).toBe('openai/gpt-4o-mini');
    expect(body.max_completion_tokens).toBe(200);
    expect(body.messages).toHaveLength(1);
    expect(body.messages[0]!.role).toBe('user');
    const [text, image] = body.messages[0]!.content;
    expect(text).toEqual({ type: 'text', text: INSTRUCTION });
    expect(image).toMatchObject({ type: 'image_url', image_url: { detail: 'low' } });
    const sent = dataUriBytes((image!.image_url as { url: string }).url);
    expect(sent.mime).toBe('image/jpeg');
    expect(sent.bytes.equals(JPEG_BYTES)).toBe(true);
    // The sandbox serves the same describer.
    expect(OPENROUTER_VISION_MODELS).toContain(OPENROUTER_VISION_MODEL);
  });

  it('reads content given as text parts', async () => {
    const { fetch } = fakeFetch(chatReply({ content: [{ type: 'text', text: 'A split square,' }, { type: 'text', text: 'blue and orange.' }] }));
    expect(await describeWith(fetch)).toBe('A split square, blue and orange.');
  });

  it('refuses an empty answer, a refusal, and a reply without choices', async () => {
    const empty = await errorOf(describeWith(fakeFetch(chatReply({ content: '   ' })).fetch));
    expect(empty.kind).toBe('bad_reply');
    const nothing = await errorOf(describeWith(fakeFetch(chatReply({ content: null }, 'length')).fetch));
    expect(nothing.kind).toBe('bad_reply');
    expect(nothing.message).toBe('OpenRouter returned no description (length).');
    const refused = await errorOf(describeWith(fakeFetch(chatReply({ content: null, refusal: 'I can\u2019t help with that.' })).fetch));
    expect(refused.kind).toBe('moderated');
    expect(refused.message).toContain('I can\u2019t help with that.');
    expect((await errorOf(describeWith(fakeFetch(chatReply({ content: '' }, 'content_filter')).fetch))).kind).toBe('moderated');
    expect((await errorOf(describeWith(fakeFetch(jsonResponse({ id: 'gen-1', choices: [] })).fetch))).kind).toBe('bad_reply');
  });

  it('maps errors as for images, without the Image API\u2019s "nothing was charged"', async () => {
    const withRes = async (res: Response) => errorOf(describeWith(fakeFetch(res).fetch));
    const down = await withRes(orError(502, 'Provider returned error'));
    expect(down.kind).toBe('provider_down');
    expect(down.message).toMatch(/describe/);
    expect(down.message).not.toMatch(/charged/);
    expect((await withRes(orError(401, `User not found for key ${KEY}`))).message).toBe('OpenRouter did not accept the API key.');
    expect((await withRes(orError(402, 'Insufficient credits. Add more using https://openrouter.ai/credits'))).kind).toBe('out_of_credit');
    const limited = await withRes(orError(429, 'Rate limit exceeded', {}, { 'Retry-After': '12' }));
    expect(limited.kind).toBe('rate_limited');
    expect(limited.retryAfterMs).toBe(12_000);
    expect((await withRes(orError(403, 'Your input was flagged', { metadata: { reasons: ['violence'] } }))).kind).toBe('moderated');
    // Describing has no route: a withdrawn vision model is not "route unavailable".
    const gone = await withRes(orError(404, 'No endpoints found for openai/gpt-4o-mini.'));
    expect(gone.kind).toBe('invalid_input');
    expect(gone.message).toBe('OpenRouter: No endpoints found for openai/gpt-4o-mini.');
    // Once the model has started, OpenRouter reports a failure in a 200 body.
    const inBand = await withRes(jsonResponse({ error: { code: 502, message: 'Upstream error' } }));
    expect(inBand.kind).toBe('provider_down');
  });
});

describe('OpenRouter adapter against the sandbox', () => {
  const sandbox = useSandbox();
  const ctx = () => ctxWith(fetch, `${sandbox().url}/openrouter`, 'sandbox-key');

  it('sends both references, gets two PNGs and the cost back, and the sandbox counts the references', async () => {
    const out = await openrouterAdapter.submit(GPT, panelInput(GPT), ctx());
    if (out.kind !== 'done') throw new Error('expected done');
    expect(out.outputs).toHaveLength(2);
    expect(isPng(await bytesOf(out.outputs[0]!))).toBe(true);
    expect(out.cost).toEqual({ usd: 0.106, source: 'reported' });
    const req = sandbox().requests.find((r) => r.provider === 'openrouter' && r.method === 'POST');
    expect(req?.referencesReceived).toEqual({ reference: 2 });
  });

  it('reads a retired model as "route unavailable", and the model check no longer finds it', async () => {
    sandbox().retire('openrouter', 'bytedance-seed/seedream-4.5');
    const err = await errorOf(openrouterAdapter.submit(SEEDREAM, panelInput(SEEDREAM), ctx()));
    expect(err.kind).toBe('route_unavailable');
    expect(err.routeId).toBe(SEEDREAM.id);
    expect(await openrouterAdapter.checkModels!(['bytedance-seed/seedream-4.5', 'openai/gpt-image-2'], ctx())).toEqual({
      'bytedance-seed/seedream-4.5': 'missing',
      'openai/gpt-image-2': 'present',
    });
  });

  it('maps the sandbox\u2019s failed generation (502), moderation flag (403) and a bad key (401)', async () => {
    expect((await errorOf(openrouterAdapter.submit(GPT, panelInput(GPT, { prompt: `a cat ${UPSTREAM_FAIL_MARKER}` }), ctx()))).kind).toBe('provider_down');
    expect((await errorOf(openrouterAdapter.submit(GPT, panelInput(GPT, { prompt: 'a cat [sandbox:unsafe]' }), ctx()))).kind).toBe('moderated');
    await openrouterAdapter.testKey(ctx());
    expect((await errorOf(openrouterAdapter.testKey(ctxWith(fetch, `${sandbox().url}/openrouter`, 'bad')))).kind).toBe('bad_key');
  });

  it('describes a picture through the sandbox\u2019s chat endpoint, which records the image', async () => {
    const text = await openrouterAdapter.describe!({ image: JPEG, instruction: 'Describe this picture.', maxTokens: 200, sleep: async () => {} }, ctx());
    expect(text).toMatch(/sandbox description/);
    const req = sandbox().requests.find((r) => r.path === '/openrouter/api/v1/chat/completions');
    expect(req?.method).toBe('POST');
    expect(req?.referencesReceived).toEqual({ reference: 1 });
    sandbox().injectFault({ provider: 'openrouter', on: 'chat', status: 402 });
    expect((await errorOf(openrouterAdapter.describe!({ image: JPEG, instruction: 'x', maxTokens: 200, sleep: async () => {} }, ctx()))).kind).toBe('out_of_credit');
  });

  it('maps injected 402 and 429 faults', async () => {
    sandbox().injectFault({ provider: 'openrouter', on: 'submit', status: 402 });
    expect((await errorOf(openrouterAdapter.submit(GPT, panelInput(GPT), ctx()))).kind).toBe('out_of_credit');
    sandbox().injectFault({ provider: 'openrouter', on: 'submit', status: 429 });
    const limited = await errorOf(openrouterAdapter.submit(GPT, panelInput(GPT), ctx()));
    expect(limited.kind).toBe('rate_limited');
    expect(limited.retryAfterMs).toBe(12_000);
  });
});
