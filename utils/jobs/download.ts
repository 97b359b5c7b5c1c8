import { AppError } from '../errors';
import { retryAfterMs } from '../providers/http';
import type { ProviderOutput } from '../providers/types';

const MAX_RESULT_BYTES = 80 * 1024 * 1024;

/**
 * Fetches one generated image. Result URLs are public, short-lived links (often on a CDN),
 * so no key is ever sent with them.
 */
export async function downloadOutput(
  output: ProviderOutput,
  fetchFn: typeof fetch,
  signal: AbortSignal,
  provider: string,
): Promise<{ blob: Blob; mime: string }> {
  if (output.kind === 'blob') return { blob: output.blob, mime: output.blob.type || 'image/png' };
  let res: Response;
  try {
    res = await fetchFn(output.url, { credentials: 'omit', signal });
  } catch (err) {
    if (signal.aborted) throw new AppError('canceled', 'Canceled.');
    throw new AppError('network', `Could not download the result from ${provider}.`, { provider, cause: err });
  }
  if (res.status === 404 || res.status === 410 || res.status === 403) {
    throw new AppError('not_found', `${provider} deleted the result before it could be saved. Create it again.`, { provider });
  }
  if (res.status === 429) {
    throw new AppError('rate_limited', `${provider} is limiting downloads right now.`, { provider, retryAfterMs: retryAfterMs(res.headers) });
  }
  if (!res.ok) {
    throw new AppError('provider_down', `${provider} failed to deliver the result (HTTP ${res.status}).`, { provider, retryAfterMs: retryAfterMs(res.headers) });
  }
  const blob = await res.blob();
  if (blob.size === 0) throw new AppError('bad_reply', `${provider} delivered an empty result.`, { provider });
  if (blob.size > MAX_RESULT_BYTES) throw new AppError('bad_reply', `${provider} delivered an unexpectedly large file.`, { provider });
  const mime = (res.headers.get('content-type') ?? output.mime ?? 'image/png').split(';')[0]!.trim();
  if (!mime.startsWith('image/')) throw new AppError('bad_reply', `${provider} delivered something that is not an image.`, { provider });
  return { blob: blob.type ? blob : new Blob([blob], { type: mime }), mime };
}
