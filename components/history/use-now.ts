import { useEffect, useState } from 'react';

/**
 * The current time, moving on every `stepMs`: "5 minutes ago" and "Today" are read against it,
 * and render stays pure (the same props give the same rows).
 */
export function useNow(stepMs = 60_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), stepMs);
    return () => clearInterval(timer);
  }, [stepMs]);
  return now;
}
