// @vitest-environment node
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BodyTooLarge } from '@/utils/net/read-capped';
import { RequestTimeout, timedFetch } from '@/utils/net/timed-fetch';

/** A body that sends its chunks, one per pull, then stalls for ever (or closes when `end`). */
function body(chunks: string[], end = false) {
  const state = { cancelled: false };
  let i = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(c) {
      if (i < chunks.length) return c.enqueue(new TextEncoder().encode(chunks[i++]));
      if (end) return c.close();
      return new Promise<void>(() => {});
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return { stream, state };
}

const replying = (res: () => Response) => vi.fn(async () => res()) as unknown as typeof fetch;

afterEach(() => {
  vi.useRealTimers();
});

describe('timedFetch', () => {
  it('runs one timer from sending to the last byte of the body', async () => {
    vi.useFakeTimers();
    const { stream, state } = body(['{"a":', '1']);
    const res = await timedFetch(replying(() => new Response(stream)), 'https://x.example/', {}, { totalMs: 1000 });
    const text = res.text().then(
      () => undefined,
      (e: unknown) => e,
    );
    await vi.advanceTimersByTimeAsync(999);
    await vi.advanceTimersByTimeAsync(2);
    const err = await text;
    expect(err).toBeInstanceOf(RequestTimeout);
    expect(err).toMatchObject({ limitMs: 1000, phase: 'body' });
    expect(state.cancelled).toBe(true);
  });

  it('fails on silence between chunks, however long the whole may take', async () => {
    vi.useFakeTimers();
    const chunks = Array.from({ length: 5 }, () => 'x');
    let i = 0;
    const stream = new ReadableStream<Uint8Array>({
      async pull(c) {
        // A chunk every 400 ms, then silence.
        if (i >= chunks.length) return new Promise<void>(() => {});
        await new Promise((r) => setTimeout(r, 400));
        c.enqueue(new TextEncoder().encode(chunks[i++]));
      },
    });
    const res = await timedFetch(replying(() => new Response(stream)), 'https://x.example/', {}, { totalMs: 60_000, idleMs: 500 });
    const text = res.text().then(
      () => undefined,
      (e: unknown) => e,
    );
    await vi.advanceTimersByTimeAsync(5 * 400 + 499);
    let settled = false;
    void text.then(() => (settled = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(settled).toBe(false); // five chunks arrived in time: 2.5 s in all is fine
    await vi.advanceTimersByTimeAsync(10);
    expect(await text).toMatchObject({ phase: 'silence', limitMs: 500 });
  });

  it('times out a server that never answers, aborting the request', async () => {
    vi.useFakeTimers();
    let signal: AbortSignal | undefined;
    const hang = (async (_u: string, init: RequestInit) => {
      signal = init.signal ?? undefined;
      return new Promise<Response>(() => {}); // ignores the abort, like a stuck proxy
    }) as unknown as typeof fetch;
    const out = timedFetch(hang, 'https://x.example/', {}, { totalMs: 300 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    await vi.advanceTimersByTimeAsync(301);
    expect(await out).toMatchObject({ phase: 'answer', limitMs: 300 });
    expect(signal?.aborted).toBe(true);
  });

  it('stops reading at maxBytes', async () => {
    const { stream, state } = body(Array.from({ length: 100 }, () => 'y'.repeat(1000)));
    const res = await timedFetch(replying(() => new Response(stream)), 'https://x.example/', {}, { totalMs: 5000, maxBytes: 10_000 });
    await expect(res.arrayBuffer()).rejects.toBeInstanceOf(BodyTooLarge);
    expect(state.cancelled).toBe(true);
  });

  it('clears its timers once the body is read, and keeps status and headers', async () => {
    vi.useFakeTimers();
    let signal: AbortSignal | undefined;
    const fetchFn = (async (_u: string, init: RequestInit) => {
      signal = init.signal ?? undefined;
      return new Response('hello', { status: 201, statusText: 'Created', headers: { 'x-a': 'b' } });
    }) as unknown as typeof fetch;
    const res = await timedFetch(fetchFn, 'https://x.example/', {}, { totalMs: 100 });
    expect(res.status).toBe(201);
    expect(res.statusText).toBe('Created');
    expect(res.headers.get('x-a')).toBe('b');
    expect(await res.text()).toBe('hello');
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(1000);
    expect(signal?.aborted).toBe(false);
  });

  it('passes the caller\u2019s abort through, mapped as the caller says', async () => {
    const controller = new AbortController();
    const { stream } = body(['a']);
    const res = await timedFetch(replying(() => new Response(stream)), 'https://x.example/', {}, {
      totalMs: 60_000,
      signal: controller.signal,
      mapError: (e) => ({ mapped: e }),
    });
    const reading = res.text().then(
      () => undefined,
      (e: unknown) => e,
    );
    controller.abort(new Error('stop'));
    expect(await reading).toEqual({ mapped: new Error('stop') });
    await expect(timedFetch(replying(() => new Response('')), 'https://x.example/', {}, { totalMs: 10, signal: controller.signal })).rejects.toThrow('stop');
  });

  it('returns bodiless answers as they are', async () => {
    const res = await timedFetch(replying(() => new Response(null, { status: 204 })), 'https://x.example/', {}, { totalMs: 100 });
    expect(res.status).toBe(204);
  });
});
