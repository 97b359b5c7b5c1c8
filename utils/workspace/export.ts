import { Zip, ZipDeflate, ZipPassThrough, strToU8, type ZipInputFile } from 'fflate';
import type { IDBPDatabase } from 'idb';
import { browser } from 'wxt/browser';
import { i18n } from '#i18n';
import { AppError } from '../errors';
import { db as defaultDb, type ImagePromptDB } from '../store/schema';
import { trayOf } from '../reference-plan';
import { PRESETS_MAX, TRAY_MAX, type JobRecord, type ReferenceRecord, type ResultRecord } from '../store/types';
import {
  EXPORT_FORMAT,
  EXPORT_VERSION,
  MANIFEST_FILE,
  Manifest,
  ManifestJob,
  ManifestPreset,
  ManifestReference,
  ManifestResult,
  REFERENCE_MIMES,
  entryName,
  isExportMime,
  type ManifestSource,
} from './manifest';
import type { Progress } from './types';

type Database = () => Promise<IDBPDatabase<ImagePromptDB>>;

interface ExportOptions {
  /**
   * The jobs to export; undefined exports the whole history, and the presets with it. Only
   * finished ('done') jobs go in.
   */
  jobIds?: readonly string[];
  /** Called once before the first file and after each file: (files written, files in all). */
  onProgress?: Progress;
  database?: Database;
  now?: () => number;
  appVersion?: string;
}

/** Bytes read from an image at a time, so a large one never sits in memory twice. */
const READ_CHUNK = 1024 * 1024;
/** Output gathered before it is folded into a Blob part, which the browser may keep on disk. */
const FOLD_BYTES = 8 * 1024 * 1024;

interface Planned {
  manifest: Manifest;
  /** In archive order after the manifest: each job's reference (first use), then its results. */
  files: { name: string; blob: Blob }[];
}

/**
 * The history, or the chosen jobs, as one ZIP: manifest.json (deflated) and every image the
 * jobs show or were made from (stored as they are: they are compressed already). Built as a
 * stream, one image at a time.
 */
export async function exportWorkspace(options: ExportOptions = {}): Promise<Blob> {
  const { onProgress, database = defaultDb, now = Date.now } = options;
  const exportedAt = now();
  const { manifest, files } = await plan(await database(), options.jobIds, exportedAt, options.appVersion ?? appVersion());
  const total = files.length + 1;
  onProgress?.(0, total);

  const out = zipSink();
  // DOS dates hold 1980 to 2099 only: a wrong clock must not break the export.
  const mtime = Math.min(Math.max(exportedAt, Date.UTC(1980, 1, 1)), Date.UTC(2099, 10, 30));
  try {
    const manifestEntry = new ZipDeflate(MANIFEST_FILE, { level: 6 });
    out.zip.add(withTime(manifestEntry, mtime));
    manifestEntry.push(strToU8(JSON.stringify(manifest)), true);
    out.check();
    onProgress?.(1, total);

    for (const [i, file] of files.entries()) {
      const entry = new ZipPassThrough(file.name);
      out.zip.add(withTime(entry, mtime));
      await pushBlob(entry, file.blob);
      out.check();
      onProgress?.(i + 2, total);
    }
    out.zip.end();
    return out.result();
  } catch (err) {
    // An image that cannot be read (removed meanwhile, storage error) fails the export whole:
    // an archive whose manifest lists a missing file would only fail later, at import.
    out.zip.terminate();
    throw err instanceof AppError ? err : new AppError('internal', i18n.t('workspace.exportFailed'), { cause: err });
  }
}

