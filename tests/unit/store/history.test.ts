import { beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_HISTORY_FILTER,
  clearHistoryFilter,
  filterHistory,
  historyEntryOf,
  isFiltering,
  loadHistory,
  loadHistoryPage,
  sinceTime,
  type HistoryEntry,
  type HistoryFilter,
} from '../../../utils/store/history';
import type { ModelId } from '../../../utils/models';
import type { JobRecord } from '../../../utils/store/types';
import { freshDb } from '../helpers';
import { jobRecord, request } from '../jobs/fixtures';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** Noon local time, so that "today" holds the morning's jobs whatever the machine's time zone. */
const NOW = new Date(2025, 5, 15, 12, 0, 0).getTime();
const N = 5000;
const MODELS: ModelId[] = ['flux-dev', 'imagen-3', 'ideogram-v3'];
const SUBJECTS = ['Lighthouse', 'red fox', 'mountain lake', 'city street'];
const MOODS = ['at dusk', 'in fog', 'under snow', 'at noon'];

/** Job i: one every 10 minutes going back from NOW (job 0 is the newest); every 7th starred. */
function job(i: number): JobRecord {
  const createdAt = NOW - i * 10 * MINUTE;
  const starred = i % 7 === 0;
  return jobRecord(
    `job-${String(i).padStart(4, '0')}`,
    {
      state: i % 11 === 5 ? 'failed' : 'done',
      resultIds: i % 11 === 5 ? [] : [`job-${i}:0`, `job-${i}:1`],
      request: {
        ...request,
        prompt: `${SUBJECTS[i % 4]} ${MOODS[Math.floor(i / 4) % 4]} #${i}`,
        modelId: MODELS[i % 3]!,
        ...(i % 50 === 0 ? { runId: `run-${i}` } : {}),
      },
      ...(starred ? { starred: true } : {}),
      ...(i % 13 === 0 && i > 0 ? { parentJobId: `job-${i + 1}`, parentResultId: `job-${i + 1}:0` } : {}),
    },
    createdAt,
  );
}

function ids(entries: readonly HistoryEntry[]): string[] {
  return entries.map((e) => e.jobId);
}

function filter(f: Partial<HistoryFilter>): HistoryFilter {
  return { ...DEFAULT_HISTORY_FILTER, ...f };
}

function isNewestFirst(entries: readonly HistoryEntry[]): boolean {
  return entries.every((e, i) => i === 0 || entries[i - 1]!.createdAt >= e.createdAt);
}

let history: HistoryEntry[];
let database: ReturnType<typeof freshDb>;

beforeAll(async () => {
  database = freshDb();
  const d = await database();
  // Stored in a scrambled order, so that newest-first cannot come from insertion order.
  const order = Array.from({ length: N }, (_, i) => (i * 2_371) % N);
  expect(new Set(order).size).toBe(N);
  const tx = d.transaction('jobs', 'readwrite');
  for (const i of order) void tx.store.put(job(i));
  await tx.done;
  history = await loadHistory(database);
});

