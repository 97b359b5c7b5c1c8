// @vitest-environment node
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Jimp } from 'jimp';
import { DESCRIBE_MAX_TOKENS, DESCRIBERS, describeImage, mergeDescription, pickDescriber } from '@/utils/describe';
import { prepareInput } from '@/utils/jobs/prepare-input';
import { getModel, type ProviderId } from '@/utils/models';
import { db, resetDbForTests } from '@/utils/store/schema';
import type { JobRecord } from '@/utils/store/types';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import { IDBFactory } from 'fake-indexeddb';

let sandbox: Sandbox;
let jpeg: Blob;

beforeAll(async () => {
  sandbox = await startSandbox({ timing: { queueMs: 20, runMs: 20 } });
  const img = new Jimp({ width: 64, height: 48, color: 0x2266ccff });
  jpeg = new Blob([new Uint8Array(await img.getBuffer('image/jpeg'))], { type: 'image/jpeg' });
});
afterAll(() => sandbox.close());

const noSleep = () => new Promise<void>((r) => setTimeout(r, 5));

describe('describing the reference for text-only models', () => {
  it('prefers the job\u2019s own provider, then any provider that can describe', () => {
    expect(pickDescriber('fal', () => true)).toBe('fal');
    expect(pickDescriber('vyro', (p) => p === 'openai')).toBe('openai');
    expect(pickDescriber('byteplus', (p) => p === 'fal' || p === 'openai')).toBe('fal');
    expect(pickDescriber('vyro', () => false)).toBeNull();
  });

  it('lets a user with only an OpenRouter key describe, without changing anyone else\u2019s describer', () => {
    expect(DESCRIBERS).toEqual(['fal', 'openai', 'google', 'openrouter']);
    const only = (...ps: ProviderId[]) => (p: ProviderId) => ps.includes(p);
    expect(pickDescriber('vyro', only('openrouter'))).toBe('openrouter');
    expect(pickDescriber(undefined, only('openrouter'))).toBe('openrouter');
    // A job on OpenRouter describes there when it can.
    expect(pickDescriber('openrouter', () => true)).toBe('openrouter');
    // Every other key still wins over OpenRouter, as before.
    expect(pickDescriber('vyro', only('openrouter', 'google'))).toBe('google');
    expect(pickDescriber('vyro', only('openrouter', 'openai'))).toBe('openai');
    expect(pickDescriber('byteplus', () => true)).toBe('fal');
    expect(pickDescriber('google', only('openrouter', 'google', 'fal'))).toBe('google');
  });

  it('asks OpenRouter chat completions in the sandbox and returns clean words', async () => {
    sandbox.reset();
    const text = await describeImage('openrouter', { blob: jpeg, mime: 'image/jpeg', width: 64, height: 48 }, { fetch, baseUrl: `${sandbox.url}/openrouter`, key: 'sk-or-v1-1' }, noSleep);
    expect(text).toMatch(/blue/);
    const sent = sandbox.requests.find((r) => r.path === '/openrouter/api/v1/chat/completions');
    expect(sent?.headers.authorization).toBe('Bearer sk-or-v1-1');
    const body = sent?.body as { max_completion_tokens: number; messages: Array<{ content: Array<{ type: string; text?: string; image_url?: { url: string } }> }> };
    expect(body.max_completion_tokens).toBe(DESCRIBE_MAX_TOKENS);
    expect(body.messages[0]!.content[0]!.text).toMatch(/Describe this picture/);
    expect(body.messages[0]!.content[1]!.image_url!.url).toMatch(/^data:image\/jpeg;base64,/);
  });

  it('asks fal\u2019s vision endpoint through the queue and returns the words', async () => {
    sandbox.reset();
    const text = await describeImage('fal', { blob: jpeg, mime: 'image/jpeg', width: 64, height: 48 }, { fetch, baseUrl: `${sandbox.url}/fal`, key: 'k' }, noSleep);
    expect(text).toMatch(/blue/);
    const submit = sandbox.requests.find((r) => r.method === 'POST');
    expect(submit?.path).toBe('/fal/openrouter/router/vision');
    expect(submit?.headers.authorization).toBe('Key k');
    const body = submit?.body as { image_urls: string[]; prompt: string; model: string; max_tokens: number };
    expect(body.image_urls[0]).toMatch(/^data:image\/jpeg;base64,/);
    expect(body.prompt).toMatch(/Describe this picture/);
    // RouterVisionInput: `model` is required, `max_tokens` an optional integer.
    expect(typeof body.model).toBe('string');
    expect(body.max_tokens).toBe(DESCRIBE_MAX_TOKENS);
  });

  it('a retired fal vision endpoint is an error, not route_unavailable (describing has no route)', async () => {
    sandbox.reset();
    sandbox.retire('fal', 'openrouter/router/vision');
    const e = await describeImage('fal', { blob: jpeg, mime: 'image/jpeg', width: 64, height: 48 }, { fetch, baseUrl: `${sandbox.url}/fal`, key: 'k' }, noSleep).catch((err: unknown) => err);
    expect(e).toMatchObject({ provider: 'fal', message: expect.stringContaining('openrouter/router/vision') });
    expect((e as { kind: string }).kind).not.toBe('route_unavailable');
    sandbox.reset();
  });

  it('asks OpenAI chat completions in the sandbox with max_completion_tokens', async () => {
    sandbox.reset();
    const text = await describeImage('openai', { blob: jpeg, mime: 'image/jpeg', width: 64, height: 48 }, { fetch, baseUrl: `${sandbox.url}/openai`, key: 'sk-1' }, noSleep);
    expect(text).toMatch(/blue/);
    const sent = sandbox.requests.find((r) => r.path === '/openai/v1/chat/completions');
    expect(sent?.headers.authorization).toBe('Bearer sk-1');
    const body = sent?.body as Record<string, unknown>;
    expect(body.max_completion_tokens).toBe(DESCRIBE_MAX_TOKENS);
    expect(body).not.toHaveProperty('max_tokens');
    sandbox.retire('openai', String(body.model));
    await expect(
      describeImage('openai', { blob: jpeg, mime: 'image/jpeg', width: 64, height: 48 }, { fetch, baseUrl: `${sandbox.url}/openai`, key: 'sk-1' }, noSleep),
    ).rejects.toMatchObject({ provider: 'OpenAI' });
    sandbox.reset();
  });

  it('uses OpenAI chat completions with the image as a data URL, and maps its errors', async () => {
    const calls: Array<{ url: string; init: RequestInit }> = [];
    const ok = vi.fn(async (url: string, init: RequestInit) => {
      calls.push({ url, init });
      return Response.json({ choices: [{ message: { content: '  A blue  field.\n' } }] });
    });
    const text = await describeImage('openai', { blob: jpeg, mime: 'image/jpeg', width: 64, height: 48 }, { fetch: ok as never, baseUrl: 'https://api.openai.com', key: 'sk-1' }, noSleep);
    expect(text).toBe('A blue field.');
    expect(calls[0]?.url).toBe('https://api.openai.com/v1/chat/completions');
    expect(new Headers(calls[0]?.init.headers).get('authorization')).toBe('Bearer sk-1');
    const body = JSON.parse(String(calls[0]?.init.body));
    expect(body.messages[0].content[1].image_url.url).toMatch(/^data:image\/jpeg;base64,/);
    // `max_tokens` is deprecated for chat completions; the adapter sends its successor.
    expect(body.max_completion_tokens).toBe(DESCRIBE_MAX_TOKENS);
    expect(body).not.toHaveProperty('max_tokens');

    const broke = vi.fn(async () => Response.json({ error: { message: 'You exceeded your current quota', code: 'insufficient_quota' } }, { status: 429 }));
    await expect(
      describeImage('openai', { blob: jpeg, mime: 'image/jpeg', width: 64, height: 48 }, { fetch: broke as never, baseUrl: 'https://api.openai.com', key: 'sk-1' }, noSleep),
    ).rejects.toMatchObject({ kind: 'out_of_credit', provider: 'OpenAI' });
  });

  it('merges the description into the prompt of a text-only route, preferring the user\u2019s words', async () => {
    globalThis.indexedDB = new IDBFactory();
    resetDbForTests();
    await (await db()).put('references', {
      id: 'r', createdAt: 0, blob: jpeg, mime: 'image/jpeg', width: 64, height: 48, thumb: jpeg, sha256: 'x', source: { kind: 'file' },
    });
    // A text-only route: the reference reaches it described.
    const route = getModel('imagen-3').routes.find((r) => r.imageInput === 'described')!;
    expect(route.aspectRatios).toContain('16:9');
    const job = {
      request: { prompt: 'a castle', referenceId: 'r', modelId: 'imagen-3', settings: { influence: null, aspectRatio: '16:9', numImages: 2, seed: 7 }, fresh: false, description: null },
    } as unknown as JobRecord;
    const describe = vi.fn(async () => 'A blue field at noon.');
    const auto = await prepareInput(job, route, describe);
    expect(describe).toHaveBeenCalledTimes(1);
    expect(auto.image).toBeNull();
    expect(auto.description).toBe('A blue field at noon.');
    expect(auto.prompt).toBe(mergeDescription('a castle', 'A blue field at noon.'));
    expect(auto.aspectRatio).toBe('16:9');

    const mine = await prepareInput({ ...job, request: { ...job.request, description: 'My own words.' } }, route, describe);
    expect(describe).toHaveBeenCalledTimes(1);
    expect(mine.prompt).toContain('Reference image: My own words.');
  });
});
