import type { IDBPDatabase, IDBPObjectStore, StoreNames } from 'idb';
import { i18n } from '#i18n';
import { AppError, toAppError } from '../errors';
import { publish } from '../events';
import { sha256Hex } from '../image/bytes';
import { orientedSize, sniffImage } from '../image/sniff';
import { makeThumbnail } from '../image/thumbnail';
import { cacheKeyFor } from '../jobs/cache-key';
import { findRoute } from '../models';
import { trayOf } from '../reference-plan';
import { db as defaultDb, newId, type ImagePromptDB } from '../store/schema';
import { PRESETS_MAX, type JobRecord, type JobRequest, type ReferenceRecord, type ReferenceUse, type ResultRecord } from '../store/types';
import { importedPresetName, type PresetContent } from '../store/presets';
import type { InflateBudget } from './inflate';
import { IMPORT_LIMITS, type ImportLimits } from './limits';
import { EXPORT_VERSION, MANIFEST_FILE, Manifest, ManifestHead, type ManifestJob, type ManifestPreset, type ManifestReference, type ManifestResult } from './manifest';
import type { ImportSummary, Progress } from './types';
import { readDirectory, readEntry, type ZipEntry } from './zip-reader';
import { ZipError } from './zip-error';

type Database = () => Promise<IDBPDatabase<ImagePromptDB>>;

interface ImportOptions {
  /** Called before the first generation and after each one: (generations handled, generations listed). */
  onProgress?: Progress;
  database?: Database;
  /** Tighter limits (tests); never looser than the defaults in practice. */
  limits?: Partial<ImportLimits>;
  now?: () => number;
  /** A reference's preview. Results get theirs lazily in the panel; references need one stored. */
  makeThumb?: (blob: Blob) => Promise<Blob>;
}

/** Unexpected entries named one by one before the rest are only counted. */
const NAMED_UNEXPECTED = 10;

/** Ends the import early; what was written so far stays, and the reason is reported. */
class Stop extends Error {}

/**
 * Adds an export's generations to this browser's history. Merges: a generation already here is
 * left as it is, and a reference picture already stored is reused. Each generation is written
 * with its images in one transaction, so one that fails leaves nothing behind.
 *
 * The file is untrusted: it is refused whole when it is too large, not a ZIP, or its manifest
 * does not validate; otherwise only entries the manifest lists are read, each capped while it is
 * inflated, each image must be the format it claims (magic bytes), and reference bytes must hash
 * to their declared SHA-256. Nothing read is run or shown as markup: images are stored as Blobs,
 * text goes into records that the panel renders as text.
 */
export async function importWorkspace(file: Blob, options: ImportOptions = {}): Promise<ImportSummary> {
  const limits: ImportLimits = { ...IMPORT_LIMITS, ...options.limits };
  const { onProgress, database = defaultDb, now = Date.now, makeThumb = thumbOrSelf } = options;
  if (file.size > limits.maxFileBytes) throw new AppError('too_large', i18n.t('workspace.fileTooLarge', [formatSize(limits.maxFileBytes)]));

  const entries = await readDirectory(file, limits).catch((err: unknown) => {
    throw archiveError(err, limits);
  });
  const problems: string[] = [];
  const byName = new Map<string, ZipEntry>();
  for (const entry of entries) {
    if (byName.has(entry.name)) problems.push(i18n.t('workspace.duplicateEntry', [printable(entry.name)]));
    else byName.set(entry.name, entry);
  }
  const budget: InflateBudget = { remaining: limits.maxTotalBytes };
  const manifest = await readManifest(file, byName.get(MANIFEST_FILE), limits, budget);
  reportUnexpected(byName, manifest, problems);

  const d = await database();
  const summary: ImportSummary = { jobsAdded: 0, jobsSkipped: 0, resultsAdded: 0, referencesAdded: 0, referencesReused: 0, problems };
  const ctx: Context = {
    file,
    d,
    limits,
    budget,
    byName,
    now: now(),
    makeThumb,
    results: new Map(manifest.results.map((r) => [r.id, r])),
    references: new Map(manifest.references.map((r) => [r.id, r])),
    resolved: new Map(),
    refused: new Set(),
    summary,
  };
  // Parents before children, as they were made.
  const jobs = [...manifest.jobs].sort((a, b) => a.createdAt - b.createdAt);
  let lastAdded: string | undefined;
  if (manifest.presets?.length) Object.assign(summary, { presetsAdded: 0, presetsSkipped: 0 });
  onProgress?.(0, jobs.length);
  try {
    for (const [i, job] of jobs.entries()) {
      if (await importJob(ctx, job)) lastAdded = job.id;
      onProgress?.(i + 1, jobs.length);
    }
    // After the jobs: pictures they share with presets are stored (or matched) once, by them.
    for (const preset of manifest.presets ?? []) await importPreset(ctx, preset);
  } catch (err) {
    if (!(err instanceof Stop)) throw err;
    problems.push(err.message);
  } finally {
    if (summary.presetsAdded) publish({ type: 'presets.changed' });
    if (lastAdded) {
      // One of each, also after a failure midway: open panels re-read their lists on either,
      // and one event per job would make them re-read once per job.
      publish({ type: 'results.changed' });
      publish({ type: 'job.changed', jobId: lastAdded, state: 'done' });
    }
  }
  return summary;
}

