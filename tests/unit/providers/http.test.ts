// @vitest-environment node
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startSandbox, type Sandbox } from '../../../sandbox/server';
import { AppError } from '../../../utils/errors';
import { downloadOutput } from '../../../utils/jobs/download';
import { falAdapter } from '../../../utils/providers/fal';
import {
  clampRetryAfter,
  IMAGE_REPLY_MAX_BYTES,
  JSON_REPLY_MAX_BYTES,
  keyedFetch,
  limitsFor,
  MAX_RETRY_AFTER_MS,
  readJson,
  REQUEST_LIMITS,
  retryAfterMs,
  type ProviderCallContext,
} from '../../../utils/providers/http';
import { getModel } from '../../../utils/models';
import type { ProviderContext } from '../../../utils/providers/types';
import { PNG_1x1, until } from '../helpers';

/**
 * Issue 12: every provider request has a time limit that covers reading its body, and a size
 * cap; Retry-After is kept within bounds.
 */

const BASE = 'https://queue.fal.run';
const AUTH: [string, string] = ['Authorization', 'Key k'];

/** A body that sends `first` and then nothing, ever; records whether it was cancelled. */
function endlessBody(first = '{"status":"IN_') {
  const state = { cancelled: false, pulls: 0 };
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(new TextEncoder().encode(first));
    },
    pull() {
      state.pulls++;
      return new Promise<void>(() => {}); // never more
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return { stream, state };
}

/** A body of `chunks` chunks of `size` bytes (spaces after a JSON start) that counts what was pulled. */
function countingBody(chunks: number, size: number) {
  const pulled = { bytes: 0 };
  let n = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(c) {
      if (n >= chunks) return c.close();
      n++;
      const chunk = new Uint8Array(size).fill(0x20);
      if (n === 1) chunk.set(new TextEncoder().encode('{"a":1}'));
      pulled.bytes += size;
      c.enqueue(chunk);
    },
  });
  return { stream, pulled };
}

function ctxWith(fetchFn: typeof fetch, extra: Partial<ProviderCallContext> = {}): ProviderCallContext {
  return { baseUrl: BASE, key: 'k', fetch: fetchFn, ...extra };
}

const replying = (res: () => Response) => (async () => res()) as unknown as typeof fetch;

/** Settles within `ms`, or says it is still pending (the old code hangs forever here). */
async function within<T>(p: Promise<T>, ms: number): Promise<{ value?: T; error?: unknown; pending?: true }> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const pending = new Promise<{ pending: true }>((r) => (timer = setTimeout(() => r({ pending: true }), ms)));
  try {
    return await Promise.race([p.then((value) => ({ value }), (error: unknown) => ({ error })), pending]);
  } finally {
    clearTimeout(timer);
  }
}

