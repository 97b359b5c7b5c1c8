import { requireReference } from '../store/references';
import { AppError } from '../errors';
import { prepareForRoute } from '../image/normalize';
import { fromRouteStrength, toRouteStrength, type RouteSpec } from '../models';
import type { GenerationInput, PreparedImage, PreparedReference } from '../providers/types';
import { mergeDescription } from '../describe';
import { referencePlan, referenceSlots, trayOf } from '../reference-plan';
import type { JobRecord } from '../store/types';

/** What a describer sees: small and widely accepted, plenty for a caption. */
export const DESCRIBE_INPUT = { maxSide: 1024, maxBytes: 4 * 1024 * 1024, formats: ['image/jpeg', 'image/png'] } as const;

/**
 * Maps a job's request onto what the route's adapter takes: the prepared references and the
 * knobs. The tray is planned for the route (referencePlan): exactly the references the panel
 * showed as used are prepared, in order, with their role and mapped weight. For routes without
 * image input the used references are described (or the user's description used) and merged
 * into the prompt; the job records the words so the result can say so.
 */
export async function prepareInput(
  job: JobRecord,
  route: RouteSpec,
  describe: (image: PreparedImage) => Promise<string>,
): Promise<GenerationInput & { description?: string }> {
  const { request } = job;
  const { settings } = request;
  const plan = referencePlan(route, trayOf(request));

  const images: PreparedReference[] = [];
  let prompt = request.prompt.trim();
  let description: string | undefined;
  if (plan.used.length > 0 && route.imageInput === 'native') {
    const input = inputShare(route, plan.used.length);
    // One after another: each decode holds a full-size bitmap, and a tray can hold sixteen.
    for (const used of plan.used) {
      const prepared = await prepareForRoute(await requireReference(used.referenceId), input);
      images.push({ ...prepared, ...(used.role ? { role: used.role } : {}), ...(used.weight !== undefined ? { weight: used.weight } : {}) });
    }
  } else if (plan.used.length > 0 && route.imageInput === 'described') {
    // The user's words first (they stand for the first reference); a retried job reuses the
    // words it already paid for.
    const byUser = request.description?.trim() || undefined;
    description = (plan.used.length === 1 ? byUser : undefined) || job.description || (await describeUsed(plan.used.map((u) => u.referenceId), byUser, describe));
    prompt = plan.used.length === 1 ? mergeDescription(prompt, description) : `${prompt}\n\n${description}`;
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
    image: images[0] ?? null,
    images,
    strength,
    aspectRatio,
    numImages: Math.min(settings.numImages, route.maxImages),
    // A random seed is chosen here rather than left to the provider, so the job can record
    // it: "Reuse these settings" then makes the same picture again.
    seed: route.seed ? (settings.seed ?? randomSeed(route.seed.max)) : undefined,
  };
}

/**
 * The route's input limits for one of `count` references: where the provider caps all images of
 * a request together, each gets an equal share (never more than the route's own per-image cap).
 */
export function inputShare(route: RouteSpec, count: number): RouteSpec['input'] {
  const total = referenceSlots(route).totalBytes;
  if (!total || count <= 0) return route.input;
  const share = Math.floor(total / count);
  return share < route.input.maxBytes ? { ...route.input, maxBytes: share } : route.input;
}

/**
 * The used references in words. One reference: its description alone (the user's own words when
 * they edited it). Several: each described, labelled by position, one per line; the user's words
 * stand for the first.
 */
async function describeUsed(
  referenceIds: readonly string[],
  firstByUser: string | undefined,
  describe: (image: PreparedImage) => Promise<string>,
): Promise<string> {
  const texts: string[] = [];
  for (const [i, id] of referenceIds.entries()) {
    if (i === 0 && firstByUser) texts.push(firstByUser);
    else texts.push((await describe(await prepareForRoute(await requireReference(id), DESCRIBE_INPUT))).trim());
  }
  return mergeDescriptions(texts);
}

/** "Reference image 1: ...", one line each; a single description stays as it is. */
export function mergeDescriptions(texts: readonly string[]): string {
  if (texts.length === 1) return texts[0]!;
  return texts.map((t, i) => `Reference image ${i + 1}: ${t}`).join('\n');
}

/** A seed every route accepts (some cap at 2^31 - 1, some lower). */
export function randomSeed(max: number): number {
  const cap = Math.min(max, 2 ** 31 - 1);
  return crypto.getRandomValues(new Uint32Array(1))[0]! % (cap + 1);
}
