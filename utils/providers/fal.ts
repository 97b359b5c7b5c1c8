import { z } from 'zod';
import { AppError } from '../errors';
import type { RouteSpec } from '../models';
import { blobToDataUri } from '../image/bytes';
import { defaultMessage, keyedFetch, kindForStatus, parseReply, readJson, retryAfterMs, stripEnd } from './http';
import { FAL_SIZE_PRESETS, SEEDREAM3_SIZES } from './sizes';
import type { GenerationInput, PollOutcome, ProviderAdapter, ProviderContext, ProviderHandle, SubmitOutcome } from './types';

/**
 * fal queue API.
 *   POST {base}/{model_id}            Authorization: Key <key>, JSON inputs
 *     -> { request_id, status_url, response_url, cancel_url }
 *   GET  status_url                    -> { status: IN_QUEUE (queue_position) | IN_PROGRESS | COMPLETED }
 *   GET  response_url                  -> { images: [{ url, width, height, content_type }], seed }
 *   PUT  cancel_url
 * We always follow the URLs fal returns instead of building them: status and result paths
 * drop the model sub-path. Images go in as data URIs.
 */

const PROVIDER = 'fal';

const SubmitReply = z.object({
  request_id: z.string().min(1),
  status_url: z.url(),
  response_url: z.url(),
  cancel_url: z.url().optional(),
  queue_position: z.number().optional(),
});

const StatusReply = z.object({
  status: z.enum(['IN_QUEUE', 'IN_PROGRESS', 'COMPLETED']),
  queue_position: z.number().nullish(),
  error: z.string().nullish(),
});

const ResultReply = z.object({
  images: z
    .array(
      z.object({
        url: z.string().min(1),
        width: z.number().nullish(),
        height: z.number().nullish(),
        content_type: z.string().nullish(),
      }),
    )
    .min(1),
  seed: z.number().nullish(),
  has_nsfw_concept: z.array(z.boolean()).nullish(),
});

const ErrorBody = z.object({
  detail: z.union([
    z.string(),
    z.array(z.object({ loc: z.array(z.union([z.string(), z.number()])).optional(), msg: z.string() })),
  ]),
});

/** Builds the JSON inputs for one fal endpoint from the panel's generation input. */
export async function falInputs(route: RouteSpec, input: GenerationInput): Promise<Record<string, unknown>> {
  const imageUrl = input.image ? await blobToDataUri(input.image.blob, input.image.mime) : undefined;
  const body: Record<string, unknown> = { prompt: input.prompt };
  const common = () => {
    body.num_images = input.numImages;
    if (input.seed !== undefined && route.seed) body.seed = input.seed;
  };
  switch (route.endpoint) {
    case 'fal-ai/flux/dev/image-to-image':
      if (!imageUrl) throw new AppError('invalid_input', 'Flux dev needs an image prompt on this route. Add an image first.');
      body.image_url = imageUrl;
      if (input.strength !== undefined) body.strength = input.strength;
      body.enable_safety_checker = true;
      common();
      break;
    // Field names below: fal's published endpoint input types (@fal-ai/client endpoints.ts).
    case 'fal-ai/gpt-image-1/edit-image':
      // image_urls (list), image_size auto | 1024x1024 | 1536x1024 | 1024x1536; no seed.
      if (!imageUrl) throw new AppError('invalid_input', 'ChatGPT Image needs an image prompt on this route. Add an image first.');
      body.image_urls = [imageUrl];
      if (input.aspectRatio) body.image_size = input.aspectRatio;
      body.num_images = input.numImages;
      break;
    case 'fal-ai/ideogram/v3/remix':
      // image_url, strength (of the input image, default 0.8), image_size presets.
      if (!imageUrl) throw new AppError('invalid_input', 'Ideogram remix needs an image prompt. Add an image first.');
      body.image_url = imageUrl;
      if (input.strength !== undefined) body.strength = input.strength;
      if (input.aspectRatio && FAL_SIZE_PRESETS[input.aspectRatio]) body.image_size = FAL_SIZE_PRESETS[input.aspectRatio];
      common();
      break;
    case 'fal-ai/ideogram/character':
      // reference_image_urls (only the first is used), style AUTO | REALISTIC | FICTION.
      if (!imageUrl) throw new AppError('invalid_input', 'Ideogram Character needs a picture of the character. Add an image first.');
      body.reference_image_urls = [imageUrl];
      body.style = 'AUTO';
      if (input.aspectRatio && FAL_SIZE_PRESETS[input.aspectRatio]) body.image_size = FAL_SIZE_PRESETS[input.aspectRatio];
      common();
      break;
    case 'fal-ai/minimax/image-01/subject-reference':
      // image_url (a face), aspect_ratio, num_images 1-9; no seed input.
      if (!imageUrl) throw new AppError('invalid_input', 'Minimax Image needs a face photo on this route. Add an image first.');
      body.image_url = imageUrl;
      if (input.aspectRatio) body.aspect_ratio = input.aspectRatio;
      body.num_images = input.numImages;
      break;
    case 'fal-ai/bytedance/seedream/v3/text-to-image': {
      // No aspect_ratio field: image_size { width, height }, both sides 512-2048.
      const size = input.aspectRatio ? SEEDREAM3_SIZES[input.aspectRatio] : undefined;
      if (size) body.image_size = { width: size.width, height: size.height };
      common();
      break;
    }
    default:
      // Other endpoints: prompt, image (when the route takes one) and the common knobs.
      if (imageUrl) body.image_url = imageUrl;
      if (route.strength && input.strength !== undefined) body[route.strength.field] = input.strength;
      if (input.aspectRatio) body.aspect_ratio = input.aspectRatio;
      common();
  }
  return body;
}

