import { useEffect, useRef, useState } from 'react';
import type { JobWithResults } from './hooks';

/**
 * Object URLs for result Blobs, created once per result and revoked when the result leaves
 * the list (re-creating them on every refresh would flicker and leak).
 */
export function useResultUrls(jobs: JobWithResults[]): Map<string, string> {
  const cache = useRef(new Map<string, string>());
  const [urls, setUrls] = useState(new Map<string, string>());
  useEffect(() => {
    const live = new Set<string>();
    let changed = false;
    for (const { results } of jobs) {
      for (const r of results) {
        live.add(r.id);
        if (!cache.current.has(r.id)) {
          cache.current.set(r.id, URL.createObjectURL(r.blob));
          changed = true;
        }
      }
    }
    for (const [id, url] of cache.current) {
      if (!live.has(id)) {
        URL.revokeObjectURL(url);
        cache.current.delete(id);
        changed = true;
      }
    }
    if (changed) setUrls(new Map(cache.current));
  }, [jobs]);
  useEffect(() => {
    const c = cache.current;
    return () => {
      for (const url of c.values()) URL.revokeObjectURL(url);
      c.clear();
    };
  }, []);
  return urls;
}
