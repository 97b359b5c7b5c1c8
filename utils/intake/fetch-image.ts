import { AppError } from '../errors';
import { checkImageSource } from '../url-policy';

export const FETCH_TIMEOUT_MS = 25_000; // under the worker's 30 s single-fetch limit
export const MAX_IMAGE_BYTES = 40 * 1024 * 1024;

export interface FetchImageOptions {
  /** Injectable for tests; defaults to FETCH_TIMEOUT_MS. */
  timeoutMs?: number;
  /**
   * Fetches `url` again with `pageUrl` as Referer (the worker installs a declarativeNetRequest
   * rule for it). Used only after a 401/403: most images need no Referer, and this way the page
   * address goes only to sites that ask for it.
   */
  refererFetch?: (url: string, pageUrl: string, init: RequestInit) => Promise<Response>;
}

/**
 * Downloads an image with the extension's own host permission (not through the page), after
 * checking that the address is one we are willing to fetch, and again after redirects.
 */
export async function fetchImage(url: string, ctx: { pageUrl?: string }, fetchFn: typeof fetch = fetch, opts: FetchImageOptions = {}): Promise<Blob> {
  const checked = checkImageSource(url, ctx);
  if (!checked.ok) throw checked.error;
  const href = checked.url.href;
  const timeoutMs = opts.timeoutMs ?? FETCH_TIMEOUT_MS;

  let res = await withTimeout(timeoutMs, (signal) => fetchFn(href, { signal, credentials: 'include', cache: 'force-cache' }));
  checkRedirect(res, ctx);
  if ((res.status === 401 || res.status === 403) && opts.refererFetch && ctx.pageUrl && /^https?:/.test(href) && /^https?:/.test(ctx.pageUrl)) {
    const refererFetch = opts.refererFetch;
    const pageUrl = ctx.pageUrl;
    res = await withTimeout(timeoutMs, (signal) => refererFetch(href, pageUrl, { signal, credentials: 'include', cache: 'no-store' }));
    checkRedirect(res, ctx);
  }

  if (res.status === 404 || res.status === 410) throw new AppError('not_found', `The image is no longer at that address (the site answered ${res.status}).`);
  if (res.status === 401 || res.status === 403) throw new AppError('source_refused', 'The site refused to send this image to the extension.');
  if (!res.ok) throw new AppError('source_refused', `The site failed to send the image (it answered with error ${res.status}).`);
  const length = Number(res.headers.get('content-length') ?? 0);
  if (length > MAX_IMAGE_BYTES) throw new AppError('too_large', `The image file is ${(length / 1048576).toFixed(0)} MB; the limit is ${MAX_IMAGE_BYTES / 1048576} MB.`);
  const blob = await res.blob();
  if (blob.size > MAX_IMAGE_BYTES) throw new AppError('too_large', `The image file is larger than ${MAX_IMAGE_BYTES / 1048576} MB.`);
  return blob;
}

async function withTimeout(ms: number, run: (signal: AbortSignal) => Promise<Response>): Promise<Response> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), ms);
  try {
    return await run(controller.signal);
  } catch (err) {
    if (controller.signal.aborted) throw new AppError('timed_out', 'The site took too long to send the image.', { cause: err });
    if (err instanceof AppError) throw err;
    throw new AppError('source_refused', 'The site refused to send the image to the extension.', { cause: err });
  } finally {
    clearTimeout(timer);
  }
}

function checkRedirect(res: Response, ctx: { pageUrl?: string }): void {
  if (res.redirected && res.url) {
    const final = checkImageSource(res.url, ctx);
    if (!final.ok) throw final.error;
  }
}
