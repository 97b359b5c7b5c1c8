// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { getAdapter } from '../../../utils/providers';
import { minimaxAdapter } from '../../../utils/providers/minimax';
import { ctxFor, errorOf, fakeFetch, input, isPng, jsonResponse, realImage, routeOf, useSandbox } from './contract-helpers';

const BASE = 'https://api.minimax.io';
const ROUTE = routeOf('minimax-image', 'minimax:image-01');

const SUCCESS = {
  id: '03ff3cd0820949eb8a410056b5f21d38',
  data: { image_urls: ['https://hailuo-image.oss-cn-hangzhou.aliyuncs.com/a.jpeg?Expires=1', 'https://hailuo-image.oss-cn-hangzhou.aliyuncs.com/b.jpeg?Expires=1'] },
  metadata: { failed_count: '0', success_count: '2' },
  base_resp: { status_code: 0, status_msg: 'success' },
};

describe('MiniMax route in the catalogue', () => {
  it('comes after fal, takes JPEG/PNG under 10 MB, up to 9 images', () => {
    expect(ROUTE.provider).toBe('minimax');
    expect(ROUTE.imageInput).toBe('native');
    expect(ROUTE.maxImages).toBe(9);
    expect(ROUTE.input.formats).toEqual(['image/jpeg', 'image/png']);
    expect(ROUTE.input.maxBytes).toBeLessThan(10_000_000);
    expect(ROUTE.aspectRatios).toEqual(['1:1', '16:9', '4:3', '3:2', '2:3', '3:4', '9:16', '21:9']);
    expect(getAdapter('minimax')).toBe(minimaxAdapter);
    expect(minimaxAdapter.mode).toBe('sync');
  });
});

describe('MiniMax wire form', () => {
  it('sends the user\u2019s model id instead of the catalogue\u2019s when one is set', async () => {
    const { fetch, calls } = fakeFetch(() => jsonResponse(SUCCESS));
    await minimaxAdapter.submit({ ...ROUTE, modelOverride: 'image-01-live' }, input(), ctxFor(fetch, BASE));
    expect(calls[0]!.url).toBe('https://api.minimax.io/v1/image_generation');
    expect(JSON.parse(calls[0]!.init.body as string).model).toBe('image-01-live');
  });

  it('POSTs JSON to /v1/image_generation with Bearer auth and the face as a data URL', async () => {
    const image = await realImage('image/jpeg');
    const { fetch, calls } = fakeFetch(() => jsonResponse(SUCCESS));
    const out = await minimaxAdapter.submit(ROUTE, input({ image, aspectRatio: '3:4', numImages: 2, seed: 9 }), ctxFor(fetch, BASE));

    const { url, init, request } = calls[0]!;
    expect(url).toBe('https://api.minimax.io/v1/image_generation');
    expect(init.method).toBe('POST');
    expect(request.headers.get('authorization')).toBe('Bearer sk-test-123');
    expect(request.headers.get('content-type')).toBe('application/json');
    const body = JSON.parse(init.body as string);
    const expectedData = `data:image/jpeg;base64,${Buffer.from(await image.blob.arrayBuffer()).toString('base64')}`;
    expect(body).toEqual({
      model: 'image-01',
      prompt: 'a lighthouse at dusk, film photo',
      n: 2,
      response_format: 'url',
      aspect_ratio: '3:4',
      seed: 9,
      subject_reference: [{ type: 'character', image_file: expectedData }],
    });
    expect(out).toEqual({ kind: 'done', outputs: SUCCESS.data.image_urls.map((u) => ({ kind: 'url', url: u })) });
  });

  it('runs text-only when there is no reference, and sends PNG references as PNG', async () => {
    const { fetch, calls } = fakeFetch(() => jsonResponse(SUCCESS));
    await minimaxAdapter.submit(ROUTE, input(), ctxFor(fetch, BASE));
    expect(JSON.parse(calls[0]!.init.body as string)).toEqual({ model: 'image-01', prompt: 'a lighthouse at dusk, film photo', n: 1, response_format: 'url' });
    await minimaxAdapter.submit(ROUTE, input({ image: await realImage('image/png') }), ctxFor(fetch, BASE));
    expect(JSON.parse(calls[1]!.init.body as string).subject_reference[0].image_file).toMatch(/^data:image\/png;base64,iVBOR/);
  });
});

