import { z } from 'zod';
import { AppError, type ErrorKind } from '../errors';
import { BodyTooLarge, readCappedText } from '../net/read-capped';
import { RequestTimeout, timedFetch } from '../net/timed-fetch';
import type { ProviderContext } from './types';

/**
 * Shared plumbing for adapters: the one place a key is attached to a request (and refused for
 * any other origin), the time and size limits of every provider request, JSON reply parsing
 * with zod, and the HTTP-status part of error mapping.
 */

/**
 * How long one provider request may take, from sending it to the last byte of its reply, and
 * how large that reply may be. The timer covers reading the body: a reply whose body never
 * ends fails at the limit instead of holding its job (and its provider slot) forever.
 */
export interface RequestLimits {
  timeoutMs: number;
  maxReplyBytes: number;
}

const MB = 1024 * 1024;

/**
 * Small JSON replies (status, acknowledgements, errors, model lists) are a few KB; Google's
 * model list at 1000 a page is under 1 MB. 2 MB leaves room and bounds what a broken or hostile
 * server can make us hold.
 */
export const JSON_REPLY_MAX_BYTES = 2 * MB;
/**
 * Replies that carry the images themselves as base64 (OpenAI `b64_json`, Gemini `inlineData`,
 * BytePlus `b64_json`, imagine.art's raw bytes): up to four 4K PNGs of about 24 MB, a third
 * larger as base64. Everything else stays at JSON_REPLY_MAX_BYTES.
 */
export const IMAGE_REPLY_MAX_BYTES = 128 * MB;

/**
 * Limits by kind of call. An MV3 worker is stopped when one fetch takes over 30 s to answer
 * while nothing else keeps it alive (../shared/docs/platform-facts.md), so calls that should be
 * quick stay well under that and fail cleanly instead of dying with the worker:
 */
export const REQUEST_LIMITS = {
  /** GET, PUT, DELETE: status polls, result JSON, cancels, model lists. Answered in well under a second. */
  read: { timeoutMs: 15_000, maxReplyBytes: JSON_REPLY_MAX_BYTES },
  /** POST by default: key checks, describing a picture (a vision model writes a few sentences). */
  write: { timeoutMs: 25_000, maxReplyBytes: JSON_REPLY_MAX_BYTES },
  /**
   * A queue submit (fal, Replicate, BFL): uploads the reference (a data URI of a few MB, or a
   * Replicate file upload first) and answers with an id. Slow uplinks need more than 25 s;
   * the job engine keeps the worker alive while a job runs.
   */
  submit: { timeoutMs: 60_000, maxReplyBytes: JSON_REPLY_MAX_BYTES },
  /**
   * A synchronous generation (adapter mode `sync`: OpenAI edits, Ideogram, MiniMax, BytePlus,
   * imagine.art, Gemini): the provider makes the images inside the request. OpenAI documents
   * up to two minutes for complex gpt-image edits; 4K Gemini and Seedream images take about a
   * minute. The job engine keeps the worker alive meanwhile.
   */
  generate: { timeoutMs: 180_000, maxReplyBytes: IMAGE_REPLY_MAX_BYTES },
} as const satisfies Record<string, RequestLimits>;

/** A context that says which limits its requests get (the job engine sets them per step). */
export interface ProviderCallContext extends ProviderContext {
  limits?: RequestLimits;
}

/** The limits a request gets: the context's, else by method. */
export function limitsFor(ctx: ProviderContext, method: string | undefined): RequestLimits {
  const given = (ctx as ProviderCallContext).limits;
  if (given) return given;
  return (method ?? 'GET').toUpperCase() === 'POST' ? REQUEST_LIMITS.write : REQUEST_LIMITS.read;
}

/** What readJson needs to know about a reply that came through keyedFetch. */
const replies = new WeakMap<Response, { provider: string; maxReplyBytes: number }>();

/**
 * Sends a request with the provider's key, but only to the configured provider origin.
 * Providers hand back URLs (status, results) that we follow; a hostile or misconfigured reply
 * must not be able to make us send the key anywhere else. Every request gets a timeout that
 * also covers reading its body, and a size cap (see RequestLimits); both fail as AppErrors
 * naming the provider, wherever the body is read.
 */
export async function keyedFetch(
  ctx: ProviderContext,
  provider: string,
  url: string,
  init: RequestInit & { authHeader: [string, string] },
): Promise<Response> {
  if (!sameOrigin(url, ctx.baseUrl)) {
    throw new AppError('bad_reply', `${provider} pointed to ${safeHost(url)}, which is not its configured address; the key was not sent.`, { provider });
  }
  const headers = new Headers(init.headers);
  headers.set(init.authHeader[0], init.authHeader[1]);
  const { authHeader: _auth, ...rest } = init;
  return limitedFetch(ctx, provider, url, { ...rest, headers });
}

/**
 * A provider request without a key (fal's public model search), with the same limits and
 * error mapping as keyedFetch.
 */
