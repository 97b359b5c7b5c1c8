// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { Jimp } from 'jimp';
import { getModel, toRouteStrength, wireSize } from '../../../utils/models';
import { getAdapter } from '../../../utils/providers';
import { byteplusAdapter } from '../../../utils/providers/byteplus';
import { ctxFor, errorOf, fakeFetch, input, isPng, jsonResponse, realImage, routeOf, useSandbox } from './contract-helpers';

const BASE = 'https://ark.ap-southeast.bytepluses.com';
const S4 = routeOf('seedream-v3', 'byteplus:seedream-4-0-250828');
const T2I = routeOf('seedream-v3', 'byteplus:seedream-3-0-t2i-250415');
const EDIT = routeOf('seedream-v3', 'byteplus:seededit-3-0-i2i-250628');
const PROMPT = 'a lighthouse at dusk, film photo';

const SUCCESS = {
  model: 'seedream-4-0-250828',
  created: 1757321139,
  data: [{ url: 'https://ark-content-generation-ap-southeast-1.tos-ap-southeast-1.volces.com/seedream-4-0/a.jpeg?X-Tos-Expires=86400', size: '2048x2048' }],
  usage: { generated_images: 1, output_tokens: 16384, total_tokens: 16384 },
};

const dataUriOf = async (img: { blob: Blob; mime: string }) => `data:${img.mime};base64,${Buffer.from(await img.blob.arrayBuffer()).toString('base64')}`;
const bodyOf = (init: RequestInit) => JSON.parse(init.body as string) as Record<string, unknown>;

describe('BytePlus routes in the catalogue', () => {
  it('Seedream v3 runs on Seedream 4.0; the 3.0 routes are retired with their successor', () => {
    expect(getModel('seedream-v3').routes.map((r) => r.id)).toEqual([
      'fal:fal-ai/bytedance/seedream/v4/edit',
      'byteplus:seedream-4-0-250828',
      'fal:fal-ai/bytedance/seedream/v3/text-to-image',
      'byteplus:seedream-3-0-t2i-250415',
      'byteplus:seededit-3-0-i2i-250628',
      'openrouter:bytedance-seed/seedream-4.5',
    ]);
    expect(S4).toMatchObject({ imageInput: 'native', maxImages: 1, seed: { max: 2_147_483_647 }, lifecycle: { status: 'live' } });
    expect(T2I.lifecycle).toMatchObject({ status: 'retired', successor: 'byteplus:seedream-4-0-250828' });
    expect(EDIT.lifecycle).toMatchObject({ status: 'retired', successor: 'byteplus:seedream-4-0-250828' });
    expect(EDIT.strength).toEqual({ field: 'guidance_scale', min: 1, max: 10, default: 5.5, higherKeepsMore: false });
    expect(getAdapter('byteplus')).toBe(byteplusAdapter);
    expect(byteplusAdapter.mode).toBe('sync');
  });
});

