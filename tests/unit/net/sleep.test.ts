// @vitest-environment node
import { afterEach, describe, expect, it, vi } from 'vitest';
import { abortableSleep, MAX_TIMER_MS } from '@/utils/net/sleep';

afterEach(() => {
  vi.useRealTimers();
});

describe('abortableSleep', () => {
  it('waits the whole of a delay longer than setTimeout can hold, instead of firing at once', async () => {
    vi.useFakeTimers();
    let done = false;
    void abortableSleep(MAX_TIMER_MS * 2 + 5).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(10);
    expect(done).toBe(false); // a plain setTimeout(fn, 2 * 2^31) would have fired by now
    await vi.advanceTimersByTimeAsync(MAX_TIMER_MS);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(MAX_TIMER_MS);
    expect(done).toBe(true);
  });

  it('ends at once on abort, with the signal\u2019s reason', async () => {
    const c = new AbortController();
    const p = abortableSleep(60_000, c.signal);
    c.abort(new Error('canceled'));
    await expect(p).rejects.toThrow('canceled');
    await expect(abortableSleep(10, c.signal)).rejects.toThrow('canceled');
  });

  it('treats negative and NaN delays as none', async () => {
    await abortableSleep(-5);
    await abortableSleep(Number.NaN);
  });
});
