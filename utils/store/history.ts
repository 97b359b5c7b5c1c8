import type { IDBPDatabase } from 'idb';
import { db as defaultDb, type ImagePromptDB } from './schema';
import type { GenerationSettings, JobRecord, JobState } from './types';
import type { ModelId, ProviderId } from '../models';

/**
 * The History tab's data: every generation ever made, as light summaries (no Blobs: images are
 * shown through their result ids), newest first, and the pure filter the tab applies to them.
 */

type Database = () => Promise<IDBPDatabase<ImagePromptDB>>;

export interface HistoryEntry {
  jobId: string;
  createdAt: number;
  prompt: string;
  modelId: ModelId;
  routeId: string;
  provider: ProviderId;
  state: JobState;
  resultIds: string[];
  /** True while any of the job's results is starred. */
  starred: boolean;
  /** Compare: the jobs of one run share this id. */
  runId?: string;
  parentJobId?: string;
  parentResultId?: string;
  referenceId: string | null;
  settings: GenerationSettings;
}

export function historyEntryOf(job: JobRecord): HistoryEntry {
  const { request } = job;
  return {
    jobId: job.id,
    createdAt: job.createdAt,
    prompt: request.prompt,
    modelId: request.modelId,
    routeId: job.routeId,
    provider: job.provider,
    state: job.state,
    resultIds: job.resultIds,
    starred: job.starred === true,
    ...(request.runId ? { runId: request.runId } : {}),
    ...(job.parentJobId ? { parentJobId: job.parentJobId } : {}),
    ...(job.parentResultId ? { parentResultId: job.parentResultId } : {}),
    referenceId: request.referenceId,
    settings: request.settings,
  };
}

/** Jobs read per request by loadHistory. */
const HISTORY_CHUNK = 500;

/**
 * Every job, newest first. Read in chunks of `chunk` by `getAll` on the creation-time index,
 * oldest first, with `pause` awaited between chunks: one read of 5,000 records holds the page
 * and the database for 80 ms at once (thumbnails, frames and input wait behind it), a chunk
 * for a few ms. `getAll`, not a cursor: with 5,000 jobs in fake-indexeddb getAll took 130-180
 * ms and a cursor 320-550 ms (a cursor pays one request and one event per record; browsers
 * show the same shape). Each chunk starts at the last creation time read, inclusive, and skips
 * the jobs it has already seen there, so jobs created in the same millisecond are never lost.
 */
export async function loadHistory(database: Database = defaultDb, opts: { chunk?: number; pause?: () => Promise<void> } = {}): Promise<HistoryEntry[]> {
  const { chunk = HISTORY_CHUNK, pause = nextTask } = opts;
  const d = await database();
  const oldestFirst: HistoryEntry[] = [];
  let from: number | undefined;
  let seenAtFrom = new Set<string>();
  for (;;) {
    const want = chunk + seenAtFrom.size;
    const batch = await d.getAllFromIndex('jobs', 'byCreatedAt', from === undefined ? undefined : IDBKeyRange.lowerBound(from), want);
    for (const job of batch) if (!(job.createdAt === from && seenAtFrom.has(job.id))) oldestFirst.push(historyEntryOf(job));
    if (batch.length < want) break;
    const last = batch.at(-1)!.createdAt;
    seenAtFrom = new Set(batch.filter((j) => j.createdAt === last).map((j) => j.id));
    from = last;
    await pause();
  }
  return oldestFirst.reverse();
}

/** Lets whatever waits (a frame, an image, a click) run before the next chunk. */
const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * The newest `limit` jobs, so the panel can paint its first screen before the whole history
 * has been read. A 'prev' cursor here: it stops after `limit` records, where getAll cannot
 * start from the newest end.
 */
export async function loadHistoryPage(limit: number, database: Database = defaultDb): Promise<HistoryEntry[]> {
  const entries: HistoryEntry[] = [];
  if (limit <= 0) return entries;
  const tx = (await database()).transaction('jobs');
  let cursor = await tx.store.index('byCreatedAt').openCursor(null, 'prev');
  while (cursor) {
    entries.push(historyEntryOf(cursor.value));
    if (entries.length >= limit) break;
    cursor = await cursor.continue();
  }
  await tx.done;
  return entries;
}

// ---- Filtering ----

export type HistorySince = 'all' | 'today' | '7d' | '30d';

export interface HistoryFilter {
  /** Words that must all appear in the prompt (any case, anywhere, in any order). */
  text: string;
  modelId: ModelId | 'all';
  starredOnly: boolean;
  since: HistorySince;
  /** An ordering, not a filter: starred generations first, each group still newest first. */
  starredFirst: boolean;
}

export const DEFAULT_HISTORY_FILTER: HistoryFilter = { text: '', modelId: 'all', starredOnly: false, since: 'all', starredFirst: false };

/** True when the filter hides anything (ordering alone hides nothing). */
export function isFiltering(filter: HistoryFilter): boolean {
  return searchWords(filter.text).length > 0 || filter.modelId !== 'all' || filter.starredOnly || filter.since !== 'all';
}

/** The filter with every narrowing removed; the chosen ordering stays, as it hides nothing. */
export function clearHistoryFilter(filter: HistoryFilter): HistoryFilter {
  return { ...DEFAULT_HISTORY_FILTER, starredFirst: filter.starredFirst };
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The earliest creation time a window admits; 'today' starts at local midnight. */
export function sinceTime(since: HistorySince, now: number): number {
  switch (since) {
    case 'all':
      return -Infinity;
    case 'today': {
      const midnight = new Date(now);
      midnight.setHours(0, 0, 0, 0);
      return midnight.getTime();
    }
    case '7d':
      return now - 7 * DAY_MS;
    case '30d':
      return now - 30 * DAY_MS;
  }
}

function searchWords(text: string): string[] {
  return text.toLowerCase().split(/\s+/).filter(Boolean);
}

/**
 * The entries the filter admits, in the given order (newest first, as loaded), with starred
 * ones moved ahead when asked; the move is stable, so each group keeps its order. Returns the
 * same array when nothing is filtered or reordered, so a memoised list need not re-render.
 */
export function filterHistory(entries: readonly HistoryEntry[], filter: HistoryFilter, now: number): readonly HistoryEntry[] {
  const words = searchWords(filter.text);
  const from = sinceTime(filter.since, now);
  const kept = isFiltering(filter)
    ? entries.filter((e) => {
        if (filter.modelId !== 'all' && e.modelId !== filter.modelId) return false;
        if (filter.starredOnly && !e.starred) return false;
        if (e.createdAt < from) return false;
        if (words.length === 0) return true;
        const prompt = e.prompt.toLowerCase();
        return words.every((w) => prompt.includes(w));
      })
    : entries;
  if (!filter.starredFirst || filter.starredOnly) return kept;
  const starred = kept.filter((e) => e.starred);
  if (starred.length === 0 || starred.length === kept.length) return kept;
  return [...starred, ...kept.filter((e) => !e.starred)];
}
