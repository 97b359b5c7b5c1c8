// zod/mini: these schemas are shared with the panel, which must stay small (issue 13).
import * as z from 'zod/mini';
import { ModelId, ProviderId, ReferenceRole, type ImageMime } from '../models';
import { SerializedError } from '../errors';
import type { JobCost, ProviderHandle, ProviderOutput } from '../providers/types';
import type { UnusedReference } from '../reference-plan';

/**
 * Every record kind the extension keeps in IndexedDB, in one place: the schema
 * (utils/store/schema.ts) stores these, and one store module per kind (references, results,
 * drafts, history) reads and writes them.
 */

// ---- References ----
/** Where a reference image came from; shown in the panel under the thumbnail. */
export interface ReferenceSource {
  kind: 'page' | 'file' | 'drop' | 'paste' | 'screenshot' | 'result';
  /** The image's own address, when it had one. */
  url?: string;
  /** The page the user found it on. */
  pageUrl?: string;
  pageTitle?: string;
  /** File name for uploads. */
  name?: string;
  /** For kind 'result': the job that produced it. */
  jobId?: string;
  /** For kind 'result': the result itself (lineage: which image a generation grew from). */
  resultId?: string;
}

/** A normalised reference image, stored once and passed around by id. */
export interface ReferenceRecord {
  id: string;
  createdAt: number;
  /** Normalised bytes (oriented, capped in size), ready to be prepared for any route. */
  blob: Blob;
  mime: ImageMime;
  width: number;
  height: number;
  /** Small preview for the panel. */
  thumb: Blob;
  /** Hex SHA-256 of `blob`: part of the cache key, and de-duplicates repeated intake. */
  sha256: string;
  source: ReferenceSource;
}

// ---- Results ----
/** One generated image, downloaded into IndexedDB as soon as the provider made it. */
export interface ResultRecord {
  id: string;
  jobId: string;
  /** Position within the job's outputs. */
  index: number;
  blob: Blob;
  mime: ImageMime | string;
  width?: number;
  height?: number;
  createdAt: number;
  /** Updated whenever the result is served (cache hit or shown); drives eviction order. */
  lastUsedAt: number;
  /** Starred results are never evicted. */
  starred: boolean;
  /** A small preview (longest side 256 px) for grids and lists, which never load full images. */
  thumb?: Blob;
}

/**
 * One reference in the tray, in order: which stored reference, and what it is for. `role` and
 * `weight` are the user's choice; a route that does not tell roles apart uses it as a plain
 * reference (utils/reference-plan.ts says which are used and how).
 */
export const ReferenceUse = z.object({
  referenceId: z.string().check(z.minLength(1), z.maxLength(200)),
  role: z.optional(ReferenceRole),
  /** 0 (a hint) to 1 (follow closely); absent = the route's default. */
  weight: z.optional(z.number().check(z.minimum(0), z.maximum(1))),
});
export type ReferenceUse = z.infer<typeof ReferenceUse>;

/** The most references a tray holds (the largest any route takes: OpenAI's gpt-image edits). */
export const TRAY_MAX = 16;

// ---- Drafts ----
/**
 * What the panel is working on: the current reference, prompt, model and settings. Persisted
 * so that closing and reopening the panel (or a worker restart) loses nothing.
 */
export const GenerationSettings = z.object({
  /** The panel's "Reference strength", 0 (loose) to 1 (follow closely); null = the route's default. */
  influence: z.catch(z.nullable(z.number().check(z.minimum(0), z.maximum(1))), null),
  aspectRatio: z.catch(z.nullable(z.string().check(z.maxLength(20))), null),
  numImages: z.catch(z.int().check(z.minimum(1), z.maximum(9)), 1),
  /** Fixed seed, or null for a random one each time. */
  seed: z.catch(z.nullable(z.int().check(z.minimum(0), z.maximum(2 ** 32 - 1))), null),
});
export type GenerationSettings = z.infer<typeof GenerationSettings>;

