import { z } from 'zod';
import { AppError } from '../errors';
import { wireModel, type RouteSpec } from '../models';
import { blobToDataUri } from '../image/bytes';
import { defaultMessage, keyedFetch, kindForStatus, parseReply, readJson, retryAfterMs, stripEnd } from './http';
import type { GenerationInput, PollOutcome, ProviderAdapter, ProviderContext, ProviderHandle, ProviderOutput, SubmitOutcome } from './types';

/**
 * Replicate predictions API (official models).
 *   POST {base}/v1/models/{owner}/{name}/predictions   Authorization: Bearer <token>, { input }
 *     -> 201/202 prediction { id, status, output, error, urls: { get, cancel, web } }
 *   GET  urls.get     -> status starting | processing | succeeded | failed | canceled | aborted
 *   POST urls.cancel
 *   POST {base}/v1/files   multipart `content` (+ `metadata`) -> 201 { id, urls: { get } }
 *   GET  {base}/v1/account  (key check)
 *   GET  {base}/v1/models/{owner}/{name}  (free lookup: 404 when the model is gone)
 * No `Prefer: wait` header: Replicate would hold the request up to 60 s, longer than an
 * extension worker may wait on one fetch. We always poll the URLs Replicate returns.
 * Errors are problem JSON `{ title, detail, status }`; 422 input errors may add
 * `invalid_fields: [{ type, field, description }]`.
 *
 * Verified (Replicate's OpenAPI spec and model API pages, via the search tool): the endpoints,
 * Bearer auth, the status values (including `aborted`), the Files API field `content` and its
 * `urls.get`, the 402 "Billing required" problem body, and these model inputs:
 *   black-forest-labs/flux-dev          image, prompt_strength (0-1, 0.8, 1 = ignore the image),
 *                                       num_outputs 1-4, seed; output: array of URIs
 *   black-forest-labs/flux-1.1-pro-ultra image_prompt, image_prompt_strength (0-1, 0.1),
 *                                       aspect_ratio 21:9..9:21, raw, seed; output: one URI
 *   ideogram-ai/ideogram-character      character_reference_image, seed (<= 2147483647);
 *                                       output: one URI
 *   minimax/image-01                    subject_reference, aspect_ratio (8 ratios),
 *                                       number_of_images 1-9; output: array of URIs
 *   bytedance/dreamina-3.1              text only: prompt, aspect_ratio, resolution, seed;
 *                                       output: one URI (model page, version b5e96172)
 * Not verified: the exact `failed` error wording for NSFW/moderation (we match loosely), the
 * 422 `invalid_fields` shape (seen in the wild, not in the spec), and the enum of
 * ideogram-character's `aspect_ratio` (so that route offers no aspect ratio).
 * Left out: openai/gpt-image-1 on Replicate requires the user's OpenAI key as an input
 * (`openai_api_key`), and keys may only go to their own provider.
 */

const PROVIDER = 'Replicate';
/** Replicate recommends data URIs only for small files; above this we upload to the Files API. */
export const DATA_URI_MAX_BYTES = 1_000_000;

/** Where each model takes the reference, and its image-count field. */
const MODEL_INPUTS: Record<string, { imageField: string | null; countField?: string }> = {
  // Text only: the reference reaches it described, inside the prompt.
  'bytedance/dreamina-3.1': { imageField: null },
  'black-forest-labs/flux-dev': { imageField: 'image', countField: 'num_outputs' },
  'black-forest-labs/flux-1.1-pro-ultra': { imageField: 'image_prompt' },
  'ideogram-ai/ideogram-character': { imageField: 'character_reference_image' },
  'minimax/image-01': { imageField: 'subject_reference', countField: 'number_of_images' },
};

const Prediction = z.object({
  id: z.string().min(1),
  status: z.enum(['starting', 'processing', 'succeeded', 'failed', 'canceled', 'aborted']),
  output: z.union([z.string(), z.array(z.string().nullable())]).nullish(),
  error: z.unknown().optional(),
  data_removed: z.boolean().optional(),
  urls: z.object({ get: z.url(), cancel: z.url().optional() }),
});
type Prediction = z.infer<typeof Prediction>;

const FileReply = z.object({ id: z.string().min(1), urls: z.object({ get: z.url() }) });

const Problem = z.object({
  title: z.string().optional(),
  detail: z.string().optional(),
  invalid_fields: z.array(z.object({ field: z.string().optional(), description: z.string().optional() })).optional(),
});

function auth(ctx: ProviderContext): [string, string] {
  return ['Authorization', `Bearer ${ctx.key}`];
}


