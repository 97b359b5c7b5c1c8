import { AppError } from './errors';
import type { ProviderId } from './models';
import { getAdapter } from './providers';
import type { PreparedImage, ProviderContext } from './providers/types';

/**
 * "Describe the reference": models with no image input on any route still honour an image
 * prompt by turning the picture into words with a vision model, shown to the user as an
 * editable part of the prompt. The vision call itself lives on each adapter (`describe`);
 * this module picks the provider and cleans the words. Prefers the provider the job runs on.
 */

/**
 * Providers whose adapters can describe, in order of preference. OpenRouter comes last so that
 * it only describes for users who have none of the others (or for jobs that run on it).
 */
export const DESCRIBERS: readonly ProviderId[] = ['fal', 'openai', 'google', 'openrouter'];

const DESCRIBE_INSTRUCTION =
  'Describe this picture so an image generator can recreate its look: main subject, composition, setting, style, colours and lighting. One paragraph of plain prose, no preamble, at most 80 words.';

/** About 80 words with room to finish the sentence; keeps cost and prompt length bounded. */
export const DESCRIBE_MAX_TOKENS = 200;

/** Which provider describes for a job on `routeProvider` (none: no preference), given the providers the user can use. */
export function pickDescriber(routeProvider: ProviderId | undefined, usable: (p: ProviderId) => boolean): ProviderId | null {
  if (routeProvider && DESCRIBERS.includes(routeProvider) && usable(routeProvider)) return routeProvider;
  return DESCRIBERS.find(usable) ?? null;
}

export async function describeImage(
  provider: ProviderId,
  image: PreparedImage,
  ctx: ProviderContext,
  sleep: (ms: number) => Promise<void>,
): Promise<string> {
  const adapter = getAdapter(provider);
  if (!adapter?.describe) throw new AppError('internal', `${provider} cannot describe images.`);
  const text = await adapter.describe({ image, instruction: DESCRIBE_INSTRUCTION, maxTokens: DESCRIBE_MAX_TOKENS, sleep }, ctx);
  const clean = text.replace(/\s+/g, ' ').trim();
  if (!clean) throw new AppError('bad_reply', `${provider} returned an empty description.`, { provider });
  return clean.slice(0, 1500);
}

/** The prompt a text-only model receives: the user's words first, then the reference in words. */
export function mergeDescription(prompt: string, description: string): string {
  return `${prompt.trim()}\n\nReference image: ${description.trim()}`;
}