export async function limitedFetch(ctx: ProviderContext, provider: string, url: string, init: RequestInit): Promise<Response> {
  const limits = limitsFor(ctx, init.method);
  const res = await timedFetch(ctx.fetch, url, { ...init, credentials: 'omit', redirect: 'error' }, {
    totalMs: limits.timeoutMs,
    maxBytes: limits.maxReplyBytes,
    signal: ctx.signal,
    // The caller's own abort is a cancel, whatever reason it was given.
    mapError: (err) => (ctx.signal?.aborted && err === ctx.signal.reason ? new AppError('canceled', 'Canceled.', { provider, cause: err }) : requestError(err, provider, limits.maxReplyBytes)),
  });
  replies.set(res, { provider, maxReplyBytes: limits.maxReplyBytes });
  return res;
}

/** A failed request or body read as an AppError that names the provider. */
export function requestError(err: unknown, provider: string, maxReplyBytes?: number): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof RequestTimeout) {
    const t = err.limitMs < 1000 ? `${err.limitMs} ms` : `${Math.round(err.limitMs / 1000)} s`;
    const what = err.phase === 'answer' ? `did not answer within ${t}` : err.phase === 'body' ? `did not finish its reply within ${t}` : `stopped sending its reply for ${t}`;
    return new AppError('timed_out', `${provider} ${what}.`, { provider, cause: err });
  }
  if (err instanceof BodyTooLarge) {
    const cap = maxReplyBytes ?? err.maxBytes;
    return new AppError('bad_reply', `${provider} sent a reply larger than ${formatBytes(cap)}; it was not read.`, { provider, cause: err });
  }
  if ((err instanceof DOMException || err instanceof Error) && err.name === 'AbortError') {
    return new AppError('canceled', 'Canceled.', { provider, cause: err });
  }
  return new AppError('network', `Could not reach ${provider}.`, { provider, cause: err });
}

function formatBytes(n: number): string {
  return n >= MB ? `${Math.round(n / MB)} MB` : `${Math.round(n / 1024)} KB`;
}

/** A base URL without trailing slashes, ready for `${base}/${path}`. */
export function stripEnd(url: string): string {
  return url.replace(/\/+$/, '');
}

export function sameOrigin(url: string, base: string): boolean {
  try {
    return new URL(url).origin === new URL(base).origin;
  } catch {
    return false;
  }
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'an invalid address';
  }
}

/**
 * A reply body as JSON (or as text when it is not JSON; null when empty), read as a stream and
 * stopped at the cap: the request's own cap for replies from keyedFetch, JSON_REPLY_MAX_BYTES
 * for any other (or `maxBytes` when given). Reading past the request's time limit, or past the
 * cap, fails with an AppError naming the provider.
 */
export async function readJson(res: Response, maxBytes?: number): Promise<unknown> {
  const known = replies.get(res);
  const cap = maxBytes ?? known?.maxReplyBytes ?? JSON_REPLY_MAX_BYTES;
  let text: string;
  try {
    text = await readCappedText(res, cap);
  } catch (err) {
    throw requestError(err, known?.provider ?? 'The provider', cap);
  }
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Parses a reply; a mismatch names the provider and the first offending field. */
export function parseReply<T extends z.ZodType>(provider: string, schema: T, body: unknown): z.infer<T> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue && issue.path.length ? issue.path.join('.') : 'body';
  throw new AppError('bad_reply', `${provider} sent an unexpected reply (field "${field}": ${issue?.message ?? 'invalid'}).`, { provider });
}

/**
 * A provider's "wait this long" hint may lengthen a wait but never shorten it below this:
 * `Retry-After: 0` taken literally turns one job into hundreds of requests a second with the
 * user's key.
 */
const MIN_RETRY_AFTER_MS = 1000;
/**
 * And never longer than this: any job's deadline is far shorter (the engine ends a job rather
 * than sleep past its deadline), and setTimeout overflows past 2^31 ms, about 24.8 days.
 */
export const MAX_RETRY_AFTER_MS = 24 * 60 * 60_000;

/** A wait hint (Retry-After, "try again in 20s", RetryInfo...) kept within the floor and the ceiling. */
export function clampRetryAfter(ms: number): number {
  if (Number.isNaN(ms)) return MIN_RETRY_AFTER_MS;
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(MIN_RETRY_AFTER_MS, ms));
}

/** Seconds or an HTTP date, as in Retry-After, clamped (clampRetryAfter); undefined when absent or unreadable. */
export function retryAfterMs(headers: Headers, now = Date.now()): number | undefined {
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^[+-]?\d+(\.\d+)?$/.test(value)) return clampRetryAfter(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : clampRetryAfter(date - now);
}

/** The status-code part of error mapping; adapters refine it with the provider's own codes. */
export function kindForStatus(status: number): ErrorKind {
  if (status === 401 || status === 403) return 'bad_key';
  if (status === 402) return 'out_of_credit';
  if (status === 400 || status === 404 || status === 413 || status === 422) return 'invalid_input';
  if (status === 429) return 'rate_limited';
  if (status === 408 || status === 504) return 'timed_out';
  return 'provider_down';
}

export function defaultMessage(kind: ErrorKind, provider: string): string {
  switch (kind) {
    case 'bad_key':
      return `${provider} did not accept the API key.`;
    case 'out_of_credit':
      return `Your ${provider} account is out of credit.`;
    case 'rate_limited':
      return `${provider} is limiting requests right now.`;
    case 'timed_out':
      return `${provider} took too long to answer.`;
    case 'provider_down':
      return `${provider} is having trouble.`;
    default:
      return `${provider} refused the request.`;
  }
}
