/**
 * Timers that are safe for any delay. `setTimeout` keeps its delay in a signed 32-bit integer:
 * anything over 2^31 - 1 ms (about 24.8 days) overflows and fires at once, so a provider's
 * `Retry-After: 99999999` would turn into an immediate retry. Long waits here are split into
 * timer-sized pieces instead.
 */

/** The longest delay one `setTimeout` honours. */
export const MAX_TIMER_MS = 2_147_483_647;

/** The reason an aborted signal carries, as an AbortError when it carries none. */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('Aborted', 'AbortError');
}

/**
 * Resolves after `ms` (negative or NaN: at once; Infinity: only an abort ends it), or rejects
 * with an AbortError (the signal's reason) as soon as `signal` aborts.
 */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    let remaining = Number.isNaN(ms) ? 0 : Math.max(0, ms);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal!));
    };
    const next = () => {
      if (remaining <= 0) {
        signal?.removeEventListener('abort', onAbort);
        resolve();
        return;
      }
      const step = Math.min(remaining, MAX_TIMER_MS);
      remaining -= step;
      timer = setTimeout(next, step);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    // A zero wait still yields to the event loop once, like setTimeout(fn, 0).
    if (remaining === 0) timer = setTimeout(next, 0);
    else next();
  });
}
