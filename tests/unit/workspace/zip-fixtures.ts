import { deflateSync, strToU8 } from 'fflate';
import type { IDBPDatabase } from 'idb';
import { sha256Hex } from '../../../utils/image/bytes';
import { cacheKeyFor } from '../../../utils/jobs/cache-key';
import { getModel } from '../../../utils/models';
import type { ImagePromptDB } from '../../../utils/store/schema';
import type { JobRecord, ReferenceRecord, ResultRecord } from '../../../utils/store/types';
import { crc32 } from '../../../utils/workspace/crc32';
import { entryName, type Manifest, type ManifestJob, type ManifestReference, type ManifestResult } from '../../../utils/workspace/manifest';
import { PNG_1x1 } from '../helpers';

/** Hand-built archives and records for export and import tests. */

const route = getModel('flux-dev').routes[0]!;

/** A deterministic UUID, so failures name the same ids every run. */
export function uuid(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

/**
 * A real 1x1 PNG followed by `tag` (decoders stop at IEND, sniffing reads the head), so each
 * picture has its own bytes and hash.
 */
export function png(tag: string | Uint8Array): Uint8Array<ArrayBuffer> {
  const extra = typeof tag === 'string' ? strToU8(tag) : tag;
  const out = new Uint8Array(PNG_1x1.length + extra.length);
  out.set(PNG_1x1);
  out.set(extra, PNG_1x1.length);
  return out;
}

export async function bytesOf(blob: Blob): Promise<Uint8Array> {
  return new Uint8Array(await blob.arrayBuffer());
}

// ---- Records in a database ----

export async function putReference(d: IDBPDatabase<ImagePromptDB>, id: string, bytes: Uint8Array<ArrayBuffer>, source: ReferenceRecord['source'] = { kind: 'page', url: 'https://example.com/cat.png', pageUrl: 'https://example.com/', pageTitle: 'Cats' }): Promise<ReferenceRecord> {
  const record: ReferenceRecord = {
    id,
    createdAt: 1_700_000_000_000,
    blob: new Blob([bytes], { type: 'image/png' }),
    mime: 'image/png',
    width: 1,
    height: 1,
    thumb: new Blob([bytes], { type: 'image/png' }),
    sha256: await sha256Hex(bytes),
    source,
  };
  await d.put('references', record);
  return record;
}

export function resultFor(jobId: string, index: number, bytes: Uint8Array<ArrayBuffer>, fields: Partial<ResultRecord> = {}): ResultRecord {
  return {
    id: `${jobId}:${index}`,
    jobId,
    index,
    blob: new Blob([bytes], { type: 'image/png' }),
    mime: 'image/png',
    width: 1,
    height: 1,
    createdAt: 1_700_000_000_500,
    lastUsedAt: 1_700_000_000_500,
    starred: false,
    thumb: new Blob([bytes], { type: 'image/png' }),
    ...fields,
  };
}

/** A finished job, keyed the way the engine keys it (so an import can be checked to rebuild the key). */
export async function doneJob(id: string, fields: Partial<JobRecord> & { referenceSha256?: string | null } = {}): Promise<JobRecord> {
  const { referenceSha256 = null, ...rest } = fields;
  const request = rest.request ?? {
    prompt: `a lighthouse at dusk ${id.slice(-2)}`,
    referenceId: null,
    modelId: 'flux-dev' as const,
    settings: { influence: 0.6, aspectRatio: '1:1', numImages: 1, seed: 7 },
    fresh: false,
    description: null,
  };
  return {
    id,
    createdAt: 1_700_000_000_000,
    updatedAt: 1_700_000_001_000,
    state: 'done',
    request,
    routeId: route.id,
    provider: route.provider,
    model: route.endpoint,
    cacheKey: await cacheKeyFor(request, route.id, referenceSha256),
    resultIds: [],
    attempts: 1,
    deadlineAt: 1_700_000_900_000,
    seed: 7,
    ...rest,
  };
}

// ---- Manifests ----

export function manifestJob(id: string, fields: Partial<ManifestJob> = {}): ManifestJob {
  return {
    id,
    createdAt: 1_700_000_000_000,
    request: {
      prompt: `a lighthouse at dusk ${id.slice(-2)}`,
      referenceId: null,
      modelId: 'flux-dev',
      settings: { influence: null, aspectRatio: null, numImages: 1, seed: null },
      description: null,
    },
    routeId: route.id,
    provider: route.provider,
    model: route.endpoint,
    state: 'done',
    resultIds: [],
    ...fields,
  };
}

export function manifestResult(jobId: string, index: number, fields: Partial<ManifestResult> = {}): ManifestResult {
  const id = `${jobId}:${index}`;
  return { id, jobId, index, mime: 'image/png', width: 1, height: 1, createdAt: 1_700_000_000_500, starred: false, file: entryName('results', id, 'image/png'), ...fields };
}

export async function manifestReference(id: string, bytes: Uint8Array<ArrayBuffer>, fields: Partial<ManifestReference> = {}): Promise<ManifestReference> {
  return {
    id,
    sha256: await sha256Hex(bytes),
    mime: 'image/png',
    width: 1,
    height: 1,
    createdAt: 1_700_000_000_000,
    source: { kind: 'file', name: 'cat.png' },
    file: entryName('references', id, 'image/png'),
    ...fields,
  };
}

export function manifest(fields: Partial<Manifest> = {}): Manifest {
  return {
    format: 'image-prompt-export',
    version: 1,
    exportedAt: 1_700_000_100_000,
    appVersion: '0.1.0',
    jobs: [],
    results: [],
    references: [],
    missingParents: { jobIds: [], resultIds: [] },
    ...fields,
  };
}

// ---- ZIP files, byte by byte ----

export interface RawEntry {
  name: string;
  data: Uint8Array;
  /** 8 deflates `data`; 0 stores it. */
  method?: number;
  /** Bytes to write instead of deflating `data` (hand-made streams). */
  compressed?: Uint8Array;
  /** What the headers claim the entry unpacks to, when they should lie. */
  declaredSize?: number;
  crc?: number;
  flags?: number;
  /** Point this directory record at another entry's bytes (by index) instead of its own. */
  sharesWith?: number;
}

/** A ZIP with sizes in its local headers (no data descriptors) and a central directory, as most tools write. */
export function buildZip(entries: RawEntry[]): Uint8Array<ArrayBuffer> {
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  const offsets: number[] = [];
  let offset = 0;
  for (const [i, e] of entries.entries()) {
    const name = strToU8(e.name);
    const method = e.method ?? 0;
    const raw = e.compressed ?? (method === 8 ? deflateSync(e.data) : e.data);
    const check = crc32();
    check.update(e.data);
    const crc = e.crc ?? check.value();
    const size = e.declaredSize ?? e.data.length;
    const flags = e.flags ?? 0x800;
    let at = offset;
    if (e.sharesWith !== undefined) at = offsets[e.sharesWith]!;
    else {
      const local = new Uint8Array(30 + name.length + raw.length);
      const v = new DataView(local.buffer);
      v.setUint32(0, 0x04034b50, true);
      v.setUint16(4, 20, true);
      v.setUint16(6, flags, true);
      v.setUint16(8, method, true);
      v.setUint16(12, 0x21, true);
      v.setUint32(14, crc, true);
      v.setUint32(18, raw.length, true);
      v.setUint32(22, size, true);
      v.setUint16(26, name.length, true);
      local.set(name, 30);
      local.set(raw, 30 + name.length);
      locals.push(local);
      offset += local.length;
    }
    offsets[i] = at;
    const central = new Uint8Array(46 + name.length);
    const c = new DataView(central.buffer);
    c.setUint32(0, 0x02014b50, true);
    c.setUint16(4, 20, true);
    c.setUint16(6, 20, true);
    c.setUint16(8, flags, true);
    c.setUint16(10, method, true);
    c.setUint16(14, 0x21, true);
    c.setUint32(16, crc, true);
    c.setUint32(20, raw.length, true);
    c.setUint32(24, size, true);
    c.setUint16(28, name.length, true);
    c.setUint32(42, at, true);
    central.set(name, 46);
    centrals.push(central);
  }
  const directorySize = centrals.reduce((n, c) => n + c.length, 0);
  const end = new Uint8Array(22);
  const v = new DataView(end.buffer);
  v.setUint32(0, 0x06054b50, true);
  v.setUint16(8, entries.length, true);
  v.setUint16(10, entries.length, true);
  v.setUint32(12, directorySize, true);
  v.setUint32(16, offset, true);
  const parts = [...locals, ...centrals, end];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** An export as the importer expects it: manifest.json first, then the listed files. */
export function exportZip(m: Manifest, files: Record<string, Uint8Array>, extra: RawEntry[] = []): Blob {
  return new Blob([
    buildZip([{ name: 'manifest.json', data: strToU8(JSON.stringify(m)), method: 8 }, ...Object.entries(files).map(([name, data]) => ({ name, data })), ...extra]),
  ]);
}