describe('loadHistory', () => {
  it('reads every job, newest first, by creation time', () => {
    expect(history).toHaveLength(N);
    expect(history[0]!.jobId).toBe('job-0000');
    expect(history.at(-1)!.jobId).toBe('job-4999');
    expect(isNewestFirst(history)).toBe(true);
    expect(ids(history)).toEqual(Array.from({ length: N }, (_, i) => `job-${String(i).padStart(4, '0')}`));
  });

  it('summarises a job without its images or engine state', () => {
    const e = history[50]!;
    expect(e).toEqual({
      jobId: 'job-0050',
      createdAt: NOW - 500 * MINUTE,
      prompt: 'mountain lake at dusk #50',
      modelId: 'ideogram-v3',
      routeId: job(50).routeId,
      provider: 'fal',
      state: 'done',
      resultIds: ['job-50:0', 'job-50:1'],
      starred: false,
      runId: 'run-50',
      referenceId: 'ref-1',
      settings: request.settings,
    });
    expect(history[13]).toMatchObject({ parentJobId: 'job-14', parentResultId: 'job-14:0' });
    expect(history[14]).not.toHaveProperty('parentJobId');
    expect(history[14]).not.toHaveProperty('runId');
    expect(history[7]!.starred).toBe(true);
    expect(history[5]).toMatchObject({ state: 'failed', resultIds: [] });
    for (const e of history.slice(0, 100)) {
      for (const value of Object.values(e)) expect(value).not.toBeInstanceOf(Blob);
      expect(e).not.toHaveProperty('cacheKey');
      expect(e).not.toHaveProperty('handle');
    }
  });

  it('reads in chunks, pausing between them, and loses no job created in the same millisecond', async () => {
    const database = freshDb();
    const d = await database();
    // Seven jobs, four of them in one millisecond, read three at a time: chunks end inside the tie.
    const times = [10, 20, 20, 20, 20, 30, 40];
    for (const [i, t] of times.entries()) await d.put('jobs', { ...job(i), id: `tie-${i}`, createdAt: t });
    let pauses = 0;
    const read = await loadHistory(database, { chunk: 3, pause: async () => void pauses++ });
    expect(read.map((e) => e.jobId).sort()).toEqual(times.map((_, i) => `tie-${i}`).sort());
    expect(read.map((e) => e.createdAt)).toEqual([40, 30, 20, 20, 20, 20, 10]);
    expect(pauses).toBeGreaterThanOrEqual(2);
  });

  it('returns an empty history when nothing was generated', async () => {
    expect(await loadHistory(freshDb())).toEqual([]);
    expect(await loadHistoryPage(20, freshDb())).toEqual([]);
  });
});

describe('loadHistoryPage', () => {
  it('returns the newest entries, the same as the start of the whole history', async () => {
    const page = await loadHistoryPage(40, database);
    expect(page).toEqual(history.slice(0, 40));
  });

  it('stops at the end of a short history and returns nothing for no rows', async () => {
    const d = freshDb();
    const db = await d();
    await db.put('jobs', job(3));
    await db.put('jobs', job(1));
    expect(ids(await loadHistoryPage(40, d))).toEqual(['job-0001', 'job-0003']);
    expect(await loadHistoryPage(0, d)).toEqual([]);
  });
});

