import { AppError } from '../errors';
import { sniffImage, type ImageFormat } from '../image/sniff';
import { makeThumbnail } from '../image/thumbnail';
import { readCapped } from '../net/read-capped';
import { timedFetch } from '../net/timed-fetch';
import { requestError, retryAfterMs } from '../providers/http';
import type { ProviderOutput } from '../providers/types';

/** The largest result we keep: far above any provider's 4K output (a 4K PNG is about 25 MB). */
export const MAX_RESULT_BYTES = 80 * 1024 * 1024;

/**
 * Time limits of one result download. Results come from CDNs and start at once; a download
 * that goes silent (no byte) for 20 s is stuck, whatever its size. The whole file may take
 * longer (80 MB on a slow line): the job engine keeps the worker alive while it runs, and the
 * job's own deadline bounds the retries.
 */
export const DOWNLOAD_LIMITS = { silenceMs: 20_000, totalMs: 5 * 60_000 } as const;

/** Raster formats a result may be in: those every supported browser shows in an <img>. */
const SHOWABLE: ReadonlySet<ImageFormat> = new Set(['jpeg', 'png', 'webp', 'gif', 'avif']);

/** How many leading bytes identify a result (AVIF's `ftyp` box and brands sit in the first few dozen). */
const SNIFF_BYTES = 64 * 1024;

/** One downloaded result: the checked bytes, their sniffed MIME and, when it could be made, a preview. */
export interface DownloadedResult {
  blob: Blob;
  mime: string;
  /** Longest side 256 px; absent when the preview could not be made (the result is kept all the same). */
  thumb?: Blob;
}

/**
 * Fetches one generated image. Result URLs are public, short-lived links (often on a CDN),
 * so no key is ever sent with them. The body is read as a stream, stopped at MAX_RESULT_BYTES,
 * and the bytes decide what it is: a page, an SVG or anything else that is not a raster image
 * we can show is refused whatever its Content-Type says, and the MIME stored is the sniffed one.
 */
export async function downloadOutput(
  output: ProviderOutput,
  fetchFn: typeof fetch,
  signal: AbortSignal,
  provider: string,
  thumbnail: (blob: Blob) => Promise<Blob> = makeThumbnail,
): Promise<DownloadedResult> {
  return withThumbnail(await fetchOutput(output, fetchFn, signal, provider), thumbnail);
}

/**
 * A preview is a convenience: when the browser cannot make one (a format its canvas cannot
 * draw, no OffscreenCanvas), the result is saved without it and the panel makes one later.
 */
async function withThumbnail(image: { blob: Blob; mime: string }, thumbnail: (blob: Blob) => Promise<Blob>): Promise<DownloadedResult> {
  try {
    return { ...image, thumb: await thumbnail(image.blob) };
  } catch {
    return image;
  }
}

async function fetchOutput(output: ProviderOutput, fetchFn: typeof fetch, signal: AbortSignal, provider: string): Promise<{ blob: Blob; mime: string }> {
  if (output.kind === 'blob') return checkImage(output.blob, provider);
  let res: Response;
  try {
    res = await timedFetch(fetchFn, output.url, { credentials: 'omit' }, {
      totalMs: DOWNLOAD_LIMITS.totalMs,
      idleMs: DOWNLOAD_LIMITS.silenceMs,
      maxBytes: MAX_RESULT_BYTES,
      signal,
    });
  } catch (err) {
    if (signal.aborted) throw new AppError('canceled', 'Canceled.');
    throw downloadError(err, provider);
  }
  if (res.status === 404 || res.status === 410 || res.status === 403) {
    await res.body?.cancel().catch(() => {});
    throw new AppError('not_found', `${provider} deleted the result before it could be saved. Create it again.`, { provider });
  }
  if (res.status === 429) {
    await res.body?.cancel().catch(() => {});
    throw new AppError('rate_limited', `${provider} is limiting downloads right now.`, { provider, retryAfterMs: retryAfterMs(res.headers) });
  }
  if (!res.ok) {
    await res.body?.cancel().catch(() => {});
    throw new AppError('provider_down', `${provider} failed to deliver the result (HTTP ${res.status}).`, { provider, retryAfterMs: retryAfterMs(res.headers) });
  }
  let blob: Blob;
  try {
    blob = await readCapped(res, MAX_RESULT_BYTES);
  } catch (err) {
    if (signal.aborted) throw new AppError('canceled', 'Canceled.');
    throw downloadError(err, provider);
  }
  return checkImage(blob, provider);
}

function downloadError(err: unknown, provider: string): AppError {
  const e = requestError(err, provider, MAX_RESULT_BYTES);
  if (e.kind === 'network') return new AppError('network', `Could not download the result from ${provider}.`, { provider, cause: err });
  if (e.kind === 'bad_reply') return new AppError('bad_reply', `${provider} delivered a result larger than ${MAX_RESULT_BYTES / 1024 / 1024} MB; it was not saved.`, { provider, cause: err });
  if (e.kind === 'timed_out') return new AppError('timed_out', `The result from ${provider} did not arrive in time.`, { provider, cause: e.cause });
  return e;
}

/** Refuses what is not a showable raster image, and types the Blob with its sniffed MIME. */
async function checkImage(blob: Blob, provider: string): Promise<{ blob: Blob; mime: string }> {
  if (blob.size === 0) throw new AppError('bad_reply', `${provider} delivered an empty result.`, { provider });
  if (blob.size > MAX_RESULT_BYTES) throw new AppError('bad_reply', `${provider} delivered a result larger than ${MAX_RESULT_BYTES / 1024 / 1024} MB; it was not saved.`, { provider });
  const sniffed = sniffImage(new Uint8Array(await blob.slice(0, SNIFF_BYTES).arrayBuffer()));
  if (!SHOWABLE.has(sniffed.format) || !sniffed.mime) {
    throw new AppError('bad_reply', `${provider} delivered ${describeFormat(sniffed.format)} instead of an image; it was not saved.`, { provider });
  }
  const mime = sniffed.mime;
  return { blob: blob.type === mime ? blob : new Blob([blob], { type: mime }), mime };
}

function describeFormat(format: ImageFormat): string {
  switch (format) {
    case 'html':
      return 'a web page';
    case 'svg':
      return 'an SVG drawing (not kept: it can carry scripts)';
    case 'pdf':
      return 'a PDF document';
    case 'unknown':
      return 'something unrecognisable';
    default:
      return `a ${format.toUpperCase()} file (results are kept only as JPEG, PNG, WebP, GIF or AVIF)`;
  }
}
