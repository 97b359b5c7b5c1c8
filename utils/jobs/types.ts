import { z } from 'zod';
import { ModelId, ProviderId } from '../models';
import type { SerializedError } from '../errors';
import type { ProviderHandle, ProviderOutput } from '../providers/types';
import { GenerationSettings } from '../draft';

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
export const TERMINAL_STATES: readonly JobState[] = ['done', 'failed', 'canceled', 'timed_out'];
export const isTerminal = (s: JobState) => TERMINAL_STATES.includes(s);

/** What the panel asks for; validated at the worker. */
export const JobRequest = z.object({
  prompt: z.string().trim().min(1, 'Write a prompt first.').max(10_000),
  referenceId: z.string().min(1).nullable(),
  modelId: ModelId,
  settings: GenerationSettings,
  /** True for "New variation": skip the cache and always run a fresh job. */
  fresh: z.boolean().default(false),
  /**
   * For models that cannot see images: the reference in words, as the user saw and perhaps
   * edited it. Null lets the worker describe the reference itself.
   */
  description: z.string().trim().max(2000).nullable().default(null),
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
  /** Live progress for the panel. */
  progress?: { stage: 'queued' | 'running'; queuePosition?: number };
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
  /** For routes that describe the reference instead of sending it: the words used. */
  description?: string;
  /** Something the user should know about a finished job (e.g. images the safety checker dropped). */
  notice?: string;
  error?: SerializedError;
}
