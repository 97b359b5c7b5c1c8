import { forceCloseDatabase, IDBFactory } from 'fake-indexeddb';
import { openDB, type IDBPDatabase } from 'idb';
import { beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_DRAFT } from '../../../utils/store/types';
import { db, DB_NAME, DB_VERSION, openImagePromptDB, resetDbForTests } from '../../../utils/store/schema';
import { jobRecord, resultRecord } from '../jobs/fixtures';

/**
 * Every schema version ever shipped, frozen as that version's code created it. Never edit an
 * entry: a new version adds its own step here and to utils/store/schema.ts, and these tests then check
 * that a database from every earlier version upgrades with its data intact.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw databases of old versions have no typed schema
type RawDB = IDBPDatabase<any>;
const SHIPPED_STEPS: Record<number, (db: RawDB) => void> = {
  1: (db) => {
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
  },
  2: (db) => {
    db.createObjectStore('addresses', { keyPath: 'provider' });
  },
  3: (db) => {
    db.createObjectStore('comfyui', { keyPath: 'id' });
  },
  4: (db) => {
    const presets = db.createObjectStore('presets', { keyPath: 'id' });
    presets.createIndex('byUpdatedAt', 'updatedAt');
  },
};

/** Creates a database exactly as version `version` of the extension left it. */
async function createShipped(name: string, version: number): Promise<RawDB> {
  return openDB(name, version, {
    upgrade(raw, oldVersion) {
      for (let v = oldVersion + 1; v <= version; v++) SHIPPED_STEPS[v]!(raw);
    },
  });
}

/** Stores, key paths and indexes: what an upgrade must reproduce. */
function schemaOf(raw: IDBDatabase): unknown {
  const tx = raw.transaction(Array.from(raw.objectStoreNames), 'readonly');
  return Array.from(raw.objectStoreNames).map((name) => {
    const store = tx.objectStore(name);
    return {
      name,
      keyPath: store.keyPath,
      indexes: Array.from(store.indexNames).map((i) => ({ i, keyPath: store.index(i).keyPath, unique: store.index(i).unique })),
    };
  });
}

const sample = {
  reference: {
    id: 'ref-1', createdAt: 1, blob: new Blob([new Uint8Array([1, 2, 3])], { type: 'image/png' }), mime: 'image/png', width: 1, height: 1,
    thumb: new Blob([new Uint8Array([4])], { type: 'image/webp' }), sha256: 'abc', source: { kind: 'file', name: 'cat.png' },
  },
  jobs: [jobRecord('job-done', { state: 'done', resultIds: ['job-done:0'] }), jobRecord('job-polling', { state: 'polling', handle: { requestId: 'r-1' } })],
  results: [resultRecord('job-done:0', { lastUsedAt: 5, starred: true, bytes: 64 })],
  draft: { ...DEFAULT_DRAFT, prompt: 'a cat', referenceId: 'ref-1', updatedAt: 9 },
  secret: { provider: 'fal', key: 'k-123' },
};

beforeEach(() => {
  globalThis.indexedDB = new IDBFactory();
  resetDbForTests();
});