/** "Request was throttled. Your rate limit resets in ~30s." -> 30000. */
export function throttleResetMs(text: string): number | undefined {
  const m = /resets? in ~?\s*(\d+(?:\.\d+)?)\s*(ms|s|m)\b/i.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = (m[2] ?? 's').toLowerCase();
  return Math.round(unit === 'ms' ? n : unit === 'm' ? n * 60_000 : n * 1000);
}

async function failure(res: Response, during: 'submit' | 'upload' | 'other' = 'other'): Promise<AppError> {
  const body = await readJson(res);
  const problem = Problem.safeParse(body);
  const detail = problem.success ? (problem.data.detail ?? problem.data.title) : typeof body === 'string' ? body.slice(0, 300) : undefined;
  const kind = during === 'upload' && res.status === 413 ? 'too_large' : kindForStatus(res.status);
  const opts = { provider: PROVIDER };
  switch (kind) {
    case 'too_large':
      return new AppError(kind, `Replicate refused the reference upload: ${detail ?? 'the file is too large'}.`, opts);
    case 'rate_limited':
      return new AppError(kind, detail ? `Replicate: ${detail}` : defaultMessage(kind, PROVIDER), {
        ...opts,
        retryAfterMs: retryAfterMs(res.headers) ?? (detail ? throttleResetMs(detail) : undefined),
      });
    case 'out_of_credit':
      return new AppError(kind, detail ? `Replicate: ${detail}` : defaultMessage(kind, PROVIDER), opts);
    case 'invalid_input': {
      const fields = problem.success ? (problem.data.invalid_fields ?? []) : [];
      const listed = fields.map((f) => [f.field, f.description].filter(Boolean).join(': ')).filter(Boolean);
      const text = listed.length ? listed.join('; ') : detail;
      return new AppError(kind, text ? `Replicate: ${text}` : defaultMessage(kind, PROVIDER), opts);
    }
    case 'bad_key':
      return new AppError(kind, defaultMessage(kind, PROVIDER), opts);
    default:
      return new AppError(kind, defaultMessage(kind, PROVIDER), { ...opts, retryAfterMs: retryAfterMs(res.headers) });
  }
}

/** A data URI for small images, otherwise a Replicate file URL (uploaded first). */
async function imageRef(image: NonNullable<GenerationInput['image']>, ctx: ProviderContext): Promise<string> {
  if (image.blob.size <= DATA_URI_MAX_BYTES) return blobToDataUri(image.blob, image.mime);
  const form = new FormData();
  const ext = image.mime === 'image/png' ? 'png' : image.mime === 'image/webp' ? 'webp' : 'jpg';
  const typed = image.blob.type === image.mime ? image.blob : new Blob([image.blob], { type: image.mime });
  form.append('content', typed, `reference.${ext}`);
  form.append('metadata', new Blob(['{}'], { type: 'application/json' }));
  const res = await keyedFetch(ctx, PROVIDER, `${stripEnd(ctx.baseUrl)}/v1/files`, {
    method: 'POST',
    authHeader: auth(ctx),
    headers: { Accept: 'application/json' },
    body: form,
  });
  if (!res.ok) throw await failure(res, 'upload');
  return parseReply(PROVIDER, FileReply, await readJson(res)).urls.get;
}

/** The `input` object for one Replicate model. */
async function replicateInputs(route: RouteSpec, input: GenerationInput, ctx: ProviderContext): Promise<Record<string, unknown>> {
  const spec = MODEL_INPUTS[route.endpoint];
  if (!spec) throw new AppError('internal', `No Replicate input mapping for ${route.endpoint}.`, { provider: PROVIDER });
  const body: Record<string, unknown> = { prompt: input.prompt };
  if (spec.imageField) {
    if (!input.image) throw new AppError('invalid_input', 'This route needs an image prompt. Add an image first.', { provider: PROVIDER });
    body[spec.imageField] = await imageRef(input.image, ctx);
  }
  if (route.strength && input.strength !== undefined) body[route.strength.field] = input.strength;
  if (spec.countField) body[spec.countField] = input.numImages;
  if (input.aspectRatio && route.aspectRatios?.includes(input.aspectRatio)) body.aspect_ratio = input.aspectRatio;
  if (route.seed && input.seed !== undefined) body.seed = input.seed;
  return body;
}

function errorText(e: unknown): string {
  if (typeof e === 'string') return e;
  if (e && typeof e === 'object') return JSON.stringify(e).slice(0, 300);
  return '';
}

const MODERATION = /nsfw|safety|moderat|flagged|content policy|sensitive|inappropriate/i;

