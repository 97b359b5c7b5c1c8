import { z } from 'zod';
import { ModelId } from './models';
import { SerializedError } from './errors';

/**
 * What the panel is working on: the current reference, prompt, model and settings. Persisted
 * so that closing and reopening the panel (or a worker restart) loses nothing.
 */
export const GenerationSettings = z.object({
  /** The panel's "Reference strength", 0 (loose) to 1 (follow closely); null = the route's default. */
  influence: z.number().min(0).max(1).nullable().catch(null),
  aspectRatio: z.string().max(20).nullable().catch(null),
  numImages: z.number().int().min(1).max(9).catch(1),
  /** Fixed seed, or null for a random one each time. */
  seed: z.number().int().min(0).max(2 ** 32 - 1).nullable().catch(null),
});
export type GenerationSettings = z.infer<typeof GenerationSettings>;

export const IntakeState = z.discriminatedUnion('status', [
  z.object({ status: z.literal('idle') }),
  z.object({ status: z.literal('loading'), sourceUrl: z.string().optional(), startedAt: z.number() }),
  z.object({ status: z.literal('error'), sourceUrl: z.string().optional(), error: SerializedError }),
]);
export type IntakeState = z.infer<typeof IntakeState>;

export const DraftRecord = z.object({
  id: z.literal('current'),
  referenceId: z.string().nullable(),
  intake: IntakeState,
  prompt: z.string().max(10_000),
  modelId: ModelId,
  settings: GenerationSettings,
  /** The reference in words, for models that cannot see images; editable by the user. */
  description: z.object({ referenceId: z.string(), text: z.string().max(2000) }).nullable().catch(null),
  /** The job whose results the panel shows first. */
  lastJobId: z.string().nullable(),
  updatedAt: z.number(),
});
export type DraftRecord = z.infer<typeof DraftRecord>;

export const DEFAULT_DRAFT: DraftRecord = {
  id: 'current',
  referenceId: null,
  intake: { status: 'idle' },
  prompt: '',
  modelId: 'flux-dev',
  settings: { influence: null, aspectRatio: null, numImages: 1, seed: null },
  description: null,
  lastJobId: null,
  updatedAt: 0,
};
