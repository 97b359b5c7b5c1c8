// @vitest-environment node
import { beforeAll, describe, expect, it } from 'vitest';
import { Jimp } from 'jimp';
import { MODELS, toRouteStrength, wireSize, type RouteSpec } from '../../../utils/models';
import { falAdapter } from '../../../utils/providers/fal';
import type { GenerationInput, PollOutcome, PreparedImage, ProviderContext } from '../../../utils/providers/types';
import type { Sandbox } from '../../../sandbox/server';
import { ctxFor, errorOf, fakeFetch, input, isPng, jsonResponse, realImage, routeOf, useSandbox } from './contract-helpers';

// Field names are fal's published endpoint input types (fal-js libs/client/src/types/endpoints.ts
// @381105e), written out here by hand rather than derived from the adapter.

const BASE = 'https://queue.fal.run';
const PROMPT = 'a lighthouse at dusk, film photo';

const SUBMIT_REPLY = {
  request_id: 'req-1',
  status_url: 'https://queue.fal.run/fal-ai/flux/requests/req-1/status',
  response_url: 'https://queue.fal.run/fal-ai/flux/requests/req-1',
  cancel_url: 'https://queue.fal.run/fal-ai/flux/requests/req-1/cancel',
  queue_position: 0,
};

const FAL_ROUTES = MODELS.flatMap((m) => m.routes.filter((r) => r.provider === 'fal').map((route) => ({ model: m.id, route })));
const LIVE = FAL_ROUTES.filter((r) => r.route.lifecycle.status !== 'retired');
const RETIRED = FAL_ROUTES.filter((r) => r.route.lifecycle.status === 'retired');

let image: PreparedImage;
let dataUri: string;
beforeAll(async () => {
  image = await realImage('image/jpeg', 120, 90);
  dataUri = `data:image/jpeg;base64,${Buffer.from(await image.blob.arrayBuffer()).toString('base64')}`;
});

/** Submits one route through the adapter and returns the exact request it made. */
async function submitted(route: RouteSpec, gen: GenerationInput) {
  const { fetch, calls } = fakeFetch(() => jsonResponse(SUBMIT_REPLY));
  const out = await falAdapter.submit(route, gen, ctxFor(fetch, BASE));
  expect(calls).toHaveLength(1);
  const { url, init, request } = calls[0]!;
  expect(init.method).toBe('POST');
  expect(request.headers.get('authorization')).toBe('Key sk-test-123');
  expect(request.headers.get('content-type')).toBe('application/json');
  return { url, body: JSON.parse(init.body as string) as Record<string, unknown>, out };
}

/** Submits through the adapter and polls until the job ends (the sandbox runs in milliseconds). */
async function runToEnd(route: RouteSpec, gen: GenerationInput, ctx: ProviderContext): Promise<Extract<PollOutcome, { kind: 'done' }>> {
  const sub = await falAdapter.submit(route, gen, ctx);
  if (sub.kind !== 'submitted') throw new Error('expected a queued job');
  for (let i = 0; i < 300; i++) {
    const outcome = await falAdapter.poll(route, sub.handle, ctx);
    if (outcome.kind === 'done') return outcome;
    await new Promise((res) => setTimeout(res, 10));
  }
  throw new Error(`${route.id} never finished`);
}

/** A real PNG at the output URL, decoded. */
async function download(url: string) {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  const bytes = new Uint8Array(await res.arrayBuffer());
  expect(isPng(bytes)).toBe(true);
  return (await Jimp.fromBuffer(Buffer.from(bytes))).bitmap;
}

