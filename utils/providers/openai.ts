import { z } from 'zod';
import { AppError } from '../errors';
import { base64ToBytes, blobToDataUri } from '../image/bytes';
import { defaultMessage, keyedFetch, kindForStatus, parseReply, readJson, retryAfterMs, stripEnd } from './http';
import { wireModel, wireSize, type RouteSpec } from '../models';
import { inputImages, type PollOutcome, type ProviderAdapter, type ProviderContext, type SubmitOutcome } from './types';

/**
 * OpenAI Images API, edits endpoint (synchronous).
 *   POST {base}/v1/images/edits   Authorization: Bearer <key>, multipart/form-data:
 *        model=<route model, gpt-image-2>, prompt, image[] (png/webp/jpg; repeated, up to 16), n, size
 *   An unknown or retired model answers 404 `{ error: { code: "model_not_found" } }`: the route
 *   is then reported unavailable. gpt-image-1 was shut down on 2026-10-23.
 *     -> { created, data: [{ b64_json }], output_format?, usage? }   (no URLs for GPT image models)
 *   GET  {base}/v1/models          (key check)
 * Errors: `{ error: { message, type, param, code } }`. 429 with code `insufficient_quota` is an
 * empty balance, not a rate limit; 400 with `moderation_blocked` is the safety system.
 *
 * The call itself does the work and can take well over 30 s (longer with more images), so the
 * job engine must keep the worker alive during submit; a worker that dies mid-call cannot know
 * whether the request was charged.
 *
 * Verified (OpenAI API reference as quoted by the official SDKs' docs, via the search tool):
 * the multipart fields, `image[]` for one or more files, each png/webp/jpg under 50 MB, up to
 * 16 input images, `n` 1-10, the three sizes plus `auto`, b64_json-only output, and the error
 * shape with codes `insufficient_quota` and `moderation_blocked` (type
 * `image_generation_user_error`). Not verified: that `Retry-After` is sent on 429s (we also read
 * "try again in 20s" from the message), and the exact 401 wording (we never show it: it echoes
 * part of the key).
 */

const PROVIDER = 'OpenAI';

const EditReply = z.object({
  data: z.array(z.object({ b64_json: z.string().min(1) })).min(1),
  output_format: z.enum(['png', 'jpeg', 'webp']).nullish(),
});

/** Describing uses chat completions with an `image_url` content part. */
const VISION_MODEL = 'gpt-4o-mini';
const ChatReply = z.object({
  choices: z.array(z.object({ message: z.object({ content: z.string().nullable() }) })).min(1),
});

const ErrorBody = z.object({
  error: z.object({
    message: z.string().nullish(),
    type: z.string().nullish(),
    param: z.string().nullish(),
    code: z.string().nullish(),
  }),
});

function auth(ctx: ProviderContext): [string, string] {
  return ['Authorization', `Bearer ${ctx.key}`];
}


/** "Please try again in 20s." / "in 1.5s" / "in 120ms" / "in 1m30s" -> milliseconds. */
export function tryAgainMs(text: string): number | undefined {
  const m = /try again in\s+(?:(\d+)m(?!s))?\s*(?:(\d+(?:\.\d+)?)(ms|s))?/i.exec(text);
  if (!m || (!m[1] && !m[2])) return undefined;
  const minutes = m[1] ? Number(m[1]) * 60_000 : 0;
  const rest = m[2] ? Number(m[2]) * (m[3]?.toLowerCase() === 'ms' ? 1 : 1000) : 0;
  return Math.round(minutes + rest);
}

async function failure(res: Response, route?: RouteSpec): Promise<AppError> {
  const body = await readJson(res);
  const parsed = ErrorBody.safeParse(body);
  const err = parsed.success ? parsed.data.error : undefined;
  const code = err?.code ?? '';
  const message = err?.message ?? '';
  const opts = { provider: PROVIDER };
  // A retired or unknown model: `model_not_found` (404), as for gpt-image-1 after its shutdown.
  if (route && code === 'model_not_found') {
    return new AppError('route_unavailable', `OpenAI no longer offers ${wireModel(route)}${message ? `: ${message}` : '.'}`, { ...opts, routeId: route.id });
  }
  if (code === 'moderation_blocked' || code === 'content_policy_violation') {
    return new AppError('moderated', `OpenAI\u2019s safety system refused this request${message ? `: ${message}` : '.'}`, opts);
  }
  if (code === 'insufficient_quota' || code === 'billing_hard_limit_reached') {
    return new AppError('out_of_credit', message ? `OpenAI: ${message}` : defaultMessage('out_of_credit', PROVIDER), opts);
  }
  const kind = kindForStatus(res.status);
  switch (kind) {
    case 'bad_key':
      // A 401 message echoes part of the key; a 403 one explains what is missing (e.g. a verified organization).
      return new AppError(kind, res.status === 403 && message ? `OpenAI: ${message}` : defaultMessage(kind, PROVIDER), opts);
    case 'rate_limited':
      return new AppError(kind, message ? `OpenAI: ${message}` : defaultMessage(kind, PROVIDER), {
        ...opts,
        retryAfterMs: retryAfterMs(res.headers) ?? tryAgainMs(message),
      });
    case 'invalid_input':
      return new AppError(kind, message ? `OpenAI: ${message}` : defaultMessage(kind, PROVIDER), opts);
    default:
      return new AppError(kind, defaultMessage(kind, PROVIDER), { ...opts, retryAfterMs: retryAfterMs(res.headers) });
  }
}

