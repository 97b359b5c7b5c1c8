// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { getAdapter } from '../../../utils/providers';
import { vyroAdapter } from '../../../utils/providers/vyro';
import { ctxFor, errorOf, fakeFetch, input, isPng, jsonResponse, partsOf, realImage, routeOf, useSandbox } from './contract-helpers';

const BASE = 'https://api.vyro.ai';
const ROUTE = routeOf('realistic', 'vyro:v2/image/generations:realistic');

async function pngResponse(type = 'image/png') {
  const png = await realImage('image/png');
  return new Response(await png.blob.arrayBuffer(), { status: 200, headers: { 'Content-Type': type } });
}

describe('imagine.art route in the catalogue', () => {
  it('Realistic describes the reference and makes one image per call', () => {
    expect(ROUTE.provider).toBe('vyro');
    expect(ROUTE.imageInput).toBe('described');
    expect(ROUTE.maxImages).toBe(1);
    expect(ROUTE.aspectRatios).toEqual(['1:1', '3:2', '4:3', '3:4', '16:9', '9:16']);
    expect(getAdapter('vyro')).toBe(vyroAdapter);
    expect(vyroAdapter.mode).toBe('sync');
  });
});

describe('imagine.art wire form', () => {
  it('POSTs multipart prompt/style/aspect_ratio/seed with Bearer auth and keeps the bytes it gets back', async () => {
    const { fetch, calls } = fakeFetch(() => pngResponse());
    const out = await vyroAdapter.submit(ROUTE, input({ aspectRatio: '4:3', seed: 5 }), ctxFor(fetch, BASE));
    const { url, init, request } = calls[0]!;
    expect(url).toBe('https://api.vyro.ai/v2/image/generations');
    expect(init.method).toBe('POST');
    expect(request.headers.get('authorization')).toBe('Bearer sk-test-123');
    expect(request.headers.get('content-type')).toMatch(/^multipart\/form-data; boundary=/);
    expect(await partsOf(init.body as FormData)).toEqual([
      ['prompt', 'a lighthouse at dusk, film photo'],
      ['style', 'realistic'],
      ['aspect_ratio', '4:3'],
      ['seed', '5'],
    ]);
    const o = out.kind === 'done' ? out.outputs : [];
    expect(o).toHaveLength(1);
    expect(o[0]!.kind).toBe('blob');
    if (o[0]!.kind === 'blob') {
      expect(o[0]!.blob.type).toBe('image/png');
      expect(isPng(new Uint8Array(await o[0]!.blob.arrayBuffer()))).toBe(true);
    }
  });

  it('omits ratios imagine.art does not list, and sniffs a missing content type', async () => {
    const { fetch, calls } = fakeFetch(() => pngResponse(''));
    const out = await vyroAdapter.submit(ROUTE, input({ aspectRatio: '21:9' }), ctxFor(fetch, BASE));
    expect((await partsOf(calls[0]!.init.body as FormData)).map(([n]) => n)).toEqual(['prompt', 'style']);
    const o = out.kind === 'done' ? out.outputs[0] : undefined;
    expect(o?.kind === 'blob' && o.blob.type).toBe('image/png');
  });

  it('does not take a JSON 200 for an image', async () => {
    const { fetch } = fakeFetch(() => jsonResponse({ status: 'success', message: 'queued' }));
    expect((await errorOf(vyroAdapter.submit(ROUTE, input(), ctxFor(fetch, BASE)))).kind).toBe('bad_reply');
  });

  it.each([
    [400, 'Bad Request', 'prompt is too long', 'invalid_input'],
    [400, 'Bad Request', 'NSFW content detected in the prompt.', 'moderated'],
    [401, 'Unauthorized', 'Invalid or missing API key.', 'bad_key'],
    [403, 'Forbidden', 'This API key is not allowed to use this endpoint.', 'bad_key'],
    [402, 'Payment Required', 'Insufficient credits.', 'out_of_credit'],
    [422, 'Unprocessable Entity', 'style must be one of realistic, anime', 'invalid_input'],
    [429, 'Too Many Requests', 'Rate limit exceeded.', 'rate_limited'],
    [500, 'Internal Server Error', 'Something went wrong.', 'provider_down'],
  ] as const)('maps %i (%s) to %s', async (status, error, message, kind) => {
    const { fetch } = fakeFetch(() => jsonResponse({ status: 'error', code: status, error, message }, status));
    const e = await errorOf(vyroAdapter.submit(ROUTE, input(), ctxFor(fetch, BASE)));
    expect(e.kind).toBe(kind);
    expect(e.provider).toBe('imagine.art');
    expect(e.message).toMatch(/imagine\.art/);
    if (kind === 'invalid_input') expect(e.message).toContain(message);
  });
});

describe('imagine.art testKey', () => {
  it('sends a form without a prompt: refused input means the key works, 401 that it does not', async () => {
    const { fetch, calls } = fakeFetch((_c, i) =>
      i === 0 ? jsonResponse({ status: 'error', code: 422, error: 'Unprocessable Entity', message: 'prompt is required.' }, 422) : jsonResponse({ status: 'error', code: 401, error: 'Unauthorized', message: 'bad key' }, 401),
    );
    await vyroAdapter.testKey(ctxFor(fetch, BASE));
    expect(calls[0]!.url).toBe('https://api.vyro.ai/v2/image/generations');
    expect(await partsOf(calls[0]!.init.body as FormData)).toEqual([['style', 'realistic']]);
    expect((await errorOf(vyroAdapter.testKey(ctxFor(fetch, BASE)))).kind).toBe('bad_key');
  });
});

describe('imagine.art against the sandbox', () => {
  const sandbox = useSandbox();

  it('returns image bytes end to end and maps injected errors', async () => {
    const ctx = ctxFor(globalThis.fetch, `${sandbox().url}/vyro`);
    await vyroAdapter.testKey(ctx);
    const out = await vyroAdapter.submit(ROUTE, input({ aspectRatio: '9:16', seed: 1 }), ctx);
    const o = out.kind === 'done' ? out.outputs[0] : undefined;
    if (o?.kind !== 'blob') throw new Error('expected a blob output');
    expect(o.blob.type).toBe('image/png');
    expect(isPng(new Uint8Array(await o.blob.arrayBuffer()))).toBe(true);
    expect(sandbox().requests.at(-1)?.headers.authorization).toBe('Bearer sk-test-123');

    sandbox().injectFault({ provider: 'vyro', on: 'submit', status: 402 });
    expect((await errorOf(vyroAdapter.submit(ROUTE, input(), ctx))).kind).toBe('out_of_credit');
    expect((await errorOf(vyroAdapter.submit(ROUTE, input({ prompt: 'x [sandbox:unsafe]' }), ctx))).kind).toBe('moderated');
  });
});
