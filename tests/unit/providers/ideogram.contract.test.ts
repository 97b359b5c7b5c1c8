// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { toRouteStrength, wireSize } from '../../../utils/models';
import { getAdapter } from '../../../utils/providers';
import { ideogramAdapter } from '../../../utils/providers/ideogram';
import { ctxFor, errorOf, fakeFetch, input, isPng, jsonResponse, partsOf, realImage, routeOf, useSandbox } from './contract-helpers';

const BASE = 'https://api.ideogram.ai';
const REMIX = routeOf('ideogram-v3', 'ideogram:v1/ideogram-v3/remix');
const CHARACTER = routeOf('ideogram-character', 'ideogram:v1/ideogram-v3/generate');

const SUCCESS = {
  created: '2000-01-23T04:56:07+00:00',
  data: [
    {
      prompt: 'A photo of a cat',
      resolution: '1280x800',
      is_image_safe: true,
      seed: 12345,
      url: 'https://ideogram.ai/api/images/ephemeral/xtdZiqPwRxqY1Y7NExFmzB.png?exp=1743867804&sig=e13e',
      style_type: 'GENERAL',
    },
  ],
};

describe('Ideogram routes in the catalogue', () => {
  it('remix comes after fal and uses image_weight 1-100 (higher keeps more)', () => {
    expect(REMIX.provider).toBe('ideogram');
    expect(REMIX.imageInput).toBe('native');
    expect(REMIX.strength).toEqual({ field: 'image_weight', min: 1, max: 100, default: 50, higherKeepsMore: true, integer: true });
    expect(REMIX.maxImages).toBe(8);
    expect(getAdapter('ideogram')).toBe(ideogramAdapter);
    expect(ideogramAdapter.mode).toBe('sync');
  });

  it('maps every route ratio onto Ideogram\u2019s NxM form', () => {
    for (const r of [...(REMIX.aspectRatios ?? []), ...(CHARACTER.aspectRatios ?? [])]) expect(wireSize(REMIX.aspectRatios?.includes(r) ? REMIX : CHARACTER, r)).toBe(r.replace(':', 'x'));
    expect(wireSize(REMIX, '21:9')).toBeUndefined();
  });
});

describe('Ideogram remix wire form', () => {
  it('POSTs multipart to /v1/ideogram-v3/remix with the Api-Key header and the image as a file part', async () => {
    const image = await realImage('image/jpeg');
    const { fetch, calls } = fakeFetch(() => jsonResponse(SUCCESS));
    const strength = toRouteStrength(REMIX.strength!, 0.7);
    const out = await ideogramAdapter.submit(REMIX, input({ image, strength, aspectRatio: '16:9', numImages: 2, seed: 42 }), ctxFor(fetch, `${BASE}/`));

    expect(calls).toHaveLength(1);
    const { url, init, request } = calls[0]!;
    expect(url).toBe('https://api.ideogram.ai/v1/ideogram-v3/remix');
    expect(init.method).toBe('POST');
    expect(init.credentials).toBe('omit');
    expect(init.redirect).toBe('error');
    expect(request.headers.get('api-key')).toBe('sk-test-123');
    expect(request.headers.get('authorization')).toBeNull();
    expect(request.headers.get('content-type')).toMatch(/^multipart\/form-data; boundary=/);
    expect(init.body).toBeInstanceOf(FormData);
    expect(await partsOf(init.body as FormData)).toEqual([
      ['image', { filename: 'reference.jpg', type: 'image/jpeg', bytes: image.blob.size }],
      ['prompt', 'a lighthouse at dusk, film photo'],
      ['image_weight', '70'],
      ['aspect_ratio', '16x9'],
      ['rendering_speed', 'DEFAULT'],
      ['num_images', '2'],
      ['seed', '42'],
    ]);
    // The serialised body really carries a typed file part.
    const wire = await request.text();
    expect(wire).toContain('Content-Disposition: form-data; name="image"; filename="reference.jpg"');
    expect(wire).toContain('Content-Type: image/jpeg');

    expect(out).toEqual({
      kind: 'done',
      outputs: [{ kind: 'url', url: SUCCESS.data[0]!.url, width: 1280, height: 800 }],
    });
  });

  it('refuses to remix without an image, before any request', async () => {
    const { fetch, calls } = fakeFetch(() => jsonResponse(SUCCESS));
    const e = await errorOf(ideogramAdapter.submit(REMIX, input(), ctxFor(fetch, BASE)));
    expect(e.kind).toBe('invalid_input');
    expect(calls).toHaveLength(0);
  });

  it('leaves out knobs the panel did not set', async () => {
    const image = await realImage('image/png');
    const { fetch, calls } = fakeFetch(() => jsonResponse(SUCCESS));
    await ideogramAdapter.submit(REMIX, input({ image }), ctxFor(fetch, BASE));
    const names = (await partsOf(calls[0]!.init.body as FormData)).map(([n]) => n);
    expect(names).toEqual(['image', 'prompt', 'rendering_speed', 'num_images']);
    expect((await partsOf(calls[0]!.init.body as FormData))[0]).toEqual(['image', { filename: 'reference.png', type: 'image/png', bytes: image.blob.size }]);
  });
});

