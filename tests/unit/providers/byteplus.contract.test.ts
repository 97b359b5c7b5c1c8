// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { getModel, toRouteStrength } from '../../../utils/models';
import { getAdapter } from '../../../utils/providers';
import { byteplusAdapter } from '../../../utils/providers/byteplus';
import { SEEDREAM3_SIZES } from '../../../utils/providers/sizes';
import { ctxFor, input, isPng, jsonResponse, realImage, recordingFetch, routeOf, useSandbox } from './sync-helpers';
import { errorOf } from './scripted-fetch';

const BASE = 'https://ark.ap-southeast.bytepluses.com';
const T2I = routeOf('seedream-v3', 'byteplus:seedream-3-0-t2i-250415');
const EDIT = routeOf('seedream-v3', 'byteplus:seededit-3-0-i2i-250628');

const SUCCESS = {
  model: 'seedream-3-0-t2i-250415',
  created: 1757321139,
  data: [{ url: 'https://ark-content-generation-ap-southeast-1.tos-ap-southeast-1.volces.com/seedream-3-0/a.jpeg?X-Tos-Expires=86400' }],
  usage: { generated_images: 1, output_tokens: 4096, total_tokens: 4096 },
};

describe('BytePlus routes in the catalogue', () => {
  it('Seedream v3: fal first, then BytePlus text-to-image, then SeedEdit with a label', () => {
    expect(getModel('seedream-v3').routes.map((r) => r.id)).toEqual([
      'fal:fal-ai/bytedance/seedream/v3/text-to-image',
      'byteplus:seedream-3-0-t2i-250415',
      'byteplus:seededit-3-0-i2i-250628',
    ]);
    expect(T2I.imageInput).toBe('described');
    expect(T2I.maxImages).toBe(1);
    expect(T2I.aspectRatios?.every((r) => SEEDREAM3_SIZES[r])).toBe(true);
    expect(EDIT.imageInput).toBe('native');
    expect(EDIT.label).toBe('SeedEdit 3.0 (edits your image)');
    expect(EDIT.strength).toEqual({ field: 'guidance_scale', min: 1, max: 10, default: 5.5, higherKeepsMore: false });
    expect(getAdapter('byteplus')).toBe(byteplusAdapter);
    expect(byteplusAdapter.mode).toBe('sync');
  });
});

describe('BytePlus wire form', () => {
  it('Seedream 3: POST /api/v3/images/generations, Bearer, size from the ratio, no watermark', async () => {
    const { fetch, calls } = recordingFetch(() => jsonResponse(SUCCESS));
    const out = await byteplusAdapter.submit(T2I, input({ aspectRatio: '16:9', seed: 11 }), ctxFor(fetch, BASE));
    const { url, init, request } = calls[0]!;
    expect(url).toBe('https://ark.ap-southeast.bytepluses.com/api/v3/images/generations');
    expect(init.method).toBe('POST');
    expect(request.headers.get('authorization')).toBe('Bearer sk-test-123');
    expect(request.headers.get('content-type')).toBe('application/json');
    expect(JSON.parse(init.body as string)).toEqual({
      model: 'seedream-3-0-t2i-250415',
      prompt: 'a lighthouse at dusk, film photo',
      size: '1280x720',
      seed: 11,
      response_format: 'url',
      watermark: false,
    });
    expect(out).toEqual({ kind: 'done', outputs: [{ kind: 'url', url: SUCCESS.data[0]!.url }] });
  });

  it('Seedream 3 defaults to 1024x1024', async () => {
    const { fetch, calls } = recordingFetch(() => jsonResponse(SUCCESS));
    await byteplusAdapter.submit(T2I, input(), ctxFor(fetch, BASE));
    expect(JSON.parse(calls[0]!.init.body as string).size).toBe('1024x1024');
  });

  it('SeedEdit: the image as a data URI, size adaptive, guidance_scale from the panel', async () => {
    const image = await realImage('image/jpeg', 90, 60);
    const { fetch, calls } = recordingFetch(() => jsonResponse({ ...SUCCESS, model: 'seededit-3-0-i2i-250628' }));
    const strength = toRouteStrength(EDIT.strength!, 0.8); // keep much of the image -> low guidance
    await byteplusAdapter.submit(EDIT, input({ image, strength, seed: 3 }), ctxFor(fetch, BASE));
    expect(JSON.parse(calls[0]!.init.body as string)).toEqual({
      model: 'seededit-3-0-i2i-250628',
      prompt: 'a lighthouse at dusk, film photo',
      image: `data:image/jpeg;base64,${Buffer.from(await image.blob.arrayBuffer()).toString('base64')}`,
      size: 'adaptive',
      guidance_scale: 2.8,
      seed: 3,
      response_format: 'url',
      watermark: false,
    });
  });

  it('SeedEdit refuses missing or extreme images before sending', async () => {
    const { fetch, calls } = recordingFetch(() => jsonResponse(SUCCESS));
    expect((await errorOf(byteplusAdapter.submit(EDIT, input(), ctxFor(fetch, BASE)))).kind).toBe('invalid_input');
    expect((await errorOf(byteplusAdapter.submit(EDIT, input({ image: await realImage('image/png', 200, 50) }), ctxFor(fetch, BASE)))).kind).toBe('invalid_input');
    expect(calls).toHaveLength(0);
  });
});

