import { z } from 'zod';
import { AppError, type ErrorKind } from '../errors';
import type { ProviderContext } from './types';

/**
 * Shared plumbing for adapters: the one place a key is attached to a request (and refused for
 * any other origin), JSON reply parsing with zod, and the HTTP-status part of error mapping.
 */

/**
 * Sends a request with the provider's key, but only to the configured provider origin.
 * Providers hand back URLs (status, results) that we follow; a hostile or misconfigured reply
 * must not be able to make us send the key anywhere else.
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
  try {
    return await ctx.fetch(url, { ...rest, headers, signal: ctx.signal, credentials: 'omit', redirect: 'error' });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw new AppError('canceled', 'Canceled.', { provider });
    throw new AppError('network', `Could not reach ${provider}.`, { provider, cause: err });
  }
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

export async function readJson(res: Response): Promise<unknown> {
  const text = await res.text();
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

/** Seconds or an HTTP date, as in Retry-After; undefined when absent or unreadable. */
export function retryAfterMs(headers: Headers, now = Date.now()): number | undefined {
  const value = headers.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
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