describe('keyedFetch: one timer per request, running until the body is read', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fails a reply whose body never ends at the limit, naming the provider', async () => {
    vi.useFakeTimers();
    const { stream, state } = endlessBody();
    const ctx = ctxWith(replying(() => new Response(stream, { status: 200, headers: { 'content-type': 'application/json' } })), {
      limits: { timeoutMs: 80, maxReplyBytes: JSON_REPLY_MAX_BYTES },
    });
    // Headers arrive at once: only a timer that keeps running through the body read ends this.
    const res = await keyedFetch(ctx, 'fal', `${BASE}/x/status`, { method: 'GET', authHeader: AUTH });
    let settled = false;
    const out = readJson(res).then(
      (value) => ({ value, error: undefined }),
      (error: unknown) => ({ value: undefined, error }),
    );
    void out.then(() => (settled = true));
    await vi.advanceTimersByTimeAsync(79);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const { error } = await out;
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ kind: 'timed_out', provider: 'fal', message: 'fal did not finish its reply within 80 ms.' });
    expect(state.cancelled).toBe(true); // the connection is let go, not left open
  });

  it('fails a request that never answers at all, and the whole poll with it', async () => {
    const hang = (async (_url: string, init: RequestInit) =>
      new Promise<Response>((_, reject) => init.signal?.addEventListener('abort', () => reject(init.signal?.reason)))) as unknown as typeof fetch;
    const route = getModel('flux-dev').routes[0]!;
    const ctx = ctxWith(hang, { limits: { timeoutMs: 60, maxReplyBytes: JSON_REPLY_MAX_BYTES } });
    const out = await within(falAdapter.poll(route, { statusUrl: `${BASE}/fal-ai/flux/requests/r/status`, responseUrl: `${BASE}/fal-ai/flux/requests/r` }, ctx), 2000);
    expect(out.error).toMatchObject({ kind: 'timed_out', message: 'fal did not answer within 60 ms.' });
  });

  it('stops its timer once the body is read: nothing is aborted afterwards', async () => {
    let seen: AbortSignal | undefined;
    const fetchFn = (async (_url: string, init: RequestInit) => {
      seen = init.signal ?? undefined;
      return new Response('{"ok":true}', { status: 200 });
    }) as unknown as typeof fetch;
    vi.useFakeTimers();
    const res = await keyedFetch(ctxWith(fetchFn, { limits: { timeoutMs: 50, maxReplyBytes: 1000 } }), 'fal', `${BASE}/a`, { authHeader: AUTH });
    expect(await readJson(res)).toEqual({ ok: true });
    expect(vi.getTimerCount()).toBe(0); // the limit's timer is gone with the read
    await vi.advanceTimersByTimeAsync(10_000);
    expect(seen?.aborted).toBe(false);
  });

  it('treats the caller\u2019s abort during the body read as a cancel, at once', async () => {
    const { stream, state } = endlessBody();
    const controller = new AbortController();
    const res = await keyedFetch(ctxWith(replying(() => new Response(stream)), { signal: controller.signal }), 'fal', `${BASE}/a`, { authHeader: AUTH });
    const reading = within(readJson(res), 2000);
    // The first bytes are read and more are asked for: the body read is under way.
    await until('the body read to wait for more', () => state.pulls > 0);
    controller.abort(new Error('any reason'));
    expect((await reading).error).toMatchObject({ kind: 'canceled' });
  });

  it('gives quick calls limits under the MV3 30 s single-fetch limit, and generation calls more', () => {
    const plain: ProviderContext = { baseUrl: BASE, key: 'k', fetch };
    expect(limitsFor(plain, 'GET')).toBe(REQUEST_LIMITS.read);
    expect(limitsFor(plain, undefined)).toBe(REQUEST_LIMITS.read);
    expect(limitsFor(plain, 'post')).toBe(REQUEST_LIMITS.write);
    expect(REQUEST_LIMITS.read.timeoutMs).toBeLessThanOrEqual(25_000);
    expect(REQUEST_LIMITS.write.timeoutMs).toBeLessThanOrEqual(25_000);
    expect(REQUEST_LIMITS.generate.timeoutMs).toBeGreaterThan(120_000);
    expect(REQUEST_LIMITS.generate.maxReplyBytes).toBe(IMAGE_REPLY_MAX_BYTES);
    expect(limitsFor({ ...plain, limits: REQUEST_LIMITS.generate } as ProviderCallContext, 'POST')).toBe(REQUEST_LIMITS.generate);
  });
});