/** What a prediction in its current state means for the job. */
function outcome(p: Prediction): PollOutcome {
  switch (p.status) {
    case 'starting':
      return { kind: 'pending', stage: 'queued' };
    case 'processing':
      return { kind: 'pending', stage: 'running' };
    case 'succeeded': {
      const urls = (Array.isArray(p.output) ? p.output : [p.output]).filter((u): u is string => typeof u === 'string' && u.length > 0);
      if (urls.length === 0) {
        if (p.data_removed) throw new AppError('not_found', 'Replicate already deleted this result (it keeps outputs for an hour). Create it again.', { provider: PROVIDER });
        throw new AppError('bad_reply', 'Replicate finished without any image.', { provider: PROVIDER });
      }
      return { kind: 'done', outputs: urls.map((url): ProviderOutput => ({ kind: 'url', url })) };
    }
    case 'failed': {
      const text = errorText(p.error);
      if (MODERATION.test(text)) throw new AppError('moderated', `Replicate refused this content${text ? `: ${text}` : '.'}`, { provider: PROVIDER });
      throw new AppError('invalid_input', `Replicate could not run this${text ? `: ${text}` : '.'}`, { provider: PROVIDER });
    }
    case 'canceled':
      throw new AppError('canceled', 'The prediction was canceled at Replicate.', { provider: PROVIDER });
    case 'aborted':
      throw new AppError('timed_out', 'Replicate gave up on this prediction before it started.', { provider: PROVIDER });
  }
}

export const replicateAdapter: ProviderAdapter = {
  id: 'replicate',
  mode: 'queue',

  async submit(route, input, ctx): Promise<SubmitOutcome> {
    const body = { input: await replicateInputs(route, input, ctx) };
    const res = await keyedFetch(ctx, PROVIDER, `${stripEnd(ctx.baseUrl)}/v1/models/${wireModel(route)}/predictions`, {
      method: 'POST',
      authHeader: auth(ctx),
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(body),
    });
    // 404 on a model's predictions path: Replicate has no such model (deleted or renamed).
    if (res.status === 404) {
      throw new AppError('route_unavailable', `Replicate no longer offers ${wireModel(route)}: it answered that the model does not exist.`, { provider: PROVIDER, routeId: route.id });
    }
    if (!res.ok) throw await failure(res, 'submit');
    const p = parseReply(PROVIDER, Prediction, await readJson(res));
    const handle: ProviderHandle = { id: p.id, getUrl: p.urls.get };
    if (p.urls.cancel) handle.cancelUrl = p.urls.cancel;
    const now = outcome(p);
    if (now.kind === 'done') return { kind: 'done', outputs: now.outputs, handle };
    return { kind: 'submitted', handle };
  },

  async poll(_route, handle, ctx): Promise<PollOutcome> {
    if (!handle.getUrl) throw new AppError('internal', 'This Replicate job lost its status address.', { provider: PROVIDER });
    const res = await keyedFetch(ctx, PROVIDER, handle.getUrl, { method: 'GET', authHeader: auth(ctx), headers: { Accept: 'application/json' } });
    if (!res.ok) throw await failure(res);
    return outcome(parseReply(PROVIDER, Prediction, await readJson(res)));
  },

  async cancel(_route, handle, ctx): Promise<void> {
    if (!handle.cancelUrl) return;
    const res = await keyedFetch(ctx, PROVIDER, handle.cancelUrl, { method: 'POST', authHeader: auth(ctx), headers: { Accept: 'application/json' } });
    // A prediction that already ended cannot be canceled; nothing left to do.
    if (!res.ok && ![404, 409, 422].includes(res.status)) throw await failure(res);
  },

  async checkModels(models, ctx) {
    // GET /v1/models/{owner}/{name} is free: 200 with the model, 404 when there is none.
    const out: Record<string, 'present' | 'missing'> = {};
    for (const model of models) {
      const res = await keyedFetch(ctx, PROVIDER, `${stripEnd(ctx.baseUrl)}/v1/models/${model}`, {
        method: 'GET',
        authHeader: auth(ctx),
        headers: { Accept: 'application/json' },
      });
      if (res.status === 404) out[model] = 'missing';
      else if (res.ok) out[model] = 'present';
      else throw await failure(res);
    }
    return out;
  },

  async testKey(ctx): Promise<void> {
    const res = await keyedFetch(ctx, PROVIDER, `${stripEnd(ctx.baseUrl)}/v1/account`, {
      method: 'GET',
      authHeader: auth(ctx),
      headers: { Accept: 'application/json' },
    });
    if (!res.ok) throw await failure(res);
  },
};
