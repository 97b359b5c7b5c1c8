import { useCallback, useEffect, useRef, useState } from 'react';
import type { IDBPDatabase } from 'idb';
import { subscribe } from '@/utils/events';
import { toAppError, type SerializedError } from '@/utils/errors';
import { db as defaultDb, type ImagePromptDB } from '@/utils/store/schema';
import { loadHistory, loadHistoryPage, type HistoryEntry } from '@/utils/store/history';

/** Enough rows for the first screen of a tall panel, read before the whole history. */
const FIRST_PAGE = 40;
/** How long the whole history waits for the first page to paint, at most. */
const FIRST_PAINT_WAIT_MS = 100;

export interface HistoryState {
  /** Every generation, newest first; null until the first page has been read. */
  entries: HistoryEntry[] | null;
  /** False while `entries` is only the first page (pass to HistoryView, whose count waits). */
  complete: boolean;
  /** The last read failed (the list keeps what it had); null once a read succeeds. */
  error: SerializedError | null;
  /** Reads again; resolves when a read that started after this call has finished. */
  reload: () => Promise<void>;
}

/**
 * Runs `task` one at a time. A call while it runs books exactly one more run afterwards, which
 * every call made meanwhile shares: a burst of change events costs at most two reads, and the
 * last read always starts after the last event.
 */
export function coalesce(task: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | null = null;
  let queued: Promise<void> | null = null;
  const request = (): Promise<void> => {
    if (!running) {
      running = task().finally(() => {
        running = null;
      });
      return running;
    }
    queued ??= running
      .catch(() => {})
      .then(() => {
        queued = null;
        return request();
      });
    return queued;
  };
  return request;
}

/**
 * Resolves once the page has painted twice (the rows rendered, their effects run), or after
 * `waitMs` where frames do not come (a hidden panel draws none).
 */
function afterFirstPaint(waitMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, waitMs);
    requestAnimationFrame(() =>
      requestAnimationFrame(() => {
        clearTimeout(timer);
        resolve();
      }),
    );
  });
}

/**
 * The whole history, kept fresh: the newest page first (so the panel paints at once), then
 * everything, and again whenever a job or result changes anywhere.
 */
export function useHistory(
  options: { database?: () => Promise<IDBPDatabase<ImagePromptDB>>; firstPage?: number; paintWaitMs?: number } = {},
): HistoryState {
  const { database = defaultDb, firstPage = FIRST_PAGE, paintWaitMs = FIRST_PAINT_WAIT_MS } = options;
  const [entries, setEntries] = useState<HistoryEntry[] | null>(null);
  const [complete, setComplete] = useState(false);
  const [error, setError] = useState<SerializedError | null>(null);
  const reloadRef = useRef<() => Promise<void>>(() => Promise.resolve());

  useEffect(() => {
    let alive = true;
    let loadedAll = false;
    const read = async () => {
      try {
        if (!loadedAll) {
          const page = await loadHistoryPage(firstPage, database);
          if (alive && !loadedAll) {
            setEntries(page);
            // The whole history (thousands of records) would queue the first rows' thumbnail
            // reads behind it, in the same database: it waits until they have been asked for.
            await afterFirstPaint(paintWaitMs);
          }
        }
        const all = await loadHistory(database);
        loadedAll = true;
        if (!alive) return;
        setEntries(all);
        setComplete(true);
        setError(null);
      } catch (err) {
        if (alive) setError(toAppError(err).toJSON());
      }
    };
    const reload = coalesce(read);
    reloadRef.current = reload;
    void reload();
    const off = subscribe((e) => {
      if (e.type === 'job.changed' || e.type === 'results.changed') void reload();
    });
    return () => {
      alive = false;
      off();
    };
  }, [database, firstPage, paintWaitMs]);

  const reload = useCallback(() => reloadRef.current(), []);
  return { entries, complete, error, reload };
}
