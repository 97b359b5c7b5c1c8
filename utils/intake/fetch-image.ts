import { AppError } from '../errors';
import { BodyTooLarge, readCapped } from '../net/read-capped';
import { checkImageSource, imageCredentials, privateOrigin, type SourceCheck } from '../url-policy';
import { networkGuard, type ImageFetchGuard } from './network-guard';

const FETCH_TIMEOUT_MS = 25_000; // under the worker's 30 s single-fetch limit
export const MAX_IMAGE_BYTES = 40 * 1024 * 1024;

export interface FetchImageOptions {
  /** Injectable for tests; defaults to FETCH_TIMEOUT_MS (per request, and again for the body). */
  timeoutMs?: number;
  /**
   * Fetches `url` again with the page's origin as Referer (the worker installs a
   * declarativeNetRequest rule for it). Used only after a 401/403: most images need no Referer,
   * and this way even the page's origin goes only to sites that ask for it.
   */
  refererFetch?: (url: string, pageUrl: string, init: RequestInit) => Promise<Response>;
  /** The network guard (declarativeNetRequest rules); defaults to the worker's. Injectable for tests. */
  guard?: ImageFetchGuard;
}

const MB = 1024 * 1024;

/** Refusals where reading the image in the page instead would send the same request into a private network. */
const privateNetworkRefusals = new WeakSet<AppError>();

/** Whether `err` refused an image because it is, or leads, into a private network: don't retry it from the page. */
export function isPrivateNetworkRefusal(err: unknown): boolean {
  return err instanceof AppError && privateNetworkRefusals.has(err);
}

function refusalFrom(check: Extract<SourceCheck, { ok: false }>): AppError {
  if (check.reason === 'loopback' || check.reason === 'private_network') privateNetworkRefusals.add(check.error);
  return check.error;
}

/**
 * Downloads an image with the extension's own host permission (not through the page), after
 * checking that the address is one we are willing to fetch, and again after redirects. The
 * hops in between never reach a private address: the network guard's rules stop them in the
 * browser before they are sent, except the origin of a private page the user is on.
 *
 * Cookies go only to the page's own host, and never along a redirect: a request that carries
 * them does not follow redirects, and a redirect is then followed again without them.
 */
export async function fetchImage(url: string, ctx: { pageUrl?: string }, fetchFn: typeof fetch = fetch, opts: FetchImageOptions = {}): Promise<Blob> {
  const checked = checkImageSource(url, ctx);
  if (!checked.ok) throw refusalFrom(checked);
  const href = checked.url.href;
  const timeoutMs = opts.timeoutMs ?? FETCH_TIMEOUT_MS;
  if (checked.url.protocol === 'data:') return download(href, ctx, fetchFn, opts, timeoutMs);

  const guard = opts.guard ?? networkGuard;
  await guard.ready();
  // On an intranet page, the page's own origin is reachable for the length of this fetch (the
  // user is on that site); every other private address stays blocked, redirects included.
  const pageOrigin = privateOrigin(ctx.pageUrl);
  const release = pageOrigin ? await guard.allowOrigin(pageOrigin).catch(() => undefined) : undefined;
  try {
    return await download(href, ctx, fetchFn, opts, timeoutMs);
  } finally {
    await release?.();
  }
}

async function download(href: string, ctx: { pageUrl?: string }, fetchFn: typeof fetch, opts: FetchImageOptions, timeoutMs: number): Promise<Blob> {
  const deadline = new Deadline(timeoutMs);
  const credentials = href.startsWith('data:') ? 'omit' : imageCredentials(href, ctx.pageUrl);
  try {
    let res = await request((init) => fetchFn(href, init), { credentials, cache: 'force-cache' }, deadline, ctx);
    const pageUrl = ctx.pageUrl;
    const refererFetch = opts.refererFetch;
    if ((res.status === 401 || res.status === 403) && refererFetch && pageUrl && /^https?:/.test(href) && /^https?:/.test(pageUrl)) {
      await res.body?.cancel().catch(() => {});
      res = await request((init) => refererFetch(href, pageUrl, init), { credentials, cache: 'no-store' }, deadline, ctx);
    }

    if (res.status === 404 || res.status === 410) throw new AppError('not_found', `The image is no longer at that address (the site answered ${res.status}).`);
    if (res.status === 401 || res.status === 403) throw new AppError('source_refused', 'The site refused to send this image to the extension.');
    if (!res.ok) throw new AppError('source_refused', `The site failed to send the image (it answered with error ${res.status}).`);
    deadline.arm();
    return await readCapped(res, MAX_IMAGE_BYTES);
  } catch (err) {
    if (deadline.signal.aborted) throw new AppError('timed_out', 'The site took too long to send the image.', { cause: err });
    if (err instanceof AppError) throw err;
    if (err instanceof BodyTooLarge) {
      throw new AppError(
        'too_large',
        err.declared !== undefined
          ? `The image file is ${(err.declared / MB).toFixed(0)} MB; the limit is ${MAX_IMAGE_BYTES / MB} MB.`
          : `The image file is larger than ${MAX_IMAGE_BYTES / MB} MB.`,
        { cause: err },
      );
    }
    throw new AppError('source_refused', 'The site refused to send the image to the extension.', { cause: err });
  } finally {
    deadline.clear();
  }
}

/**
 * One request, cookies per `credentials`, redirects handled by hand: the first request never
 * follows one (so cookies never travel to the next address); a redirect is then fetched again
 * without cookies and followed, and its final address checked. A network error on that second
 * request means the chain led somewhere the browser didn't go: into the private network (the
 * guard's rules), or nowhere reachable.
 */
async function request(
  send: (init: RequestInit) => Promise<Response>,
  how: { credentials: RequestCredentials; cache: RequestCache },
  deadline: Deadline,
  ctx: { pageUrl?: string },
): Promise<Response> {
  deadline.arm();
  const first = await send({ signal: deadline.signal, cache: how.cache, credentials: how.credentials, redirect: 'manual' });
  if (first.type !== 'opaqueredirect') return checkFinal(first, ctx);
  deadline.arm();
  let followed: Response;
  try {
    followed = await send({ signal: deadline.signal, cache: how.cache, credentials: 'omit', redirect: 'follow' });
  } catch (err) {
    if (deadline.signal.aborted) throw err;
    const refusal = new AppError(
      'source_refused',
      'This image\u2019s address forwards to another one that the extension won\u2019t visit (it is on your own computer or private network) or can\u2019t reach. Save it and drag it into the panel instead.',
      { cause: err },
    );
    privateNetworkRefusals.add(refusal);
    throw refusal;
  }
  return checkFinal(followed, ctx);
}

function checkFinal(res: Response, ctx: { pageUrl?: string }): Response {
  if (res.redirected && res.url) {
    const final = checkImageSource(res.url, ctx);
    if (!final.ok) {
      void res.body?.cancel().catch(() => {});
      throw refusalFrom(final);
    }
  }
  return res;
}

/** One abort signal for a download, re-armed for each request and for the body. */
class Deadline {
  private readonly controller = new AbortController();
  private timer: ReturnType<typeof setTimeout> | undefined;
  readonly signal = this.controller.signal;

  constructor(private readonly ms: number) {}

  arm(): void {
    this.clear();
    this.timer = setTimeout(() => this.controller.abort(), this.ms);
  }

  clear(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
  }
}