const IntakeState = z.discriminatedUnion('status', [
  z.object({ status: z.literal('idle') }),
  z.object({ status: z.literal('loading'), sourceUrl: z.optional(z.string()), startedAt: z.number() }),
  z.object({ status: z.literal('error'), sourceUrl: z.optional(z.string()), error: SerializedError }),
]);
type IntakeState = z.infer<typeof IntakeState>;

/** One "Describe this image": `id` tells runs apart, so a finished older one never overwrites a newer one. */
export const DescribeState = z.object({
  id: z.string().check(z.maxLength(64)),
  /** Absent while a page image is still being fetched. */
  referenceId: z.optional(z.string()),
  status: z.enum(['working', 'done', 'error']),
  /** The vision provider asked (known before it answers, for "Describing with …"). */
  provider: z.optional(ProviderId),
  text: z.optional(z.string().check(z.maxLength(2000))),
  error: z.optional(SerializedError),
  startedAt: z.number(),
});
export type DescribeState = z.infer<typeof DescribeState>;

export const DraftRecord = z.object({
  id: z.literal('current'),
  /** The image prompt: the first reference of the tray (kept for everything that takes one). */
  referenceId: z.nullable(z.string()),
  /**
   * The whole tray in order, the image prompt first. Empty on drafts from before trays: then
   * the tray is just `referenceId` (see trayOf).
   */
  references: z.catch(z.array(ReferenceUse).check(z.maxLength(TRAY_MAX)), []),
  intake: IntakeState,
  prompt: z.string().check(z.maxLength(10_000)),
  modelId: ModelId,
  settings: GenerationSettings,
  /** The reference in words, for models that cannot see images; editable by the user. */
  description: z.catch(z.nullable(z.object({ referenceId: z.string(), text: z.string().check(z.maxLength(2000)) })), null),
  /**
   * "Describe this image" (menu or panel button): a reference turned into editable words by a
   * vision model, kept here so a panel that opens after the work finished still shows it.
   * Optional so drafts (and fixtures) from before it stay valid.
   */
  describe: z.optional(z.catch(z.nullable(DescribeState), null)),
  updatedAt: z.number(),
});
export type DraftRecord = z.infer<typeof DraftRecord>;

export const DEFAULT_DRAFT: DraftRecord = {
  id: 'current',
  referenceId: null,
  references: [],
  intake: { status: 'idle' },
  prompt: '',
  modelId: 'flux-dev',
  settings: { influence: null, aspectRatio: null, numImages: 1, seed: null },
  description: null,
  updatedAt: 0,
};

// ---- Jobs ----
/**
 * A generation job is a persisted state machine. Every state is written to IndexedDB before
 * the step it names starts, so a worker that stops at any moment can be resumed from the
 * record alone:
 *
 *   queued -> submitting -> submitted -> polling -> downloading -> done
 *                                                  \-> failed | canceled | timed_out
 */
export const JOB_STATES = ['queued', 'submitting', 'submitted', 'polling', 'downloading', 'done', 'failed', 'canceled', 'timed_out'] as const;
export type JobState = (typeof JOB_STATES)[number];
const TERMINAL_STATES: readonly JobState[] = ['done', 'failed', 'canceled', 'timed_out'];
export const isTerminal = (s: JobState) => TERMINAL_STATES.includes(s);

/** What the panel asks for; validated at the worker. */
export const JobRequest = z.object({
  prompt: z.string().check(z.trim(), z.minLength(1, 'Write a prompt first.'), z.maxLength(10_000)),
  /** The image prompt: the first reference of the tray, or null for none. */
  referenceId: z.nullable(z.string().check(z.minLength(1))),
  /**
   * Every reference of the tray in order, the image prompt first, each with its role and
   * weight. Absent or empty = just `referenceId` (requests from before trays). All of it is part of the
   * cache key: changing any reference, role or weight is a new generation.
   */
  references: z.optional(z.array(ReferenceUse).check(z.maxLength(TRAY_MAX))),
  modelId: ModelId,
  settings: GenerationSettings,
  /** True for "New variation": skip the cache and always run a fresh job. */
  fresh: z._default(z.boolean(), false),
  /**
   * For models that cannot see images: the reference in words, as the user saw and perhaps
   * edited it. Null lets the worker describe the reference itself.
   */
  description: z._default(z.nullable(z.string().check(z.trim(), z.maxLength(2000))), null),
  /**
   * Compare: the jobs of one run share this id and are shown side by side. Not part of the
   * cache key (the same inputs on the same model are the same generation).
   */
  runId: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
  /** Compare: this job's place among the models chosen (jobs may be created in the same millisecond). */
  runIndex: z.optional(z.int().check(z.minimum(0), z.maximum(5))),
});
export type JobRequest = z.infer<typeof JobRequest>;

