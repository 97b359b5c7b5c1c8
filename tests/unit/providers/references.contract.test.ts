// @vitest-environment node
// Several references with roles: the wire form of every route that takes more than one image
// (scripted fetch), and the same requests through the sandbox, which checks them as the provider
// documents and records how many images of each role it received.
import { beforeAll, describe, expect, it } from 'vitest';
import { MODELS, type RouteSpec } from '@/utils/models';
import { byteplusAdapter } from '@/utils/providers/byteplus';
import { falAdapter } from '@/utils/providers/fal';
import { googleAdapter } from '@/utils/providers/google';
import { ideogramAdapter } from '@/utils/providers/ideogram';
import { openaiAdapter } from '@/utils/providers/openai';
import type { GenerationInput, PreparedImage, PreparedReference, ProviderAdapter, ProviderContext } from '@/utils/providers/types';
import { referenceSlots } from '@/utils/reference-plan';
import { ctxFor, errorOf, fakeFetch, input, jsonResponse, partsOf, realImage, routeOf, useSandbox } from './contract-helpers';

let A: PreparedImage;
let B: PreparedImage;
let C: PreparedImage;
beforeAll(async () => {
  A = await realImage('image/png', 64, 48);
  B = await realImage('image/jpeg', 48, 64);
  C = await realImage('image/png', 40, 40);
});

/** The input prepareInput makes: `image` is the first of `images`. */
function withRefs(refs: PreparedReference[], over: Partial<GenerationInput> = {}): GenerationInput {
  return input({ image: refs[0] ?? null, images: refs, ...over });
}

const dataUri = async (img: PreparedImage) => `data:${img.mime};base64,${Buffer.from(await img.blob.arrayBuffer()).toString('base64')}`;

describe('the catalogue\u2019s reference slots', () => {
  const slotsOf = (id: string) => referenceSlots(MODELS.flatMap((m) => m.routes).find((r) => r.id === id)!);

  it('says how many images each multi-image route takes, from the provider\u2019s documentation', () => {
    expect(slotsOf('openai:gpt-image-2').max).toBe(16);
    expect(slotsOf('fal:openai/gpt-image-2/edit').max).toBe(16);
    expect(slotsOf('google:gemini-3-pro-image')).toMatchObject({ max: 14, totalBytes: 14_000_000 });
    expect(slotsOf('google:gemini-nano-banana-2.1').max).toBe(14);
    expect(slotsOf('fal:fal-ai/nano-banana-pro/edit').max).toBe(14);
    expect(slotsOf('fal:fal-ai/bytedance/seedream/v4/edit').max).toBe(10);
    expect(slotsOf('fal:fal-ai/bytedance/seedream/v4.5/edit').max).toBe(10);
    expect(slotsOf('byteplus:seedream-4-0-250828').max).toBe(10);
    expect(slotsOf('ideogram:v1/ideogram-v3/remix')).toMatchObject({ roles: ['content', 'style'], singleRoles: ['content'] });
    expect(slotsOf('fal:fal-ai/ideogram/v3/remix')).toMatchObject({ roles: ['content', 'style'], singleRoles: ['content'] });
    expect(slotsOf('ideogram:v1/ideogram-v3/generate')).toMatchObject({ roles: ['character', 'style'], singleRoles: ['character'] });
    expect(slotsOf('fal:fal-ai/ideogram/character')).toMatchObject({ roles: ['character', 'style'], singleRoles: ['character'] });
  });

  it('keeps single-image routes at one, and gives no route a weight (no provider documents one per image)', () => {
    expect(slotsOf('fal:fal-ai/flux/dev/image-to-image').max).toBe(1);
    expect(slotsOf('minimax:image-01').max).toBe(1);
    expect(slotsOf('replicate:ideogram-ai/ideogram-character').max).toBe(1);
    for (const r of MODELS.flatMap((m) => m.routes)) expect(referenceSlots(r).weight).toBeUndefined();
  });

  it('gives every native fal route with several slots a list field', () => {
    for (const r of MODELS.flatMap((m) => m.routes)) {
      if (r.provider !== 'fal' || r.imageInput !== 'native' || referenceSlots(r).max <= 1) continue;
      expect(r.fal?.image?.list || r.fal?.styles, r.id).toBeTruthy();
    }
  });
});

