// zod/mini: these schemas are shared with the panel, which must stay small (issue 13).
import * as z from 'zod/mini';

/**
 * The small set of failures the UI understands. Every provider, intake and storage error is
 * mapped onto one of these so that the panel can say what happened and what to do next.
 */
export const ErrorKind = z.enum([
  'no_key',
  'bad_key',
  'out_of_credit',
  'rate_limited',
  'invalid_input',
  'moderated',
  'provider_down',
  'timed_out',
  'network',
  'bad_reply',
  'may_have_been_charged',
  /** The provider says this model or endpoint does not exist (retired, renamed, not enabled). */
  'route_unavailable',
  'canceled',
  'not_found',
  'not_an_image',
  'unsupported_format',
  'too_large',
  'source_refused',
  'storage_full',
  'internal',
]);
export type ErrorKind = z.infer<typeof ErrorKind>;

/** The shape an error takes when it crosses a message boundary or is stored on a job. */
export const SerializedError = z.object({
  kind: ErrorKind,
  message: z.string(),
  provider: z.optional(z.string()),
  retryAfterMs: z.optional(z.number().check(z.nonnegative())),
  /** For route_unavailable: the route that answered so. */
  routeId: z.optional(z.string()),
});
export type SerializedError = z.infer<typeof SerializedError>;

export class AppError extends Error {
  readonly kind: ErrorKind;
  readonly provider?: string;
  readonly retryAfterMs?: number;
  readonly routeId?: string;

  constructor(kind: ErrorKind, message: string, opts: { provider?: string; retryAfterMs?: number; routeId?: string; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.name = 'AppError';
    this.kind = kind;
    this.provider = opts.provider;
    this.retryAfterMs = opts.retryAfterMs;
    this.routeId = opts.routeId;
  }

  toJSON(): SerializedError {
    return {
      kind: this.kind,
      message: this.message,
      ...(this.provider ? { provider: this.provider } : {}),
      ...(this.retryAfterMs !== undefined ? { retryAfterMs: this.retryAfterMs } : {}),
      ...(this.routeId ? { routeId: this.routeId } : {}),
    };
  }
}

/** Turns anything thrown into an AppError without leaking stack traces or "undefined" to users. */
export function toAppError(err: unknown, fallbackKind: ErrorKind = 'internal'): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof DOMException && err.name === 'QuotaExceededError') {
    return new AppError('storage_full', 'The browser has no room left for this extension\u2019s images.', { cause: err });
  }
  if (err instanceof DOMException && err.name === 'AbortError') {
    return new AppError('canceled', 'Canceled.', { cause: err });
  }
  if (err instanceof TypeError && /fetch|network/i.test(err.message)) {
    return new AppError('network', 'The network request failed.', { cause: err });
  }
  const text = err instanceof Error && err.message ? err.message : 'Something went wrong.';
  return new AppError(fallbackKind, text, { cause: err });
}

/** Whether retrying the same request later can help. */
export function isTransient(kind: ErrorKind): boolean {
  return kind === 'rate_limited' || kind === 'provider_down' || kind === 'network';
}
