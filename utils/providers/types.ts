import type { ProviderId, RouteSpec } from '../models';

/**
 * The one interface every provider adapter implements. Adapters are pure request/reply
 * translators: `fetch` is injected, nothing here touches storage, and every reply is parsed
 * with zod so a change at the provider becomes one clear error.
 *
 * Route facts (field names, sizes, seed range, limits) live on the route in utils/catalogue.ts;
 * an adapter reads them from there and puts the effective model id on the wire with
 * wireModel(route), so that a user's override of the model id needs no code change.
 */

/** The reference as prepared for a route (format, size and bytes already within its limits). */
export interface PreparedImage {
  blob: Blob;
  mime: string;
  width: number;
  height: number;
}

export interface GenerationInput {
  prompt: string;
  /** Null for text-only routes (the reference was described into the prompt instead). */
  image: PreparedImage | null;
  /** Already mapped onto the route's own knob (see toRouteStrength). */
  strength?: number;
  aspectRatio?: string;
  numImages: number;
  seed?: number;
}

/** Where a provider's requests go and with which key. */
export interface ProviderTarget {
  /** Where requests go; the key is only ever sent to this origin. */
  baseUrl: string;
  key: string;
}

export interface ProviderContext extends ProviderTarget {
  fetch: typeof fetch;
  signal?: AbortSignal;
}

/** What an adapter needs to find a submitted job again after a worker restart. JSON only. */
export type ProviderHandle = Record<string, string>;

export type ProviderOutput =
  | { kind: 'url'; url: string; mime?: string; width?: number; height?: number }
  | { kind: 'blob'; blob: Blob; width?: number; height?: number };

export type SubmitOutcome =
  | { kind: 'submitted'; handle: ProviderHandle; queuePosition?: number }
  | { kind: 'done'; outputs: ProviderOutput[]; handle?: ProviderHandle; notice?: string };

export type PollOutcome =
  | { kind: 'pending'; stage: 'queued' | 'running'; queuePosition?: number }
  /** `notice`: something the user should know about the result (e.g. flagged images dropped). */
  | { kind: 'done'; outputs: ProviderOutput[]; notice?: string };

/** What a free model lookup found for one model id (`deprecated`: listed, with a shutdown coming). */
export type ModelPresence = 'present' | 'deprecated' | 'missing';

interface DescribeRequest {
  image: PreparedImage;
  /** What to write about the picture. */
  instruction: string;
  /** Upper bound on the answer's length, in tokens where the provider counts them. */
  maxTokens: number;
  sleep: (ms: number) => Promise<void>;
}

export interface ProviderAdapter {
  id: ProviderId;
  /**
   * `queue`: submit answers at once with an id to poll. `sync`: the submit call itself does
   * the work, so a worker that dies during it cannot know whether it was charged.
   */
  mode: 'queue' | 'sync';
  submit(route: RouteSpec, input: GenerationInput, ctx: ProviderContext): Promise<SubmitOutcome>;
  poll(route: RouteSpec, handle: ProviderHandle, ctx: ProviderContext): Promise<PollOutcome>;
  cancel?(route: RouteSpec, handle: ProviderHandle, ctx: ProviderContext): Promise<void>;
  /** A cheap authenticated call; resolves when the key works, throws an AppError otherwise. */
  testKey(ctx: ProviderContext): Promise<void>;
  /** Turns a picture into words with the provider's vision model (for routes that cannot see). */
  describe?(request: DescribeRequest, ctx: ProviderContext): Promise<string>;
  /**
   * Whether each model id still exists, using only the provider's free listing or lookup
   * endpoints. Absent where the provider has none: a check must never make a paid call.
   */
  checkModels?(models: readonly string[], ctx: ProviderContext): Promise<Record<string, ModelPresence>>;
}