describe('several references on the wire (scripted)', () => {
  const OK_OPENAI = () => jsonResponse({ created: 1, data: [{ b64_json: 'iVBORw0KGgo=' }] });

  it('OpenAI: one `image[]` part per reference, in tray order', async () => {
    const { fetch, calls } = fakeFetch(OK_OPENAI());
    await openaiAdapter.submit(routeOf('chatgpt-image', 'openai:gpt-image-2'), withRefs([A, B, C]), ctxFor(fetch, 'https://api.openai.com'));
    const images = (await partsOf(calls[0]!.body as FormData)).filter(([name]) => name === 'image[]');
    expect(images.map(([, v]) => (typeof v === 'string' ? v : `${v.filename} ${v.type}`))).toEqual(['reference.png image/png', 'reference-2.jpg image/jpeg', 'reference-3.png image/png']);
  });

  it('OpenAI: a single reference is sent exactly as before', async () => {
    const { fetch, calls } = fakeFetch(OK_OPENAI());
    await openaiAdapter.submit(routeOf('chatgpt-image', 'openai:gpt-image-2'), input({ image: A }), ctxFor(fetch, 'https://api.openai.com'));
    const images = (await partsOf(calls[0]!.body as FormData)).filter(([name]) => name === 'image[]');
    expect(images).toHaveLength(1);
    expect(images[0]![1]).toMatchObject({ filename: 'reference.png' });
  });

  it('Gemini: the text part, then one inline_data part per reference', async () => {
    const png = Buffer.from(await A.blob.arrayBuffer()).toString('base64');
    const { fetch, calls } = fakeFetch(jsonResponse({ candidates: [{ content: { parts: [{ inlineData: { mimeType: 'image/png', data: png } }] }, finishReason: 'STOP' }] }));
    await googleAdapter.submit(routeOf('imagen-3', 'google:gemini-3-pro-image'), withRefs([A, B]), ctxFor(fetch, 'https://generativelanguage.googleapis.com'));
    const body = JSON.parse(String(calls[0]!.body)) as { contents: Array<{ parts: Array<Record<string, { mime_type: string }>> }> };
    const parts = body.contents[0]!.parts;
    expect(parts).toHaveLength(3);
    expect(parts[0]).toHaveProperty('text');
    expect(parts.slice(1).map((p) => p.inline_data?.mime_type)).toEqual(['image/png', 'image/jpeg']);
  });

  it('BytePlus Seedream 4: `image` is a string for one reference and an array for several', async () => {
    const ok = () => jsonResponse({ model: 'seedream-4-0-250828', created: 1, data: [{ url: 'https://ark.example/out.png' }] });
    const route = routeOf('seedream-v3', 'byteplus:seedream-4-0-250828');
    const one = fakeFetch(ok());
    await byteplusAdapter.submit(route, input({ image: A }), ctxFor(one.fetch, 'https://ark.example'));
    expect(JSON.parse(String(one.calls[0]!.body)).image).toBe(await dataUri(A));
    const several = fakeFetch(ok());
    await byteplusAdapter.submit(route, withRefs([A, B, C]), ctxFor(several.fetch, 'https://ark.example'));
    expect(JSON.parse(String(several.calls[0]!.body)).image).toEqual([await dataUri(A), await dataUri(B), await dataUri(C)]);
  });

  const falSubmitted = () => jsonResponse({ request_id: 'r1', status_url: 'https://queue.fal.run/x/requests/r1/status', response_url: 'https://queue.fal.run/x/requests/r1' });
  const falBody = async (route: RouteSpec, gen: GenerationInput) => {
    const { fetch, calls } = fakeFetch(falSubmitted());
    await falAdapter.submit(route, gen, ctxFor(fetch, 'https://queue.fal.run'));
    return JSON.parse(String(calls[0]!.body)) as Record<string, unknown>;
  };

  it('fal list endpoints: every reference in `image_urls`, in order', async () => {
    for (const [model, id] of [
      ['chatgpt-image', 'fal:openai/gpt-image-2/edit'],
      ['imagen-3', 'fal:fal-ai/nano-banana-pro/edit'],
      ['seedream-v3', 'fal:fal-ai/bytedance/seedream/v4/edit'],
      ['dreamina-3-1', 'fal:fal-ai/bytedance/seedream/v4.5/edit'],
    ] as const) {
      const body = await falBody(routeOf(model, id), withRefs([A, B, C]));
      expect(body.image_urls, id).toEqual([await dataUri(A), await dataUri(B), await dataUri(C)]);
    }
  });

  it('fal Ideogram remix: the content reference in `image_url`, style references in `image_urls`', async () => {
    const body = await falBody(routeOf('ideogram-v3', 'fal:fal-ai/ideogram/v3/remix'), withRefs([{ ...A, role: 'content' }, { ...B, role: 'style' }, { ...C, role: 'style' }]));
    expect(body.image_url).toBe(await dataUri(A));
    expect(body.image_urls).toEqual([await dataUri(B), await dataUri(C)]);
  });

  it('fal Ideogram character: the character in `reference_image_urls`, style references in `image_urls`', async () => {
    const body = await falBody(routeOf('ideogram-character', 'fal:fal-ai/ideogram/character'), withRefs([{ ...A, role: 'character' }, { ...B, role: 'style' }]));
    expect(body.reference_image_urls).toEqual([await dataUri(A)]);
    expect(body.image_urls).toEqual([await dataUri(B)]);
    const plain = await falBody(routeOf('ideogram-character', 'fal:fal-ai/ideogram/character'), input({ image: A }));
    expect(plain.reference_image_urls).toEqual([await dataUri(A)]);
    expect(plain).not.toHaveProperty('image_urls');
  });

  it('fal and Ideogram refuse a style reference without the main image, before sending anything', async () => {
    const { fetch, calls } = fakeFetch();
    const onlyStyle = withRefs([{ ...B, role: 'style' }]);
    const e1 = await errorOf(falAdapter.submit(routeOf('ideogram-v3', 'fal:fal-ai/ideogram/v3/remix'), onlyStyle, ctxFor(fetch, 'https://queue.fal.run')));
    expect(e1.kind).toBe('invalid_input');
    expect(e1.message).toMatch(/style reference alone/);
    const e2 = await errorOf(ideogramAdapter.submit(routeOf('ideogram-v3', 'ideogram:v1/ideogram-v3/remix'), onlyStyle, ctxFor(fetch, 'https://api.ideogram.ai')));
    expect(e2.kind).toBe('invalid_input');
    expect(calls).toHaveLength(0);
  });

  const IDEOGRAM_OK = () => jsonResponse({ created: '2026-12-01T00:00:00Z', data: [{ url: 'https://ideogram.example/1.png', is_image_safe: true, resolution: '1024x1024' }] });

  it('Ideogram remix: `image` plus one `style_reference_images` file per style reference', async () => {
    const { fetch, calls } = fakeFetch(IDEOGRAM_OK());
    await ideogramAdapter.submit(routeOf('ideogram-v3', 'ideogram:v1/ideogram-v3/remix'), withRefs([{ ...A, role: 'content' }, { ...B, role: 'style' }, { ...C, role: 'style' }]), ctxFor(fetch, 'https://api.ideogram.ai'));
    const parts = await partsOf(calls[0]!.body as FormData);
    const files = parts.filter(([, v]) => typeof v !== 'string').map(([name, v]) => `${name} ${typeof v === 'string' ? '' : v.filename}`);
    expect(files).toEqual(['image reference.png', 'style_reference_images style-1.jpg', 'style_reference_images style-2.png']);
  });

  it('Ideogram generate: one `character_reference_images` file plus the style references', async () => {
    const { fetch, calls } = fakeFetch(IDEOGRAM_OK());
    await ideogramAdapter.submit(routeOf('ideogram-character', 'ideogram:v1/ideogram-v3/generate'), withRefs([{ ...A, role: 'character' }, { ...B, role: 'style' }]), ctxFor(fetch, 'https://api.ideogram.ai'));
    const parts = await partsOf(calls[0]!.body as FormData);
    expect(parts.filter(([name]) => name === 'character_reference_images')).toHaveLength(1);
    expect(parts.filter(([name]) => name === 'style_reference_images')).toHaveLength(1);
    expect(parts.find(([name]) => name === 'style_type')?.[1]).toBe('AUTO');
  });
});