describe('readJson: replies are read as a stream and stopped at a cap', () => {
  it('stops a 200 MB chunked reply just past the cap instead of reading it all', async () => {
    const { stream, pulled } = countingBody(200 * 16, 64 * 1024);
    const res = await keyedFetch(ctxWith(replying(() => new Response(stream, { status: 200 }))), 'fal', `${BASE}/a`, { authHeader: AUTH });
    const err = await readJson(res).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ kind: 'bad_reply', provider: 'fal', message: 'fal sent a reply larger than 2 MB; it was not read.' });
    expect(pulled.bytes).toBeLessThanOrEqual(JSON_REPLY_MAX_BYTES + 2 * 64 * 1024);
    console.log(`[http] 200 MB chunked reply: ${pulled.bytes} bytes pulled before stopping (cap ${JSON_REPLY_MAX_BYTES})`);
  });

  it('refuses a declared Content-Length over the cap before reading', async () => {
    const { stream, pulled } = countingBody(10, 1024);
    const res = new Response(stream, { headers: { 'content-length': String(50 * 1024 * 1024) } });
    await expect(readJson(res)).rejects.toMatchObject({ kind: 'bad_reply' });
    expect(pulled.bytes).toBeLessThanOrEqual(1024);
  });

  it('lets replies that carry images inline be larger', async () => {
    const { stream } = countingBody(64, 64 * 1024); // 4 MB, over the JSON cap
    const ctx = ctxWith(replying(() => new Response(stream)), { limits: REQUEST_LIMITS.generate });
    const res = await keyedFetch(ctx, 'OpenAI', `${BASE}/v1/images/edits`, { method: 'POST', authHeader: AUTH });
    expect(await readJson(res)).toEqual({ a: 1 });
  });

  it('caps a raw body read too (imagine.art reads the image bytes directly)', async () => {
    const { stream, pulled } = countingBody(200, 64 * 1024);
    const ctx = ctxWith(replying(() => new Response(stream)), { limits: { timeoutMs: 5000, maxReplyBytes: 1024 * 1024 } });
    const res = await keyedFetch(ctx, 'imagine.art', `${BASE}/v2/image/generations`, { method: 'POST', authHeader: AUTH });
    await expect(res.arrayBuffer()).rejects.toMatchObject({ kind: 'bad_reply', provider: 'imagine.art' });
    expect(pulled.bytes).toBeLessThanOrEqual(1024 * 1024 + 2 * 64 * 1024);
  });
});

describe('through a real socket (the sandbox)', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox({ port: 0, timing: { queueMs: 60_000, runMs: 60_000 } });
  });
  afterAll(async () => {
    await sb?.close();
  });

  async function submitOne(): Promise<{ ctx: ProviderContext; handle: Record<string, string> }> {
    const route = getModel('flux-dev').routes[0]!;
    const ctx: ProviderContext = { baseUrl: `${sb.url}/fal`, key: 'k', fetch };
    const image = { blob: new Blob([PNG_1x1], { type: 'image/png' }), mime: 'image/png', width: 1, height: 1 };
    const out = await falAdapter.submit(route, { prompt: 'p', image, numImages: 1 }, ctx);
    if (out.kind !== 'submitted') throw new Error('expected a queue handle');
    return { ctx, handle: out.handle };
  }

  it('stops a 200 MB streamed status reply at the cap: bytes the server got to send and we read', async () => {
    sb.reset();
    const { ctx, handle } = await submitOne();
    sb.injectFault({ provider: 'fal', on: 'status', status: 200, body: { status: 'IN_QUEUE', queue_position: 0 }, streamBytes: 200 * 1024 * 1024 });
    const route = getModel('flux-dev').routes[0]!;
    const err = await falAdapter.poll(route, handle, ctx).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ kind: 'bad_reply', message: expect.stringContaining('larger than 2 MB') });
    await until('the sandbox to stop writing the reply', () => sb.requests.at(-1)?.streamEnded === true);
    const sent = sb.requests.at(-1)!.streamedBytes!;
    // The server writes ahead into socket buffers; it still stops within a few MB of the cap.
    expect(sent).toBeLessThan(16 * 1024 * 1024);
    console.log(`[http] sandbox 200 MB streamed status reply: the server wrote ${sent} bytes before the client hung up`);
  });

  it('ends a status poll whose body never ends at the request\u2019s limit', async () => {
    sb.reset();
    const { handle } = await submitOne();
    sb.injectFault({ provider: 'fal', on: 'status', status: 202, body: { status: 'IN_QUEUE', queue_position: 0 }, stall: 'body' });
    const route = getModel('flux-dev').routes[0]!;
    const ctx: ProviderCallContext = { baseUrl: `${sb.url}/fal`, key: 'k', fetch, limits: { timeoutMs: 300, maxReplyBytes: JSON_REPLY_MAX_BYTES } };
    const out = await within(falAdapter.poll(route, handle, ctx), 5000);
    expect(out.error).toMatchObject({ kind: 'timed_out', message: 'fal did not finish its reply within 300 ms.' });
  });
});

