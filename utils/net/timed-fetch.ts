import { BodyTooLarge } from './read-capped';
import { abortReason } from './sleep';

/**
 * fetch() with one AbortController per request whose timer runs until the body has been read.
 *
 * A plain `fetch(url, { signal })` only guards the wait for the headers: a server that sends
 * its headers and then dribbles (or never finishes) the body keeps `res.json()` waiting
 * forever. Here the response comes back with its body wrapped, and the same timers keep
 * running while it is read: the body read fails with RequestTimeout when the limit passes,
 * with BodyTooLarge past `maxBytes`, and with the caller's abort reason when `signal` aborts,
 * even when the underlying stream ignores the abort (a test double, a stuck proxy). The
 * timers stop as soon as the body is finished or cancelled.
 *
 * A body nobody reads keeps its timer until the limit, then the connection is aborted:
 * harmless, and it frees the socket.
 */

export class RequestTimeout extends Error {
  constructor(
    readonly limitMs: number,
    /** `answer`: no headers yet; `body`: the body took too long in all; `silence`: nothing arrived for `limitMs`. */
    readonly phase: 'answer' | 'body' | 'silence',
  ) {
    super(phase === 'answer' ? `No answer within ${limitMs} ms.` : phase === 'body' ? `The reply was not complete within ${limitMs} ms.` : `The reply stalled for ${limitMs} ms.`);
    this.name = 'RequestTimeout';
  }
}

interface FetchLimits {
  /** The whole request: from sending it to the last byte of its body. */
  totalMs: number;
  /** The longest silence allowed before the headers and between two chunks of the body (default: no separate limit). */
  idleMs?: number;
  /** The largest body that may be read; one byte more fails the read with BodyTooLarge. */
  maxBytes?: number;
}

export interface TimedFetchOptions extends FetchLimits {
  /** The caller's cancel: aborts the request and any body read with this signal's reason. */
  signal?: AbortSignal;
  /** Turns whatever the request or the body read fails with (RequestTimeout, BodyTooLarge, abort, network) into the caller's error. */
  mapError?: (err: unknown) => unknown;
}

/** Statuses whose responses never carry a body (a Response with one cannot be constructed). */
const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);

export async function timedFetch(fetchFn: typeof fetch, url: string, init: RequestInit, opts: TimedFetchOptions): Promise<Response> {
  const map = opts.mapError ?? ((e: unknown) => e);
  const outer = opts.signal;
  if (outer?.aborted) throw map(abortReason(outer));

  const controller = new AbortController();
  /** Why the request was stopped (timeout, cancel, too large); set once. */
  let stoppedWith: unknown;
  /** Wakes whoever is waiting on the network right now, even if that promise never settles. */
  let interrupt: ((err: unknown) => void) | undefined;
  let phase: 'answer' | 'body' = 'answer';
  let idleTimer: ReturnType<typeof setTimeout> | undefined;
  const idleMs = opts.idleMs !== undefined && opts.idleMs < opts.totalMs ? opts.idleMs : undefined;

  const onAbort = () => stop(abortReason(outer!));
  const settle = () => {
    clearTimeout(totalTimer);
    clearTimeout(idleTimer);
    outer?.removeEventListener('abort', onAbort);
  };
  function stop(err: unknown) {
    if (stoppedWith !== undefined) return;
    stoppedWith = err;
    settle();
    controller.abort(err);
    interrupt?.(err);
  }
  const armIdle = () => {
    if (idleMs === undefined) return;
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => stop(new RequestTimeout(idleMs, phase === 'answer' ? 'answer' : 'silence')), idleMs);
  };
  /** Waits for `p`, but throws as soon as the request is stopped. */
  const watch = <T>(p: Promise<T>) =>
    new Promise<T>((resolve, reject) => {
      if (stoppedWith !== undefined) return reject(stoppedWith);
      interrupt = reject;
      p.then(
        (v) => {
          interrupt = undefined;
          resolve(v);
        },
        (e: unknown) => {
          interrupt = undefined;
          reject(stoppedWith ?? e);
        },
      );
    });

  outer?.addEventListener('abort', onAbort, { once: true });
  const totalTimer = setTimeout(() => stop(new RequestTimeout(opts.totalMs, phase)), opts.totalMs);
  armIdle();

  let res: Response;
  try {
    res = await watch(fetchFn(url, { ...init, signal: controller.signal }));
  } catch (err) {
    settle();
    throw map(err);
  }
  phase = 'body';
  if (!res.body || NULL_BODY_STATUS.has(res.status)) {
    settle();
    return res;
  }
  armIdle();

  const reader = res.body.getReader();
  let received = 0;
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(c) {
        let step: ReadableStreamReadResult<Uint8Array>;
        try {
          step = await watch(reader.read());
        } catch (err) {
          settle();
          reader.cancel(err).catch(() => {});
          c.error(map(err));
          return;
        }
        if (step.done) {
          settle();
          c.close();
          return;
        }
        received += step.value.byteLength;
        if (opts.maxBytes !== undefined && received > opts.maxBytes) {
          const err = new BodyTooLarge(opts.maxBytes);
          stop(err);
          reader.cancel(err).catch(() => {});
          c.error(map(err));
          return;
        }
        armIdle();
        c.enqueue(step.value);
      },
      cancel(reason) {
        settle();
        return reader.cancel(reason).catch(() => {});
      },
    },
    // Pull only when the reader asks: nothing is read ahead of a cap.
    { highWaterMark: 0 },
  );
  const wrapped = new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
  Object.defineProperties(wrapped, { url: { value: res.url }, redirected: { value: res.redirected } });
  return wrapped;
}
