import type { IDBPDatabase } from 'idb';
import { db as defaultDb, newId, type ImagePromptDB } from './schema';
import { AppError } from '../errors';
import type { ReferenceRecord, ReferenceSource } from './types';

type Database = () => Promise<IDBPDatabase<ImagePromptDB>>;

/** The one message for a reference that is gone (evicted, cleared, or from an import that failed). */
const REFERENCE_GONE = 'The image prompt is no longer stored. Add the image again.';

export async function getReference(id: string, database: Database = defaultDb): Promise<ReferenceRecord | undefined> {
  return (await database()).get('references', id);
}

/** Like getReference, for callers that cannot go on without it: says so in the user's terms. */
export async function requireReference(id: string, database: Database = defaultDb): Promise<ReferenceRecord> {
  const ref = await getReference(id, database);
  if (!ref) throw new AppError('not_found', REFERENCE_GONE);
  return ref;
}

/** The normalised bytes and facts that intake produces, before they are a record. */
export type NormalizedReference = Pick<ReferenceRecord, 'blob' | 'mime' | 'width' | 'height' | 'thumb' | 'sha256'>;

/**
 * Stores a reference, once per picture: the same bytes added again reuse the stored record
 * (its source is updated to where it came from this time). Read and write in one transaction,
 * so two intakes of the same picture cannot store it twice.
 */
export async function saveReference(
  normal: NormalizedReference,
  source: ReferenceSource,
  database: Database = defaultDb,
  now = Date.now(),
): Promise<ReferenceRecord> {
  const tx = (await database()).transaction('references', 'readwrite');
  const existing = await tx.store.index('byHash').get(normal.sha256);
  const record: ReferenceRecord = existing
    ? { ...existing, source }
    : { id: newId(), createdAt: now, blob: normal.blob, mime: normal.mime, width: normal.width, height: normal.height, thumb: normal.thumb, sha256: normal.sha256, source };
  await tx.store.put(record);
  await tx.done;
  return record;
}
