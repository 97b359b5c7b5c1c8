import { sha256Hex } from '../image/bytes';
import type { JobRequest } from '../store/types';

/**
 * Identical inputs (reference bytes, prompt, model, route, settings, seed) give the same key.
 * The reference enters by its content hash, so re-adding the same picture still hits.
 */
/** `model`: the model id actually sent (a user's override changes what runs, so it changes the key). */
export async function cacheKeyFor(request: JobRequest, routeId: string, referenceSha256: string | null, model?: string): Promise<string> {
  const { prompt, modelId, settings } = request;
  const material = JSON.stringify({
    v: 1,
    reference: referenceSha256,
    prompt: prompt.trim(),
    modelId,
    routeId,
    ...(model ? { model } : {}),
    influence: settings.influence,
    aspectRatio: settings.aspectRatio,
    numImages: settings.numImages,
    seed: settings.seed,
    description: request.description ?? null,
  });
  return sha256Hex(material);
}
