// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { Jimp } from 'jimp';
import { MODELS, wireModel, type RouteSpec } from '../../../utils/models';
import { getAdapter } from '../../../utils/providers';
import { durationMs, googleAdapter, GOOGLE_VISION_MODEL } from '../../../utils/providers/google';
import type { ProviderOutput, SubmitOutcome } from '../../../utils/providers/types';
import { GOOGLE_MODELS, GOOGLE_RETIRED_MODELS, TEXT_ONLY_MARKER } from '../../../sandbox/providers/google';
import { ctxFor, errorOf, fakeFetch, type FetchCall, input, isPng, jsonResponse, realImage, routeOf, useSandbox } from './contract-helpers';

const BASE = 'https://generativelanguage.googleapis.com';
const KEY = 'AIzaSy-contract-test-0000000000000000';
/** Every Google route in the catalogue; the tests run on the first and check the sandbox knows all. */
const GOOGLE_ROUTES = MODELS.flatMap((m) => m.routes.filter((r) => r.provider === 'google').map((r) => ({ model: m.id, route: r })));
const ROUTE: RouteSpec = routeOf(GOOGLE_ROUTES[0]!.model, GOOGLE_ROUTES[0]!.route.id);
const MODEL = wireModel(ROUTE);
const ctx = (fetch: typeof globalThis.fetch, baseUrl = BASE) => ctxFor(fetch, baseUrl, KEY);

const googleError = (code: number, status: string, message: string, details?: unknown[]) => ({ error: { code, message, status, ...(details ? { details } : {}) } });

async function pngBase64(): Promise<string> {
  const png = await realImage('image/png', 32, 24);
  return Buffer.from(await png.blob.arrayBuffer()).toString('base64');
}

function imageReply(data: string, mimeType = 'image/png', extraParts: unknown[] = []) {
  return {
    candidates: [{ content: { role: 'model', parts: [...extraParts, { inlineData: { mimeType, data } }] }, finishReason: 'STOP', index: 0 }],
    usageMetadata: { promptTokenCount: 300, candidatesTokenCount: 1290, totalTokenCount: 1590 },
    modelVersion: MODEL,
  };
}

function bodyOf(call: FetchCall): Record<string, unknown> {
  return JSON.parse(call.init.body as string) as Record<string, unknown>;
}

function blobs(out: SubmitOutcome): Blob[] {
  if (out.kind !== 'done') throw new Error('expected done');
  return out.outputs.map((o: ProviderOutput) => {
    if (o.kind !== 'blob') throw new Error('expected a blob output');
    return o.blob;
  });
}

describe('Google route and registration', () => {
  it('is registered as a synchronous adapter and the catalogue routes carry the wire facts', () => {
    expect(getAdapter('google')).toBe(googleAdapter);
    expect(googleAdapter.mode).toBe('sync');
    expect(GOOGLE_ROUTES.length).toBeGreaterThan(0);
    for (const { route } of GOOGLE_ROUTES) {
      expect(route.id).toBe(`google:${route.endpoint}`);
      expect(route.imageInput).toBe('native');
      expect(route.maxImages).toBe(1);
      expect(route.seed).toBe(false);
      expect(route.aspectRatios).toEqual(['1:1', '2:3', '3:2', '3:4', '4:3', '4:5', '5:4', '9:16', '16:9', '21:9']);
    }
  });

  it('every Google route in the catalogue is a live model in the sandbox, with its ratios', () => {
    for (const { route } of GOOGLE_ROUTES) {
      const live = GOOGLE_MODELS.find((m) => m.id === route.endpoint);
      expect(live, route.endpoint).toBeDefined();
      expect(live!.kind).toBe('image');
      for (const r of route.aspectRatios ?? []) expect(live!.ratios).toContain(r);
      expect(GOOGLE_RETIRED_MODELS).not.toContain(route.endpoint as never);
    }
  });
});

