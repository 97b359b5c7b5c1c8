// Shared by the contract tests of the synchronous adapters (ideogram, minimax, byteplus, vyro).
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { Jimp, JimpMime } from 'jimp';
import { startSandbox, type Sandbox } from '../../../sandbox/server';
import { getModel, type ModelId, type RouteSpec } from '../../../utils/models';
import type { GenerationInput, PreparedImage, ProviderContext } from '../../../utils/providers/types';

export interface RecordedCall {
  url: string;
  init: RequestInit;
  /** The same request as the network would see it (headers normalised, body serialisable). */
  request: Request;
}

/** A fake fetch that records every call and answers with `reply(call, index)`. */
export function recordingFetch(reply: (call: RecordedCall, index: number) => Response | Promise<Response>) {
  const calls: RecordedCall[] = [];
  const fetch = (async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const { signal: _signal, redirect: _redirect, credentials: _credentials, ...rest } = init;
    const call = { url, init, request: new Request(url, rest) };
    calls.push(call);
    return reply(call, calls.length - 1);
  }) as typeof globalThis.fetch;
  return { fetch, calls };
}

export function jsonResponse(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });
}

export function ctxFor(fetch: typeof globalThis.fetch, baseUrl: string, key = 'sk-test-123'): ProviderContext {
  return { fetch, baseUrl, key };
}

/** A small real image: left half dark blue, right half orange. */
export async function realImage(mime: 'image/jpeg' | 'image/png', width = 64, height = 48): Promise<PreparedImage> {
  const img = new Jimp({ width, height, color: 0xff8800ff });
  img.scan(0, 0, Math.floor(width / 2), height, (_x, _y, idx) => {
    img.bitmap.data[idx] = 0x10;
    img.bitmap.data[idx + 1] = 0x20;
    img.bitmap.data[idx + 2] = 0x80;
  });
  const bytes = await img.getBuffer(mime === 'image/jpeg' ? JimpMime.jpeg : JimpMime.png);
  return { blob: new Blob([new Uint8Array(bytes)], { type: mime }), mime, width, height };
}

export function routeOf(model: ModelId, id: string): RouteSpec {
  const route = getModel(model).routes.find((r) => r.id === id);
  if (!route) throw new Error(`No route ${id} on ${model}`);
  return route;
}

export function input(over: Partial<GenerationInput> = {}): GenerationInput {
  return { prompt: 'a lighthouse at dusk, film photo', image: null, numImages: 1, ...over };
}

/** Multipart parts as (name, text) or (name, { filename, type, bytes }). */
export async function partsOf(form: FormData) {
  const out: Array<[string, string | { filename: string; type: string; bytes: number }]> = [];
  for (const [name, value] of form.entries()) {
    out.push([name, typeof value === 'string' ? value : { filename: value.name, type: value.type, bytes: value.size }]);
  }
  return out;
}

export function isPng(bytes: Uint8Array): boolean {
  return bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
}

/**
 * A fast sandbox for the enclosing describe block, reset before each test. Call at the top of
 * the block; use the returned getter inside tests.
 */
export function useSandbox(): () => Sandbox {
  let sb: Sandbox | undefined;
  beforeAll(async () => {
    sb = await startSandbox({ port: 0, timing: { queueMs: 50, runMs: 50 } });
  });
  afterAll(() => sb?.close());
  beforeEach(() => sb?.reset());
  return () => {
    if (!sb) throw new Error('The sandbox is not running (useSandbox must be called in a describe block).');
    return sb;
  };
}