const ModelList = z.object({ data: z.array(z.object({ id: z.string() })) });

/** GET /v1/models: the models this key can use (free). */
async function listModels(ctx: ProviderContext): Promise<Set<string>> {
  const res = await keyedFetch(ctx, PROVIDER, `${stripEnd(ctx.baseUrl)}/v1/models`, {
    method: 'GET',
    authHeader: auth(ctx),
    headers: { Accept: 'application/json' },
  });
  if (!res.ok) throw await failure(res);
  return new Set(parseReply(PROVIDER, ModelList, await readJson(res)).data.map((m) => m.id));
}

const EXT: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp' };

export const openaiAdapter: ProviderAdapter = {
  id: 'openai',
  mode: 'sync',

  async submit(route, input, ctx): Promise<SubmitOutcome> {
    const images = inputImages(input);
    if (images.length === 0) throw new AppError('invalid_input', 'ChatGPT Image edits need an image prompt. Add an image first.', { provider: PROVIDER });
    const form = new FormData();
    form.append('model', wireModel(route));
    form.append('prompt', input.prompt);
    // Several references: the same `image[]` field once per file, in tray order.
    for (const [i, image] of images.entries()) {
      const ext = EXT[image.mime];
      if (!ext) throw new AppError('unsupported_format', `OpenAI takes PNG, WEBP or JPEG references, not ${image.mime}.`, { provider: PROVIDER });
      const file = image.blob.type === image.mime ? image.blob : new Blob([image.blob], { type: image.mime });
      form.append('image[]', file, i === 0 ? `reference.${ext}` : `reference-${i + 1}.${ext}`);
    }
    form.append('n', String(input.numImages));
    // `size` is WIDTHxHEIGHT (or auto): the route's table gives it for the panel's ratio.
    const size = wireSize(route, input.aspectRatio);
    if (typeof size === 'string') form.append('size', size);

    const res = await keyedFetch(ctx, PROVIDER, `${stripEnd(ctx.baseUrl)}/v1/images/edits`, {
      method: 'POST',
      authHeader: auth(ctx),
      headers: { Accept: 'application/json' },
      body: form,
    });
    if (!res.ok) throw await failure(res, route);
    const reply = parseReply(PROVIDER, EditReply, await readJson(res));
    const mime = reply.output_format === 'jpeg' ? 'image/jpeg' : reply.output_format === 'webp' ? 'image/webp' : 'image/png';
    const outputs = reply.data.map((d) => {
      let bytes: Uint8Array<ArrayBuffer>;
      try {
        bytes = base64ToBytes(d.b64_json);
      } catch {
        throw new AppError('bad_reply', 'OpenAI sent an image that could not be decoded.', { provider: PROVIDER });
      }
      return { kind: 'blob' as const, blob: new Blob([bytes], { type: mime }) };
    });
    return { kind: 'done', outputs };
  },

  async poll(): Promise<PollOutcome> {
    // Edits answer with the images themselves; there is never anything to poll.
    throw new AppError('internal', 'OpenAI jobs finish when they are sent; there is nothing to check on.', { provider: PROVIDER });
  },

  async describe({ image, instruction, maxTokens }, ctx): Promise<string> {
    const res = await keyedFetch(ctx, PROVIDER, `${stripEnd(ctx.baseUrl)}/v1/chat/completions`, {
      method: 'POST',
      authHeader: auth(ctx),
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({
        model: VISION_MODEL,
        // `max_tokens` is deprecated for chat completions in favour of this.
        max_completion_tokens: maxTokens,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: instruction },
              { type: 'image_url', image_url: { url: await blobToDataUri(image.blob, image.mime), detail: 'low' } },
            ],
          },
        ],
      }),
    });
    if (!res.ok) throw await failure(res);
    return parseReply(PROVIDER, ChatReply, await readJson(res)).choices[0]?.message.content ?? '';
  },

  async testKey(ctx): Promise<void> {
    await listModels(ctx);
  },

  async checkModels(models, ctx) {
    const present = await listModels(ctx);
    return Object.fromEntries(models.map((m) => [m, present.has(m) ? 'present' : 'missing'] as const));
  },
};