describe('Google wire form', () => {
  it('POSTs generateContent with x-goog-api-key: prompt text, the reference inline, the aspect ratio', async () => {
    const image = await realImage('image/jpeg', 90, 60);
    const { fetch, calls } = fakeFetch(async () => jsonResponse(imageReply(await pngBase64())));
    await googleAdapter.submit(ROUTE, input({ image, aspectRatio: '16:9', numImages: 1 }), ctx(fetch));
    expect(calls).toHaveLength(1);
    const call = calls[0]!;
    expect(call.url).toBe(`${BASE}/v1beta/models/${MODEL}:generateContent`);
    expect(call.init.method).toBe('POST');
    expect(call.init.credentials).toBe('omit');
    expect(call.request.headers.get('x-goog-api-key')).toBe(KEY);
    expect(call.request.headers.get('authorization')).toBeNull();
    expect(call.request.headers.get('content-type')).toBe('application/json');
    expect(bodyOf(call)).toEqual({
      contents: [
        {
          role: 'user',
          parts: [
            { text: 'a lighthouse at dusk, film photo' },
            { inline_data: { mime_type: 'image/jpeg', data: Buffer.from(await image.blob.arrayBuffer()).toString('base64') } },
          ],
        },
      ],
      generationConfig: { responseModalities: ['TEXT', 'IMAGE'], imageConfig: { aspectRatio: '16:9' } },
    });
  });

  it('sends text only without a reference, and no imageConfig for a ratio the route does not list', async () => {
    const { fetch, calls } = fakeFetch(async () => jsonResponse(imageReply(await pngBase64())));
    await googleAdapter.submit(ROUTE, input({ aspectRatio: '7:5' }), ctx(fetch));
    expect(bodyOf(calls[0]!)).toEqual({
      contents: [{ role: 'user', parts: [{ text: 'a lighthouse at dusk, film photo' }] }],
      generationConfig: { responseModalities: ['TEXT', 'IMAGE'] },
    });
  });

  it('puts a model override on the wire, and follows a base URL with a path', async () => {
    const { fetch, calls } = fakeFetch(async () => jsonResponse(imageReply(await pngBase64())));
    await googleAdapter.submit({ ...ROUTE, modelOverride: 'gemini-nano-banana-2.1' }, input(), ctx(fetch));
    await googleAdapter.submit({ ...ROUTE, modelOverride: 'models/gemini-3-pro-image' }, input(), ctx(fetch, 'https://gateway.example.com/google/'));
    expect(calls.map((c) => c.url)).toEqual([
      `${BASE}/v1beta/models/gemini-nano-banana-2.1:generateContent`,
      'https://gateway.example.com/google/v1beta/models/gemini-3-pro-image:generateContent',
    ]);
  });

  it('sends the key only as a header to the configured origin, never in the URL or the body', async () => {
    const image = await realImage('image/png');
    const { fetch, calls } = fakeFetch(async (c) =>
      c.url.includes('/models?') ? jsonResponse({ models: [{ name: 'models/gemini-3.1-flash-image' }] }) : jsonResponse(imageReply(await pngBase64())),
    );
    await googleAdapter.submit(ROUTE, input({ image }), ctx(fetch));
    await googleAdapter.testKey(ctx(fetch));
    await googleAdapter.checkModels!(['gemini-3.1-flash-image'], ctx(fetch));
    await googleAdapter.describe!({ image, instruction: 'Describe it.', maxTokens: 50, sleep: async () => {} }, ctx(fetch));
    expect(calls.length).toBeGreaterThanOrEqual(4);
    for (const c of calls) {
      expect(new URL(c.url).origin).toBe(BASE);
      expect(c.url).not.toContain(KEY);
      expect(String(c.init.body ?? '')).not.toContain(KEY);
      expect(c.request.headers.get('x-goog-api-key')).toBe(KEY);
      expect(c.init.redirect).toBe('error');
    }
  });

  it('has nothing to poll', async () => {
    await expect(googleAdapter.poll(ROUTE, {}, ctx(fakeFetch(() => jsonResponse({})).fetch))).rejects.toMatchObject({ kind: 'internal' });
  });
});