describe('several references through the sandbox', () => {
  const sandbox = useSandbox();
  const ctx = (mount: string): ProviderContext => ctxFor(globalThis.fetch, `${sandbox().url}/${mount}`);
  const lastPost = (path: string) => sandbox().requests.filter((r) => r.method === 'POST' && r.path.startsWith(path)).at(-1);

  async function run(adapter: ProviderAdapter, route: RouteSpec, gen: GenerationInput, c: ProviderContext) {
    const sub = await adapter.submit(route, gen, c);
    if (sub.kind === 'done') return sub.outputs;
    for (let i = 0; i < 100; i++) {
      const out = await adapter.poll(route, sub.handle, c);
      if (out.kind === 'done') return out.outputs;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('the sandbox job did not finish');
  }

  it('OpenAI receives three images and records them', async () => {
    const outs = await run(openaiAdapter, routeOf('chatgpt-image', 'openai:gpt-image-2'), withRefs([A, B, C]), ctx('openai'));
    expect(outs.length).toBeGreaterThan(0);
    expect(lastPost('/openai/v1/images/edits')?.referencesReceived).toEqual({ reference: 3 });
  });

  it('OpenAI refuses more than 16, as the API does', async () => {
    const many = Array.from({ length: 17 }, () => A);
    const e = await errorOf(openaiAdapter.submit(routeOf('chatgpt-image', 'openai:gpt-image-2'), withRefs(many), ctx('openai')));
    expect(e.kind).toBe('invalid_input');
  });

  it('Gemini receives two inline images; more than 14 are refused', async () => {
    await run(googleAdapter, routeOf('imagen-3', 'google:gemini-3-pro-image'), withRefs([A, B]), ctx('google'));
    expect(lastPost('/google/')?.referencesReceived).toEqual({ reference: 2 });
    const e = await errorOf(googleAdapter.submit(routeOf('imagen-3', 'google:gemini-3-pro-image'), withRefs(Array.from({ length: 15 }, () => A)), ctx('google')));
    expect(e.kind).toBe('invalid_input');
  });

  it('BytePlus Seedream 4.0 receives an array of three; more than 10 are refused', async () => {
    const route = routeOf('seedream-v3', 'byteplus:seedream-4-0-250828');
    await run(byteplusAdapter, route, withRefs([A, B, C]), ctx('byteplus'));
    expect(lastPost('/byteplus/')?.referencesReceived).toEqual({ reference: 3 });
    const e = await errorOf(byteplusAdapter.submit(route, withRefs(Array.from({ length: 11 }, () => A)), ctx('byteplus')));
    expect(e.kind).toBe('invalid_input');
  });

  it('fal list endpoints and Ideogram\u2019s style references arrive, counted by role', async () => {
    await run(falAdapter, routeOf('seedream-v3', 'fal:fal-ai/bytedance/seedream/v4/edit'), withRefs([A, B, C]), ctx('fal'));
    expect(lastPost('/fal/fal-ai/bytedance/seedream/v4/edit')?.referencesReceived).toEqual({ reference: 3 });
    await run(falAdapter, routeOf('ideogram-v3', 'fal:fal-ai/ideogram/v3/remix'), withRefs([{ ...A, role: 'content' }, { ...B, role: 'style' }, { ...C, role: 'style' }]), ctx('fal'));
    expect(lastPost('/fal/fal-ai/ideogram/v3/remix')?.referencesReceived).toEqual({ content: 1, style: 2 });
    await run(falAdapter, routeOf('ideogram-character', 'fal:fal-ai/ideogram/character'), withRefs([{ ...A, role: 'character' }, { ...B, role: 'style' }]), ctx('fal'));
    expect(lastPost('/fal/fal-ai/ideogram/character')?.referencesReceived).toEqual({ character: 1, style: 1 });
  });

  it('Ideogram remix and generate receive their style references, counted by role', async () => {
    await run(ideogramAdapter, routeOf('ideogram-v3', 'ideogram:v1/ideogram-v3/remix'), withRefs([{ ...A, role: 'content' }, { ...B, role: 'style' }]), ctx('ideogram'));
    expect(lastPost('/ideogram/v1/ideogram-v3/remix')?.referencesReceived).toEqual({ content: 1, style: 1 });
    await run(ideogramAdapter, routeOf('ideogram-character', 'ideogram:v1/ideogram-v3/generate'), withRefs([{ ...A, role: 'character' }, { ...B, role: 'style' }, { ...C, role: 'style' }]), ctx('ideogram'));
    expect(lastPost('/ideogram/v1/ideogram-v3/generate')?.referencesReceived).toEqual({ character: 1, style: 2 });
  });

  it('Ideogram refuses style references over 10 MB together, as documented', async () => {
    // 6 MB each that start like a PNG: the sandbox sums the sizes before decoding anything.
    const bytes = new Uint8Array(6_000_000);
    bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const big: PreparedReference = { blob: new Blob([bytes], { type: 'image/png' }), mime: 'image/png', width: 10, height: 10, role: 'style' };
    const e = await errorOf(ideogramAdapter.submit(routeOf('ideogram-v3', 'ideogram:v1/ideogram-v3/remix'), withRefs([{ ...A, role: 'content' }, big, big]), ctx('ideogram')));
    expect(e.kind).toBe('invalid_input');
    expect(e.message).toMatch(/10MB/);
  });
});
