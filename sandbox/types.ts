// Types shared by the sandbox server and its provider handlers.
// Only erasable TypeScript here (no enums, no parameter properties) so the sandbox also runs
// under `node --experimental-strip-types` as well as tsx and vitest.
import type { IncomingHttpHeaders } from 'node:http';

/** Simulated latency of a queued job: time spent IN_QUEUE, then IN_PROGRESS. */
export interface Timing {
  queueMs: number;
  runMs: number;
  /** How long a result file URL stays downloadable after the job completes. */
  fileTtlMs: number;
  /**
   * Extra latency, for tests that need to act while a request is in flight: every provider
   * POST (a submit: the provider has already accepted the work when the wait starts) and every
   * result file download is answered this much later. Logged on arrival. Default 0.
   */
  submitDelayMs?: number;
  downloadDelayMs?: number;
}

/**
 * Make the next `times` (default 1) matching provider requests fail. `on` names the
 * provider operation; for fal it is 'submit' | 'status' | 'result' | 'cancel'.
 * Without `body`, the provider answers with its own documented error shape for `status`.
 */
export interface Fault {
  provider: string;
  on: string;
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  times?: number;
  /**
   * Shapes how the answer is sent, for timeout tests: 'headers' never answers at all (the
   * request stays open until the client gives up); 'body' sends the status, the headers and
   * the first half of the body, then nothing more, never ending the reply.
   */
  stall?: 'headers' | 'body';
  /**
   * Sends a body of exactly this many bytes, chunked (no Content-Length), 64 KiB at a time as
   * fast as the client reads: the answer's own body first, then filler (spaces after JSON,
   * zero bytes after anything else), so a JSON answer stays valid JSON however long it is.
   */
  streamBytes?: number;
}

export interface RecordedRequest {
  /** Epoch milliseconds. */
  at: number;
  method: string;
  /** Path and query as received, including the provider mount (e.g. `/fal/...`). */
  path: string;
  /** Lowercase header names; authorization is kept verbatim (this is a test sandbox). */
  headers: Record<string, string>;
  /** Parsed JSON body; for multipart forms `{ multipart: { field: text | { file, type, size } } }`; else null. */
  body: unknown;
  /** Provider name ('fal', ...), or 'files' for result downloads. */
  provider: string;
  /** For an answer shaped by a fault's `stall` or `streamBytes`: body bytes written so far (the client may have read fewer). */
  streamedBytes?: number;
  /** For a `streamBytes` answer: true once the server stopped writing (all sent, or the client went away). */
  streamEnded?: boolean;
  /**
   * For requests that carried reference images: how many, by role as the provider's fields tell
   * them apart (`content`, `style`, `character`), or `reference` where they do not.
   */
  referencesReceived?: Record<string, number>;
}

/** One request as a provider handler sees it. */
export interface ProviderRequest {
  method: string;
  /** Path below the mount point, always starting with '/': `/fal-ai/flux/dev`. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
  /** `http://host:port` taken from the Host header the request came in on. */
  origin: string;
  /** Mount prefix of this provider, e.g. `/fal`. */
  mount: string;
}

export interface ProviderResponse {
  status: number;
  headers?: Record<string, string>;
  /** Serialised as JSON when present; no body otherwise. */
  json?: unknown;
  /** Raw bytes (sent as is, with `headers` giving the Content-Type); used when `json` is absent. */
  body?: Buffer;
  /** Copied onto the request's record (see RecordedRequest.referencesReceived); not sent. */
  referencesReceived?: Record<string, number>;
}

interface StoredFile {
  id: string;
  url: string;
}

/** What the server offers every provider handler. */
export interface SandboxServices {
  now(): number;
  /** Current timing; handlers snapshot it per job so later changes do not rewrite history. */
  timing(): Timing;
  /** Take (and count down) the next fault for this provider operation, if any. */
  takeFault(provider: string, on: string): Fault | undefined;
  /** Keep a PNG downloadable at `${origin}/files/{id}.png` from `availableAt` for the TTL. */
  storeFile(png: Buffer, origin: string, availableAt: number, ttlMs: number): StoredFile;
  deleteFile(id: string): void;
  /**
   * Whether `model` was retired at `provider` through the control (`POST /__sandbox/retire`,
   * `sandbox.retire()`). A handler must then answer for that model exactly as its provider
   * answers for an id it no longer has (each provider's shape is in its own file), and leave it
   * out of any model listing. `model` is the id as it appears on the wire (fal: the endpoint id;
   * Replicate: `owner/name`; the others: the `model` field or path segment).
   */
  isRetired(provider: string, model: string): boolean;
  /**
   * The origin the ComfyUI stand-in was told to allow (as `--enable-cors-header <origin>`):
   * with one, it skips ComfyUI's Origin check; without, it answers 403 like ComfyUI does.
   */
  comfyuiAllowOrigin?(): string | undefined;
}

export interface ProviderHandler {
  handle(req: ProviderRequest): Promise<ProviderResponse>;
  /** Forget every job (the server clears files, faults and the request log itself). */
  reset(): void;
}

export type ProviderFactory = (services: SandboxServices) => ProviderHandler;