describe('Google replies', () => {
  const submit = (body: unknown, status = 200, headers: Record<string, string> = {}, route: RouteSpec = ROUTE) =>
    googleAdapter.submit(route, input(), ctx(fakeFetch(() => jsonResponse(body, status, headers)).fetch));

  it('returns each inline image as a blob, typed by its bytes, skipping text and thought parts', async () => {
    const data = await pngBase64();
    const thought = { inlineData: { mimeType: 'image/png', data }, thought: true };
    const out = await submit(imageReply(data, 'image/jpeg', [{ text: 'Here you go.' }, thought]));
    const [blob, ...rest] = blobs(out);
    expect(rest).toHaveLength(0);
    expect(blob!.type).toBe('image/png'); // sniffed: the bytes are PNG whatever mimeType says
    expect(Buffer.from(await blob!.arrayBuffer()).toString('base64')).toBe(data);
  });

  it('accepts snake_case inline_data and falls back to the declared type for unknown bytes', async () => {
    const odd = Buffer.from('not a known image format').toString('base64');
    const out = await submit({ candidates: [{ content: { parts: [{ inline_data: { mime_type: 'image/heic', data: odd } }] }, finishReason: 'STOP' }] });
    expect(blobs(out)[0]!.type).toBe('image/heic');
  });

  it('a reply with text and no image is a bad reply that quotes the model', async () => {
    const e = await errorOf(submit({ candidates: [{ content: { parts: [{ text: '  I cannot edit photos of   real people.  ' }] }, finishReason: 'STOP' }] }));
    expect(e.kind).toBe('bad_reply');
    expect(e.provider).toBe('Google');
    expect(e.message).toContain('I cannot edit photos of real people.');
    const noImage = await errorOf(submit({ candidates: [{ finishReason: 'NO_IMAGE' }] }));
    expect(noImage.kind).toBe('bad_reply');
    expect(noImage.message).toContain('NO_IMAGE');
  });

  it.each(['IMAGE_SAFETY', 'SAFETY', 'PROHIBITED_CONTENT', 'IMAGE_PROHIBITED_CONTENT', 'BLOCKLIST', 'SPII', 'IMAGE_RECITATION'])(
    'finishReason %s without an image is moderated',
    async (reason) => {
      const e = await errorOf(submit({ candidates: [{ finishReason: reason, index: 0 }], usageMetadata: { promptTokenCount: 10 } }));
      expect(e.kind).toBe('moderated');
      expect(e.message).toContain(reason);
    },
  );

  it('a blocked prompt (promptFeedback.blockReason) is moderated', async () => {
    const e = await errorOf(submit({ promptFeedback: { blockReason: 'PROHIBITED_CONTENT' }, usageMetadata: { promptTokenCount: 10 } }));
    expect(e.kind).toBe('moderated');
    expect(e.message).toContain('PROHIBITED_CONTENT');
  });

  it('an unexpected shape is a bad reply naming the field', async () => {
    const e = await errorOf(submit({ candidates: 'nope' }));
    expect(e.kind).toBe('bad_reply');
    expect(e.message).toContain('candidates');
  });
});