describe('Ideogram Character wire form', () => {
  it('POSTs to /v1/ideogram-v3/generate with one character_reference_images file and style_type AUTO', async () => {
    const image = await realImage('image/png', 40, 60);
    const { fetch, calls } = fakeFetch(() => jsonResponse(SUCCESS));
    await ideogramAdapter.submit(CHARACTER, input({ image, aspectRatio: '3:4', numImages: 3, seed: 7 }), ctxFor(fetch, BASE));
    const { url, request, init } = calls[0]!;
    expect(url).toBe('https://api.ideogram.ai/v1/ideogram-v3/generate');
    expect(request.headers.get('api-key')).toBe('sk-test-123');
    expect(await partsOf(init.body as FormData)).toEqual([
      ['character_reference_images', { filename: 'character.png', type: 'image/png', bytes: image.blob.size }],
      ['style_type', 'AUTO'],
      ['prompt', 'a lighthouse at dusk, film photo'],
      ['aspect_ratio', '3x4'],
      ['rendering_speed', 'DEFAULT'],
      ['num_images', '3'],
      ['seed', '7'],
    ]);
  });
});

describe('Ideogram replies', () => {
  it('keeps only images that passed the safety check', async () => {
    const reply = {
      ...SUCCESS,
      data: [{ ...SUCCESS.data[0]!, is_image_safe: false, url: null }, { ...SUCCESS.data[0]!, url: 'https://ideogram.ai/api/images/ephemeral/b.png', resolution: '1024x1024' }],
    };
    const { fetch } = fakeFetch(() => jsonResponse(reply));
    const out = await ideogramAdapter.submit(REMIX, input({ image: await realImage('image/jpeg') }), ctxFor(fetch, BASE));
    expect(out).toEqual({ kind: 'done', outputs: [{ kind: 'url', url: 'https://ideogram.ai/api/images/ephemeral/b.png', width: 1024, height: 1024 }] });
  });

  it('is moderated when every image failed the safety check', async () => {
    const { fetch } = fakeFetch(() => jsonResponse({ ...SUCCESS, data: [{ ...SUCCESS.data[0]!, is_image_safe: false, url: null }] }));
    const e = await errorOf(ideogramAdapter.submit(REMIX, input({ image: await realImage('image/jpeg') }), ctxFor(fetch, BASE)));
    expect(e.kind).toBe('moderated');
    expect(e.message).toMatch(/Ideogram/);
  });

  it('names the field when the reply is not what Ideogram documents', async () => {
    const { fetch } = fakeFetch(() => jsonResponse({ created: 'x', data: [{ url: 'https://x/y.png' }] }));
    const e = await errorOf(ideogramAdapter.submit(REMIX, input({ image: await realImage('image/jpeg') }), ctxFor(fetch, BASE)));
    expect(e.kind).toBe('bad_reply');
    expect(e.message).toMatch(/Ideogram.*data\.0\.is_image_safe/);
  });

  it.each([
    [400, { error: 'aspect_ratio is not valid' }, {}, 'invalid_input', /Ideogram: aspect_ratio is not valid/],
    [401, { error: 'Unauthorized' }, {}, 'bad_key', /Ideogram did not accept the API key/],
    [403, { error: 'Not authorized to generate an image.' }, {}, 'bad_key', /Ideogram/],
    [402, { error: 'Insufficient credits or quota.' }, {}, 'out_of_credit', /Ideogram/],
    [422, { error: 'Prompt provided failed safety check due to the inclusion of prohibited content.' }, {}, 'moderated', /Ideogram refused this content: Prompt provided failed safety check/],
    [429, { error: 'Too many requests.' }, { 'Retry-After': '3' }, 'rate_limited', /Ideogram/],
    [500, 'Internal Server Error', {}, 'provider_down', /Ideogram/],
  ] as const)('maps HTTP %i to %s', async (status, body, headers, kind, message) => {
    const { fetch } = fakeFetch(() => (typeof body === 'string' ? new Response(body, { status }) : jsonResponse(body, status, headers)));
    const e = await errorOf(ideogramAdapter.submit(REMIX, input({ image: await realImage('image/jpeg') }), ctxFor(fetch, BASE)));
    expect(e.kind).toBe(kind);
    expect(e.provider).toBe('Ideogram');
    expect(e.message).toMatch(message);
    if (status === 429) expect(e.retryAfterMs).toBe(3000);
  });

  it('sends the key only to the configured origin', async () => {
    const { fetch, calls } = fakeFetch(() => jsonResponse(SUCCESS));
    const e = await errorOf(ideogramAdapter.submit(REMIX, input({ image: await realImage('image/jpeg') }), ctxFor(fetch, 'not a url')));
    expect(e.kind).toBe('bad_reply');
    expect(calls).toHaveLength(0);
  });
});

