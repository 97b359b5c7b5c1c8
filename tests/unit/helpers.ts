import { IDBFactory } from 'fake-indexeddb';
import { openImagePromptDB } from '../../utils/store/schema';

/** A fresh, isolated database for one test. */
export function freshDb() {
  globalThis.indexedDB = new IDBFactory();
  const p = openImagePromptDB(`test-${Math.random()}`);
  return () => p;
}

/** A tiny but real PNG (1x1, red). */
export const PNG_1x1 = Uint8Array.from(
  atob('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=='),
  (c) => c.charCodeAt(0),
);

/** A clock that only moves when told to, and a sleep that moves it. */
export function fakeClock(start = 1_700_000_000_000) {
  let t = start;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
    sleep: async (ms: number, signal: AbortSignal) => {
      if (signal.aborted) throw new DOMException('aborted', 'AbortError');
      t += ms;
      await Promise.resolve();
    },
  };
}

/**
 * Waits until `check` holds, and throws, naming `what`, if it still does not at the limit. The
 * limit is in real time and generous: the suite shares two cores with a browser.
 */
export async function until(what: string, check: () => Promise<boolean> | boolean, limitMs = 10_000): Promise<void> {
  const end = Date.now() + limitMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() >= end) throw new Error(`Timed out after ${limitMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1));
  }
}