describe('BytePlus wire form', () => {
  it('Seedream 4.0: POST /api/v3/images/generations, Bearer, the reference as a data URI, size WxH from the route', async () => {
    const image = await realImage('image/jpeg', 90, 60);
    const { fetch, calls } = fakeFetch(() => jsonResponse(SUCCESS));
    const out = await byteplusAdapter.submit(S4, input({ image, aspectRatio: '16:9', seed: 11 }), ctxFor(fetch, BASE));
    const { url, init, request } = calls[0]!;
    expect(url).toBe('https://ark.ap-southeast.bytepluses.com/api/v3/images/generations');
    expect(init.method).toBe('POST');
    expect(request.headers.get('authorization')).toBe('Bearer sk-test-123');
    expect(request.headers.get('content-type')).toBe('application/json');
    expect(bodyOf(init)).toEqual({
      model: 'seedream-4-0-250828',
      prompt: PROMPT,
      image: await dataUriOf(image),
      size: '2560x1440',
      sequential_image_generation: 'disabled',
      seed: 11,
      response_format: 'url',
      watermark: false,
    });
    expect(out).toEqual({ kind: 'done', outputs: [{ kind: 'url', url: SUCCESS.data[0]!.url, width: 2048, height: 2048 }] });
  });

  it('Seedream 4.0 without a ratio asks for the square size; an override goes out as `model`', async () => {
    const image = await realImage('image/png');
    const { fetch, calls } = fakeFetch(() => jsonResponse(SUCCESS));
    await byteplusAdapter.submit({ ...S4, modelOverride: 'seedream-4-5-251128' }, input({ image }), ctxFor(fetch, BASE));
    expect(bodyOf(calls[0]!.init)).toMatchObject({ model: 'seedream-4-5-251128', size: '2048x2048' });
  });

  it('Seedream 3 (retired) still builds its old body: size from its own table', async () => {
    const { fetch, calls } = fakeFetch(() => jsonResponse(SUCCESS));
    await byteplusAdapter.submit(T2I, input({ aspectRatio: '16:9', seed: 11 }), ctxFor(fetch, BASE));
    const size = wireSize(T2I, '16:9') as { width: number; height: number };
    expect(bodyOf(calls[0]!.init)).toEqual({ model: 'seedream-3-0-t2i-250415', prompt: PROMPT, size: `${size.width}x${size.height}`, seed: 11, response_format: 'url', watermark: false });
  });

  it('SeedEdit (retired): the image as a data URI, size adaptive, guidance_scale from the panel', async () => {
    const image = await realImage('image/jpeg', 90, 60);
    const { fetch, calls } = fakeFetch(() => jsonResponse({ ...SUCCESS, model: 'seededit-3-0-i2i-250628' }));
    const strength = toRouteStrength(EDIT.strength!, 0.8); // keep much of the image -> low guidance
    await byteplusAdapter.submit(EDIT, input({ image, strength, seed: 3 }), ctxFor(fetch, BASE));
    expect(bodyOf(calls[0]!.init)).toEqual({
      model: 'seededit-3-0-i2i-250628',
      prompt: PROMPT,
      image: await dataUriOf(image),
      size: 'adaptive',
      guidance_scale: 2.8,
      seed: 3,
      response_format: 'url',
      watermark: false,
    });
  });
});

describe('BytePlus replies', () => {
  it('accepts b64_json data as a blob output', async () => {
    const png = await realImage('image/png');
    const b64 = Buffer.from(await png.blob.arrayBuffer()).toString('base64');
    const { fetch } = fakeFetch(() => jsonResponse({ ...SUCCESS, data: [{ b64_json: b64, size: '64x48' }] }));
    const out = await byteplusAdapter.submit(S4, input({ image: png }), ctxFor(fetch, BASE));
    const o = out.kind === 'done' ? out.outputs[0] : undefined;
    expect(o?.kind).toBe('blob');
    if (o?.kind === 'blob') {
      expect(o.blob.type).toBe('image/png');
      expect(o.width).toBe(64);
      expect(isPng(new Uint8Array(await o.blob.arrayBuffer()))).toBe(true);
    }
  });

  it.each([
    [400, 'InvalidParameter', 'invalid_input', 'The parameter `size` specified in the request is not valid'],
    [400, 'MissingParameter', 'invalid_input', 'The request failed because it is missing one or multiple required parameters'],
    [400, 'InputTextSensitiveContentDetected', 'moderated', 'The request failed because the input text may contain sensitive information.'],
    [400, 'OutputImageSensitiveContentDetected', 'moderated', 'The request failed because the output image may contain sensitive information.'],
    [400, 'SensitiveContentDetected.SevereViolation', 'moderated', 'The request failed because the input text may contain severe violation information.'],
    [401, 'AuthenticationError', 'bad_key', 'The API key or AK/SK in the request is missing or invalid.'],
    [403, 'AccountOverdueError', 'out_of_credit', 'The request failed because your account has an overdue balance.'],
    [404, 'InvalidEndpointOrModel.NotFound', 'route_unavailable', 'The model or endpoint seedream-4-0-250828 does not exist or you do not have access to it. Request id: 0217'],
    // Not activated for this account: a setup step, not the model going away.
    [404, 'ModelNotOpen', 'invalid_input', 'Your account has not activated the model seedream-4-0. Please activate the model service in the Ark Console.'],
    [429, 'RateLimitExceeded.EndpointRPMExceeded', 'rate_limited', 'The request has exceeded the RPM limit.'],
    [429, 'QuotaExceeded', 'out_of_credit', 'The request has exceeded the quota.'],
    [500, 'InternalServiceError', 'provider_down', 'The service encountered an unexpected internal error.'],
  ] as const)('maps %i %s to %s', async (status, code, kind, message) => {
    const { fetch } = fakeFetch(() => jsonResponse({ error: { code, message, param: '', type: 'BadRequest' } }, status, status === 429 ? { 'Retry-After': '4' } : {}));
    const e = await errorOf(byteplusAdapter.submit(S4, input({ image: await realImage('image/png') }), ctxFor(fetch, BASE)));
    expect(e.kind).toBe(kind);
    expect(e.provider).toBe('BytePlus');
    expect(e.message).toMatch(/BytePlus/);
    if (kind === 'invalid_input' || kind === 'moderated' || kind === 'route_unavailable') expect(e.message).toContain(code);
    expect(e.routeId).toBe(kind === 'route_unavailable' ? S4.id : undefined);
    if (code.startsWith('RateLimit')) expect(e.retryAfterMs).toBe(4000);
  });

  it('treats an error object inside a 200 as a failure', async () => {
    const { fetch } = fakeFetch(() => jsonResponse({ model: 'x', created: 1, data: [], error: { code: 'OutputImageSensitiveContentDetected', message: 'policy' } }));
    expect((await errorOf(byteplusAdapter.submit(S4, input(), ctxFor(fetch, BASE)))).kind).toBe('moderated');
  });
});

