import type { AppError } from '../errors';
import type { ProviderId, RouteSpec } from '../models';

/**
 * The one interface every provider adapter implements. Adapters are pure request/reply
 * translators: `fetch` is injected, nothing here touches storage, and every reply is parsed
 * with zod so a change at the provider becomes one clear error.
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

export interface ProviderContext {
  fetch: typeof fetch;
  /** Where requests go; the key is only ever sent to this origin. */
  baseUrl: string;
  key: string;
  signal?: AbortSignal;
}

/** What an adapter needs to find a submitted job again after a worker restart. JSON only. */
export type ProviderHandle = Record<string, string>;

export type ProviderOutput =
  | { kind: 'url'; url: string; mime?: string; width?: number; height?: number }
  | { kind: 'blob'; blob: Blob; width?: number; height?: number };

export type SubmitOutcome =
  | { kind: 'submitted'; handle: ProviderHandle; queuePosition?: number }
  | { kind: 'done'; outputs: ProviderOutput[]; handle?: ProviderHandle };

export type PollOutcome =
  | { kind: 'pending'; stage: 'queued' | 'running'; queuePosition?: number }
  | { kind: 'done'; outputs: ProviderOutput[] };

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
}

export type { AppError };