interface Context {
  file: Blob;
  d: IDBPDatabase<ImagePromptDB>;
  limits: ImportLimits;
  budget: InflateBudget;
  byName: Map<string, ZipEntry>;
  now: number;
  makeThumb: (blob: Blob) => Promise<Blob>;
  results: Map<string, ManifestResult>;
  references: Map<string, ManifestReference>;
  /** Export reference id -> the stored reference now standing for it. */
  resolved: Map<string, { id: string; sha256: string }>;
  /** Export reference ids whose bytes were refused: not read again for the next job. */
  refused: Set<string>;
  summary: ImportSummary;
}

/** A verified reference picture, ready to be stored (or matched to a stored one) with its first job. */
interface ReadyReference {
  /** The id the export gave it. */
  exportId: string;
  entry: ManifestReference;
  record: Omit<ReferenceRecord, 'id'>;
}

/** Returns true when the job was added. */
async function importJob(ctx: Context, job: ManifestJob): Promise<boolean> {
  const { d, summary } = ctx;
  if ((await d.getKey('jobs', job.id)) !== undefined) {
    summary.jobsSkipped++;
    return false;
  }

  const fresh: ResultRecord[] = [];
  for (const id of job.resultIds) {
    if ((await d.getKey('results', id)) !== undefined || fresh.some((r) => r.id === id)) continue;
    const entry = ctx.results.get(id)!;
    const read = await readImage(ctx, entry.file, entry.mime);
    if ('problem' in read) {
      summary.problems.push(i18n.t('workspace.jobLeftOut', [excerpt(job.request.prompt), read.problem]));
      return false;
    }
    const size = read.size ?? { width: entry.width, height: entry.height };
    fresh.push({
      id,
      jobId: entry.jobId,
      index: entry.index,
      blob: new Blob([read.bytes], { type: entry.mime }),
      mime: entry.mime,
      ...(size.width ? { width: size.width } : {}),
      ...(size.height ? { height: size.height } : {}),
      createdAt: entry.createdAt,
      lastUsedAt: ctx.now,
      starred: entry.starred,
    });
  }

  // Every picture of the job's tray (the image prompt first): read the ones no earlier job
  // brought in; those the export does not hold keep their ids (shown as no longer stored).
  const tray = trayOf(job.request);
  const ready: ReadyReference[] = [];
  for (const id of new Set(tray.map((r) => r.referenceId))) {
    if (ctx.resolved.has(id)) continue;
    const read = await readReference(ctx, id, (problem) => i18n.t('workspace.referenceLeftOut', [excerpt(job.request.prompt), problem]));
    if (read) ready.push(read);
  }
  const shaOf = (id: string) => ctx.resolved.get(id)?.sha256 ?? ready.find((r) => r.exportId === id)?.record.sha256;
  const storedId = (id: string) => ctx.resolved.get(id)?.id ?? id;

  const request: JobRequest = {
    prompt: job.request.prompt,
    referenceId: job.request.referenceId === null ? null : storedId(job.request.referenceId),
    ...(job.request.references ? { references: job.request.references.map((r) => ({ ...r, referenceId: storedId(r.referenceId) })) } : {}),
    modelId: job.request.modelId,
    settings: job.request.settings,
    fresh: false,
    description: job.request.description,
    ...(job.request.runId !== undefined ? { runId: job.request.runId } : {}),
    ...(job.request.runIndex !== undefined ? { runIndex: job.request.runIndex } : {}),
  };
  // The same key the job had, so it answers identical requests again; without all its reference
  // pictures the key cannot be rebuilt, and one of its own keeps it from answering anything.
  const keyed = tray.map((r) => ({ sha256: shaOf(r.referenceId), role: r.role, weight: r.weight }));
  const cacheKey = keyed.every((k): k is typeof k & { sha256: string } => k.sha256 !== undefined)
    ? await cacheKeyFor(request, job.routeId, keyed, modelOverride(job))
    : `imported:${job.id}`;

  const outcome = await writeJob(d, withStoredIds(job, storedId), request, cacheKey, fresh, ready).catch((err: unknown) => {
    const e = toAppError(err);
    if (e.kind === 'storage_full') throw new Stop(e.message);
    summary.problems.push(i18n.t('workspace.jobLeftOut', [excerpt(job.request.prompt), e.message]));
    return null;
  });
  if (!outcome) return false;
  if (outcome === 'present') {
    summary.jobsSkipped++;
    return false;
  }
  const { storedRefs, added } = outcome;
  for (const [exportId, storedRef] of storedRefs) {
    ctx.resolved.set(exportId, { id: storedRef.id, sha256: storedRef.sha256 });
    if (storedRef.added) summary.referencesAdded++;
    else summary.referencesReused++;
  }
  summary.jobsAdded++;
  summary.resultsAdded += added;
  return true;
}

