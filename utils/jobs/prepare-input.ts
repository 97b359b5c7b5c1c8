import { db } from '../db';
import { AppError } from '../errors';
import { prepareForRoute } from '../image/normalize';
import { fromRouteStrength, toRouteStrength, type RouteSpec } from '../models';
import type { GenerationInput } from '../providers/types';
import type { JobRecord } from './types';

/** Maps a job's request onto what the route's adapter takes: the prepared image and its knobs. */
export async function prepareInput(job: JobRecord, route: RouteSpec): Promise<GenerationInput & { description?: string }> {
  const { request } = job;
  const { settings } = request;
  const ref = request.referenceId ? await (await db()).get('references', request.referenceId) : undefined;
  if (request.referenceId && !ref) throw new AppError('not_found', 'The image prompt is no longer stored. Add the image again.');

  let image: GenerationInput['image'] = null;
  if (ref && route.imageInput === 'native') {
    image = await prepareForRoute(ref, route.input);
  } else if (ref && route.imageInput === 'described') {
    throw new AppError('invalid_input', 'This model cannot take the image directly yet. Pick Flux dev, Flux Ultra or another model that accepts images.');
  }

  const knob = route.strength;
  const strength = knob ? toRouteStrength(knob, settings.influence ?? fromRouteStrength(knob, knob.default)) : undefined;
  const aspectRatio = settings.aspectRatio && route.aspectRatios?.includes(settings.aspectRatio) ? settings.aspectRatio : undefined;
  return {
    prompt: request.prompt.trim(),
    image,
    strength,
    aspectRatio,
    numImages: Math.min(settings.numImages, route.maxImages),
    seed: route.seed && settings.seed !== null ? settings.seed : undefined,
  };
}