describe('filterHistory', () => {
  it('admits everything, as the same array, when nothing is filtered', () => {
    expect(filterHistory(history, DEFAULT_HISTORY_FILTER, NOW)).toBe(history);
    expect(filterHistory(history, filter({ text: '   ' }), NOW)).toBe(history);
    expect(isFiltering(filter({ text: ' \t ' }))).toBe(false);
    expect(isFiltering(filter({ starredFirst: true }))).toBe(false);
  });

  it('searches prompts for every word, in any case and any order', () => {
    const foxes = filterHistory(history, filter({ text: 'FOX' }), NOW);
    expect(foxes).toHaveLength(N / 4);
    expect(foxes.every((e) => e.prompt.includes('red fox'))).toBe(true);

    const both = filterHistory(history, filter({ text: '  fog   lighth ' }), NOW);
    expect(both.length).toBeGreaterThan(0);
    expect(both.every((e) => e.prompt.startsWith('Lighthouse in fog'))).toBe(true);
    expect(both).toHaveLength(history.filter((e) => e.prompt.startsWith('Lighthouse in fog')).length);
    // Word order does not matter; every word must be there.
    expect(ids(filterHistory(history, filter({ text: 'lighthouse fog' }), NOW))).toEqual(ids(both));
    expect(filterHistory(history, filter({ text: 'fox lighthouse' }), NOW)).toEqual([]);
    expect(isNewestFirst(both)).toBe(true);
  });

  it('finds one generation by a word only it has', () => {
    expect(ids(filterHistory(history, filter({ text: '#4321' }), NOW))).toEqual(['job-4321']);
  });

  it('keeps one model', () => {
    const imagen = filterHistory(history, filter({ modelId: 'imagen-3' }), NOW);
    expect(imagen).toHaveLength(history.filter((_, i) => i % 3 === 1).length);
    expect(imagen.every((e) => e.modelId === 'imagen-3')).toBe(true);
    expect(filterHistory(history, filter({ modelId: 'seedream-v3' }), NOW)).toEqual([]);
  });

  it('keeps starred generations only', () => {
    const starred = filterHistory(history, filter({ starredOnly: true }), NOW);
    expect(starred).toHaveLength(Math.ceil(N / 7));
    expect(starred.every((e) => e.starred)).toBe(true);
    expect(isNewestFirst(starred)).toBe(true);
  });

  it('keeps today (from local midnight), the last 7 days or the last 30 days', () => {
    const midnight = new Date(2025, 5, 15).getTime();
    expect(sinceTime('today', NOW)).toBe(midnight);
    const today = filterHistory(history, filter({ since: 'today' }), NOW);
    expect(today.every((e) => e.createdAt >= midnight)).toBe(true);
    expect(today).toHaveLength(history.filter((e) => e.createdAt >= midnight).length);
    // The morning of the 15th, one job every 10 minutes: midnight to noon inclusive.
    expect(today).toHaveLength(73);

    const week = filterHistory(history, filter({ since: '7d' }), NOW);
    expect(week.at(-1)!.createdAt).toBe(NOW - 7 * DAY);
    expect(week).toHaveLength((7 * DAY) / (10 * MINUTE) + 1);

    const month = filterHistory(history, filter({ since: '30d' }), NOW);
    expect(month).toHaveLength(history.filter((e) => e.createdAt >= NOW - 30 * DAY).length);
    expect(month.length).toBeGreaterThan(week.length);
    expect(month.length).toBeLessThan(N);
  });

  it('combines every filter', () => {
    const f = filter({ text: 'lake', modelId: 'flux-dev', starredOnly: true, since: '7d' });
    const got = filterHistory(history, f, NOW);
    const expected = history.filter(
      (e) => e.prompt.toLowerCase().includes('lake') && e.modelId === 'flux-dev' && e.starred && e.createdAt >= NOW - 7 * DAY,
    );
    expect(expected.length).toBeGreaterThan(0);
    expect(ids(got)).toEqual(ids(expected));
    expect(isFiltering(f)).toBe(true);
  });

  it('puts starred generations first without changing the order within either group', () => {
    const sorted = filterHistory(history, filter({ starredFirst: true }), NOW);
    expect(sorted).toHaveLength(N);
    const firstUnstarred = sorted.findIndex((e) => !e.starred);
    expect(firstUnstarred).toBe(Math.ceil(N / 7));
    expect(sorted.slice(firstUnstarred).every((e) => !e.starred)).toBe(true);
    expect(ids(sorted.slice(0, firstUnstarred))).toEqual(ids(history.filter((e) => e.starred)));
    expect(ids(sorted.slice(firstUnstarred))).toEqual(ids(history.filter((e) => !e.starred)));
  });

  it('keeps equal-time entries in their given order when moving starred ones first', () => {
    const at = NOW - DAY;
    const entries = ['a', 'b', 'c', 'd', 'e'].map((id, i) => historyEntryOf(jobRecord(id, i % 2 ? { starred: true } : {}, at)));
    expect(ids(filterHistory(entries, filter({ starredFirst: true }), NOW))).toEqual(['b', 'd', 'a', 'c', 'e']);
  });

  it('applies the starred ordering after filtering', () => {
    const got = filterHistory(history, filter({ text: 'snow', starredFirst: true }), NOW);
    const snow = history.filter((e) => e.prompt.includes('snow'));
    expect(ids(got)).toEqual(ids([...snow.filter((e) => e.starred), ...snow.filter((e) => !e.starred)]));
  });

  it('returns nothing when nothing matches, and nothing from nothing', () => {
    expect(filterHistory(history, filter({ text: 'submarine' }), NOW)).toEqual([]);
    expect(filterHistory(history, filter({ since: 'today' }), NOW + 40 * DAY)).toEqual([]);
    expect(filterHistory([], filter({ starredFirst: true, text: 'fox' }), NOW)).toEqual([]);
  });

  it('clears every narrowing but keeps the ordering', () => {
    const busy = filter({ text: 'fox', modelId: 'imagen-3', starredOnly: true, since: 'today', starredFirst: true });
    expect(clearHistoryFilter(busy)).toEqual({ ...DEFAULT_HISTORY_FILTER, starredFirst: true });
    expect(isFiltering(clearHistoryFilter(busy))).toBe(false);
  });
});
