import { z } from 'zod';
import { ModelId, ProviderId, ReferenceRole } from '../models';
import { GenerationSettings, PRESET_NAME_MAX, PRESETS_MAX, TRAY_MAX } from '../store/types';

/**
 * manifest.json: everything in an export except the image bytes. It is the only thing an
 * import believes about the archive, so it is checked strictly: unknown keys are dropped,
 * strings are capped, ids have the shape this extension gives them, and every image file is
 * named after its record, in one folder, with one of five extensions. An entry whose name is
 * not listed here is never read.
 */

export const MANIFEST_FILE = 'manifest.json';
export const EXPORT_FORMAT = 'image-prompt-export';
export const EXPORT_VERSION = 1;
/** Per kind of record; the import's entry cap bounds the sum. */
const MAX_RECORDS = 20_000;

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
/** Jobs and references: crypto.randomUUID() (utils/store/schema.ts newId). */
const Uuid = z.string().regex(new RegExp(`^${UUID}$`, 'i'));
/** Results: their job's id and their place among its outputs (utils/jobs/engine.ts). */
const ResultId = z.string().regex(new RegExp(`^${UUID}:\\d{1,2}$`, 'i'));

const Timestamp = z.number().int().min(0).max(8.64e15);
const Dimension = z.number().int().min(1).max(100_000);
const HttpUrl = z
  .string()
  .max(2048)
  .refine(isHttpUrl, 'Only http and https addresses');

/** What results may be (utils/jobs/download.ts keeps AVIF too: leaving those out would lose images). */
const RESULT_MIMES = ['image/png', 'image/jpeg', 'image/webp', 'image/gif', 'image/avif'] as const;
export const REFERENCE_MIMES = ['image/png', 'image/jpeg', 'image/webp'] as const;
type ExportMime = (typeof RESULT_MIMES)[number];

const EXTENSIONS: Record<ExportMime, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
  'image/gif': 'gif',
  'image/avif': 'avif',
};

export function isExportMime(mime: string): mime is ExportMime {
  return (RESULT_MIMES as readonly string[]).includes(mime);
}

/**
 * The one name a record's image may have in the archive. Result ids hold a colon, which
 * Windows refuses in file names, so it becomes an underscore (people do unzip exports).
 */
export function entryName(kind: 'results' | 'references', id: string, mime: ExportMime): string {
  return `${kind}/${id.replace(':', '_')}.${EXTENSIONS[mime]}`;
}

/** One reference of a job's tray: which picture (in `references`), its role and weight. */
const ManifestReferenceUse = z.object({
  referenceId: Uuid,
  role: z.enum(ReferenceRole.options).optional(),
  weight: z.number().min(0).max(1).optional(),
});

export const ManifestJob = z.object({
  id: Uuid,
  createdAt: Timestamp,
  request: z.object({
    prompt: z.string().trim().min(1).max(10_000),
    referenceId: Uuid.nullable(),
    /** The whole tray, the image prompt first; absent for jobs with at most the image prompt. */
    references: z.array(ManifestReferenceUse).max(TRAY_MAX).optional(),
    modelId: ModelId,
    settings: GenerationSettings,
    description: z.string().trim().max(2000).nullable(),
    runId: z.string().min(1).max(64).optional(),
    runIndex: z.number().int().min(0).max(5).optional(),
  }),
  routeId: z.string().min(1).max(200),
  provider: ProviderId,
  model: z.string().min(1).max(200).optional(),
  state: z.literal('done'),
  /** The seed actually sent, when the route takes one. */
  seed: z.number().int().min(0).max(2 ** 32 - 1).optional(),
  /** For described routes: the words sent instead of the image. */
  description: z.string().max(2000).optional(),
  /** Tray references the route did not use, and why. */
  unusedReferences: z
    .array(z.object({ index: z.number().int().min(0).max(TRAY_MAX - 1), referenceId: Uuid, reason: z.enum(['too-many', 'role-taken', 'no-image']) }))
    .max(TRAY_MAX)
    .optional(),
  resultIds: z.array(ResultId).max(100),
  parentJobId: Uuid.optional(),
  parentResultId: ResultId.optional(),
  starred: z.boolean().optional(),
});
export type ManifestJob = z.infer<typeof ManifestJob>;

