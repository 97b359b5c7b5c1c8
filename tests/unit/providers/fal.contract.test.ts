// @vitest-environment node
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../../sandbox/server.ts';
import { MODELS, toRouteStrength, type RouteSpec } from '../../../utils/models';
import { falAdapter } from '../../../utils/providers/fal';
import type { GenerationInput, PreparedImage } from '../../../utils/providers/types';
import { ctxFor, input, jsonResponse, realImage, recordingFetch, routeOf } from './sync-helpers';
import { errorOf } from './scripted-fetch';

// Field names are fal's published endpoint input types (@fal-ai/client, libs/client/src/types/endpoints.ts).

const BASE = 'https://queue.fal.run';
const PROMPT = 'a lighthouse at dusk, film photo';

const SUBMIT_REPLY = {
  request_id: 'req-1',
  status_url: 'https://queue.fal.run/fal-ai/flux/requests/req-1/status',
  response_url: 'https://queue.fal.run/fal-ai/flux/requests/req-1',
  cancel_url: 'https://queue.fal.run/fal-ai/flux/requests/req-1/cancel',
  queue_position: 0,
};

let image: PreparedImage;
let dataUri: string;
beforeAll(async () => {
  image = await realImage('image/jpeg');
  dataUri = `data:image/jpeg;base64,${Buffer.from(await image.blob.arrayBuffer()).toString('base64')}`;
});

/** Submits one route through the adapter and returns the exact request it made. */
async function submitted(route: RouteSpec, gen: GenerationInput) {
  const { fetch, calls } = recordingFetch(() => jsonResponse(SUBMIT_REPLY));
  const out = await falAdapter.submit(route, gen, ctxFor(fetch, BASE));
  expect(calls).toHaveLength(1);
  const { url, init, request } = calls[0]!;
  expect(init.method).toBe('POST');
  expect(request.headers.get('authorization')).toBe('Key sk-test-123');
  expect(request.headers.get('content-type')).toBe('application/json');
  return { url, body: JSON.parse(init.body as string) as Record<string, unknown>, out };
}