async function plan(d: IDBPDatabase<ImagePromptDB>, jobIds: readonly string[] | undefined, exportedAt: number, version: string): Promise<Planned> {
  const wanted = jobIds ? new Set(jobIds) : undefined;
  const records = (await d.getAll('jobs'))
    .filter((j) => j.state === 'done' && (!wanted || wanted.has(j.id)))
    .sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));

  // Results first: a job lists only those still stored (and exportable).
  const results = new Map<string, ResultRecord>();
  const jobs: ManifestJob[] = [];
  for (const job of records) {
    const shown: string[] = [];
    for (const id of job.resultIds) {
      const result = results.get(id) ?? (await d.get('results', id));
      if (!result || !isExportMime(result.mime)) continue;
      results.set(id, result);
      shown.push(id);
    }
    const parsed = ManifestJob.safeParse(jobEntry(job, shown));
    // Records this extension did not write itself (or wrote long ago) are left out rather
    // than making the whole export unreadable.
    if (parsed.success) jobs.push(parsed.data);
  }

  const byId = new Map(jobs.map((j) => [j.id, j]));
  const firstShowing = new Map<string, string>();
  for (const job of jobs) for (const id of job.resultIds) if (!firstShowing.has(id)) firstShowing.set(id, job.id);
  const manifestResults: ManifestResult[] = [];
  for (const [id, jobId] of firstShowing) {
    const result = results.get(id)!;
    // The result names the job that made it; when that one is not exported, the first job
    // here that shows it stands in, so the link stays inside the archive.
    const maker = byId.get(result.jobId)?.resultIds.includes(id) ? result.jobId : jobId;
    const parsed = ManifestResult.safeParse(resultEntry(result, maker));
    if (parsed.success) manifestResults.push(parsed.data);
    else for (const job of jobs) job.resultIds = job.resultIds.filter((r) => r !== id);
  }

  // Every picture of every job's tray (the image prompt first), each once.
  const references = new Map<string, { entry: ManifestReference; blob: Blob }>();
  const addReference = async (id: string) => {
    if (references.has(id)) return;
    const ref = await d.get('references', id);
    if (!ref || !(REFERENCE_MIMES as readonly string[]).includes(ref.mime)) return;
    const parsed = ManifestReference.safeParse(referenceEntry(ref));
    if (parsed.success) references.set(id, { entry: parsed.data, blob: ref.blob });
  };
  for (const job of jobs) {
    for (const { referenceId } of trayOf(job.request)) await addReference(referenceId);
  }
  // The whole history carries the presets too, with their pictures (shared with jobs: once).
  const presets = jobIds ? undefined : await presetEntries(d, addReference, (id) => references.has(id));

  const jobIdsIn = new Set(jobs.map((j) => j.id));
  const resultIdsIn = new Set(manifestResults.map((r) => r.id));
  const manifest: Manifest = {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    exportedAt,
    appVersion: version.slice(0, 50),
    jobs,
    results: manifestResults,
    references: [...references.values()].map((r) => r.entry),
    ...(presets ? { presets } : {}),
    missingParents: {
      jobIds: unique(jobs.flatMap((j) => (j.parentJobId && !jobIdsIn.has(j.parentJobId) ? [j.parentJobId] : []))),
      resultIds: unique(jobs.flatMap((j) => (j.parentResultId && !resultIdsIn.has(j.parentResultId) ? [j.parentResultId] : []))),
    },
  };
  // The same check an import makes: an export that would be refused is a bug here, not a file to hand out.
  const checked = Manifest.safeParse(manifest);
  if (!checked.success) throw new AppError('internal', i18n.t('workspace.exportFailed'), { cause: checked.error });

  const files: Planned['files'] = [];
  const written = new Set<string>();
  const add = (name: string, blob: Blob) => {
    if (written.has(name)) return;
    written.add(name);
    files.push({ name, blob });
  };
  const resultsById = new Map(manifestResults.map((r) => [r.id, r]));
  for (const job of jobs) {
    for (const { referenceId } of trayOf(job.request)) {
      const ref = references.get(referenceId);
      if (ref) add(ref.entry.file, ref.blob);
    }
    for (const id of job.resultIds) add(resultsById.get(id)!.file, results.get(id)!.blob);
  }
  for (const preset of presets ?? []) {
    for (const { referenceId } of preset.references) {
      const ref = references.get(referenceId)!;
      add(ref.entry.file, ref.blob);
    }
  }
  return { manifest, files };
}

/**
 * Every stored preset, oldest first, each tray holding only the pictures that are exported
 * (one no longer stored is left out, as applying the preset here would leave it out). A preset
 * this version cannot describe (a model since removed) is left out rather than failing the export.
 */
async function presetEntries(d: IDBPDatabase<ImagePromptDB>, addReference: (id: string) => Promise<void>, exported: (id: string) => boolean): Promise<ManifestPreset[]> {
  const out: ManifestPreset[] = [];
  for (const preset of await d.getAllFromIndex('presets', 'byUpdatedAt')) {
    if (out.length >= PRESETS_MAX) break;
    const entry = { id: preset.id, name: preset.name, createdAt: preset.createdAt, updatedAt: preset.updatedAt, prompt: preset.prompt, modelId: preset.modelId, settings: preset.settings };
    // Checked before its pictures are added, so that a preset left out brings none of them along.
    if (!ManifestPreset.safeParse({ ...entry, references: [] }).success) continue;
    const tray = [];
    for (const use of Array.isArray(preset.references) ? preset.references.slice(0, TRAY_MAX) : []) {
      await addReference(use.referenceId);
      if (exported(use.referenceId)) tray.push(use);
    }
    const parsed = ManifestPreset.safeParse({ ...entry, references: tray });
    if (parsed.success) out.push(parsed.data);
  }
  return out;
}