/**
 * Writes the job, its new results and its reference pictures (those it is the first job to
 * need) in one transaction: a failure anywhere leaves none of them. 'present': the job was
 * written meanwhile (the same file imported twice at once).
 */
async function writeJob(
  d: IDBPDatabase<ImagePromptDB>,
  job: ManifestJob,
  request: JobRequest,
  cacheKey: string,
  fresh: readonly ResultRecord[],
  ready: readonly ReadyReference[],
): Promise<'present' | { storedRefs: Map<string, { id: string; sha256: string; added: boolean }>; added: number }> {
  const tx = d.transaction(['jobs', 'results', 'references'], 'readwrite');
  try {
    if ((await tx.objectStore('jobs').getKey(job.id)) !== undefined) {
      await tx.done;
      return 'present';
    }
    const storedRefs = await storeReferences(tx.objectStore('references'), ready);
    const stored = (id: string) => storedRefs.get(id)?.id ?? id;
    let starred = false;
    let added = 0;
    for (const id of job.resultIds) {
      const stored = await tx.objectStore('results').get(id);
      const result = fresh.find((r) => r.id === id);
      if (stored) starred ||= stored.starred;
      else if (result) {
        await tx.objectStore('results').put(result);
        starred ||= result.starred;
        added++;
      }
    }
    const record: JobRecord = {
      id: job.id,
      createdAt: job.createdAt,
      updatedAt: job.createdAt,
      state: 'done',
      request: {
        ...request,
        referenceId: request.referenceId === null ? null : stored(request.referenceId),
        ...(request.references ? { references: request.references.map((r) => ({ ...r, referenceId: stored(r.referenceId) })) } : {}),
      },
      routeId: job.routeId,
      provider: job.provider,
      ...(job.model ? { model: job.model } : {}),
      cacheKey,
      resultIds: job.resultIds,
      attempts: 0,
      deadlineAt: job.createdAt,
      ...(job.seed !== undefined ? { seed: job.seed } : {}),
      ...(job.description ? { description: job.description } : {}),
      ...(job.unusedReferences?.length ? { unusedReferences: job.unusedReferences.map((u) => ({ ...u, referenceId: stored(u.referenceId) })) } : {}),
      ...(job.parentJobId ? { parentJobId: job.parentJobId } : {}),
      ...(job.parentResultId ? { parentResultId: job.parentResultId } : {}),
      ...(starred ? { starred } : {}),
    };
    await tx.objectStore('jobs').put(record);
    await tx.done;
    return { storedRefs, added };
  } catch (err) {
    await abandon(tx);
    throw err;
  }
}

