import { useEffect, useState } from 'react';
import { getResult, saveThumb } from '@/utils/store/results';

/**
 * Object URLs for result thumbnails, shared by every component on the page. One URL per
 * result, counted by the components that show it and revoked a moment after the last one lets
 * go, so a long, scrolled (virtualised) history holds URLs only for the rows on screen.
 */

/** How long an unused URL is kept: a row scrolled out and straight back in reuses it. */
export const RELEASE_GRACE_MS = 3000;
/** Thumbnails made in the page at once (results saved before they existed); decoding is heavy. */
const MAX_BACKFILLS = 2;

interface Entry {
  refs: number;
  url: string | null;
  settled: boolean;
  /** Revoked and dropped from the cache: a late load must not create a URL for it. */
  gone: boolean;
  listeners: Set<() => void>;
  releaseTimer?: ReturnType<typeof setTimeout>;
}

const cache = new Map<string, Entry>();

function acquire(resultId: string): Entry {
  const known = cache.get(resultId);
  if (known) {
    clearTimeout(known.releaseTimer);
    known.refs++;
    return known;
  }
  const entry: Entry = { refs: 1, url: null, settled: false, gone: false, listeners: new Set() };
  cache.set(resultId, entry);
  void loadThumb(resultId, () => !entry.gone)
    .catch(() => null)
    .then((blob) => {
      if (entry.gone) return;
      entry.url = blob ? URL.createObjectURL(blob) : null;
      entry.settled = true;
      for (const listener of [...entry.listeners]) listener();
    });
  return entry;
}

function release(resultId: string, entry: Entry): void {
  entry.refs--;
  if (entry.refs > 0) return;
  clearTimeout(entry.releaseTimer);
  entry.releaseTimer = setTimeout(() => {
    if (entry.refs > 0) return;
    entry.gone = true;
    if (entry.url) URL.revokeObjectURL(entry.url);
    entry.url = null;
    if (cache.get(resultId) === entry) cache.delete(resultId);
  }, RELEASE_GRACE_MS);
}

/**
 * Thumbnails a reader already holds (the Create tab reads each finished job's result records):
 * taken by the next load of that result instead of reading the record again, which is one
 * IndexedDB round trip less between a job's end and its picture (bench figures 3 and 4).
 * Bounded: the oldest offers go first.
 */
const offered = new Map<string, Blob>();
const OFFERS_MAX = 200;

export function offerThumbs(results: ReadonlyArray<{ id: string; thumb?: Blob }>): void {
  for (const r of results) {
    if (!r.thumb || cache.get(r.id)?.settled) continue;
    offered.delete(r.id);
    offered.set(r.id, r.thumb);
  }
  for (const id of offered.keys()) {
    if (offered.size <= OFFERS_MAX) break;
    offered.delete(id);
  }
}

/**
 * The stored thumbnail; for a result saved before thumbnails existed, one made here and saved
 * for next time. When none can be made the full image stands in (shown, just heavier).
 */
async function loadThumb(resultId: string, stillWanted: () => boolean): Promise<Blob | null> {
  const known = offered.get(resultId);
  if (known) {
    offered.delete(resultId);
    return known;
  }
  const result = await getResult(resultId);
  if (!result) return null;
  if (result.thumb) return result.thumb;
  return backfill(async () => {
    if (!stillWanted()) return null;
    try {
      // Only results made before thumbnails existed get here: the decoder loads on first need.
      const { makeThumbnail } = await import('@/utils/image/thumbnail');
      const thumb = await makeThumbnail(result.blob);
      void saveThumb(resultId, thumb).catch(() => {});
      return thumb;
    } catch {
      return result.blob;
    }
  });
}

let running = 0;
const waiting: Array<() => void> = [];

async function backfill<T>(task: () => Promise<T>): Promise<T> {
  if (running < MAX_BACKFILLS) running++;
  else await new Promise<void>((resolve) => waiting.push(resolve));
  try {
    return await task();
  } finally {
    // Hand the slot straight to the next waiting task, or give it back.
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

const NONE: ReadonlyMap<string, string | null> = new Map();

/** The URLs of `key`'s results that the page holds already (loaded, not let go). */
function shownAlready(key: string): ReadonlyMap<string, string | null> {
  const known = (key ? key.split('\n') : []).flatMap((id) => {
    const entry = cache.get(id);
    return entry?.url && !entry.gone ? [[id, entry.url] as const] : [];
  });
  return known.length ? new Map(known) : NONE;
}

/**
 * Thumbnail URLs for several results (null while loading or when the result is gone), for a
 * component that shows a job's images. Keyed by result id; ids may come and go between renders.
 */
export function useThumbUrls(resultIds: readonly string[]): ReadonlyMap<string, string | null> {
  const key = resultIds.join('\n');
  // Thumbnails another component already shows are there in the first render (a cached
  // result's new card, a history row scrolled back in), not one render later.
  const [urls, setUrls] = useState(() => shownAlready(key));
  useEffect(() => {
    const held = [...new Set(key ? key.split('\n') : [])].map((id) => [id, acquire(id)] as const);
    const update = () => setUrls(new Map(held.map(([id, entry]) => [id, entry.url])));
    for (const [, entry] of held) entry.listeners.add(update);
    update();
    return () => {
      for (const [id, entry] of held) {
        entry.listeners.delete(update);
        release(id, entry);
      }
    };
  }, [key]);
  return urls;
}

/** The thumbnail URL of one result: null while loading, when `resultId` is undefined, or when it is gone. */
export function useThumbUrl(resultId: string | undefined): string | null {
  const urls = useThumbUrls(resultId ? [resultId] : []);
  return resultId ? (urls.get(resultId) ?? null) : null;
}

/** How many thumbnail URLs the page holds now (for tests and diagnostics). */
export function liveThumbUrlCount(): number {
  let n = 0;
  for (const entry of cache.values()) if (entry.url) n++;
  return n;
}