describe('BytePlus replies', () => {
  it('accepts b64_json data as a blob output', async () => {
    const png = await realImage('image/png');
    const b64 = Buffer.from(await png.blob.arrayBuffer()).toString('base64');
    const { fetch } = recordingFetch(() => jsonResponse({ ...SUCCESS, data: [{ b64_json: b64, size: '64x48' }] }));
    const out = await byteplusAdapter.submit(T2I, input(), ctxFor(fetch, BASE));
    const o = out.kind === 'done' ? out.outputs[0] : undefined;
    expect(o?.kind).toBe('blob');
    if (o?.kind === 'blob') {
      expect(o.blob.type).toBe('image/png');
      expect(o.width).toBe(64);
      expect(isPng(new Uint8Array(await o.blob.arrayBuffer()))).toBe(true);
    }
  });

  it.each([
    [400, 'InvalidParameter', 'The parameter `size` specified in the request is not valid', 'invalid_input'],
    [400, 'MissingParameter', 'The request failed because it is missing one or multiple required parameters', 'invalid_input'],
    [400, 'InputTextSensitiveContentDetected', 'The request failed because the input text may contain sensitive information.', 'moderated'],
    [400, 'OutputImageSensitiveContentDetected', 'The request failed because the output image may contain sensitive information.', 'moderated'],
    [400, 'SensitiveContentDetected.SevereViolation', 'The request failed because the input text may contain severe violation information.', 'moderated'],
    [401, 'AuthenticationError', 'The API key or AK/SK in the request is missing or invalid.', 'bad_key'],
    [403, 'AccountOverdueError', 'The request failed because your account has an overdue balance.', 'out_of_credit'],
    [404, 'InvalidEndpointOrModel.NotFound', 'The model or endpoint does not exist or you do not have access to it.', 'invalid_input'],
    [429, 'RateLimitExceeded.EndpointRPMExceeded', 'The request has exceeded the RPM limit.', 'rate_limited'],
    [429, 'QuotaExceeded', 'The request has exceeded the quota.', 'out_of_credit'],
    [500, 'InternalServiceError', 'The service encountered an unexpected internal error.', 'provider_down'],
  ] as const)('maps %i %s to %s', async (status, code, message, kind) => {
    const { fetch } = recordingFetch(() => jsonResponse({ error: { code, message, param: '', type: 'BadRequest' } }, status, status === 429 ? { 'Retry-After': '4' } : {}));
    const e = await errorOf(byteplusAdapter.submit(T2I, input(), ctxFor(fetch, BASE)));
    expect(e.kind).toBe(kind);
    expect(e.provider).toBe('BytePlus');
    expect(e.message).toMatch(/BytePlus/);
    if (kind === 'invalid_input' || kind === 'moderated') expect(e.message).toContain(code);
    if (code.startsWith('RateLimit')) expect(e.retryAfterMs).toBe(4000);
  });

  it('treats an error object inside a 200 as a failure', async () => {
    const { fetch } = recordingFetch(() => jsonResponse({ model: 'x', created: 1, data: [], error: { code: 'OutputImageSensitiveContentDetected', message: 'policy' } }));
    expect((await errorOf(byteplusAdapter.submit(T2I, input(), ctxFor(fetch, BASE)))).kind).toBe('moderated');
  });
});

describe('BytePlus testKey', () => {
  it('sends an empty (free) request: 400 means the key works, 401 that it does not', async () => {
    const { fetch, calls } = recordingFetch((_c, i) =>
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

  it('runs Seedream 3 and SeedEdit end to end and maps a sandbox refusal', async () => {
    const ctx = ctxFor(globalThis.fetch, `${sandbox().url}/byteplus`);
    await byteplusAdapter.testKey(ctx);

    const t2i = await byteplusAdapter.submit(T2I, input({ aspectRatio: '21:9' }), ctx);
    const first = t2i.kind === 'done' ? t2i.outputs[0] : undefined;
    if (first?.kind !== 'url') throw new Error('expected a url output');
    expect(first.width! / first.height!).toBeCloseTo(1512 / 648, 1);
    expect(isPng(new Uint8Array(await (await fetch(first.url)).arrayBuffer()))).toBe(true);

    const image = await realImage('image/jpeg', 120, 90);
    const edit = await byteplusAdapter.submit(EDIT, input({ image, strength: 4 }), ctx);
    const edited = edit.kind === 'done' ? edit.outputs[0] : undefined;
    if (edited?.kind !== 'url') throw new Error('expected a url output');
    expect([edited.width, edited.height]).toEqual([120, 90]);

    const e = await errorOf(byteplusAdapter.submit(T2I, input({ prompt: 'a cat [sandbox:unsafe]' }), ctx));
    expect(e.kind).toBe('moderated');
    sandbox().injectFault({ provider: 'byteplus', on: 'submit', status: 429 });
    expect((await errorOf(byteplusAdapter.submit(T2I, input(), ctx))).kind).toBe('rate_limited');
  });
});