type StoredReferences = Map<string, { id: string; sha256: string; added: boolean }>;

/** Stores verified pictures within the caller's transaction; a picture already stored (same hash) is used instead. */
async function storeReferences<Tx extends StoreNames<ImagePromptDB>[]>(
  refs: IDBPObjectStore<ImagePromptDB, Tx, 'references', 'readwrite'>,
  ready: readonly ReadyReference[],
): Promise<StoredReferences> {
  const storedRefs: StoredReferences = new Map();
  for (const one of ready) {
    const same = await refs.index('byHash').get(one.record.sha256);
    if (same) storedRefs.set(one.exportId, { id: same.id, sha256: same.sha256, added: false });
    else {
      // Ids are random, so a taken one means another picture: this one gets a new id.
      const id = (await refs.getKey(one.entry.id)) === undefined ? one.entry.id : newId();
      await refs.put({ id, ...one.record });
      storedRefs.set(one.exportId, { id, sha256: one.record.sha256, added: true });
    }
  }
  return storedRefs;
}

/**
 * Adds one preset, with the tray pictures no job brought in. Merges by name and content
 * (importedPresetName): the same preset again is skipped, another one of the same name is kept
 * beside it. A tray naming a picture the file does not list (no export writes that) leaves the
 * preset out; a listed picture that is damaged or missing is left out of the tray, and said.
 */
async function importPreset(ctx: Context, preset: ManifestPreset): Promise<void> {
  const { summary } = ctx;
  const leftOut = (problem: string) => summary.problems.push(i18n.t('presets.leftOut', [excerpt(preset.name), problem]));
  if (preset.references.some((r) => !ctx.references.has(r.referenceId))) {
    leftOut(i18n.t('presets.reasonUnlisted'));
    return;
  }
  const ready: ReadyReference[] = [];
  for (const id of new Set(preset.references.map((r) => r.referenceId))) {
    if (ctx.resolved.has(id)) continue;
    const read = await readReference(ctx, id, (problem) => i18n.t('presets.pictureLeftOut', [excerpt(preset.name), problem]));
    if (read) ready.push(read);
  }
  const outcome = await writePreset(ctx, preset, ready).catch((err: unknown) => {
    const e = toAppError(err);
    if (e.kind === 'storage_full') throw new Stop(e.message);
    leftOut(e.message);
    return null;
  });
  if (!outcome) return;
  for (const [exportId, storedRef] of outcome.storedRefs) {
    ctx.resolved.set(exportId, { id: storedRef.id, sha256: storedRef.sha256 });
    if (storedRef.added) summary.referencesAdded++;
    else summary.referencesReused++;
  }
  if (outcome.status === 'full') leftOut(i18n.t('presets.reasonFull'));
  else if (outcome.status === 'added') summary.presetsAdded = (summary.presetsAdded ?? 0) + 1;
  else summary.presetsSkipped = (summary.presetsSkipped ?? 0) + 1;
}