describe('BytePlus testKey', () => {
  it('sends an empty (free) request: 400 means the key works, 401 that it does not', async () => {
    const { fetch, calls } = fakeFetch((_c, i) =>
      i === 0
        ? jsonResponse({ error: { code: 'MissingParameter', message: 'missing model' } }, 400)
        : jsonResponse({ error: { code: 'AuthenticationError', message: 'invalid key' } }, 401),
    );
    await byteplusAdapter.testKey(ctxFor(fetch, BASE));
    expect(calls[0]!.url).toBe('https://ark.ap-southeast.bytepluses.com/api/v3/images/generations');
    expect(calls[0]!.init.body).toBe('{}');
    expect((await errorOf(byteplusAdapter.testKey(ctxFor(fetch, BASE)))).kind).toBe('bad_key');
  });
});

describe('BytePlus against the sandbox', () => {
  const sandbox = useSandbox();
  const ctx = () => ctxFor(globalThis.fetch, `${sandbox().url}/byteplus`);

  it('runs Seedream 4.0 at every ratio of the route into PNGs of that shape', async () => {
    await byteplusAdapter.testKey(ctx());
    const image = await realImage('image/jpeg', 120, 90);
    for (const ratio of S4.aspectRatios ?? []) {
      const out = await byteplusAdapter.submit(S4, input({ image, aspectRatio: ratio, seed: 5 }), ctx());
      const first = out.kind === 'done' ? out.outputs[0] : undefined;
      if (first?.kind !== 'url') throw new Error('expected a url output');
      const size = wireSize(S4, ratio) as { width: number; height: number };
      expect(first.width! / first.height!, ratio).toBeCloseTo(size.width / size.height, 1);
      const bytes = new Uint8Array(await (await fetch(first.url)).arrayBuffer());
      expect(isPng(bytes)).toBe(true);
      // Derived from the reference: its dark left half stays darker than its bright right half.
      const { bitmap } = await Jimp.fromBuffer(Buffer.from(bytes));
      const at = (x: number) => {
        const i = (Math.floor(bitmap.height / 2) * bitmap.width + x) * 4;
        return (bitmap.data[i] ?? 0) + (bitmap.data[i + 1] ?? 0) + (bitmap.data[i + 2] ?? 0);
      };
      expect(at(Math.floor(bitmap.width / 4)), ratio).toBeLessThan(at(Math.floor((3 * bitmap.width) / 4)));
    }
  });

  it('accepts a seed at the route\u2019s maximum', async () => {
    const max = S4.seed ? S4.seed.max : 0;
    const out = await byteplusAdapter.submit(S4, input({ image: await realImage('image/png'), seed: max }), ctx());
    expect(out.kind).toBe('done');
    expect((sandbox().requests.find((q) => q.provider === 'byteplus')?.body as { seed: number }).seed).toBe(max);
  });

  it.each([T2I, EDIT])('answers retired $id with route_unavailable', async (r) => {
    const image = await realImage('image/jpeg', 90, 60);
    const e = await errorOf(byteplusAdapter.submit(r, input({ image }), ctx()));
    expect(e).toMatchObject({ kind: 'route_unavailable', routeId: r.id, provider: 'BytePlus' });
    expect(e.message).toContain(r.endpoint);
  });

  it('runs a model id override ModelArk has; one it does not is route_unavailable', async () => {
    const image = await realImage('image/png', 80, 60);
    const ok = await byteplusAdapter.submit({ ...S4, modelOverride: 'seedream-4-5-251128' }, input({ image, aspectRatio: '4:3' }), ctx());
    expect(ok.kind).toBe('done');
    const e = await errorOf(byteplusAdapter.submit({ ...S4, modelOverride: 'seedream-9-0-991231' }, input({ image }), ctx()));
    expect(e).toMatchObject({ kind: 'route_unavailable', routeId: S4.id });
    sandbox().retire('byteplus', 'seedream-4-0-250828');
    expect(await errorOf(byteplusAdapter.submit(S4, input({ image }), ctx()))).toMatchObject({ kind: 'route_unavailable', routeId: S4.id });
  });

  it('maps a refusal and injected faults; 500, 503 and 429 are never route_unavailable', async () => {
    const image = await realImage('image/png');
    expect((await errorOf(byteplusAdapter.submit(S4, input({ image, prompt: 'a cat [sandbox:unsafe]' }), ctx()))).kind).toBe('moderated');
    for (const [status, kind] of [
      [429, 'rate_limited'],
      [500, 'provider_down'],
      [503, 'rate_limited'], // ServerOverloaded: busy, try again later
    ] as const) {
      sandbox().injectFault({ provider: 'byteplus', on: 'submit', status });
      expect((await errorOf(byteplusAdapter.submit(S4, input({ image }), ctx()))).kind, String(status)).toBe(kind);
    }
  });

  it('checks Seedream 4.x fields as ModelArk documents them', async () => {
    const png = await dataUriOf(await realImage('image/png', 64, 48));
    const wide = await dataUriOf(await realImage('image/png', 200, 50));
    const post = async (body: Record<string, unknown>) => {
      const res = await fetch(`${sandbox().url}/byteplus/api/v3/images/generations`, {
        method: 'POST',
        headers: { Authorization: 'Bearer k', 'Content-Type': 'application/json' },
        body: JSON.stringify({ prompt: 'x', ...body }),
      });
      return { status: res.status, json: (await res.json()) as { error?: { code: string; param: string; message: string }; data?: Array<{ size: string; b64_json?: string }> } };
    };
    const ok = { model: 'seedream-4-0-250828', image: png };
    expect((await post({ ...ok, size: '2K' })).status).toBe(200);
    expect((await post({ ...ok, image: [png, png], size: '1280x720', response_format: 'b64_json' })).json.data?.[0]).toMatchObject({ size: '1024x576', b64_json: expect.any(String) });
    const refused: Array<[Record<string, unknown>, string]> = [
      [{ ...ok, size: '800x800' }, 'size'], // under 921,600 px for 4.0
      [{ ...ok, size: '3K' }, 'size'], // not a 4.0 tier
      [{ ...ok, size: '4096x200' }, 'size'], // ratio beyond 16
      [{ ...ok, image: Array(11).fill(png) }, 'image'],
      [{ ...ok, image: wide }, 'image'], // reference ratio beyond 3
      [{ ...ok, image: 'not a url' }, 'image'],
      [{ ...ok, output_format: 'png' }, 'output_format'], // 5.x only
      [{ ...ok, sequential_image_generation: 'always' }, 'sequential_image_generation'],
      [{ ...ok, seed: 2_147_483_648 }, 'seed'],
      [{ model: 'seedream-4-5-251128', image: png, size: '2048x1024' }, 'size'], // under 3,686,400 px for 4.5
    ];
    for (const [body, param] of refused) {
      const r = await post(body);
      expect(r.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(r.json.error).toMatchObject({ code: 'InvalidParameter', param });
    }
    expect((await post({ model: 'seedream-5-0-260128', image: png, size: '3K', output_format: 'png' })).status).toBe(200);
    const gone = await post({ model: 'seedream-3-0-t2i-250415', size: '1024x1024' });
    expect(gone.status).toBe(404);
    expect(gone.json.error).toMatchObject({ code: 'InvalidEndpointOrModel.NotFound', param: '', type: 'NotFound' });
    expect(gone.json.error?.message).toMatch(/^The model or endpoint seedream-3-0-t2i-250415 does not exist or you do not have access to it\. Request id: /);
  });
});
