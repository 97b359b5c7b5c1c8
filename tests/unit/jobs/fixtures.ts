import { vi } from 'vitest';
import type { IDBPDatabase } from 'idb';
import type { ImagePromptDB } from '../../../utils/store/schema';
import { createJobEngine, type EngineDeps } from '../../../utils/jobs/engine';
import type { JobRecord, JobRequest } from '../../../utils/store/types';
import { getModel } from '../../../utils/models';
import type { ProviderAdapter } from '../../../utils/providers/types';
import type { ResultRecord } from '../../../utils/store/types';
import { PNG_1x1, fakeClock, freshDb, until } from '../helpers';

export { fakeClock, until };

/** Shared pieces for job engine tests: a fake provider, a fake clock, a fresh database. */

export const route = getModel('flux-dev').routes[0]!;

export const request: JobRequest = {
  prompt: 'a lighthouse at dusk',
  referenceId: 'ref-1',
  modelId: 'flux-dev',
  settings: { influence: null, aspectRatio: null, numImages: 1, seed: null },
  fresh: false,
  description: null,
};

/** A queue provider: each request stays pending for `pendingPolls` polls, then returns one image URL. */
export function fakeProvider(pendingPolls = 2, mode: ProviderAdapter['mode'] = 'queue') {
  const calls = { submit: 0, poll: 0, cancel: 0 };
  const polls = new Map<string, number>();
  const adapter: ProviderAdapter = {
    id: 'fal',
    mode,
    async submit() {
      calls.submit++;
      return { kind: 'submitted', handle: { requestId: `req-${calls.submit}` }, queuePosition: 0 };
    },
    async poll(_route, handle) {
      calls.poll++;
      const n = (polls.get(handle.requestId!) ?? 0) + 1;
      polls.set(handle.requestId!, n);
      if (n <= pendingPolls) return { kind: 'pending', stage: 'running' };
      return { kind: 'done', outputs: [{ kind: 'url', url: `https://cdn.example/${handle.requestId}.png` }] };
    },
    async cancel() {
      calls.cancel++;
    },
    async testKey() {},
  };
  return { adapter, calls };
}

export function pngResponse(): Response {
  return new Response(new Blob([PNG_1x1], { type: 'image/png' }), { status: 200, headers: { 'content-type': 'image/png' } });
}

function imageFetch(): typeof fetch {
  return vi.fn(async () => pngResponse()) as unknown as typeof fetch;
}

export async function setup(overrides: Partial<EngineDeps> = {}, adapter = fakeProvider().adapter, clock = fakeClock()) {
  const db = overrides.db ?? freshDb();
  const changes: JobRecord[] = [];
  const d = await db();
  await d.put('references', {
    id: 'ref-1',
    createdAt: 0,
    blob: new Blob([PNG_1x1], { type: 'image/png' }),
    mime: 'image/png',
    width: 1,
    height: 1,
    thumb: new Blob([PNG_1x1], { type: 'image/png' }),
    sha256: 'abc',
    source: { kind: 'file' },
  });
  let n = 0;
  const deps: EngineDeps = {
    db,
    fetch: imageFetch(),
    now: clock.now,
    sleep: clock.sleep,
    newId: () => `job-${++n}`,
    adapterFor: () => adapter,
    chooseRoute: async () => route,
    targetFor: async () => ({ baseUrl: 'https://queue.example', key: 'k' }),
    prepareInput: async (job) => ({ prompt: job.request.prompt, image: null, numImages: 1 }),
    onChange: (j) => changes.push(j),
    ...overrides,
  };
  return { engine: createJobEngine(deps), db: d, clock, changes, deps };
}

/** The fake clock's sleep, noting every wait. */
export function recordingSleep(clock: ReturnType<typeof fakeClock>, sleeps: number[]): EngineDeps['sleep'] {
  return async (ms, signal) => {
    sleeps.push(ms);
    await clock.sleep(ms, signal);
  };
}

/**
 * Waits until the engine has nothing running, and fails the test if it still has work at the
 * limit: a job stuck in flight is a finding, not something to carry on past. The clock is fake
 * but IndexedDB work takes real time, so the limit is in real time (generous: the suite shares
 * two cores with a browser).
 */
export async function settle(engine: { activeCount(): number }, limitMs = 10_000) {
  await until('the engine to have no job in flight', () => engine.activeCount() === 0, limitMs);
}


/** A job record in any state, for tests that start from what a stopped worker left behind. */
export function jobRecord(id: string, fields: Partial<JobRecord> = {}, now = 1_700_000_000_000): JobRecord {
  return {
    id,
    createdAt: now,
    updatedAt: now,
    state: 'queued',
    request,
    routeId: route.id,
    provider: 'fal',
    cacheKey: `ck-${id}`,
    resultIds: [],
    attempts: 0,
    deadlineAt: now + 15 * 60_000,
    ...fields,
  };
}

export function resultRecord(id: string, fields: Partial<ResultRecord> & { bytes?: number } = {}): ResultRecord {
  const { bytes = 1000, ...rest } = fields;
  return {
    id,
    jobId: id.split(':')[0]!,
    index: Number(id.split(':')[1] ?? 0),
    blob: new Blob([new Uint8Array(bytes)], { type: 'image/png' }),
    mime: 'image/png',
    createdAt: 0,
    lastUsedAt: 0,
    starred: false,
    ...rest,
  };
}

/**
 * The same database, with a storage quota: a `put` into results that would take the stored
 * result bytes past `quotaBytes` throws QuotaExceededError, as a browser does when full.
 */
export function withQuota(db: () => Promise<IDBPDatabase<ImagePromptDB>>, quotaBytes: () => number) {
  const attempts = { results: 0, refused: 0 };
  const wrapped = db().then(
    (d) =>
      new Proxy(d, {
        get(target, prop) {
          if (prop === 'put') {
            return async (store: 'results', value: ResultRecord) => {
              if (store === 'results') {
                attempts.results++;
                const stored = (await target.getAll('results')).filter((r) => r.id !== value.id);
                const used = stored.reduce((sum, r) => sum + r.blob.size, 0);
                if (used + value.blob.size > quotaBytes()) {
                  attempts.refused++;
                  throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
                }
              }
              return target.put(store, value);
            };
          }
          const v = Reflect.get(target, prop, target) as unknown;
          return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        },
      }),
  );
  return { db: () => wrapped, attempts };
}