export interface JobRecord {
  id: string;
  createdAt: number;
  updatedAt: number;
  state: JobState;
  request: JobRequest;
  routeId: string;
  provider: ProviderId;
  /** The model id sent to the provider (the route's, or the user's override), shown on results. */
  model?: string;
  /** Same inputs, same key: a finished job with this key answers without a provider request. */
  cacheKey: string;
  /** Set when this job was answered from the cache: the job that made the results. */
  cachedFrom?: string;
  /** The provider's id and URLs, stored before anything waits on them. */
  handle?: ProviderHandle;
  /**
   * A handle chosen before the submit call, for providers that take the job's id from us
   * (ProviderAdapter.reserveHandle): a job stopped while submitting is looked up with it.
   */
  reservedHandle?: ProviderHandle;
  /**
   * The handle is the reserved one of a submit whose answer the worker did not see (it was
   * stopped): the provider may never have received the job. Cleared once a poll finds it.
   */
  lookingUp?: boolean;
  /** Live progress for the panel; `step` where the provider counts steps (ComfyUI: 12 of 20). */
  progress?: { stage: 'queued' | 'running'; queuePosition?: number; step?: { value: number; max: number } };
  /** Outputs still to download (URLs expire, so this happens as soon as they exist). */
  outputs?: ProviderOutput[];
  resultIds: string[];
  /** Transient-failure retries used so far. */
  attempts: number;
  /** When a retry may run (after backoff or Retry-After). */
  notBefore?: number;
  /** Past this time the job is given up as timed_out. */
  deadlineAt: number;
  /** When the submit call started: evidence that a request may have reached the provider. */
  submitStartedAt?: number;
  /** The seed sent (the user's, or the random one chosen for this job), when the route takes one. */
  seed?: number;
  /** For routes that describe the reference instead of sending it: the words used. */
  description?: string;
  /** Tray references the route could not use, and why (set at enqueue; absent when all were used). */
  unusedReferences?: UnusedReference[];
  /** Something the user should know about a finished job (e.g. images the safety checker dropped). */
  notice?: string;
  error?: SerializedError;
  /**
   * Lineage, captured at enqueue: the result this job's image prompt was made from (when the
   * user iterated on a result), and that result's job.
   */
  parentResultId?: string;
  parentJobId?: string;
  /** True while any of this job's results is starred (kept with the star, for history filters). */
  starred?: boolean;
  /**
   * What the provider charged, when it said so (or we computed it from the usage it reported).
   * Absent when unknown, and on cache hits, which cost nothing.
   */
  cost?: JobCost;
}

// ---- Presets ----
/** A preset's name: what the user typed, trimmed; at most this long. */
export const PRESET_NAME_MAX = 80;
/** How many presets the store (and an export) holds at most: far more than a list can show usefully. */
export const PRESETS_MAX = 1000;

/**
 * A named set of what the Create tab holds: prompt, model, settings and the tray (ids of stored
 * references, in order, with roles and weights). Applying one writes all of it to the draft at once.
 */
export const PresetRecord = z.object({
  id: z.string().check(z.minLength(1), z.maxLength(64)),
  name: z.string().check(z.trim(), z.minLength(1), z.maxLength(PRESET_NAME_MAX)),
  createdAt: z.number(),
  updatedAt: z.number(),
  prompt: z.string().check(z.maxLength(10_000)),
  modelId: ModelId,
  settings: GenerationSettings,
  references: z.array(ReferenceUse).check(z.maxLength(TRAY_MAX)),
});
export type PresetRecord = z.infer<typeof PresetRecord>;
