import { z } from 'zod';
import { AppError } from '../errors';
import { wireModel, wireSize, type RouteSpec } from '../models';
import { blobToDataUri } from '../image/bytes';
import { defaultMessage, keyedFetch, kindForStatus, limitedFetch, parseReply, readJson, retryAfterMs, sameOrigin, stripEnd } from './http';
import { inputImages, type GenerationInput, type PollOutcome, type ProviderAdapter, type ProviderContext, type ProviderHandle, type SubmitOutcome } from './types';

/**
 * fal queue API.
 *   POST {base}/{model_id}            Authorization: Key <key>, JSON inputs
 *     -> { request_id, status_url, response_url, cancel_url }
 *   GET  status_url                    -> { status: IN_QUEUE (queue_position) | IN_PROGRESS | COMPLETED }
 *   GET  response_url                  -> { images: [{ url, width, height, content_type }], seed }
 *   PUT  cancel_url
 *   GET  https://api.fal.ai/v1/models?endpoint_id=...   free model search (no key sent)
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
  /** One flag per image (plural name, as in fal's published output types); a flagged image is black. */
  has_nsfw_concepts: z.array(z.boolean()).nullish(),
});

/**
 * Describing: the queue endpoint `openrouter/router/vision` (fal's successor to the deprecated
 * `fal-ai/any-llm/vision`): `prompt`, `image_urls`, `model`, `max_tokens`; answers `{ output }`.
 */
const FAL_VISION_ENDPOINT = 'openrouter/router/vision';
const FAL_VISION_MODEL = 'google/gemini-2.5-flash';
const VisionResult = z.object({ output: z.string() });

/**
 * fal's free model search (docs.fal.ai/platform-apis/v1/models): GET https://api.fal.ai/v1/models
 * ?endpoint_id=a&endpoint_id=b (1-50), key optional -> { models: [{ endpoint_id, metadata:
 * { status: active | deprecated, ... } }], next_cursor, has_more }. What it answers for an
 * unknown id (left out, or an error) is not documented; left out is read as missing.
 */
const ModelSearch = z.object({
  models: z.array(z.object({ endpoint_id: z.string(), metadata: z.object({ status: z.string().nullish() }).nullish() })),
});

/** The official queue host's platform API is api.fal.ai; a proxy or the sandbox serves it under its own base. */
function platformUrl(baseUrl: string): string {
  return sameOrigin(baseUrl, 'https://queue.fal.run') ? 'https://api.fal.ai' : stripEnd(baseUrl);
}

const ErrorBody = z.object({
  detail: z.union([
    z.string(),
    z.array(z.object({ loc: z.array(z.union([z.string(), z.number()])).optional(), msg: z.string() })),
  ]),
});

/**
 * Builds the JSON inputs for one fal endpoint from the panel's generation input. The field
 * names come from the route's `fal` form in the catalogue (fal's published input types), so a
 * new fal route needs no code here.
 */