/** The preset and its new pictures in one transaction; the name is decided against the presets stored in it. */
async function writePreset(ctx: Context, preset: ManifestPreset, ready: readonly ReadyReference[]): Promise<{ status: 'added' | 'present' | 'full'; storedRefs: StoredReferences }> {
  const tx = ctx.d.transaction(['presets', 'references'], 'readwrite');
  try {
    const storedRefs = await storeReferences(tx.objectStore('references'), ready);
    const seen = new Set<string>();
    const tray: ReferenceUse[] = [];
    for (const use of preset.references) {
      // Pictures refused above are left out; two that turned out to be one picture are listed once.
      const id = ctx.resolved.get(use.referenceId)?.id ?? storedRefs.get(use.referenceId)?.id;
      if (id && !seen.has(id)) tray.push({ ...use, referenceId: id });
      if (id) seen.add(id);
    }
    const content: PresetContent = { prompt: preset.prompt, modelId: preset.modelId, settings: preset.settings, references: tray };
    const store = tx.objectStore('presets');
    const existing = await store.getAll();
    const name = importedPresetName(preset.name, content, existing);
    if (name !== undefined && existing.length >= PRESETS_MAX) {
      // No room: its pictures are not kept either.
      await abandon(tx);
      return { status: 'full', storedRefs: new Map() };
    }
    if (name !== undefined) {
      const id = (await store.getKey(preset.id)) === undefined ? preset.id : newId();
      await store.put({ id, name, createdAt: preset.createdAt, updatedAt: preset.updatedAt, ...content });
    }
    await tx.done;
    return { status: name === undefined ? 'present' : 'added', storedRefs };
  } catch (err) {
    await abandon(tx);
    throw err;
  }
}

/**
 * The job's reference picture, verified, or undefined when the export does not hold it (the job
 * is still imported: its reference shows as no longer stored, as it would have at home).
 */
/** Rolls a write back and waits until it has ended; a transaction a failed request already aborted is left as it is. */
async function abandon(tx: { abort(): void; done: Promise<void> }): Promise<void> {
  try {
    tx.abort();
  } catch {
    // Already ended (a failed request aborts it by itself).
  }
  await tx.done.catch(() => {});
}

async function readReference(ctx: Context, id: string, leftOut: (problem: string) => string): Promise<ReadyReference | undefined> {
  const entry = ctx.references.get(id);
  if (!entry || ctx.refused.has(id)) return undefined;
  const refuse = (problem: string) => {
    ctx.refused.add(id);
    ctx.summary.problems.push(leftOut(problem));
    return undefined;
  };
  const read = await readImage(ctx, entry.file, entry.mime);
  if ('problem' in read) return refuse(read.problem);
  const sha256 = await sha256Hex(read.bytes);
  if (sha256 !== entry.sha256) return refuse(i18n.t('workspace.reasonChecksum'));
  const blob = new Blob([read.bytes], { type: entry.mime });
  const size = read.size ?? { width: entry.width, height: entry.height };
  // Stored already: that record is used, so no preview is made for this copy.
  const stored = await ctx.d.getFromIndex('references', 'byHash', sha256);
  return {
    exportId: id,
    entry,
    record: {
      createdAt: entry.createdAt,
      blob,
      mime: entry.mime,
      width: size.width,
      height: size.height,
      thumb: stored ? blob : await ctx.makeThumb(blob),
      sha256,
      source: entry.source,
    },
  };
}

type ReadImage = { bytes: Uint8Array<ArrayBuffer>; size?: { width: number; height: number } } | { problem: string };

/** One listed image: read within the caps, and only if its bytes are the format the manifest says. */
async function readImage(ctx: Context, name: string, mime: string): Promise<ReadImage> {
  const entry = ctx.byName.get(name);
  if (!entry) return { problem: i18n.t('workspace.reasonMissing') };
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = await readEntry(ctx.file, entry, ctx.limits.maxEntryBytes, ctx.budget);
  } catch (err) {
    if (!(err instanceof ZipError)) throw err;
    if (err.reason === 'total_too_large') throw new Stop(i18n.t('workspace.stoppedTotal', [formatSize(ctx.limits.maxTotalBytes)]));
    if (err.reason === 'entry_too_large') return { problem: i18n.t('workspace.reasonTooLarge', [formatSize(ctx.limits.maxEntryBytes)]) };
    if (err.reason === 'unsupported') return { problem: i18n.t('workspace.reasonUnsupported') };
    return { problem: i18n.t('workspace.reasonDamaged') };
  }
  const sniff = sniffImage(bytes);
  if (sniff.mime !== mime) return { problem: i18n.t('workspace.reasonNotImage') };
  return sniff.width && sniff.height ? { bytes, size: orientedSize(sniff.width, sniff.height, sniff.orientation) } : { bytes };
}

