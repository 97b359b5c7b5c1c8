import type { IDBPDatabase, IDBPTransaction } from 'idb';
import { db as defaultDb, type ImagePromptDB } from './schema';
import { AppError } from '../errors';
import { publish } from '../events';
import type { JobRecord, ResultRecord } from './types';

type Database = () => Promise<IDBPDatabase<ImagePromptDB>>;

export async function getResult(id: string, database: Database = defaultDb): Promise<ResultRecord | undefined> {
  return (await database()).get('results', id);
}

export async function requireResult(id: string, database: Database = defaultDb): Promise<ResultRecord> {
  const result = await getResult(id, database);
  if (!result) throw new AppError('not_found', 'That image is no longer stored.');
  return result;
}

type Tx = IDBPTransaction<ImagePromptDB, ('jobs' | 'results')[], 'readwrite'>;

/**
 * Stars or unstars a result (starred results are never removed to make room), and keeps
 * `starred` on every job showing it true while any of that job's results is starred. Read and
 * write in one transaction over both stores, so a panel starring and the worker evicting or
 * touching the same result cannot overwrite each other.
 */
export async function setStarred(resultId: string, starred: boolean, database: Database = defaultDb): Promise<ResultRecord> {
  const d = await database();
  const tx = d.transaction(['results', 'jobs'], 'readwrite');
  const current = await tx.objectStore('results').get(resultId);
  if (!current) {
    await tx.done;
    throw new AppError('not_found', 'That image is no longer stored.');
  }
  const next = { ...current, starred };
  await tx.objectStore('results').put(next);
  for (const job of await jobsShowing(tx, current)) await putJobStarred(tx, job);
  await tx.done;
  publish({ type: 'results.changed' });
  return next;
}

/** Where a deleted result sat in one job's `resultIds`. */
interface RemovedPlace {
  jobId: string;
  resultId: string;
  position: number;
}

/**
 * What `restoreResults` needs to put deleted results back as they were. Holds the images
 * themselves, so it lives in the page that deleted them (for its Undo), not in storage.
 */
export interface DeletedResults {
  readonly results: readonly ResultRecord[];
  readonly places: readonly RemovedPlace[];
}

/**
 * Deletes results for good, and takes their ids out of the jobs that showed them (a job whose
 * ids point at nothing says its images were "removed to free space", which these were not).
 * Ids that are not stored are skipped. Returns what Undo needs.
 */
export async function deleteResults(ids: readonly string[], database: Database = defaultDb): Promise<DeletedResults> {
  const d = await database();
  const tx = d.transaction(['results', 'jobs'], 'readwrite');
  const results: ResultRecord[] = [];
  const places: RemovedPlace[] = [];
  for (const id of new Set(ids)) {
    const result = await tx.objectStore('results').get(id);
    if (!result) continue;
    const showing = await jobsShowing(tx, result);
    await tx.objectStore('results').delete(id);
    results.push(result);
    for (const job of showing) {
      const position = job.resultIds.indexOf(id);
      places.push({ jobId: job.id, resultId: id, position });
      await putJobStarred(tx, { ...job, resultIds: job.resultIds.filter((r) => r !== id) });
    }
  }
  await tx.done;
  if (results.length) publish({ type: 'results.changed' });
  return { results, places };
}

/**
 * Puts deleted results back exactly: the same records (ids, stars, thumbnails) at the same
 * places in their jobs' `resultIds`. A job deleted meanwhile is skipped; a result stored again
 * meanwhile is left as it is now.
 */
export async function restoreResults(deleted: DeletedResults, database: Database = defaultDb): Promise<void> {
  const d = await database();
  const tx = d.transaction(['results', 'jobs'], 'readwrite');
  for (const result of deleted.results) {
    if ((await tx.objectStore('results').getKey(result.id)) === undefined) await tx.objectStore('results').put(result);
  }
  // Each position was taken just before its own removal, so putting them back in the reverse
  // order undoes the removals one by one, also when several left the same job.
  const jobs = new Map<string, JobRecord | undefined>();
  for (const { jobId, resultId, position } of [...deleted.places].reverse()) {
    if (!jobs.has(jobId)) jobs.set(jobId, await tx.objectStore('jobs').get(jobId));
    const job = jobs.get(jobId);
    if (!job || job.resultIds.includes(resultId)) continue;
    const resultIds = [...job.resultIds];
    resultIds.splice(Math.min(position, resultIds.length), 0, resultId);
    jobs.set(jobId, { ...job, resultIds });
  }
  for (const job of jobs.values()) if (job) await putJobStarred(tx, job);
  await tx.done;
  publish({ type: 'results.changed' });
}

/**
 * Stores a preview made after the fact (for results saved before previews existed). No change
 * event: the preview only spares the next reader a decode, and a burst of these must not make
 * every open panel re-read its lists.
 */
export async function saveThumb(resultId: string, thumb: Blob, database: Database = defaultDb): Promise<void> {
  const d = await database();
  const tx = d.transaction('results', 'readwrite');
  const current = await tx.store.get(resultId);
  if (current && !current.thumb) await tx.store.put({ ...current, thumb });
  await tx.done;
}

/**
 * The jobs whose `resultIds` hold this result: the job that made it, and jobs answered from the
 * cache with it (those share the maker's cache key, so its index finds them all).
 */
async function jobsShowing(tx: Tx, result: ResultRecord): Promise<JobRecord[]> {
  const maker = await tx.objectStore('jobs').get(result.jobId);
  if (!maker) return [];
  const sameKey = await tx.objectStore('jobs').index('byCacheKey').getAll(maker.cacheKey);
  return sameKey.filter((j) => j.resultIds.includes(result.id));
}

/** Writes a job with `starred` recomputed from its stored results. */
async function putJobStarred(tx: Tx, job: JobRecord): Promise<void> {
  let starred = false;
  for (const id of job.resultIds) {
    if ((await tx.objectStore('results').get(id))?.starred) {
      starred = true;
      break;
    }
  }
  const { starred: _was, ...rest } = job;
  await tx.objectStore('jobs').put(starred ? { ...rest, starred } : rest);
}