describe('fal routes: the exact submit body per endpoint', () => {
  it('covers every fal route in the catalogue', () => {
    const falRoutes = MODELS.flatMap((m) => m.routes).filter((r) => r.provider === 'fal').map((r) => r.endpoint);
    expect(falRoutes.sort()).toEqual(
      [
        'fal-ai/bytedance/dreamina/v3.1/text-to-image',
        'fal-ai/bytedance/seedream/v3/text-to-image',
        'fal-ai/flux-pro/v1.1-ultra',
        'fal-ai/flux/dev/image-to-image',
        'fal-ai/gpt-image-1/edit-image',
        'fal-ai/ideogram/character',
        'fal-ai/ideogram/v3/remix',
        'fal-ai/imagen3',
        'fal-ai/minimax/image-01/subject-reference',
      ].sort(),
    );
  });

  it('Flux dev image-to-image: image_url, strength, safety checker', async () => {
    const route = routeOf('flux-dev', 'fal:fal-ai/flux/dev/image-to-image');
    const strength = toRouteStrength(route.strength!, 0.5);
    const { url, body, out } = await submitted(route, input({ image, strength, numImages: 2, seed: 3 }));
    expect(url).toBe('https://queue.fal.run/fal-ai/flux/dev/image-to-image');
    expect(body).toEqual({ prompt: PROMPT, image_url: dataUri, strength: 0.505, enable_safety_checker: true, num_images: 2, seed: 3 });
    expect(out).toEqual({
      kind: 'submitted',
      handle: { requestId: 'req-1', statusUrl: SUBMIT_REPLY.status_url, responseUrl: SUBMIT_REPLY.response_url, cancelUrl: SUBMIT_REPLY.cancel_url },
      queuePosition: 0,
    });
  });

  it('GPT Image 1 edit: image_urls (a list) and image_size; no seed', async () => {
    const route = routeOf('chatgpt-image', 'fal:fal-ai/gpt-image-1/edit-image');
    const { url, body } = await submitted(route, input({ image, aspectRatio: '1536x1024', numImages: 1, seed: 9 }));
    expect(url).toBe('https://queue.fal.run/fal-ai/gpt-image-1/edit-image');
    expect(body).toEqual({ prompt: PROMPT, image_urls: [dataUri], image_size: '1536x1024', num_images: 1 });
  });

  it('Imagen 3 (described): prompt, aspect_ratio, num_images, seed; no image', async () => {
    const route = routeOf('imagen-3', 'fal:fal-ai/imagen3');
    const { url, body } = await submitted(route, input({ aspectRatio: '3:4', numImages: 4, seed: 1 }));
    expect(url).toBe('https://queue.fal.run/fal-ai/imagen3');
    expect(body).toEqual({ prompt: PROMPT, aspect_ratio: '3:4', num_images: 4, seed: 1 });
  });

  it('Flux 1.1 Ultra: image_url, image_prompt_strength, aspect_ratio', async () => {
    const route = routeOf('flux-ultra', 'fal:fal-ai/flux-pro/v1.1-ultra');
    const strength = toRouteStrength(route.strength!, 0.3);
    const { url, body } = await submitted(route, input({ image, strength, aspectRatio: '21:9', numImages: 1, seed: 2 }));
    expect(url).toBe('https://queue.fal.run/fal-ai/flux-pro/v1.1-ultra');
    expect(body).toEqual({ prompt: PROMPT, image_url: dataUri, image_prompt_strength: 0.3, aspect_ratio: '21:9', num_images: 1, seed: 2 });
  });

  it('Ideogram v3 remix: image_url, strength (of the input image), image_size preset', async () => {
    const route = routeOf('ideogram-v3', 'fal:fal-ai/ideogram/v3/remix');
    expect(route.strength?.higherKeepsMore).toBe(true);
    const strength = toRouteStrength(route.strength!, 0.9);
    const { url, body } = await submitted(route, input({ image, strength, aspectRatio: '16:9', numImages: 2, seed: 4 }));
    expect(url).toBe('https://queue.fal.run/fal-ai/ideogram/v3/remix');
    expect(body).toEqual({ prompt: PROMPT, image_url: dataUri, strength: 0.901, image_size: 'landscape_16_9', num_images: 2, seed: 4 });
    expect(body).not.toHaveProperty('aspect_ratio');
  });

  it('Minimax subject reference: image_url, aspect_ratio, num_images; no seed', async () => {
    const route = routeOf('minimax-image', 'fal:fal-ai/minimax/image-01/subject-reference');
    const { url, body } = await submitted(route, input({ image, aspectRatio: '21:9', numImages: 9, seed: 5 }));
    expect(url).toBe('https://queue.fal.run/fal-ai/minimax/image-01/subject-reference');
    expect(body).toEqual({ prompt: PROMPT, image_url: dataUri, aspect_ratio: '21:9', num_images: 9 });
  });

  it('Seedream 3 text-to-image (described): image_size { width, height }, no aspect_ratio', async () => {
    const route = routeOf('seedream-v3', 'fal:fal-ai/bytedance/seedream/v3/text-to-image');
    const { url, body } = await submitted(route, input({ aspectRatio: '9:16', numImages: 2, seed: 6 }));
    expect(url).toBe('https://queue.fal.run/fal-ai/bytedance/seedream/v3/text-to-image');
    expect(body).toEqual({ prompt: PROMPT, image_size: { width: 720, height: 1280 }, num_images: 2, seed: 6 });
  });

  it('Ideogram Character: reference_image_urls (a list), style AUTO, image_size preset', async () => {
    const route = routeOf('ideogram-character', 'fal:fal-ai/ideogram/character');
    const { url, body } = await submitted(route, input({ image, aspectRatio: '3:4', numImages: 1, seed: 7 }));
    expect(url).toBe('https://queue.fal.run/fal-ai/ideogram/character');
    expect(body).toEqual({ prompt: PROMPT, reference_image_urls: [dataUri], style: 'AUTO', image_size: 'portrait_4_3', num_images: 1, seed: 7 });
  });

  it('Dreamina 3.1 text-to-image (described): prompt, num_images, seed', async () => {
    const route = routeOf('dreamina-3-1', 'fal:fal-ai/bytedance/dreamina/v3.1/text-to-image');
    const { url, body } = await submitted(route, input({ numImages: 3, seed: 8 }));
    expect(url).toBe('https://queue.fal.run/fal-ai/bytedance/dreamina/v3.1/text-to-image');
    expect(body).toEqual({ prompt: PROMPT, num_images: 3, seed: 8 });
  });

  it.each([
    ['chatgpt-image', 'fal:fal-ai/gpt-image-1/edit-image'],
    ['ideogram-v3', 'fal:fal-ai/ideogram/v3/remix'],
    ['minimax-image', 'fal:fal-ai/minimax/image-01/subject-reference'],
    ['ideogram-character', 'fal:fal-ai/ideogram/character'],
  ] as const)('%s refuses to submit without its image', async (model, id) => {
    const { fetch, calls } = recordingFetch(() => jsonResponse(SUBMIT_REPLY));
    expect((await errorOf(falAdapter.submit(routeOf(model, id), input(), ctxFor(fetch, BASE)))).kind).toBe('invalid_input');
    expect(calls).toHaveLength(0);
  });
});