async function readManifest(file: Blob, entry: ZipEntry | undefined, limits: ImportLimits, budget: InflateBudget): Promise<Manifest> {
  const bad = (cause?: unknown) => new AppError('invalid_input', i18n.t('workspace.badManifest'), { cause });
  if (!entry) throw new AppError('invalid_input', i18n.t('workspace.notAnExport'));
  let json: unknown;
  try {
    const bytes = await readEntry(file, entry, limits.maxManifestBytes, budget);
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (err) {
    throw bad(err);
  }
  const head = ManifestHead.safeParse(json);
  if (head.success && head.data.version > EXPORT_VERSION) throw new AppError('invalid_input', i18n.t('workspace.newerVersion'));
  const parsed = Manifest.safeParse(json);
  if (!parsed.success) throw bad(parsed.error);
  return parsed.data;
}

/** Entries the manifest does not list are never read; the user is told they were there. */
function reportUnexpected(byName: Map<string, ZipEntry>, manifest: Manifest, problems: string[]): void {
  const listed = new Set<string>([MANIFEST_FILE, ...manifest.results.map((r) => r.file), ...manifest.references.map((r) => r.file)]);
  const unexpected = [...byName.keys()].filter((name) => !listed.has(name));
  for (const name of unexpected.slice(0, NAMED_UNEXPECTED)) problems.push(i18n.t('workspace.unexpectedEntry', [printable(name)]));
  const more = unexpected.length - NAMED_UNEXPECTED;
  if (more > 0) problems.push(i18n.t('workspace.moreUnexpected', more, [String(more)]));
}

function archiveError(err: unknown, limits: ImportLimits): AppError {
  if (!(err instanceof ZipError)) return toAppError(err);
  switch (err.reason) {
    case 'too_many_entries':
    case 'directory_too_large':
      return new AppError('too_large', i18n.t('workspace.tooManyEntries', [String(limits.maxEntries)]), { cause: err });
    case 'unsupported':
      return new AppError('unsupported_format', i18n.t('workspace.unsupportedZip'), { cause: err });
    default:
      return new AppError('invalid_input', i18n.t('workspace.notAnExport'), { cause: err });
  }
}

/** The model override in force when the job ran: a model other than its route's own (part of the cache key). */
/** The job with the tray pictures earlier jobs brought in named by their stored ids. */
function withStoredIds(job: ManifestJob, storedId: (id: string) => string): ManifestJob {
  if (!job.unusedReferences) return job;
  return { ...job, unusedReferences: job.unusedReferences.map((u) => ({ ...u, referenceId: storedId(u.referenceId) })) };
}

function modelOverride(job: ManifestJob): string | undefined {
  if (!job.model) return undefined;
  const route = findRoute(job.routeId)?.route;
  return route && job.model === route.endpoint ? undefined : job.model;
}

/** Without a decoder (or for a picture the browser will not decode) the picture is its own preview. */
async function thumbOrSelf(blob: Blob): Promise<Blob> {
  try {
    return await makeThumbnail(blob);
  } catch {
    return blob;
  }
}

/** A name from the file, safe to show: no control or direction-changing characters, not too long. */
function printable(name: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = name.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '?');
  return clean.length > 80 ? `${clean.slice(0, 79)}…` : clean;
}

function excerpt(prompt: string): string {
  const line = prompt.replace(/\s+/g, ' ').trim();
  return line.length > 40 ? `${line.slice(0, 39)}…` : line;
}

function formatSize(bytes: number): string {
  const GiB = 1024 ** 3;
  const MiB = 1024 ** 2;
  if (bytes >= GiB) return `${Number((bytes / GiB).toFixed(1))} GB`;
  if (bytes >= MiB) return `${Number((bytes / MiB).toFixed(1))} MB`;
  return `${Math.ceil(bytes / 1024)} KB`;
}