describe('Google errors', () => {
  const submit = (body: unknown, status: number, headers: Record<string, string> = {}) =>
    googleAdapter.submit(ROUTE, input(), ctx(fakeFetch(() => jsonResponse(body, status, headers)).fetch));

  it('NOT_FOUND on generateContent reports the route unavailable, naming the model', async () => {
    const e = await errorOf(
      submit(
        googleError(404, 'NOT_FOUND', `models/${MODEL} is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.`),
        404,
      ),
    );
    expect(e.kind).toBe('route_unavailable');
    expect(e.routeId).toBe(ROUTE.id);
    expect(e.message).toContain(`Google no longer offers ${MODEL}`);
    expect(e.toJSON()).toMatchObject({ kind: 'route_unavailable', routeId: ROUTE.id, provider: 'Google' });
    // A 404 that is not Google's (a proxy or a wrong base URL) does not condemn the route.
    const bare = await errorOf(submit('<html><body>404 Not Found</body></html>', 404));
    expect(bare.kind).toBe('invalid_input');
    expect(bare.routeId).toBeUndefined();
  });

  it('a bad key is bad_key, and the key never reaches a message', async () => {
    const details = [
      { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com', metadata: { service: 'generativelanguage.googleapis.com' } },
      { '@type': 'type.googleapis.com/google.rpc.DebugInfo', detail: `Invalid API key: ${KEY}` },
    ];
    const invalid = await errorOf(submit(googleError(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.', details), 400));
    expect(invalid.kind).toBe('bad_key');
    expect(invalid.message).not.toContain(KEY);
    const notFound = await errorOf(submit(googleError(400, 'INVALID_ARGUMENT', 'API Key not found. Please pass a valid API key.'), 400));
    expect(notFound.kind).toBe('bad_key');
    const unauth = await errorOf(submit(googleError(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.'), 401));
    expect(unauth).toMatchObject({ kind: 'bad_key', message: 'Google did not accept the API key.' });
    const leaked = await errorOf(submit(googleError(403, 'PERMISSION_DENIED', `Your API key ${KEY} was reported as leaked. Please use another API key.`), 403));
    expect(leaked.kind).toBe('bad_key');
    expect(leaked.message).toContain('reported as leaked');
    expect(leaked.message).not.toContain(KEY);
    const missing = await errorOf(submit(googleError(403, 'PERMISSION_DENIED', "Method doesn't allow unregistered callers (callers without established identity)."), 403));
    expect(missing.message).toBe('Google did not accept the API key.');
  });

  it('429 RESOURCE_EXHAUSTED is rate_limited, waiting as RetryInfo or Retry-After says', async () => {
    const details = (delay: string) => [
      { '@type': 'type.googleapis.com/google.rpc.QuotaFailure', violations: [{ quotaId: 'GenerateRequestsPerMinutePerProjectPerModel' }] },
      { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: delay },
    ];
    const quota = 'You exceeded your current quota, please check your plan and billing details.';
    expect(await errorOf(submit(googleError(429, 'RESOURCE_EXHAUSTED', quota, details('30s')), 429))).toMatchObject({ kind: 'rate_limited', retryAfterMs: 30_000, message: `Google: ${quota}` });
    expect(await errorOf(submit(googleError(429, 'RESOURCE_EXHAUSTED', quota, details('45.2s')), 429))).toMatchObject({ retryAfterMs: 45_200 });
    expect(await errorOf(submit(googleError(429, 'RESOURCE_EXHAUSTED', quota, details('30s')), 429, { 'Retry-After': '3' }))).toMatchObject({ retryAfterMs: 3000 });
    const bare = await errorOf(submit(googleError(429, 'RESOURCE_EXHAUSTED', 'Resource has been exhausted (e.g. check quota).'), 429));
    expect(bare.kind).toBe('rate_limited');
    expect(bare.retryAfterMs).toBeUndefined();
  });

  it('5xx and UNAVAILABLE are provider_down; DEADLINE_EXCEEDED timed out', async () => {
    expect((await errorOf(submit(googleError(500, 'INTERNAL', 'An internal error has occurred.'), 500))).kind).toBe('provider_down');
    expect((await errorOf(submit(googleError(503, 'UNAVAILABLE', 'The model is overloaded. Please try again later.'), 503))).kind).toBe('provider_down');
    expect((await errorOf(submit('<html>Bad Gateway</html>', 502))).kind).toBe('provider_down');
    expect((await errorOf(submit(googleError(504, 'DEADLINE_EXCEEDED', 'Deadline expired before operation could complete.'), 504))).kind).toBe('timed_out');
  });

  it('other 400s are invalid_input with Google\u2019s message (also when wrapped in an array)', async () => {
    const msg = 'Unsupported MIME type: image/gif';
    expect(await errorOf(submit(googleError(400, 'INVALID_ARGUMENT', msg), 400))).toMatchObject({ kind: 'invalid_input', message: `Google: ${msg}` });
    expect(await errorOf(submit([googleError(400, 'FAILED_PRECONDITION', 'User location is not supported for the API use.')], 400))).toMatchObject({
      kind: 'invalid_input',
      message: 'Google: User location is not supported for the API use.',
    });
  });

  it('reads protobuf durations', () => {
    expect(durationMs('30s')).toBe(30_000);
    expect(durationMs('45.837906927s')).toBe(45_838);
    expect(durationMs('0.5s')).toBe(500);
    expect(durationMs('30')).toBeUndefined();
    expect(durationMs(undefined)).toBeUndefined();
  });
});

describe('Google testKey, checkModels, describe', () => {
  it('testKey lists one model (free); a refused key is bad_key', async () => {
    const { fetch, calls } = fakeFetch((_c, i) =>
      i === 0 ? jsonResponse({ models: [{ name: 'models/gemini-3.6-flash' }], nextPageToken: 'abc' }) : jsonResponse(googleError(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.', [{ reason: 'API_KEY_INVALID' }]), 400),
    );
    await googleAdapter.testKey(ctx(fetch));
    expect(calls[0]!.url).toBe(`${BASE}/v1beta/models?pageSize=1`);
    expect(calls[0]!.init.method).toBe('GET');
    expect((await errorOf(googleAdapter.testKey(ctx(fetch)))).kind).toBe('bad_key');
  });

  it('checkModels pages through models.list and strips the models/ prefix', async () => {
    const { fetch, calls } = fakeFetch((c) => {
      const token = new URL(c.url).searchParams.get('pageToken');
      return token === 'p2'
        ? jsonResponse({ models: [{ name: 'models/gemini-nano-banana-2.1' }] })
        : jsonResponse({ models: [{ name: 'models/gemini-3.6-flash' }, { name: 'models/gemini-3-pro-image' }], nextPageToken: 'p2' });
    });
    const result = await googleAdapter.checkModels!(['gemini-nano-banana-2.1', 'gemini-3-pro-image', 'gemini-2.5-flash-image'], ctx(fetch));
    expect(result).toEqual({ 'gemini-nano-banana-2.1': 'present', 'gemini-3-pro-image': 'present', 'gemini-2.5-flash-image': 'missing' });
    expect(calls.map((c) => c.url)).toEqual([`${BASE}/v1beta/models?pageSize=1000`, `${BASE}/v1beta/models?pageSize=1000&pageToken=p2`]);
  });

  it('checkModels stops early when all are found, and after a bounded number of pages', async () => {
    const early = fakeFetch(() => jsonResponse({ models: [{ name: 'models/a' }], nextPageToken: 'more' }));
    expect(await googleAdapter.checkModels!(['a'], ctx(early.fetch))).toEqual({ a: 'present' });
    expect(early.calls).toHaveLength(1);
    const endless = fakeFetch((_c, i) => jsonResponse({ models: [{ name: `models/m${i}` }], nextPageToken: `t${i}` }));
    expect(await googleAdapter.checkModels!(['zzz'], ctx(endless.fetch))).toEqual({ zzz: 'missing' });
    expect(endless.calls).toHaveLength(10);
  });

  it('describe asks the vision model with maxOutputTokens and joins the text parts', async () => {
    const image = await realImage('image/png', 40, 30);
    const { fetch, calls } = fakeFetch(() =>
      jsonResponse({ candidates: [{ content: { parts: [{ text: 'thinking...', thought: true }, { text: 'A harbour at dusk, ' }, { text: 'warm light.' }] }, finishReason: 'STOP' }] }),
    );
    const text = await googleAdapter.describe!({ image, instruction: 'Describe this picture.', maxTokens: 200, sleep: async () => {} }, ctx(fetch));
    expect(text).toBe('A harbour at dusk, warm light.');
    expect(GOOGLE_VISION_MODEL).toBe('gemini-3.5-flash-lite');
    expect(calls[0]!.url).toBe(`${BASE}/v1beta/models/gemini-3.5-flash-lite:generateContent`);
    expect(bodyOf(calls[0]!)).toEqual({
      contents: [{ role: 'user', parts: [{ text: 'Describe this picture.' }, { inline_data: { mime_type: 'image/png', data: Buffer.from(await image.blob.arrayBuffer()).toString('base64') } }] }],
      generationConfig: { maxOutputTokens: 200 },
    });
  });

  it('describe: a cut-off empty answer is a bad reply, a blocked one moderated, a 404 not a route problem', async () => {
    const image = await realImage('image/png');
    const run = (body: unknown, status = 200) =>
      googleAdapter.describe!({ image, instruction: 'x', maxTokens: 5, sleep: async () => {} }, ctx(fakeFetch(() => jsonResponse(body, status)).fetch));
    expect((await errorOf(run({ candidates: [{ content: { parts: [] }, finishReason: 'MAX_TOKENS' }] }))).kind).toBe('bad_reply');
    expect((await errorOf(run({ promptFeedback: { blockReason: 'SAFETY' } }))).kind).toBe('moderated');
    const gone = await errorOf(run(googleError(404, 'NOT_FOUND', 'models/gemini-3.5-flash-lite is not found for API version v1beta.'), 404));
    expect(gone.kind).toBe('invalid_input');
    expect(gone.routeId).toBeUndefined();
  });
});

describe('Google against the sandbox', () => {
  const sandbox = useSandbox();
  const base = () => `${sandbox().url}/google`;
  const sbCtx = (key = 'sandbox-key') => ctxFor(globalThis.fetch, base(), key);

  it('edits the reference into a real PNG of the chosen ratio in one call', async () => {
    const image = await realImage('image/jpeg', 120, 80);
    const started = Date.now();
    const out = await googleAdapter.submit(ROUTE, input({ image, aspectRatio: '16:9' }), sbCtx());
    expect(Date.now() - started).toBeGreaterThanOrEqual(90); // the call itself takes the work time
    const [blob] = blobs(out);
    expect(blob!.type).toBe('image/png');
    const bytes = new Uint8Array(await blob!.arrayBuffer());
    expect(isPng(bytes)).toBe(true);
    const img = await Jimp.fromBuffer(Buffer.from(bytes));
    expect(img.bitmap.width / img.bitmap.height).toBeCloseTo(16 / 9, 1);
    // The reference went through: its dark left half stays darker than its orange right half.
    const row = Math.floor(img.bitmap.height / 2) * img.bitmap.width * 4;
    const at = (x: number) => (img.bitmap.data[row + x * 4] ?? 0) + (img.bitmap.data[row + x * 4 + 1] ?? 0) + (img.bitmap.data[row + x * 4 + 2] ?? 0);
    expect(at(Math.floor(img.bitmap.width / 4))).toBeLessThan(at(Math.floor((3 * img.bitmap.width) / 4)) - 100);

    const rec = sandbox().requests.find((r) => r.provider === 'google');
    expect(rec?.path).toBe(`/google/v1beta/models/${MODEL}:generateContent`);
    expect(rec?.headers['x-goog-api-key']).toBe('sandbox-key');
  });

  it('answers retired and unknown ids with NOT_FOUND, which reports the route unavailable', async () => {
    for (const id of [...GOOGLE_RETIRED_MODELS, 'no-such-model']) {
      const e = await errorOf(googleAdapter.submit({ ...ROUTE, modelOverride: id }, input(), sbCtx()));
      expect(e.kind).toBe('route_unavailable');
      expect(e.routeId).toBe(ROUTE.id);
      expect(e.message).toContain(id);
    }
    expect(GOOGLE_RETIRED_MODELS.some((id) => GOOGLE_MODELS.some((m) => m.id === id))).toBe(false);
  });

  it('a model retired through the sandbox control answers NOT_FOUND and leaves the listing', async () => {
    await googleAdapter.submit(ROUTE, input(), sbCtx());
    sandbox().retire('google', MODEL);
    const e = await errorOf(googleAdapter.submit(ROUTE, input(), sbCtx()));
    expect(e).toMatchObject({ kind: 'route_unavailable', routeId: ROUTE.id });
    expect(await googleAdapter.checkModels!([MODEL, GOOGLE_VISION_MODEL], sbCtx())).toEqual({ [MODEL]: 'missing', [GOOGLE_VISION_MODEL]: 'present' });
    const get = await fetch(`${base()}/v1beta/models/${MODEL}`, { headers: { 'x-goog-api-key': 'k' } });
    expect(get.status).toBe(404);
  });

  it('checks keys, lists models and describes', async () => {
    await googleAdapter.testKey(sbCtx());
    expect((await errorOf(googleAdapter.testKey(sbCtx('bad')))).kind).toBe('bad_key');
    expect((await errorOf(googleAdapter.testKey(sbCtx('')))).kind).toBe('bad_key');
    const ids = [...GOOGLE_ROUTES.map((r) => r.route.endpoint), 'gemini-3.1-flash-image-preview', 'gemini-2.5-flash-image', GOOGLE_VISION_MODEL];
    expect(await googleAdapter.checkModels!(ids, sbCtx())).toEqual({
      ...Object.fromEntries(GOOGLE_ROUTES.map((r) => [r.route.endpoint, 'present'])),
      'gemini-3.1-flash-image-preview': 'missing',
      'gemini-2.5-flash-image': 'missing',
      [GOOGLE_VISION_MODEL]: 'present',
    });
    const text = await googleAdapter.describe!({ image: await realImage('image/png'), instruction: 'Describe it.', maxTokens: 200, sleep: async () => {} }, sbCtx());
    expect(text).toContain('sandbox description');
  });

  it('pages models.list like Google does', async () => {
    const seen: string[] = [];
    let token: string | undefined;
    for (let i = 0; i < 10; i++) {
      const q = new URLSearchParams({ pageSize: '3', ...(token ? { pageToken: token } : {}) });
      const res = await fetch(`${base()}/v1beta/models?${q.toString()}`, { headers: { 'x-goog-api-key': 'k' } });
      const page = (await res.json()) as { models: Array<{ name: string; supportedGenerationMethods: string[] }>; nextPageToken?: string };
      expect(page.models.length).toBeLessThanOrEqual(3);
      for (const m of page.models) expect(m.supportedGenerationMethods).toContain('generateContent');
      seen.push(...page.models.map((m) => m.name));
      token = page.nextPageToken;
      if (!token) break;
    }
    expect(seen).toEqual(GOOGLE_MODELS.map((m) => `models/${m.id}`));
    const bad = await fetch(`${base()}/v1beta/models?pageToken=garbage`, { headers: { 'x-goog-api-key': 'k' } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { status: string } }).error.status).toBe('INVALID_ARGUMENT');
  });

  it('validates the request shape with INVALID_ARGUMENT, as Google does', async () => {
    const post = (body: unknown, model = 'gemini-3.1-flash-image') =>
      fetch(`${base()}/v1beta/models/${model}:generateContent`, { method: 'POST', headers: { 'x-goog-api-key': 'k', 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const png = await pngBase64();
    const cases: unknown[] = [
      {},
      { contents: [] },
      { contents: [{ role: 'user', parts: [] }] },
      { contents: [{ parts: [{ text: 'x' }] }], unknownField: 1 },
      { contents: [{ parts: [{ inline_data: { mime_type: 'image/png', data: '!!!not base64' } }] }] },
      { contents: [{ parts: [{ inline_data: { mime_type: 'image/png', data: Buffer.from('plain text').toString('base64') } }] }] },
      { contents: [{ parts: [{ inline_data: { mime_type: 'image/gif', data: png } }] }] },
      { contents: [{ parts: [{ inline_data: { mime_type: 'image/png', data: png }, inlineData: { mimeType: 'image/png', data: png } }] }] },
      { contents: [{ parts: [{ text: 'x' }] }], generationConfig: { responseModalities: ['TEXT', 'IMAGE'], imageConfig: { aspectRatio: '7:5' } } },
      { contents: [{ parts: [{ text: 'x' }] }], generationConfig: { responseModalities: ['PICTURE'] } },
    ];
    for (const body of cases) {
      const res = await post(body);
      expect(res.status, JSON.stringify(body).slice(0, 120)).toBe(400);
      const json = (await res.json()) as { error: { code: number; status: string; message: string } };
      expect(json.error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });
      expect(json.error.message.length).toBeGreaterThan(5);
    }
    // camelCase inlineData works as well as snake_case.
    const ok = await post({ contents: [{ parts: [{ text: 'x' }, { inlineData: { mimeType: 'image/png', data: png } }] }], generationConfig: { responseModalities: ['IMAGE'] } });
    expect(ok.status).toBe(200);
    const reply = (await ok.json()) as { candidates: Array<{ content: { parts: Array<Record<string, unknown>> } }> };
    expect(reply.candidates[0]!.content.parts.map((p) => Object.keys(p)[0])).toEqual(['inlineData']);
    // No generationConfig at all: an image model answers text and an image, as in Google's guide.
    const plain = await post({ contents: [{ parts: [{ text: 'a red kite' }] }] });
    const plainReply = (await plain.json()) as { candidates: Array<{ content: { parts: Array<Record<string, unknown>> } }> };
    expect(plainReply.candidates[0]!.content.parts.map((p) => Object.keys(p)[0])).toEqual(['text', 'inlineData']);
    // A ratio the route offers but the model refuses comes back as invalid_input with Google's words.
    const e = await errorOf(googleAdapter.submit({ ...ROUTE, aspectRatios: [...(ROUTE.aspectRatios ?? []), '7:5'] }, input({ aspectRatio: '7:5' }), sbCtx()));
    expect(e.kind).toBe('invalid_input');
    expect(e.message).toMatch(/^Google: Unsupported aspect ratio/);
  });

  it('maps the sandbox\u2019s refusals and injected faults', async () => {
    expect((await errorOf(googleAdapter.submit(ROUTE, input({ prompt: 'a cat [sandbox:unsafe]' }), sbCtx()))).kind).toBe('moderated');
    const textOnly = await errorOf(googleAdapter.submit(ROUTE, input({ prompt: `a cat ${TEXT_ONLY_MARKER}` }), sbCtx()));
    expect(textOnly.kind).toBe('bad_reply');
    expect(textOnly.message).toContain("I can't create that image");

    sandbox().injectFault({ provider: 'google', on: 'generate', status: 429 });
    expect(await errorOf(googleAdapter.submit(ROUTE, input(), sbCtx()))).toMatchObject({ kind: 'rate_limited', retryAfterMs: 12_000 });
    sandbox().injectFault({ provider: 'google', on: 'generate', status: 503 });
    expect((await errorOf(googleAdapter.submit(ROUTE, input(), sbCtx()))).kind).toBe('provider_down');
    sandbox().injectFault({ provider: 'google', on: 'generate', status: 404 });
    expect((await errorOf(googleAdapter.submit(ROUTE, input(), sbCtx()))).kind).toBe('route_unavailable');
    sandbox().injectFault({ provider: 'google', on: 'models', status: 403 });
    expect((await errorOf(googleAdapter.testKey(sbCtx()))).kind).toBe('bad_key');
    sandbox().injectFault({ provider: 'google', on: 'generate', status: 200, body: { promptFeedback: { blockReason: 'PROHIBITED_CONTENT' } } });
    expect((await errorOf(googleAdapter.submit(ROUTE, input(), sbCtx()))).kind).toBe('moderated');
  });
});
