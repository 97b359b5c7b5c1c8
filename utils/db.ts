import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { ReferenceRecord } from './references';
import type { JobRecord } from './jobs/types';
import type { ResultRecord } from './results';
import type { DraftRecord } from './draft';

/**
 * The extension's IndexedDB, shared by the worker and every extension page (same origin).
 * Image bytes live here as Blobs and cross contexts by id.
 *
 * Versions: add a step to `upgrade` for every new version and never edit an old step;
 * tests/unit/db.test.ts opens every earlier version and upgrades it.
 */
export interface ImagePromptDB extends DBSchema {
  references: { key: string; value: ReferenceRecord; indexes: { byHash: string } };
  jobs: { key: string; value: JobRecord; indexes: { byState: string; byCacheKey: string; byCreatedAt: number } };
  results: { key: string; value: ResultRecord; indexes: { byJob: string; byLastUsed: number } };
  drafts: { key: string; value: DraftRecord };
  /** API keys, one record per provider; the key itself is never an indexed field. */
  secrets: { key: string; value: { provider: string; key: string } };
}

export const DB_NAME = 'image-prompt';
export const DB_VERSION = 1;

let dbPromise: Promise<IDBPDatabase<ImagePromptDB>> | undefined;

export function openImagePromptDB(name = DB_NAME): Promise<IDBPDatabase<ImagePromptDB>> {
  return openDB<ImagePromptDB>(name, DB_VERSION, {
    upgrade(db, oldVersion) {
      if (oldVersion < 1) {
        const refs = db.createObjectStore('references', { keyPath: 'id' });
        refs.createIndex('byHash', 'sha256');
        const jobs = db.createObjectStore('jobs', { keyPath: 'id' });
        jobs.createIndex('byState', 'state');
        jobs.createIndex('byCacheKey', 'cacheKey');
        jobs.createIndex('byCreatedAt', 'createdAt');
        const results = db.createObjectStore('results', { keyPath: 'id' });
        results.createIndex('byJob', 'jobId');
        results.createIndex('byLastUsed', 'lastUsedAt');
        db.createObjectStore('drafts', { keyPath: 'id' });
        db.createObjectStore('secrets', { keyPath: 'provider' });
      }
    },
    blocking(_current, _blocked, event) {
      // A newer version wants to upgrade (an extension update): let it, and reopen lazily.
      (event.target as IDBDatabase).close();
      if (name === DB_NAME) dbPromise = undefined;
    },
  });
}

export function db(): Promise<IDBPDatabase<ImagePromptDB>> {
  dbPromise ??= openImagePromptDB();
  return dbPromise;
}

/** Tests use a fresh database per case. */
export function resetDbForTests(): void {
  dbPromise = undefined;
}

export function newId(): string {
  return crypto.randomUUID();
}
