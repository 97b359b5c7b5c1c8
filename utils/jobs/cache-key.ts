import { sha256Hex } from '../image/bytes';
import type { ReferenceRole } from '../models';
import type { JobRequest } from '../store/types';

/** One tray reference as the cache key sees it: its content hash, role and weight. */
export interface KeyedReference {
  sha256: string;
  role?: ReferenceRole;
  weight?: number;
}

/**
 * Identical inputs (reference bytes, prompt, model, route, settings, seed) give the same key.
 * References enter by their content hash, so re-adding the same picture still hits.
 *
 * Two versions: a request with at most one plain reference (no role, no weight) keeps the v1
 * material it always had, so caches from before trays still answer; a tray of several, or one
 * with a role or weight, is keyed as v2 with every reference's hash, role and weight in order.
 *
 * `references`: the tray's references in order (or, as before trays, the one hash or null).
 * `model`: the model id actually sent (a user's override changes what runs, so it changes the key).
 */
export async function cacheKeyFor(
  request: JobRequest,
  routeId: string,
  references: string | null | readonly KeyedReference[],
  model?: string,
): Promise<string> {
  const { prompt, modelId, settings } = request;
  const tray: readonly KeyedReference[] = references === null ? [] : typeof references === 'string' ? [{ sha256: references }] : references;
  const plain = tray.length <= 1 && tray.every((r) => r.role === undefined && r.weight === undefined);
  const refs = plain
    ? { v: 1, reference: tray[0]?.sha256 ?? null }
    : { v: 2, references: tray.map((r) => ({ sha256: r.sha256, role: r.role ?? null, weight: r.weight ?? null })) };
  const material = JSON.stringify({
    ...refs,
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
