// Shared by every provider contract test: one fake fetch, reply and error helpers, real test
// images, and a fast sandbox for the tests that go through a real socket.
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { Jimp, JimpMime } from 'jimp';
import { startSandbox, type Sandbox } from '../../../sandbox/server';
import { AppError } from '../../../utils/errors';
import { getModel, type ModelId, type RouteSpec } from '../../../utils/models';
import type { GenerationInput, PreparedImage, ProviderContext } from '../../../utils/providers/types';

/** One request the code under test made, as it made it. */
export interface FetchCall {
  url: string;
  method: string;
  /** Lower-case names, as Headers gives them. */
  headers: Record<string, string>;
  body: unknown;
  init: RequestInit;
  /** The same request as the network would see it (headers normalised, body readable). */
  readonly request: Request;
}

type Answer = (call: FetchCall, index: number) => Response | Promise<Response>;

/**
 * A fake fetch that records every call. Given a function, it answers every call with it; given
 * replies, it answers each call with the next one and fails on a call nobody scripted.
 */
export function fakeFetch(answer: Answer): { fetch: typeof fetch; calls: FetchCall[] };
export function fakeFetch(...replies: Response[]): { fetch: typeof fetch; calls: FetchCall[] };
export function fakeFetch(...args: [Answer] | Response[]): { fetch: typeof fetch; calls: FetchCall[] } {
  const first = args[0];
  const answer: Answer =
    typeof first === 'function'
      ? first
      : (call) => {
          const next = (args as Response[]).shift();
          if (!next) throw new Error(`unexpected request ${call.method} ${call.url}`);
          return next;
        };
  const calls: FetchCall[] = [];
  const fn = (async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((v, k) => {
      headers[k] = v;
    });
    const { signal: _signal, redirect: _redirect, credentials: _credentials, ...rest } = init;
    const call: FetchCall = {
      url,
      method: init.method ?? 'GET',
      headers,
      body: init.body,
      init,
      // Built on demand: a Request takes over a streamed body, which a test may want to read itself.
      get request() {
        return new Request(url, rest);
      },
    };
    calls.push(call);
    return answer(call, calls.length - 1);
  }) as typeof fetch;
  return { fetch: fn, calls };
}

export function jsonResponse(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });
}

/** Awaits a promise that must reject with an AppError, and returns that error. */
export async function errorOf(p: Promise<unknown>): Promise<AppError> {
  const e = await p.then(
    () => {
      throw new Error('expected a failure');
    },
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(AppError);
  return e as AppError;
}

/**
 * A small real image: left half dark blue, right half orange. Jimp writes no WEBP: a PNG
 * labelled webp stands in.
 */
export async function realImage(mime: 'image/jpeg' | 'image/png' | 'image/webp', width = 64, height = 48): Promise<PreparedImage> {
  const img = new Jimp({ width, height, color: 0xff8800ff });
  img.scan(0, 0, Math.floor(width / 2), height, (_x, _y, idx) => {
    img.bitmap.data[idx] = 0x10;
    img.bitmap.data[idx + 1] = 0x20;
    img.bitmap.data[idx + 2] = 0x80;
  });
  const bytes = await img.getBuffer(mime === 'image/jpeg' ? JimpMime.jpeg : JimpMime.png);
  return { blob: new Blob([new Uint8Array(bytes)], { type: mime }), mime, width, height };
}

export function ctxFor(fetch: typeof globalThis.fetch, baseUrl: string, key = 'sk-test-123'): ProviderContext {
  return { fetch, baseUrl, key };
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
