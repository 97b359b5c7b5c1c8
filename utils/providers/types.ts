import type { ProviderId, ReferenceRole, RouteSpec } from '../models';

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

/** One reference of the tray as sent: prepared for the route, with its role and mapped weight. */
export type PreparedReference = PreparedImage & { role?: ReferenceRole; weight?: number };

export interface GenerationInput {
  prompt: string;
  /** Null for text-only routes (the reference was described into the prompt instead). */
  image: PreparedImage | null;
  /**
   * Every reference the route uses (see referencePlan), in tray order; `image` is the first.
   * Absent where a caller built the input with one image only: read it with inputImages().
   */
  images?: PreparedReference[];
  /** Already mapped onto the route's own knob (see toRouteStrength). */
  strength?: number;
  aspectRatio?: string;
  numImages: number;
  seed?: number;
}

/** The references to send: `images`, or just `image` for inputs built before trays. */
export function inputImages(input: Pick<GenerationInput, 'image' | 'images'>): PreparedReference[] {
  if (input.images && input.images.length > 0) return input.images;
  return input.image ? [input.image] : [];
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

/**
 * What a finished job cost in US dollars: `reported` when the provider's own reply said so
 * (converted with its documented rate, e.g. BFL credits), `computed` when we worked it out from
 * usage the provider reported (tokens) and its published per-unit price.
 */
export interface JobCost {
  usd: number;
  source: 'reported' | 'computed';
}

export type SubmitOutcome =
  | { kind: 'submitted'; handle: ProviderHandle; queuePosition?: number }
  | { kind: 'done'; outputs: ProviderOutput[]; handle?: ProviderHandle; notice?: string; cost?: JobCost };

export type PollOutcome =
  /** `step`: how far the run is, where the provider counts steps (ComfyUI's sampler: 12 of 20). */
  | { kind: 'pending'; stage: 'queued' | 'running'; queuePosition?: number; step?: { value: number; max: number } }
  /** `notice`: something the user should know about the result (e.g. flagged images dropped). */
  | { kind: 'done'; outputs: ProviderOutput[]; notice?: string; cost?: JobCost };

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
  /**
   * For providers that take a job id chosen by the client (ComfyUI's `prompt_id`): a handle made
   * before the submit call. The engine stores it first and hands it to submit, so a worker
   * stopped during the submit looks the job up with poll() instead of giving it up or sending it
   * twice. poll() must then say clearly when the provider never received it.
   */
  reserveHandle?(): ProviderHandle;
  /**
   * With reserveHandle: a job the provider never received (poll() throws `not_found` for its
   * reserved handle) is sent again instead of failing. Only where a second send costs the user
   * nothing (ComfyUI runs on their own machine).
   */
  resendsUnreceived?: boolean;
  /**
   * Resolves when a channel the provider pushes on says the job has moved on (ComfyUI: its run
   * ended), so the engine polls at once instead of at its next interval. Undefined when there
   * is nothing to listen to; polling alone still finishes every job.
   */
  nextChange?(handle: ProviderHandle): Promise<void> | undefined;
  submit(route: RouteSpec, input: GenerationInput, ctx: ProviderContext, reserved?: ProviderHandle): Promise<SubmitOutcome>;
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
  /**
   * Every model the key can reach, from the provider's free discovery endpoint, for "Check my
   * models" to list. Only where the provider offers a catalogue worth showing (OpenRouter).
   */
  listModels?(ctx: ProviderContext): Promise<string[]>;
}
