import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { AppError } from '../errors';
import type { ReferenceRecord } from './types';
import type { JobRecord } from './types';
import type { ResultRecord } from './types';
import type { DraftRecord } from './types';
import type { PresetRecord } from './types';
import type { ComfySetupRecord } from '../comfyui/setup-store';

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
  /**
   * Provider API addresses the user set (v2). They decide where a key is sent, so they live
   * beside the keys, where content scripts cannot write (storage.local is writable by them).
   */
  addresses: { key: string; value: { provider: string; baseUrl: string } };
  /**
   * The user's ComfyUI workflow and which of its nodes a job fills in (v3), one record. Beside
   * the addresses for the same reason: a workflow decides what runs on the user's own server.
   */
  comfyui: { key: string; value: ComfySetupRecord };
  /** Named prompt, model, settings and tray (v4); listed newest first by `byUpdatedAt`. */
  presets: { key: string; value: PresetRecord; indexes: { byUpdatedAt: number } };
}

export const DB_NAME = 'image-prompt';
export const DB_VERSION = 4;
/** How long an upgrade may wait for an old page to let go of the database before we say so. */
const BLOCKED_GIVE_UP_MS = 10_000;

let dbPromise: Promise<IDBPDatabase<ImagePromptDB>> | undefined;

export function openImagePromptDB(name = DB_NAME, opts: { blockedGiveUpMs?: number } = {}): Promise<IDBPDatabase<ImagePromptDB>> {
  let giveUp: ReturnType<typeof setTimeout> | undefined;
  let refuse: ((err: AppError) => void) | undefined;
  const stuck = new Promise<never>((_resolve, reject) => {
    refuse = reject;
  });
  const opening = openDB<ImagePromptDB>(name, DB_VERSION, {
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
      if (oldVersion < 2) {
        db.createObjectStore('addresses', { keyPath: 'provider' });
      }
      if (oldVersion < 3) {
        db.createObjectStore('comfyui', { keyPath: 'id' });
      }
      if (oldVersion < 4) {
        const presets = db.createObjectStore('presets', { keyPath: 'id' });
        presets.createIndex('byUpdatedAt', 'updatedAt');
      }
    },
    blocking(_current, _blocked, event) {
      // A newer version wants to upgrade (an extension update): let it, and reopen lazily.
      (event.target as IDBDatabase).close();
      if (name === DB_NAME) dbPromise = undefined;
    },
    blocked() {
      // An older page (open since before an update) has not let go. Ours close themselves when
      // asked (blocking, above), so this is rare and short; if it lasts, say what to do.
      giveUp ??= setTimeout(
        () =>
          refuse?.(
            new AppError('internal', 'Another Image Prompt page is still using an older version of its storage. Close other Image Prompt panels and tabs, then try again.'),
          ),
        opts.blockedGiveUpMs ?? BLOCKED_GIVE_UP_MS,
      );
    },
    terminated() {
      // The browser closed the connection (disk error, storage cleared): reopen on next use.
      if (name === DB_NAME) dbPromise = undefined;
    },
  });
  let gaveUp = false;
  void stuck.catch(() => {
    gaveUp = true;
  });
  // If the old page lets go after we gave up, do not keep an unused connection open.
  void opening.then((d) => gaveUp && d.close()).catch(() => {});
  return Promise.race([opening, stuck]).finally(() => clearTimeout(giveUp));
}

export function db(): Promise<IDBPDatabase<ImagePromptDB>> {
  if (!dbPromise) {
    const opening = openImagePromptDB();
    dbPromise = opening;
    // A failed open (blocked too long) is not cached: the next call tries again.
    opening.catch(() => {
      if (dbPromise === opening) dbPromise = undefined;
    });
  }
  return dbPromise;
}

/** Tests use a fresh database per case. */
export function resetDbForTests(): void {
  dbPromise = undefined;
}

export function newId(): string {
  return crypto.randomUUID();
}