async function falInputs(route: RouteSpec, input: GenerationInput): Promise<Record<string, unknown>> {
  const form = route.fal ?? {};
  const body: Record<string, unknown> = { prompt: input.prompt, ...form.fixed };
  if (form.image && route.imageInput === 'native') {
    // Where the endpoint takes style references apart (`styles`), those go there and the rest
    // into the main field; a list field takes every main reference, a single one the first.
    const images = inputImages(input);
    const styled = form.styles ? images.filter((i) => i.role === 'style') : [];
    const main = form.styles ? images.filter((i) => i.role !== 'style') : images;
    if (main.length === 0) {
      const why = styled.length > 0 ? ' A style reference alone is not enough: add the main image first.' : ' Add an image first.';
      throw new AppError('invalid_input', `This model needs an image prompt on this route.${why}`, { provider: PROVIDER });
    }
    const urls = await Promise.all(main.map((i) => blobToDataUri(i.blob, i.mime)));
    body[form.image.field] = form.image.list ? urls : urls[0];
    if (form.styles && styled.length > 0) body[form.styles] = await Promise.all(styled.map((i) => blobToDataUri(i.blob, i.mime)));
  }
  if (route.strength && input.strength !== undefined) body[route.strength.field] = input.strength;
  const size = wireSize(route, input.aspectRatio);
  if (size !== undefined) body[form.aspectField ?? 'aspect_ratio'] = size;
  const countField = form.countField === undefined ? 'num_images' : form.countField;
  if (countField) body[countField] = input.numImages;
  if (route.seed && input.seed !== undefined) body.seed = input.seed;
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
  // Other lock reasons ("Admin lock") are not about money: say what fal said.
  if ((res.status === 402 || res.status === 403) && /exhausted balance/i.test(text)) {
    return new AppError('out_of_credit', 'Your fal account is out of credit.', { provider: PROVIDER });
  }
  const lock = /User is locked\. Reason: ([^".]{1,80})/i.exec(text);
  if ((res.status === 402 || res.status === 403) && lock) {
    return new AppError('bad_key', `fal has locked your account (${lock[1]!.trim()}). Contact fal support; a new key will not help.`, { provider: PROVIDER });
  }
  return new AppError(kind, message, { provider: PROVIDER, retryAfterMs: retryAfterMs(res.headers) });
}


/**
 * Submits inputs to a fal queue endpoint; the handle holds the URLs fal returned. A 404 here
 * means fal has no such endpoint (retired or renamed): with `routeId`, that is reported as the
 * route being unavailable, so the product can stop paying attention to it.
 */
async function falSubmit(
  ctx: ProviderContext,
  endpoint: string,
  body: Record<string, unknown>,
  routeId?: string,
): Promise<{ handle: ProviderHandle; queuePosition?: number }> {
  const res = await keyedFetch(ctx, PROVIDER, `${stripEnd(ctx.baseUrl)}/${endpoint}`, {
    method: 'POST',
    authHeader: auth(ctx),
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status === 404 && routeId) {
    throw new AppError('route_unavailable', `fal no longer offers ${endpoint}: it answered that the endpoint does not exist.`, { provider: PROVIDER, routeId });
  }
  if (!res.ok) throw await failure(res);
  const reply = parseReply(PROVIDER, SubmitReply, await readJson(res));
  const handle: ProviderHandle = { requestId: reply.request_id, statusUrl: reply.status_url, responseUrl: reply.response_url };
  if (reply.cancel_url) handle.cancelUrl = reply.cancel_url;
  return { handle, queuePosition: reply.queue_position };
}

/** One status check; once COMPLETED, the raw result body (validation errors surface here too). */
async function falPoll(
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
    const { handle, queuePosition } = await falSubmit(ctx, wireModel(route), await falInputs(route, input), route.id);
    return { kind: 'submitted', handle, queuePosition };
  },

  async poll(_route, handle, ctx): Promise<PollOutcome> {
    const step = await falPoll(ctx, handle);
    if (step.kind === 'pending') return step;
    const result = parseReply(PROVIDER, ResultReply, step.body);
    // The safety checker blacks out flagged images and says so per image: keep the others.
    const flags = result.has_nsfw_concepts ?? [];
    const kept = result.images.filter((_img, i) => flags[i] !== true);
    if (kept.length === 0) {
      throw new AppError('moderated', 'fal\u2019s safety checker blocked every image of this result.', { provider: PROVIDER });
    }
    const dropped = result.images.length - kept.length;
    return {
      kind: 'done',
      outputs: kept.map((img) => ({
        kind: 'url' as const,
        url: img.url,
        mime: img.content_type ?? undefined,
        width: img.width ?? undefined,
        height: img.height ?? undefined,
      })),
      ...(dropped ? { notice: `fal\u2019s safety checker blocked ${dropped} of ${result.images.length} images; they were not saved.` } : {}),
    };
  },

  async cancel(_route, handle, ctx): Promise<void> {
    if (!handle.cancelUrl) return;
    const res = await keyedFetch(ctx, PROVIDER, handle.cancelUrl, { method: 'PUT', authHeader: auth(ctx) });
    // 400 means it already finished; nothing left to cancel.
    if (!res.ok && res.status !== 400) throw await failure(res);
  },

  async describe({ image, instruction, maxTokens, sleep }, ctx): Promise<string> {
    const { handle } = await falSubmit(ctx, FAL_VISION_ENDPOINT, {
      prompt: instruction,
      image_urls: [await blobToDataUri(image.blob, image.mime)],
      model: FAL_VISION_MODEL,
      max_tokens: maxTokens,
    });
    // Captioning takes seconds; give up well inside the job's deadline.
    for (let waited = 0; waited < 90_000; waited += 1000) {
      const step = await falPoll(ctx, handle);
      if (step.kind === 'done') return parseReply(PROVIDER, VisionResult, step.body).output;
      await sleep(1000);
    }
    throw new AppError('timed_out', 'fal took too long to describe the image.', { provider: PROVIDER });
  },

  async checkModels(models, ctx) {
    // fal's model search answers without a key (a key only raises rate limits), so none is
    // sent: it lives on another host than the queue.
    const found = new Map<string, string>();
    for (let i = 0; i < models.length; i += 50) {
      const query = models.slice(i, i + 50).map((m) => `endpoint_id=${encodeURIComponent(m)}`).join('&');
      let res: Response;
      try {
        // Timed and size-capped like every provider request (keyedFetch), without the key.
        res = await limitedFetch(ctx, PROVIDER, `${platformUrl(ctx.baseUrl)}/v1/models?${query}`, { headers: { Accept: 'application/json' } });
      } catch (err) {
        if (err instanceof AppError && err.kind !== 'network') throw err;
        throw new AppError('network', 'Could not reach fal\u2019s model list.', { provider: PROVIDER, cause: err });
      }
      if (!res.ok) throw await failure(res);
      for (const m of parseReply(PROVIDER, ModelSearch, await readJson(res)).models) found.set(m.endpoint_id, m.metadata?.status ?? 'active');
    }
    return Object.fromEntries(models.map((m) => [m, !found.has(m) ? 'missing' : found.get(m) === 'deprecated' ? 'deprecated' : 'present'] as const));
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