describe('fal routes: the exact submit body per endpoint', () => {
  it('covers every fal route in the catalogue', () => {
    expect(LIVE.map((r) => r.route.endpoint).sort()).toEqual(
      [
        'fal-ai/bytedance/seedream/v4.5/edit',
        'fal-ai/bytedance/seedream/v4/edit',
        'fal-ai/flux-pro/v1.1-ultra',
        'fal-ai/flux/dev/image-to-image',
        'fal-ai/ideogram/character',
        'fal-ai/ideogram/v3/remix',
        'fal-ai/minimax/image-01/subject-reference',
        'fal-ai/nano-banana-pro/edit',
        'openai/gpt-image-2/edit',
      ].sort(),
    );
    expect(RETIRED.map((r) => r.route.endpoint).sort()).toEqual(
      ['fal-ai/bytedance/dreamina/v3.1/text-to-image', 'fal-ai/bytedance/seedream/v3/text-to-image', 'fal-ai/gpt-image-1/edit-image', 'fal-ai/imagen3'].sort(),
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

  it('GPT Image 2 edit: image_urls (a list), image_size { width, height } from the route, no seed', async () => {
    const route = routeOf('chatgpt-image', 'fal:openai/gpt-image-2/edit');
    const { url, body } = await submitted(route, input({ image, aspectRatio: '16:9', numImages: 3, seed: 9 }));
    expect(url).toBe('https://queue.fal.run/openai/gpt-image-2/edit');
    expect(body).toEqual({ prompt: PROMPT, image_urls: [dataUri], image_size: { width: 1536, height: 864 }, num_images: 3 });
  });

  it('GPT Image 2 edit without a ratio leaves image_size out (fal\u2019s default `auto` follows the reference)', async () => {
    const { body } = await submitted(routeOf('chatgpt-image', 'fal:openai/gpt-image-2/edit'), input({ image, numImages: 1 }));
    expect(body).not.toHaveProperty('image_size');
  });

  it('Nano Banana Pro edit: image_urls, aspect_ratio, num_images, seed', async () => {
    const route = routeOf('imagen-3', 'fal:fal-ai/nano-banana-pro/edit');
    const { url, body } = await submitted(route, input({ image, aspectRatio: '4:5', numImages: 4, seed: 12 }));
    expect(url).toBe('https://queue.fal.run/fal-ai/nano-banana-pro/edit');
    expect(body).toEqual({ prompt: PROMPT, image_urls: [dataUri], aspect_ratio: '4:5', num_images: 4, seed: 12 });
  });

  it('Seedream 4.0 edit: image_urls, image_size { width, height }, safety checker, seed', async () => {
    const route = routeOf('seedream-v3', 'fal:fal-ai/bytedance/seedream/v4/edit');
    const { url, body } = await submitted(route, input({ image, aspectRatio: '21:9', numImages: 2, seed: 13 }));
    expect(url).toBe('https://queue.fal.run/fal-ai/bytedance/seedream/v4/edit');
    expect(body).toEqual({ prompt: PROMPT, image_urls: [dataUri], enable_safety_checker: true, image_size: { width: 3024, height: 1296 }, num_images: 2, seed: 13 });
  });

  it('Seedream 4.5 edit: the same fields as 4.0', async () => {
    const route = routeOf('dreamina-3-1', 'fal:fal-ai/bytedance/seedream/v4.5/edit');
    const { url, body } = await submitted(route, input({ image, aspectRatio: '16:9', numImages: 1, seed: 14 }));
    expect(url).toBe('https://queue.fal.run/fal-ai/bytedance/seedream/v4.5/edit');
    expect(body).toEqual({ prompt: PROMPT, image_urls: [dataUri], enable_safety_checker: true, image_size: { width: 2560, height: 1440 }, num_images: 1, seed: 14 });
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

  it('Ideogram Character: reference_image_urls (a list), style AUTO, image_size preset', async () => {
    const route = routeOf('ideogram-character', 'fal:fal-ai/ideogram/character');
    const { url, body } = await submitted(route, input({ image, aspectRatio: '3:4', numImages: 1, seed: 7 }));
    expect(url).toBe('https://queue.fal.run/fal-ai/ideogram/character');
    expect(body).toEqual({ prompt: PROMPT, reference_image_urls: [dataUri], style: 'AUTO', image_size: 'portrait_4_3', num_images: 1, seed: 7 });
  });

  it('a model id override reaches the wire (and nothing else changes)', async () => {
    const route = routeOf('chatgpt-image', 'fal:openai/gpt-image-2/edit');
    const { url, body } = await submitted({ ...route, modelOverride: 'openai/gpt-image-2.5/sunburst/edit' }, input({ image, numImages: 1 }));
    expect(url).toBe('https://queue.fal.run/openai/gpt-image-2.5/sunburst/edit');
    expect(body).toEqual({ prompt: PROMPT, image_urls: [dataUri], num_images: 1 });
  });

  it.each(LIVE.filter((r) => r.route.imageInput === 'native').map((r) => [r.model, r.route.id] as const))(
    '%s (%s) refuses to submit without its image',
    async (model, id) => {
      const { fetch, calls } = fakeFetch(() => jsonResponse(SUBMIT_REPLY));
      expect((await errorOf(falAdapter.submit(routeOf(model, id), input(), ctxFor(fetch, BASE)))).kind).toBe('invalid_input');
      expect(calls).toHaveLength(0);
    },
  );
});

describe('fal replies and errors (scripted)', () => {
  const route = () => routeOf('flux-dev', 'fal:fal-ai/flux/dev/image-to-image');
  const handle = {
    requestId: 'req-1',
    statusUrl: 'https://queue.fal.run/fal-ai/flux/requests/req-1/status?x=1',
    responseUrl: 'https://queue.fal.run/fal-ai/flux/requests/req-1',
  };
  const file = (n: number) => ({ url: `https://v3.fal.media/files/${n}.png`, width: 1024, height: 1024, content_type: 'image/png' });
  const pollWith = (result: unknown) => {
    const { fetch, calls } = fakeFetch((_c, i) => (i === 0 ? jsonResponse({ status: 'COMPLETED' }) : jsonResponse(result)));
    return { calls, out: falAdapter.poll(route(), handle, ctxFor(fetch, BASE)) };
  };

  it('follows the status and result URLs exactly as fal returned them', async () => {
    const { calls, out } = pollWith({ images: [file(1)], seed: 1, has_nsfw_concepts: [false] });
    expect(await out).toEqual({ kind: 'done', outputs: [{ kind: 'url', url: file(1).url, mime: 'image/png', width: 1024, height: 1024 }] });
    expect(calls.map((c) => c.url)).toEqual([handle.statusUrl, handle.responseUrl]);
    expect(calls.every((c) => c.request.headers.get('authorization') === 'Key sk-test-123')).toBe(true);
  });

  it('drops flagged images one by one (has_nsfw_concepts) and says so; all flagged is moderated', async () => {
    const some = await pollWith({ images: [file(1), file(2), file(3)], has_nsfw_concepts: [false, true, false] }).out;
    expect(some.kind === 'done' && some.outputs.map((o) => (o.kind === 'url' ? o.url : ''))).toEqual([file(1).url, file(3).url]);
    expect(some.kind === 'done' && some.notice).toMatch(/1 of 3/);
    const all = await errorOf(pollWith({ images: [file(1), file(2)], has_nsfw_concepts: [true, true] }).out);
    expect(all.kind).toBe('moderated');
    // Endpoints without the field (gpt-image-2, Seedream 4.5, ...) keep every image.
    const none = await pollWith({ images: [file(1), file(2)] }).out;
    expect(none.kind === 'done' && none.outputs).toHaveLength(2);
    expect(none.kind === 'done' && none.notice).toBeUndefined();
  });

  it('refuses to send the key to another origin named in a reply', async () => {
    const { fetch, calls } = fakeFetch(() => jsonResponse({ status: 'COMPLETED' }));
    const evil = { requestId: 'r', statusUrl: 'https://evil.example/requests/r/status', responseUrl: 'https://evil.example/requests/r' };
    const e = await errorOf(falAdapter.poll(route(), evil, ctxFor(fetch, BASE)));
    expect(e.kind).toBe('bad_reply');
    expect(e.message).toContain('evil.example');
    expect(calls).toHaveLength(0);
  });

  it('a 404 at submit is route_unavailable for that route; elsewhere it is not', async () => {
    const r = routeOf('imagen-3', 'fal:fal-ai/imagen3');
    const gone = fakeFetch(() => jsonResponse({ detail: 'Application "fal-ai/imagen3" not found' }, 404));
    const e = await errorOf(falAdapter.submit(r, input({ numImages: 1 }), ctxFor(gone.fetch, BASE)));
    expect(e).toMatchObject({ kind: 'route_unavailable', routeId: 'fal:fal-ai/imagen3', provider: 'fal' });
    // A request id fal has forgotten is not the model going away.
    const lost = fakeFetch(() => jsonResponse({ detail: 'Request not found' }, 404));
    expect((await errorOf(falAdapter.poll(r, handle, ctxFor(lost.fetch, BASE)))).kind).not.toBe('route_unavailable');
  });

  it.each([
    [500, {}, 'provider_down'],
    [503, {}, 'provider_down'],
    [429, { 'Retry-After': '2' }, 'rate_limited'],
    [504, {}, 'timed_out'],
    [408, {}, 'timed_out'],
  ] as const)('a %i at submit is %s, never route_unavailable', async (status, headers, kind) => {
    const { fetch } = fakeFetch(() => jsonResponse({ detail: 'x' }, status, headers));
    const e = await errorOf(falAdapter.submit(routeOf('flux-dev', 'fal:fal-ai/flux/dev/image-to-image'), input({ image, numImages: 1 }), ctxFor(fetch, BASE)));
    expect(e.kind).toBe(kind);
    expect(e.routeId).toBeUndefined();
  });

  it('a request that times out on the wire is not route_unavailable', async () => {
    const fetch = (async () => {
      throw new DOMException('The operation timed out.', 'TimeoutError');
    }) as typeof globalThis.fetch;
    const e = await errorOf(falAdapter.submit(routeOf('flux-dev', 'fal:fal-ai/flux/dev/image-to-image'), input({ image, numImages: 1 }), ctxFor(fetch, BASE)));
    expect(e.kind).not.toBe('route_unavailable');
  });
});

describe('fal adapter against the sandbox', () => {
  const sandbox = useSandbox();
  const ctx = (sb: Sandbox = sandbox()) => ctxFor(globalThis.fetch, `${sb.url}/fal`);

  it('every live fal route\u2019s body passes the sandbox\u2019s checks and produces real PNGs', async () => {
    for (const { route: r } of LIVE) {
      const gen = input({
        image: r.imageInput === 'native' ? image : null,
        aspectRatio: r.aspectRatios?.[1],
        strength: r.strength ? toRouteStrength(r.strength, 0.6) : undefined,
        numImages: Math.min(2, r.maxImages),
        seed: r.seed ? 11 : undefined,
      });
      const done = await runToEnd(r, gen, ctx());
      expect(done.outputs, r.id).toHaveLength(gen.numImages);
      expect(done.notice, r.id).toBeUndefined();
      for (const o of done.outputs) {
        if (o.kind !== 'url') throw new Error('fal answers with URLs');
        const bitmap = await download(o.url);
        expect([bitmap.width, bitmap.height], r.id).toEqual([o.width, o.height]);
      }
      const sent = sandbox().requests.filter((q) => q.method === 'POST').at(-1);
      expect(sent?.path, r.id).toBe(`/fal/${r.endpoint}`);
    }
  });

  it('every size in a route\u2019s size table is accepted by its endpoint', async () => {
    for (const { route: r } of LIVE.filter((x) => x.route.sizes)) {
      for (const ratio of r.aspectRatios ?? []) {
        const done = await runToEnd(r, input({ image, aspectRatio: ratio, numImages: 1 }), ctx());
        const out = done.outputs[0];
        const size = wireSize(r, ratio);
        if (out?.kind === 'url' && size && typeof size === 'object') {
          // The sandbox keeps the asked shape (scaled down to a long side of 1024).
          expect(out.width! / out.height!, `${r.id} ${ratio}`).toBeCloseTo(size.width / size.height, 1);
        }
      }
    }
  });

  it('a seed at each route\u2019s documented maximum is accepted', async () => {
    for (const { route: r } of LIVE.filter((x) => x.route.seed)) {
      const max = r.seed ? r.seed.max : 0;
      const done = await runToEnd(r, input({ image, numImages: 1, seed: max }), ctx());
      expect(done.outputs, r.id).toHaveLength(1);
      expect((sandbox().requests.filter((q) => q.method === 'POST').at(-1)?.body as { seed?: number }).seed).toBe(max);
    }
  });

  it.each(RETIRED.map((r) => [r.route.id, r.model] as const))('retired %s answers route_unavailable with its route id', async (id, model) => {
    const r = routeOf(model, id);
    const e = await errorOf(falAdapter.submit(r, input({ image: r.imageInput === 'native' ? image : null, aspectRatio: r.aspectRatios?.[0], numImages: 1 }), ctx()));
    expect(e).toMatchObject({ kind: 'route_unavailable', routeId: id, provider: 'fal' });
  });

  it('a model id override reaches the sandbox; one fal does not have is route_unavailable', async () => {
    const r = routeOf('dreamina-3-1', 'fal:fal-ai/bytedance/seedream/v4.5/edit');
    // Seedream 4.0 takes the same fields: the override runs.
    const done = await runToEnd({ ...r, modelOverride: 'fal-ai/bytedance/seedream/v4/edit' }, input({ image, aspectRatio: '1:1', numImages: 1 }), ctx());
    expect(done.outputs).toHaveLength(1);
    expect(sandbox().requests.find((q) => q.method === 'POST')?.path).toBe('/fal/fal-ai/bytedance/seedream/v4/edit');
    const e = await errorOf(falAdapter.submit({ ...r, modelOverride: 'fal-ai/bytedance/seedream/v9/edit' }, input({ image, numImages: 1 }), ctx()));
    expect(e).toMatchObject({ kind: 'route_unavailable', routeId: r.id });
  });

  it('a route retired through the sandbox control answers route_unavailable until reset', async () => {
    const r = routeOf('chatgpt-image', 'fal:openai/gpt-image-2/edit');
    sandbox().retire('fal', 'openai/gpt-image-2/edit');
    expect(await errorOf(falAdapter.submit(r, input({ image, numImages: 1 }), ctx()))).toMatchObject({ kind: 'route_unavailable', routeId: r.id });
    sandbox().reset();
    expect((await runToEnd(r, input({ image, numImages: 1 }), ctx())).outputs).toHaveLength(1);
  });

  it('500, 503, 429 and 504 from the sandbox are never route_unavailable', async () => {
    const r = routeOf('flux-dev', 'fal:fal-ai/flux/dev/image-to-image');
    for (const [status, kind] of [
      [500, 'provider_down'],
      [503, 'provider_down'],
      [429, 'rate_limited'],
      [504, 'timed_out'],
    ] as const) {
      sandbox().injectFault({ provider: 'fal', on: 'submit', status });
      const e = await errorOf(falAdapter.submit(r, input({ image, numImages: 1 }), ctx()));
      expect(e.kind, String(status)).toBe(kind);
    }
  });

  it('drops images fal\u2019s checker flagged, with a notice; every image flagged is moderated', async () => {
    const r = routeOf('flux-dev', 'fal:fal-ai/flux/dev/image-to-image');
    const some = await runToEnd(r, input({ image, prompt: 'a beach, nsfw-sandbox', numImages: 3 }), ctx());
    expect(some.outputs).toHaveLength(2);
    expect(some.notice).toMatch(/blocked 1 of 3/);
    const all = await errorOf(runToEnd(r, input({ image, prompt: 'a beach, nsfw-sandbox-all', numImages: 2 }), ctx()));
    expect(all).toMatchObject({ kind: 'moderated', provider: 'fal' });
  });

  it('an admin lock is a key problem; an exhausted balance is out of credit', async () => {
    const r = routeOf('flux-dev', 'fal:fal-ai/flux/dev/image-to-image');
    sandbox().injectFault({ provider: 'fal', on: 'submit', status: 403, body: { detail: 'User is locked. Reason: Admin lock' } });
    const locked = await errorOf(falAdapter.submit(r, input({ image, numImages: 1 }), ctx()));
    expect(locked.kind).toBe('bad_key');
    expect(locked.message).toContain('Admin lock');
    sandbox().injectFault({ provider: 'fal', on: 'submit', status: 403 }); // the sandbox default: Exhausted balance
    expect((await errorOf(falAdapter.submit(r, input({ image, numImages: 1 }), ctx()))).kind).toBe('out_of_credit');
  });
});
