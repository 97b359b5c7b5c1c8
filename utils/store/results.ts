import type { IDBPDatabase } from 'idb';
import { db as defaultDb, type ImagePromptDB } from './schema';
import { AppError } from '../errors';
import { publish } from '../events';
import type { ResultRecord } from './types';

type Database = () => Promise<IDBPDatabase<ImagePromptDB>>;

export async function getResult(id: string, database: Database = defaultDb): Promise<ResultRecord | undefined> {
  return (await database()).get('results', id);
}

export async function requireResult(id: string, database: Database = defaultDb): Promise<ResultRecord> {
  const result = await getResult(id, database);
  if (!result) throw new AppError('not_found', 'That image is no longer stored.');
  return result;
}

/**
 * Stars or unstars a result (starred results are never removed to make room). Read and write
 * in one transaction, so a panel starring and the worker evicting or touching the same result
 * cannot overwrite each other.
 */
export async function setStarred(
  resultId: string,
  starred: boolean,
  database: () => Promise<IDBPDatabase<ImagePromptDB>> = defaultDb,
): Promise<ResultRecord> {
  const d = await database();
  const tx = d.transaction('results', 'readwrite');
  const current = await tx.store.get(resultId);
  if (!current) {
    await tx.done;
    throw new AppError('not_found', 'That image is no longer stored.');
  }
  const next = { ...current, starred };
  await tx.store.put(next);
  await tx.done;
  publish({ type: 'results.changed' });
  return next;
}