function auth(ctx: ProviderContext): [string, string] {
  return ['Authorization', `Key ${ctx.key}`];
}

async function failure(res: Response): Promise<AppError> {
  const body = await readJson(res);
  const kind = kindForStatus(res.status);
  const parsed = ErrorBody.safeParse(body);
  let message = defaultMessage(kind, PROVIDER);
  if (parsed.success && kind === 'invalid_input') {
    const d = parsed.data.detail;
    message = typeof d === 'string' ? `fal: ${d}` : `fal: ${d.map((x) => `${(x.loc ?? []).filter((p) => p !== 'body').join('.') || 'input'}: ${x.msg}`).join('; ')}`;
  }
  const errorType = res.headers.get('x-fal-error-type') ?? '';
  const text = typeof body === 'string' ? body : JSON.stringify(body ?? '');
  if (/content_policy|nsfw|moderat/i.test(errorType) || /content_policy_violation/.test(text)) {
    return new AppError('moderated', 'fal refused this content.', { provider: PROVIDER });
  }
  // fal answers an empty balance with 403 (or 402) and "User is locked. Reason: Exhausted balance".
  if ((res.status === 402 || res.status === 403) && /exhausted balance|locked/i.test(text)) {
    return new AppError('out_of_credit', 'Your fal account is out of credit.', { provider: PROVIDER });
  }
  return new AppError(kind, message, { provider: PROVIDER, retryAfterMs: retryAfterMs(res.headers) });
}


/** Submits inputs to a fal queue endpoint; the handle holds the URLs fal returned. */
export async function falSubmit(ctx: ProviderContext, endpoint: string, body: Record<string, unknown>): Promise<{ handle: ProviderHandle; queuePosition?: number }> {
  const res = await keyedFetch(ctx, PROVIDER, `${stripEnd(ctx.baseUrl)}/${endpoint}`, {
    method: 'POST',
    authHeader: auth(ctx),
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw await failure(res);
  const reply = parseReply(PROVIDER, SubmitReply, await readJson(res));
  const handle: ProviderHandle = { requestId: reply.request_id, statusUrl: reply.status_url, responseUrl: reply.response_url };
  if (reply.cancel_url) handle.cancelUrl = reply.cancel_url;
  return { handle, queuePosition: reply.queue_position };
}

/** One status check; once COMPLETED, the raw result body (validation errors surface here too). */
export async function falPoll(
  ctx: ProviderContext,
  handle: ProviderHandle,
): Promise<{ kind: 'pending'; stage: 'queued' | 'running'; queuePosition?: number } | { kind: 'done'; body: unknown }> {
  const { statusUrl, responseUrl } = handle;
  if (!statusUrl || !responseUrl) throw new AppError('internal', 'This fal job lost its status address.', { provider: PROVIDER });
  const res = await keyedFetch(ctx, PROVIDER, statusUrl, { method: 'GET', authHeader: auth(ctx), headers: { Accept: 'application/json' } });
  if (!res.ok) throw await failure(res);
  const status = parseReply(PROVIDER, StatusReply, await readJson(res));
  if (status.status === 'IN_QUEUE') return { kind: 'pending', stage: 'queued', queuePosition: status.queue_position ?? undefined };
  if (status.status === 'IN_PROGRESS') return { kind: 'pending', stage: 'running' };
  const out = await keyedFetch(ctx, PROVIDER, responseUrl, { method: 'GET', authHeader: auth(ctx), headers: { Accept: 'application/json' } });
  if (!out.ok) throw await failure(out);
  return { kind: 'done', body: await readJson(out) };
}

export const falAdapter: ProviderAdapter = {
  id: 'fal',
  mode: 'queue',

  async submit(route, input, ctx): Promise<SubmitOutcome> {
    const { handle, queuePosition } = await falSubmit(ctx, route.endpoint, await falInputs(route, input));
    return { kind: 'submitted', handle, queuePosition };
  },

  async poll(_route, handle, ctx): Promise<PollOutcome> {
    const step = await falPoll(ctx, handle);
    if (step.kind === 'pending') return step;
    const result = parseReply(PROVIDER, ResultReply, step.body);
    if (result.has_nsfw_concept?.every(Boolean)) {
      throw new AppError('moderated', 'fal\u2019s safety checker blocked every image of this result.', { provider: PROVIDER });
    }
    return {
      kind: 'done',
      outputs: result.images.map((img) => ({
        kind: 'url' as const,
        url: img.url,
        mime: img.content_type ?? undefined,
        width: img.width ?? undefined,
        height: img.height ?? undefined,
      })),
    };
  },

  async cancel(_route, handle, ctx): Promise<void> {
    if (!handle.cancelUrl) return;
    const res = await keyedFetch(ctx, PROVIDER, handle.cancelUrl, { method: 'PUT', authHeader: auth(ctx) });
    // 400 means it already finished; nothing left to cancel.
    if (!res.ok && res.status !== 400) throw await failure(res);
  },

  async testKey(ctx): Promise<void> {
    // Asking for the status of a request that does not exist costs nothing: a good key gets
    // 404 (or 400), a bad one 401/403.
    const res = await keyedFetch(ctx, PROVIDER, `${stripEnd(ctx.baseUrl)}/fal-ai/flux/requests/00000000-0000-0000-0000-000000000000/status`, {
      method: 'GET',
      authHeader: auth(ctx),
    });
    if (res.status === 401 || res.status === 403) throw await failure(res);
    if (res.status >= 500) throw await failure(res);
  },
};