function jobEntry(job: JobRecord, resultIds: string[]): unknown {
  const { request } = job;
  return {
    id: job.id,
    createdAt: job.createdAt,
    request: {
      prompt: request.prompt,
      referenceId: request.referenceId,
      // A tray of one plain reference says no more than referenceId: left out, as before trays.
      ...(hasTray(request) ? { references: request.references } : {}),
      modelId: request.modelId,
      settings: request.settings,
      description: request.description ?? null,
      ...(request.runId !== undefined ? { runId: request.runId } : {}),
      ...(request.runIndex !== undefined ? { runIndex: request.runIndex } : {}),
    },
    routeId: job.routeId,
    provider: job.provider,
    ...(job.model && job.model.length <= 200 ? { model: job.model } : {}),
    state: 'done',
    ...(job.seed !== undefined ? { seed: job.seed } : {}),
    ...(job.description ? { description: job.description.slice(0, 2000) } : {}),
    ...(job.unusedReferences?.length ? { unusedReferences: job.unusedReferences } : {}),
    resultIds,
    ...(job.parentJobId ? { parentJobId: job.parentJobId } : {}),
    ...(job.parentResultId ? { parentResultId: job.parentResultId } : {}),
    ...(job.starred ? { starred: true } : {}),
  };
}

/** Whether a request's tray says more than its image prompt: several references, or a role or weight. */
function hasTray(request: JobRecord['request']): boolean {
  const refs = request.references ?? [];
  return refs.length > 1 || refs.some((r) => r.role !== undefined || r.weight !== undefined);
}

function resultEntry(result: ResultRecord, jobId: string): unknown {
  const mime = result.mime as ManifestResult['mime'];
  return {
    id: result.id,
    jobId,
    index: result.index,
    mime,
    ...(isDimension(result.width) ? { width: result.width } : {}),
    ...(isDimension(result.height) ? { height: result.height } : {}),
    createdAt: result.createdAt,
    starred: result.starred,
    file: entryName('results', result.id, mime),
  };
}

function referenceEntry(ref: ReferenceRecord): unknown {
  const { source } = ref;
  const out: ManifestSource = { kind: source.kind };
  // Addresses too long to keep whole, or not web addresses (data:, blob:), are left out:
  // half an address is a wrong one.
  if (source.url && isWebAddress(source.url)) out.url = source.url;
  if (source.pageUrl && isWebAddress(source.pageUrl)) out.pageUrl = source.pageUrl;
  if (source.pageTitle) out.pageTitle = source.pageTitle.slice(0, 500);
  if (source.name) out.name = source.name.slice(0, 255);
  if (source.jobId) out.jobId = source.jobId;
  if (source.resultId) out.resultId = source.resultId;
  return {
    id: ref.id,
    sha256: ref.sha256,
    mime: ref.mime,
    width: ref.width,
    height: ref.height,
    createdAt: ref.createdAt,
    source: out,
    file: entryName('references', ref.id, ref.mime),
  };
}

/** Sizes are a courtesy to the layout: one that does not fit the manifest is left out, not the image. */
function isDimension(n: number | undefined): n is number {
  return n !== undefined && Number.isInteger(n) && n >= 1 && n <= 100_000;
}

function isWebAddress(value: string): boolean {
  return value.length <= 2048 && /^https?:\/\//i.test(value);
}

function unique(ids: string[]): string[] {
  return [...new Set(ids)];
}

function withTime<T extends ZipInputFile>(entry: T, mtime: number): T {
  entry.mtime = mtime;
  return entry;
}

async function pushBlob(entry: ZipPassThrough, blob: Blob): Promise<void> {
  if (blob.size === 0) {
    entry.push(new Uint8Array(0), true);
    return;
  }
  for (let at = 0; at < blob.size; at += READ_CHUNK) {
    const end = Math.min(at + READ_CHUNK, blob.size);
    entry.push(new Uint8Array(await blob.slice(at, end).arrayBuffer()), end === blob.size);
  }
}

/** Collects the archive as it is written, folding it into Blob parts as it grows. */
function zipSink() {
  const parts: Blob[] = [];
  let pending: Uint8Array<ArrayBuffer>[] = [];
  let pendingBytes = 0;
  let failure: unknown;
  let finished = false;
  const fold = () => {
    if (pending.length) parts.push(new Blob(pending));
    pending = [];
    pendingBytes = 0;
  };
  const zip = new Zip((err, chunk, final) => {
    if (err) {
      failure ??= err;
      return;
    }
    pending.push(chunk);
    pendingBytes += chunk.length;
    if (pendingBytes >= FOLD_BYTES) fold();
    if (final) finished = true;
  });
  const check = () => {
    if (failure) throw new AppError('internal', i18n.t('workspace.exportFailed'), { cause: failure });
  };
  return {
    zip,
    check,
    result(): Blob {
      check();
      if (!finished) throw new AppError('internal', i18n.t('workspace.exportFailed'));
      fold();
      return new Blob(parts, { type: 'application/zip' });
    },
  };
}

function appVersion(): string {
  try {
    return browser.runtime.getManifest().version;
  } catch {
    return 'unknown';
  }
}
