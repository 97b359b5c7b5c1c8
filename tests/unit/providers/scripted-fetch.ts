/** Shared pieces of the provider contract tests: a scripted fake fetch, error capture, a test image. */
import { expect } from 'vitest';
import { Jimp, JimpMime } from 'jimp';
import { AppError } from '../../../utils/errors';
import type { PreparedImage } from '../../../utils/providers/types';

export interface Call {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: unknown;
  init: RequestInit;
}
export type Reply = Response | ((c: Call) => Response);

/** Answers each request with the next scripted reply, failing on anything unscripted. */
export function fakeFetch(...replies: Reply[]) {
  const calls: Call[] = [];
  const fn = (async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((v, k) => {
      headers[k] = v;
    });
    const call: Call = { url: String(input), method: init.method ?? 'GET', headers, body: init.body, init };
    calls.push(call);
    const next = replies.shift();
    if (!next) throw new Error(`unexpected request ${call.method} ${call.url}`);
    return typeof next === 'function' ? next(call) : next;
  }) as typeof fetch;
  return { fetch: fn, calls };
}

export const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

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

/** A real image: left half black, right half white. Jimp writes no WEBP: a PNG labelled webp stands in. */
export async function makeImage(width: number, height: number, mime: 'image/png' | 'image/jpeg' | 'image/webp'): Promise<PreparedImage> {
  const img = new Jimp({ width, height, color: 0xffffffff });
  img.scan(0, 0, Math.floor(width / 2), height, (_x, _y, idx) => {
    img.bitmap.data[idx] = 0;
    img.bitmap.data[idx + 1] = 0;
    img.bitmap.data[idx + 2] = 0;
  });
  const buf = await img.getBuffer(mime === 'image/jpeg' ? JimpMime.jpeg : JimpMime.png);
  return { blob: new Blob([new Uint8Array(buf)], { type: mime }), mime, width, height };
}