describe('database upgrades', () => {
  it('knows how every version up to the current one was created', () => {
    expect(Math.max(...Object.keys(SHIPPED_STEPS).map(Number))).toBe(DB_VERSION);
  });

  for (let from = 1; from <= DB_VERSION; from++) {
    it(`opens a version ${from} database with every record intact and the current schema`, async () => {
      const name = `upgrade-from-${from}`;
      const old = await createShipped(name, from);
      await old.put('references', sample.reference);
      for (const job of sample.jobs) await old.put('jobs', job);
      for (const result of sample.results) await old.put('results', result);
      await old.put('drafts', sample.draft);
      await old.put('secrets', sample.secret);
      old.close();

      const upgraded = await openImagePromptDB(name);
      expect(upgraded.version).toBe(DB_VERSION);
      const fresh = await openImagePromptDB(`fresh-${from}`);
      expect(schemaOf(upgraded as unknown as IDBDatabase)).toEqual(schemaOf(fresh as unknown as IDBDatabase));

      const ref = await upgraded.get('references', 'ref-1');
      expect(ref).toMatchObject({ sha256: 'abc', source: { kind: 'file', name: 'cat.png' } });
      expect(new Uint8Array(await ref!.blob.arrayBuffer())).toEqual(new Uint8Array([1, 2, 3]));
      expect((await upgraded.getAll('jobs')).map((j) => [j.id, j.state])).toEqual([
        ['job-done', 'done'],
        ['job-polling', 'polling'],
      ]);
      expect((await upgraded.get('jobs', 'job-polling'))?.handle).toEqual({ requestId: 'r-1' });
      const result = await upgraded.get('results', 'job-done:0');
      expect(result).toMatchObject({ starred: true, lastUsedAt: 5 });
      expect(result?.blob.size).toBe(64);
      expect(await upgraded.getAllKeysFromIndex('results', 'byLastUsed')).toEqual(['job-done:0']);
      expect(await upgraded.getAllKeysFromIndex('jobs', 'byState', 'polling')).toEqual(['job-polling']);
      expect(await upgraded.get('drafts', 'current')).toMatchObject({ prompt: 'a cat' });
      expect(await upgraded.get('secrets', 'fal')).toEqual(sample.secret);
      upgraded.close();
      fresh.close();
    });
  }

  it('adds an empty presets store to a version 3 database, leaving every other store as it was', async () => {
    const old = await createShipped('presets-from-3', 3);
    await old.put('drafts', sample.draft);
    await old.put('comfyui', { id: 'setup', workflow: { '1': { class_type: 'SaveImage', inputs: {} } } });
    old.close();

    const upgraded = await openImagePromptDB('presets-from-3');
    expect(await upgraded.get('drafts', 'current')).toMatchObject({ prompt: 'a cat' });
    expect(await upgraded.get('comfyui', 'setup')).toMatchObject({ id: 'setup' });
    expect(await upgraded.count('presets')).toBe(0);
    const preset = { id: 'p-1', name: 'Cats', createdAt: 1, updatedAt: 2, prompt: 'a cat', modelId: 'flux-dev' as const, settings: DEFAULT_DRAFT.settings, references: [] };
    await upgraded.put('presets', preset);
    expect(await upgraded.getAllFromIndex('presets', 'byUpdatedAt')).toEqual([preset]);
    upgraded.close();
  });

  it('steps aside when a newer version of the extension opens the database', async () => {
    const current = await db();
    await current.put('drafts', sample.draft);
    // Without closing on `versionchange`, this open would stay blocked forever.
    const newer = await Promise.race([
      openDB(DB_NAME, DB_VERSION + 1),
      new Promise<null>((r) => setTimeout(() => r(null), 1000)),
    ]);
    expect(newer).not.toBeNull();
    expect(await newer!.get('drafts', 'current')).toMatchObject({ prompt: 'a cat' });
    newer!.close();
  });

  it('says what to do when an old page holds the database and never lets go', async () => {
    // An old page of version 1 that ignores version changes (it never closes on versionchange).
    const old = await createShipped('held-open', 1);
    await expect(openImagePromptDB('held-open', { blockedGiveUpMs: 300 })).rejects.toMatchObject({
      kind: 'internal',
      message: expect.stringContaining('Close other Image Prompt panels and tabs'),
    });
    // Once the old page is gone, opening works (and the upgrade runs).
    old.close();
    const again = await openImagePromptDB('held-open');
    expect(again.version).toBe(DB_VERSION);
    again.close();
  });

  it('opens a new connection on next use when the browser closed the old one (storage cleared, disk error)', async () => {
    const first = await db();
    await first.put('drafts', sample.draft);
    // What the browser does to a connection it has to drop: the "close" event, not close().
    forceCloseDatabase(first as unknown as Parameters<typeof forceCloseDatabase>[0]);
    await expect(first.get('drafts', 'current')).rejects.toThrow();
    const second = await db();
    expect(second).not.toBe(first);
    expect(await second.get('drafts', 'current')).toMatchObject({ prompt: 'a cat' });
  });
});
