import type { IDBPDatabase } from 'idb';
import type { ImagePromptDB } from '../store/schema';
import { isTerminal, JOB_STATES } from '../store/types';

/**
 * Making room when the browser refuses a write (QuotaExceededError): results are deleted
 * least recently used first. Never deleted: starred results, results of a job that is still
 * running (a download in progress must not lose its first images), and job records (a job
 * whose images were removed still shows its prompt and settings in the history).
 */

export interface EvictionOutcome {
  /** Ids of the deleted results, oldest use first. */
  evicted: string[];
  freedBytes: number;
}

export async function evictLeastRecentlyUsed(
  d: IDBPDatabase<ImagePromptDB>,
  opts: { bytesWanted: number },
): Promise<EvictionOutcome> {
  // One transaction over both stores: a job that starts, or a result starred in a panel,
  // meanwhile is seen (IndexedDB serialises overlapping read-write transactions).
  const tx = d.transaction(['jobs', 'results'], 'readwrite');
  const running = new Set<string>();
  const jobIndex = tx.objectStore('jobs').index('byState');
  for (const state of JOB_STATES.filter((s) => !isTerminal(s))) {
    for (const key of await jobIndex.getAllKeys(state)) running.add(key);
  }

  const evicted: string[] = [];
  let freedBytes = 0;
  let cursor = await tx.objectStore('results').index('byLastUsed').openCursor();
  while (cursor && freedBytes < opts.bytesWanted) {
    const result = cursor.value;
    if (!result.starred && !running.has(result.jobId)) {
      await cursor.delete();
      evicted.push(result.id);
      freedBytes += result.blob.size;
    }
    cursor = await cursor.continue();
  }
  await tx.done;
  return { evicted, freedBytes };
}

/** Whether an error is the browser saying the origin's storage is full. */
export function isQuotaExceeded(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'QuotaExceededError';
}