describe('MiniMax errors (in base_resp, usually with HTTP 200)', () => {
  it.each([
    [1002, 'rate limit exceeded(RPM)', 'rate_limited'],
    [1004, "login fail: Please carry the API secret key in the 'Authorization' field of the request header", 'bad_key'],
    [1008, 'insufficient balance', 'out_of_credit'],
    [1026, 'input new_sensitive', 'moderated'],
    [1027, 'output new_sensitive', 'moderated'],
    [2013, 'invalid params, aspect_ratio', 'invalid_input'],
    [2049, 'invalid api key', 'bad_key'],
    [1000, 'unknown error', 'provider_down'],
    [1001, 'request timeout', 'timed_out'],
  ] as const)('maps status_code %i to %s', async (code, msg, kind) => {
    const { fetch } = fakeFetch(() => jsonResponse({ base_resp: { status_code: code, status_msg: msg } }));
    const e = await errorOf(minimaxAdapter.submit(ROUTE, input(), ctxFor(fetch, BASE)));
    expect(e.kind).toBe(kind);
    expect(e.provider).toBe('MiniMax');
    expect(e.message).toMatch(/MiniMax/);
    if (kind === 'invalid_input') expect(e.message).toContain('invalid params, aspect_ratio');
  });

  it('reads base_resp on non-200 replies too, and falls back to the HTTP status', async () => {
    const { fetch } = fakeFetch((_c, i) =>
      i === 0 ? jsonResponse({ base_resp: { status_code: 1004, status_msg: 'login fail' } }, 401) : new Response('Bad Gateway', { status: 502 }),
    );
    expect((await errorOf(minimaxAdapter.submit(ROUTE, input(), ctxFor(fetch, BASE)))).kind).toBe('bad_key');
    expect((await errorOf(minimaxAdapter.submit(ROUTE, input(), ctxFor(fetch, BASE)))).kind).toBe('provider_down');
  });

  it('is moderated when every image was filtered out', async () => {
    const { fetch } = fakeFetch(() => jsonResponse({ ...SUCCESS, data: { image_urls: [] }, metadata: { failed_count: '2', success_count: '0' } }));
    expect((await errorOf(minimaxAdapter.submit(ROUTE, input(), ctxFor(fetch, BASE)))).kind).toBe('moderated');
  });

  it('names the missing field of an unexpected reply', async () => {
    const { fetch } = fakeFetch(() => jsonResponse({ data: { image_urls: ['https://x/a.jpeg'] } }));
    const e = await errorOf(minimaxAdapter.submit(ROUTE, input(), ctxFor(fetch, BASE)));
    expect(e.kind).toBe('bad_reply');
    expect(e.message).toMatch(/MiniMax.*base_resp/);
  });
});

describe('MiniMax testKey', () => {
  it('lists system voices (free) and checks base_resp', async () => {
    const { fetch, calls } = fakeFetch((_c, i) =>
      i === 0 ? jsonResponse({ system_voice: [], base_resp: { status_code: 0, status_msg: 'success' } }) : jsonResponse({ base_resp: { status_code: 1004, status_msg: 'login fail' } }),
    );
    await minimaxAdapter.testKey(ctxFor(fetch, BASE));
    expect(calls[0]!.url).toBe('https://api.minimax.io/v1/get_voice');
    expect(JSON.parse(calls[0]!.init.body as string)).toEqual({ voice_type: 'system' });
    expect(calls[0]!.request.headers.get('authorization')).toBe('Bearer sk-test-123');
    expect((await errorOf(minimaxAdapter.testKey(ctxFor(fetch, BASE)))).kind).toBe('bad_key');
  });
});

describe('MiniMax against the sandbox', () => {
  const sandbox = useSandbox();

  it('generates from a face reference end to end, and reports injected errors the MiniMax way', async () => {
    const ctx = ctxFor(globalThis.fetch, `${sandbox().url}/minimax`);
    await minimaxAdapter.testKey(ctx);
    const out = await minimaxAdapter.submit(ROUTE, input({ image: await realImage('image/jpeg', 80, 100), aspectRatio: '16:9', numImages: 2 }), ctx);
    const outputs = out.kind === 'done' ? out.outputs : [];
    expect(outputs).toHaveLength(2);
    for (const o of outputs) {
      if (o.kind !== 'url') throw new Error('expected url outputs');
      const res = await fetch(o.url);
      expect(isPng(new Uint8Array(await res.arrayBuffer()))).toBe(true);
    }
    const recorded = sandbox().requests.find((r) => r.path === '/minimax/v1/image_generation');
    expect(recorded?.headers.authorization).toBe('Bearer sk-test-123');
    expect((recorded?.body as { subject_reference: Array<{ type: string }> }).subject_reference[0]!.type).toBe('character');

    sandbox().injectFault({ provider: 'minimax', on: 'submit', status: 429 });
    const e = await errorOf(minimaxAdapter.submit(ROUTE, input(), ctx));
    expect(e.kind).toBe('rate_limited');
    sandbox().injectFault({ provider: 'minimax', on: 'submit', status: 451 });
    expect((await errorOf(minimaxAdapter.submit(ROUTE, input(), ctx))).kind).toBe('moderated');
  });
});
