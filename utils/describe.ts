import { z } from 'zod';
import { AppError } from './errors';
import { blobToDataUri } from './image/bytes';
import type { ProviderId } from './models';
import { falPoll, falSubmit } from './providers/fal';
import { defaultMessage, keyedFetch, kindForStatus, parseReply, readJson, stripEnd } from './providers/http';
import type { PreparedImage, ProviderContext } from './providers/types';

/**
 * "Describe the reference": models with no image input on any route still honour an image
 * prompt by turning the picture into words with a vision model, shown to the user as an
 * editable part of the prompt. Prefers the provider the job runs on; fal and OpenAI can
 * describe.
 *
 * fal: the queue endpoint `openrouter/router/vision` (fal's successor to the deprecated
 * `fal-ai/any-llm/vision`) with `prompt`, `image_urls`, `model`, `system_prompt`, answering
 * `{ output }`. The queue form's field names follow the deprecated endpoint's schema and fal's
 * page for the new one; not verified against a live request.
 * OpenAI: `POST /v1/chat/completions` with an `image_url` content part.
 */

export const DESCRIBERS: readonly ProviderId[] = ['fal', 'openai'];

const INSTRUCTION =
  'Describe this picture so an image generator can recreate its look: main subject, composition, setting, style, colours and lighting. One paragraph of plain prose, no preamble, at most 80 words.';

const FAL_VISION_ENDPOINT = 'openrouter/router/vision';
const FAL_VISION_MODEL = 'google/gemini-2.5-flash';
const OPENAI_VISION_MODEL = 'gpt-4o-mini';

/** Which provider describes for a job on `routeProvider`, given the providers the user can use. */
export function pickDescriber(routeProvider: ProviderId, usable: (p: ProviderId) => boolean): ProviderId | null {
  if (DESCRIBERS.includes(routeProvider) && usable(routeProvider)) return routeProvider;
  return DESCRIBERS.find(usable) ?? null;
}

export async function describeImage(
  provider: ProviderId,
  image: PreparedImage,
  ctx: ProviderContext,
  sleep: (ms: number) => Promise<void>,
): Promise<string> {
  const text = provider === 'fal' ? await describeWithFal(image, ctx, sleep) : provider === 'openai' ? await describeWithOpenAI(image, ctx) : null;
  if (text === null) throw new AppError('internal', `${provider} cannot describe images.`);
  const clean = text.replace(/\s+/g, ' ').trim();
  if (!clean) throw new AppError('bad_reply', `${provider} returned an empty description.`, { provider });
  return clean.slice(0, 1500);
}

const FalVisionResult = z.object({ output: z.string() });

async function describeWithFal(image: PreparedImage, ctx: ProviderContext, sleep: (ms: number) => Promise<void>): Promise<string> {
  const { handle } = await falSubmit(ctx, FAL_VISION_ENDPOINT, {
    prompt: INSTRUCTION,
    image_urls: [await blobToDataUri(image.blob, image.mime)],
    model: FAL_VISION_MODEL,
  });
  // Captioning takes seconds; give up well inside the job's deadline.
  for (let waited = 0; waited < 90_000; waited += 1000) {
    const step = await falPoll(ctx, handle);
    if (step.kind === 'done') return parseReply('fal', FalVisionResult, step.body).output;
    await sleep(1000);
  }
  throw new AppError('timed_out', 'fal took too long to describe the image.', { provider: 'fal' });
}

const ChatReply = z.object({
  choices: z.array(z.object({ message: z.object({ content: z.string().nullable() }) })).min(1),
});
const OpenAIError = z.object({ error: z.object({ message: z.string(), code: z.string().nullish() }) });

async function describeWithOpenAI(image: PreparedImage, ctx: ProviderContext): Promise<string> {
  const res = await keyedFetch(ctx, 'OpenAI', `${stripEnd(ctx.baseUrl)}/v1/chat/completions`, {
    method: 'POST',
    authHeader: ['Authorization', `Bearer ${ctx.key}`],
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      model: OPENAI_VISION_MODEL,
      max_tokens: 200,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: INSTRUCTION },
            { type: 'image_url', image_url: { url: await blobToDataUri(image.blob, image.mime), detail: 'low' } },
          ],
        },
      ],
    }),
  });
  const body = await readJson(res);
  if (!res.ok) {
    const kind = kindForStatus(res.status);
    const parsed = OpenAIError.safeParse(body);
    const quota = parsed.success && parsed.data.error.code === 'insufficient_quota';
    throw new AppError(quota ? 'out_of_credit' : kind, parsed.success ? `OpenAI: ${parsed.data.error.message}` : defaultMessage(kind, 'OpenAI'), { provider: 'openai' });
  }
  return parseReply('OpenAI', ChatReply, body).choices[0]?.message.content ?? '';
}

/** The prompt a text-only model receives: the user's words first, then the reference in words. */
export function mergeDescription(prompt: string, description: string): string {
  return `${prompt.trim()}\n\nReference image: ${description.trim()}`;
}