export const ManifestResult = z
  .object({
    id: ResultId,
    /** The job that made it (a job answered from the cache shows another job's results). */
    jobId: Uuid,
    index: z.number().int().min(0).max(99),
    mime: z.enum(RESULT_MIMES),
    width: Dimension.optional(),
    height: Dimension.optional(),
    createdAt: Timestamp,
    starred: z.boolean(),
    file: z.string().max(200),
  })
  .refine((r) => r.file === entryName('results', r.id, r.mime), { message: 'Unexpected file name', path: ['file'] });
export type ManifestResult = z.infer<typeof ManifestResult>;

export const ManifestSource = z.object({
  kind: z.enum(['page', 'file', 'drop', 'paste', 'screenshot', 'result']),
  // Shown as links in the panel: anything but http(s) is refused, so no script can ride in.
  url: HttpUrl.optional(),
  pageUrl: HttpUrl.optional(),
  pageTitle: z.string().max(500).optional(),
  name: z.string().max(255).optional(),
  jobId: Uuid.optional(),
  resultId: ResultId.optional(),
});
export type ManifestSource = z.infer<typeof ManifestSource>;

export const ManifestReference = z
  .object({
    id: Uuid,
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    mime: z.enum(REFERENCE_MIMES),
    width: Dimension,
    height: Dimension,
    createdAt: Timestamp,
    source: ManifestSource,
    file: z.string().max(200),
  })
  .refine((r) => r.file === entryName('references', r.id, r.mime), { message: 'Unexpected file name', path: ['file'] });
export type ManifestReference = z.infer<typeof ManifestReference>;

/**
 * A preset (utils/store/presets.ts): its tray names pictures in `references` by their export ids.
 * Names are shown as text; control characters, which no name saved here has, are refused.
 */
export const ManifestPreset = z.object({
  id: Uuid,
  name: z
    .string()
    .trim()
    .min(1)
    .max(PRESET_NAME_MAX)
    // eslint-disable-next-line no-control-regex -- refused, not matched
    .regex(/^[^\u0000-\u001f\u007f]*$/),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  prompt: z.string().max(10_000),
  modelId: ModelId,
  settings: GenerationSettings,
  references: z.array(ManifestReferenceUse).max(TRAY_MAX),
});
export type ManifestPreset = z.infer<typeof ManifestPreset>;

export const Manifest = z
  .object({
    format: z.literal(EXPORT_FORMAT),
    version: z.literal(EXPORT_VERSION),
    exportedAt: Timestamp,
    appVersion: z.string().max(50),
    jobs: z.array(ManifestJob).max(MAX_RECORDS),
    results: z.array(ManifestResult).max(MAX_RECORDS),
    references: z.array(ManifestReference).max(MAX_RECORDS),
    /** Exports of the whole history carry the presets; selections and files from before presets do not. */
    presets: z.array(ManifestPreset).max(PRESETS_MAX).optional(),
    /** Lineage links that point outside this export: parents that were not selected (or are gone). */
    missingParents: z.object({
      jobIds: z.array(Uuid).max(MAX_RECORDS),
      resultIds: z.array(ResultId).max(MAX_RECORDS),
    }),
  })
  .superRefine((m, ctx) => {
    for (const problem of inconsistencies(m)) ctx.addIssue({ code: 'custom', message: problem });
  });
export type Manifest = z.infer<typeof Manifest>;

/** Links the schema alone cannot check; an export made here never has any of these. */
function inconsistencies(m: Pick<Manifest, 'jobs' | 'results' | 'references' | 'presets'>): string[] {
  const problems: string[] = [];
  const duplicated = (ids: readonly string[]) => ids.length !== new Set(ids).size;
  if (duplicated(m.jobs.map((j) => j.id))) problems.push('A job is listed twice');
  if (duplicated(m.results.map((r) => r.id))) problems.push('A result is listed twice');
  // File names follow from ids (see entryName), so unique ids mean unique files.
  if (duplicated(m.references.map((r) => r.id))) problems.push('A reference is listed twice');
  if (duplicated((m.presets ?? []).map((p) => p.id))) problems.push('A preset is listed twice');
  const results = new Set(m.results.map((r) => r.id));
  const jobs = new Map(m.jobs.map((j) => [j.id, j]));
  if (m.jobs.some((j) => j.resultIds.some((id) => !results.has(id)) || duplicated(j.resultIds))) problems.push('A job lists a result that is not in the export');
  if (m.results.some((r) => !jobs.get(r.jobId)?.resultIds.includes(r.id))) problems.push('A result belongs to no job in the export');
  return problems;
}

/** Only the head of the manifest, so that a file from a newer version can be named as such. */
export const ManifestHead = z.object({ format: z.literal(EXPORT_FORMAT), version: z.number() });

function isHttpUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}