describe('fal queue URLs', () => {
  const route = () => routeOf('imagen-3', 'fal:fal-ai/imagen3');

  it('follows the status and result URLs exactly as fal returned them', async () => {
    const handle = {
      requestId: 'req-1',
      statusUrl: 'https://queue.fal.run/fal-ai/imagen3/requests/req-1/status?x=1',
      responseUrl: 'https://queue.fal.run/fal-ai/imagen3/requests/req-1',
    };
    const { fetch, calls } = recordingFetch((_c, i) =>
      i === 0 ? jsonResponse({ status: 'COMPLETED' }) : jsonResponse({ images: [{ url: 'https://v3.fal.media/files/a.png', width: 1024, height: 1024, content_type: 'image/png' }], seed: 1 }),
    );
    const out = await falAdapter.poll(route(), handle, ctxFor(fetch, BASE));
    expect(calls.map((c) => c.url)).toEqual([handle.statusUrl, handle.responseUrl]);
    expect(calls.every((c) => c.request.headers.get('authorization') === 'Key sk-test-123')).toBe(true);
    expect(out).toEqual({ kind: 'done', outputs: [{ kind: 'url', url: 'https://v3.fal.media/files/a.png', mime: 'image/png', width: 1024, height: 1024 }] });
  });

  it('refuses to send the key to another origin named in a reply', async () => {
    const { fetch, calls } = recordingFetch(() => jsonResponse({ status: 'COMPLETED' }));
    const handle = { requestId: 'r', statusUrl: 'https://evil.example/requests/r/status', responseUrl: 'https://evil.example/requests/r' };
    const e = await errorOf(falAdapter.poll(route(), handle, ctxFor(fetch, BASE)));
    expect(e.kind).toBe('bad_reply');
    expect(e.message).toContain('evil.example');
    expect(calls).toHaveLength(0);
  });
});

describe('fal builders against the sandbox', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox({ port: 0, timing: { queueMs: 10, runMs: 10 } });
  });
  afterAll(() => sb.close());

  it('every fal route\u2019s body passes the sandbox\u2019s checks and produces an image', async () => {
    const ctx = ctxFor(globalThis.fetch, `${sb.url}/fal`);
    const cases: Array<[RouteSpec, GenerationInput]> = [];
    for (const m of MODELS) {
      for (const r of m.routes.filter((x) => x.provider === 'fal')) {
        const aspectRatio = r.aspectRatios?.[1];
        const strength = r.strength ? toRouteStrength(r.strength, 0.6) : undefined;
        cases.push([r, input({ image: r.imageInput === 'native' ? image : null, aspectRatio, strength, numImages: 1, seed: r.seed ? 11 : undefined })]);
      }
    }
    for (const [r, gen] of cases) {
      const sub = await falAdapter.submit(r, gen, ctx);
      if (sub.kind !== 'submitted') throw new Error('expected a queued job');
      let outcome = await falAdapter.poll(r, sub.handle, ctx);
      for (let i = 0; outcome.kind === 'pending' && i < 100; i++) {
        await new Promise((res) => setTimeout(res, 10));
        outcome = await falAdapter.poll(r, sub.handle, ctx);
      }
      expect(outcome.kind, r.id).toBe('done');
    }
  });
});