describe('the sandbox\u2019s shaped faults, as the extension meets them', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox({ port: 0, timing: { queueMs: 0, runMs: 0 } });
  });
  afterAll(async () => {
    await sb?.close();
  });

  it('a server that never answers ends at the request\u2019s limit', async () => {
    sb.injectFault({ provider: 'fal', on: 'status', status: 200, stall: 'headers' });
    const ctx: ProviderCallContext = { baseUrl: `${sb.url}/fal`, key: 'k', fetch, limits: { timeoutMs: 200, maxReplyBytes: JSON_REPLY_MAX_BYTES } };
    const res = keyedFetch(ctx, 'fal', `${sb.url}/fal/fal-ai/flux/requests/x/status`, { authHeader: AUTH });
    expect((await within(res, 3000)).error).toMatchObject({ kind: 'timed_out', message: 'fal did not answer within 200 ms.' });
    expect(sb.requests.at(-1)?.streamedBytes).toBe(0);
  });

  it('a result file served as a page (labelled image/png) is refused by its bytes', async () => {
    const route = getModel('flux-dev').routes[0]!;
    const ctx: ProviderContext = { baseUrl: `${sb.url}/fal`, key: 'k', fetch };
    const image = { blob: new Blob([PNG_1x1], { type: 'image/png' }), mime: 'image/png', width: 1, height: 1 };
    const sub = await falAdapter.submit(route, { prompt: 'p', image, numImages: 1 }, ctx);
    if (sub.kind !== 'submitted') throw new Error('expected a queue handle');
    let done: Awaited<ReturnType<typeof falAdapter.poll>> | undefined;
    for (let i = 0; i < 50 && done?.kind !== 'done'; i++) {
      done = await falAdapter.poll(route, sub.handle, ctx);
      if (done.kind !== 'done') await new Promise((r) => setTimeout(r, 50));
    }
    if (done?.kind !== 'done') throw new Error('the sandbox job did not finish');
    sb.injectFault({ provider: 'files', on: 'download', status: 200, body: '<!doctype html><title>Sign in</title>', headers: { 'Content-Type': 'image/png' } });
    await expect(downloadOutput(done.outputs[0]!, fetch, new AbortController().signal, 'fal')).rejects.toMatchObject({ kind: 'bad_reply', message: expect.stringContaining('a web page') });
    // Without the fault, the same link gives the image, stored as what its bytes say.
    expect((await downloadOutput(done.outputs[0]!, fetch, new AbortController().signal, 'fal')).mime).toBe('image/png');
  });
});

describe('Retry-After is kept within bounds', () => {
  const h = (v: string) => new Headers({ 'retry-after': v });

  it('never shortens a wait below 1 s: 0, negative and past dates wait 1 s', () => {
    expect(retryAfterMs(h('0'))).toBe(1000);
    expect(retryAfterMs(h('0.2'))).toBe(1000);
    expect(retryAfterMs(h('-5'))).toBe(1000);
    expect(retryAfterMs(h(new Date(Date.now() - 60_000).toUTCString()))).toBe(1000);
  });

  it('keeps what a provider asks within reach, and caps what would overflow a timer', () => {
    expect(retryAfterMs(h('12'))).toBe(12_000);
    expect(retryAfterMs(h(' 3 '))).toBe(3000);
    const now = Date.parse('2026-12-01T10:00:00Z');
    expect(retryAfterMs(h('Tue, 01 Dec 2026 10:00:30 GMT'), now)).toBe(30_000);
    // 30 days: past setTimeout's 24.8-day limit, which would fire at once.
    expect(retryAfterMs(h(String(30 * 24 * 3600)))).toBe(MAX_RETRY_AFTER_MS);
    expect(retryAfterMs(h('99999999999999'))).toBe(MAX_RETRY_AFTER_MS);
    expect(MAX_RETRY_AFTER_MS).toBeLessThan(2 ** 31 - 1);
    expect(retryAfterMs(h('soon'))).toBeUndefined();
    expect(retryAfterMs(new Headers())).toBeUndefined();
  });

  it('clamps hints read from bodies the same way', () => {
    expect(clampRetryAfter(0)).toBe(1000);
    expect(clampRetryAfter(Number.NaN)).toBe(1000);
    expect(clampRetryAfter(Number.POSITIVE_INFINITY)).toBe(MAX_RETRY_AFTER_MS);
    expect(clampRetryAfter(45_200)).toBe(45_200);
  });
});