describe('Ideogram testKey', () => {
  it('lists the key owner\u2019s custom models (free) and accepts 200', async () => {
    const { fetch, calls } = fakeFetch(() => jsonResponse({ models: [] }));
    await ideogramAdapter.testKey(ctxFor(fetch, BASE));
    expect(calls[0]!.url).toBe('https://api.ideogram.ai/models?scope=owned');
    expect(calls[0]!.init.method).toBe('GET');
    expect(calls[0]!.request.headers.get('api-key')).toBe('sk-test-123');
  });

  it('reports a rejected key', async () => {
    const { fetch } = fakeFetch(() => jsonResponse({ detail: 'Unauthorized' }, 401));
    expect((await errorOf(ideogramAdapter.testKey(ctxFor(fetch, BASE)))).kind).toBe('bad_key');
  });
});

describe('Ideogram against the sandbox', () => {
  const sandbox = useSandbox();

  it('remixes a real JPEG end to end and serves the result', async () => {
    const ctx = ctxFor(globalThis.fetch, `${sandbox().url}/ideogram`);
    await ideogramAdapter.testKey(ctx);
    const image = await realImage('image/jpeg', 120, 80);
    const out = await ideogramAdapter.submit(REMIX, input({ image, strength: 60, aspectRatio: '3:2', numImages: 2, seed: 5 }), ctx);
    expect(out.kind).toBe('done');
    const outputs = out.kind === 'done' ? out.outputs : [];
    expect(outputs).toHaveLength(2);
    for (const o of outputs) {
      expect(o.kind).toBe('url');
      if (o.kind !== 'url') continue;
      expect(o.width! / o.height!).toBeCloseTo(1.5, 1);
      const res = await fetch(o.url);
      expect(res.status).toBe(200);
      expect(isPng(new Uint8Array(await res.arrayBuffer()))).toBe(true);
    }
    const req = sandbox().requests.find((r) => r.path === '/ideogram/v1/ideogram-v3/remix');
    expect(req?.headers['api-key']).toBe('sk-test-123');
    expect(req?.headers['content-type']).toMatch(/^multipart\/form-data/);
  });

  it('runs the character route and maps an injected safety refusal', async () => {
    const ctx = ctxFor(globalThis.fetch, `${sandbox().url}/ideogram`);
    const image = await realImage('image/png');
    const ok = await ideogramAdapter.submit(CHARACTER, input({ image }), ctx);
    expect(ok.kind).toBe('done');
    sandbox().injectFault({ provider: 'ideogram', on: 'submit', status: 422 });
    const e = await errorOf(ideogramAdapter.submit(CHARACTER, input({ image }), ctx));
    expect(e.kind).toBe('moderated');
    const unsafe = await errorOf(ideogramAdapter.submit(CHARACTER, input({ image, prompt: 'x [sandbox:unsafe]' }), ctx));
    expect(unsafe.kind).toBe('moderated');
  });
});
