import { requireReference } from '../store/references';
import { AppError } from '../errors';
import { prepareForRoute } from '../image/normalize';
import { fromRouteStrength, toRouteStrength, type RouteSpec } from '../models';
import type { GenerationInput, PreparedImage } from '../providers/types';
import { mergeDescription } from '../describe';
import type { JobRecord } from '../store/types';

/** What a describer sees: small and widely accepted, plenty for a caption. */
export const DESCRIBE_INPUT = { maxSide: 1024, maxBytes: 4 * 1024 * 1024, formats: ['image/jpeg', 'image/png'] } as const;

/**
 * Maps a job's request onto what the route's adapter takes: the prepared image and its knobs.
 * For routes without image input the reference is described (or the user's description used)
 * and merged into the prompt; the job records the words so the result can say so.
 */
export async function prepareInput(
  job: JobRecord,
  route: RouteSpec,
  describe: (image: PreparedImage) => Promise<string>,
): Promise<GenerationInput & { description?: string }> {
  const { request } = job;
  const { settings } = request;
  const ref = request.referenceId ? await requireReference(request.referenceId) : undefined;

  let image: GenerationInput['image'] = null;
  let prompt = request.prompt.trim();
  let description: string | undefined;
  if (ref && route.imageInput === 'native') {
    image = await prepareForRoute(ref, route.input);
  } else if (ref && route.imageInput === 'described') {
    description = request.description?.trim() || job.description || (await describe(await prepareForRoute(ref, DESCRIBE_INPUT)));
    prompt = mergeDescription(prompt, description);
  }

  // A seed the provider cannot take would be refused there (or silently wrapped): say so here.
  if (route.seed && settings.seed !== null && settings.seed > route.seed.max) {
    throw new AppError('invalid_input', `This route takes seeds up to ${route.seed.max}. Choose a smaller seed, or leave it empty for a random one.`, { provider: route.provider });
  }
  const knob = route.strength;
  const strength = knob ? toRouteStrength(knob, settings.influence ?? fromRouteStrength(knob, knob.default)) : undefined;
  const aspectRatio = settings.aspectRatio && route.aspectRatios?.includes(settings.aspectRatio) ? settings.aspectRatio : undefined;
  return {
    prompt,
    description,
    image,
    strength,
    aspectRatio,
    numImages: Math.min(settings.numImages, route.maxImages),
    // A random seed is chosen here rather than left to the provider, so the job can record
    // it: "Reuse these settings" then makes the same picture again.
    seed: route.seed ? (settings.seed ?? randomSeed(route.seed.max)) : undefined,
  };
}

/** A seed every route accepts (some cap at 2^31 - 1, some lower). */
export function randomSeed(max: number): number {
  const cap = Math.min(max, 2 ** 31 - 1);
  return crypto.getRandomValues(new Uint32Array(1))[0]! % (cap + 1);
}
