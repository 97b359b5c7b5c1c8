import { AppError } from '../errors';
import { checkImageSource } from '../url-policy';

const TIMEOUT_MS = 25_000; // under the worker's 30 s single-fetch limit
const MAX_BYTES = 40 * 1024 * 1024;

/**
 * Downloads an image with the extension's own host permission (not through the page), after
 * checking that the address is one we are willing to fetch, and again after redirects.
 */
export async function fetchImage(url: string, ctx: { pageUrl?: string }, fetchFn: typeof fetch = fetch): Promise<Blob> {
  const checked = checkImageSource(url, ctx);
  if (!checked.ok) throw checked.error;

  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
  let res: Response;
  try {
    res = await fetchFn(checked.url.href, { signal: controller.signal, credentials: 'include', cache: 'force-cache' });
  } catch (err) {
    clearTimeout(timer);
    if (controller.signal.aborted) throw new AppError('timed_out', 'The site took too long to send the image.', { cause: err });
    throw new AppError('source_refused', 'The site refused to send the image to the extension.', { cause: err });
  }
  clearTimeout(timer);

  if (res.redirected && res.url) {
    const final = checkImageSource(res.url, ctx);
    if (!final.ok) throw final.error;
  }
  if (res.status === 404 || res.status === 410) throw new AppError('not_found', 'The image is no longer at that address.');
  if (res.status === 401 || res.status === 403) throw new AppError('source_refused', 'This site blocks image downloads from other places.');
  if (!res.ok) throw new AppError('source_refused', `The site answered with an error (HTTP ${res.status}).`);
  const length = Number(res.headers.get('content-length') ?? 0);
  if (length > MAX_BYTES) throw new AppError('too_large', `The image file is ${(length / 1048576).toFixed(0)} MB; the limit is ${MAX_BYTES / 1048576} MB.`);
  const blob = await res.blob();
  if (blob.size > MAX_BYTES) throw new AppError('too_large', `The image file is larger than ${MAX_BYTES / 1048576} MB.`);
  return blob;
}
