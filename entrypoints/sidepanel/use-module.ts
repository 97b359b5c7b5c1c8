import { useEffect, useState } from 'react';

/**
 * A part of the panel loaded on first need, without React.lazy. A lazy component that
 * suspends shows its Suspense fallback, and React then holds the content back until 300 ms
 * after that fallback appeared (its throttle for revealing Suspense boundaries): measured on
 * the History tab opened by the #history link, whose list came 300 ms after it had rendered
 * (bench figure 6a). Here the module is imported when wanted and used as soon as it arrives;
 * once loaded, later mounts have it at once.
 */
export function moduleLoader<T>(load: () => Promise<T>): { get(): T | null; load(): Promise<T> } {
  let loaded: T | null = null;
  let loading: Promise<T> | null = null;
  return {
    get: () => loaded,
    load: () =>
      (loading ??= load().then(
        (m) => (loaded = m),
        (err: unknown) => {
          loading = null; // a failed chunk load may succeed on the next try
          throw err;
        },
      )),
  };
}

/** The loader's module once `wanted` has been true and it has arrived; null until then. */
export function useModule<T>(loader: { get(): T | null; load(): Promise<T> }, wanted: boolean): T | null {
  const [module, setModule] = useState<T | null>(loader.get);
  useEffect(() => {
    if (!wanted || module) return;
    let alive = true;
    loader.load().then(
      (m) => alive && setModule(() => m),
      () => {},
    );
    return () => {
      alive = false;
    };
  }, [loader, wanted, module]);
  return module;
}
