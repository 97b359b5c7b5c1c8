import { z } from 'zod';
import { AppError, type ErrorKind } from '../errors';
import { wireModel, wireSize, type RouteSpec } from '../models';
import { base64ToBytes, blobToDataUri } from '../image/bytes';
import { defaultMessage, keyedFetch, kindForStatus, parseReply, readJson, retryAfterMs, stripEnd } from './http';
import { messageFrom, noPolling, parseResolution, sniffImageMime } from './sync';
import { inputImages, type GenerationInput, type ProviderAdapter, type ProviderContext, type ProviderOutput, type SubmitOutcome } from './types';

/**
 * BytePlus ModelArk image generation (synchronous, JSON, `Authorization: Bearer <key>`).
 *   POST {base}/api/v3/images/generations
 *     Seedream 3 (text only):  { model: "seedream-3-0-t2i-250415", prompt, size: "1024x1024",
 *                                seed, response_format: "url", watermark: false }
 *     SeedEdit 3.0 (edits the image): { model: "seededit-3-0-i2i-250628", prompt,
 *                                image: <URL or data URI, JPEG/PNG>, size: "adaptive",
 *                                guidance_scale 1-10 (default 5.5), seed, response_format, watermark }
 *     -> 200 { model, created, data: [{ url } | { b64_json }], usage: { generated_images } }
 *     -> 4xx/5xx { error: { code, message, param, type } }: InvalidParameter / MissingParameter,
 *        *SensitiveContentDetected*, AuthenticationError (401), AccountOverdueError (403),
 *        RateLimitExceeded.* / QuotaExceeded (429), InternalServiceError (500).
 * Route endpoints are the model ids. URLs are signed for 24 hours.
 * Sources: request models in ComfyUI's BytePlus nodes (comfy_api_nodes/apis/bytedance_api.py),
 * Replicate's SeedEdit 3.0 schema (guidance_scale default 5.5); error codes as they appear in
 * several public Ark clients (not read in BytePlus's own docs).
 */

const PROVIDER = 'BytePlus';

const ImageDatum = z.object({
  url: z.string().min(1).nullish(),
  b64_json: z.string().min(1).nullish(),
  size: z.string().nullish(),
});

const GenerateReply = z.object({
  model: z.string().nullish(),
  created: z.number().nullish(),
  data: z.array(ImageDatum).nullish(),
  error: z.object({ code: z.string().nullish(), message: z.string().nullish() }).nullish(),
});

const ErrorBody = z.object({
  error: z.object({ code: z.string().nullish(), message: z.string().nullish(), param: z.string().nullish(), type: z.string().nullish() }),
});

function auth(ctx: ProviderContext): [string, string] {
  return ['Authorization', `Bearer ${ctx.key}`];
}

function isSeedEdit(route: RouteSpec): boolean {
  return route.endpoint.startsWith('seededit-');
}

/** The wire `size`: "WxH" from the route's size table. */
function sizeOf(route: RouteSpec, ratio: string | undefined): string | undefined {
  const size = wireSize(route, ratio ?? '1:1') ?? wireSize(route, '1:1');
  return size && typeof size === 'object' ? `${size.width}x${size.height}` : size;
}

/** The JSON body for one request. */
async function byteplusBody(route: RouteSpec, input: GenerationInput): Promise<Record<string, unknown>> {
  const body: Record<string, unknown> = { model: wireModel(route), prompt: input.prompt };
  if (route.imageInput === 'native' && !isSeedEdit(route)) {
    // Seedream 4.x: `image` is one data URI, or an array of them for several references (1-14);
    // one image out. A single reference keeps the plain string form.
    const uris = await Promise.all(inputImages(input).map((image) => blobToDataUri(image.blob, image.mime)));
    if (uris.length === 1) body.image = uris[0];
    else if (uris.length > 1) body.image = uris;
    const size = sizeOf(route, input.aspectRatio);
    if (size) body.size = size;
    body.sequential_image_generation = 'disabled';
  } else if (isSeedEdit(route)) {
    const image = input.image;
    if (!image) throw new AppError('invalid_input', 'SeedEdit edits an image. Add an image prompt first.', { provider: PROVIDER });
    const ratio = image.width / image.height;
    if (image.width <= 14 || image.height <= 14 || ratio <= 1 / 3 || ratio >= 3) {
      throw new AppError('invalid_input', 'SeedEdit needs an image wider than 14 px with a ratio between 1:3 and 3:1.', { provider: PROVIDER });
    }
    body.image = await blobToDataUri(image.blob, image.mime);
    body.size = 'adaptive';
    if (route.strength && input.strength !== undefined) body[route.strength.field] = input.strength;
  } else {
    const size = sizeOf(route, input.aspectRatio);
    if (size) body.size = size;
  }
  if (route.seed && input.seed !== undefined) body.seed = input.seed;
  body.response_format = 'url';
  body.watermark = false;
  return body;
}

/** Maps an Ark error code (and the HTTP status) onto our kinds. */
function byteplusError(status: number, code: string | null | undefined, said: string | null | undefined, retryAfter?: number, route?: RouteSpec): AppError {
  const c = code ?? '';
  // The model (or the user's endpoint id) does not exist: retired, like Seedream 3.0 on 2026-05-13.
  if (route && /^InvalidEndpointOrModel/.test(c)) {
    const text = said?.trim().slice(0, 300);
    return new AppError('route_unavailable', `BytePlus no longer offers ${wireModel(route)}${text ? ` (${c}: ${text})` : ` (${c})`}.`, { provider: PROVIDER, routeId: route.id });
  }
  let kind: ErrorKind;
  if (/SensitiveContentDetected|RiskDetection|PolicyViolation/.test(c)) kind = 'moderated';
  else if (/^AuthenticationError|^InvalidAPIKey|^AccessDenied|^PermissionDenied/i.test(c)) kind = 'bad_key';
  else if (/^AccountOverdue|^ServiceOverdue|^QuotaExceeded|^SetLimitExceeded|^InsufficientBalance/.test(c)) kind = 'out_of_credit';
  else if (/^RateLimitExceeded|^RequestBurstTooFast|^ServerOverloaded|^InflightBatchsizeExceeded/.test(c)) kind = 'rate_limited';
  else if (/^InvalidParameter|^MissingParameter|^InvalidArgument|^InvalidImageURL|^InvalidEndpointOrModel|^ModelNotOpen|^UnsupportedModel|^InvalidAccountStatus|^ServiceNotOpen/.test(c)) kind = 'invalid_input';
  else if (/^InternalServiceError|^ServiceUnavailable/.test(c)) kind = 'provider_down';
  else kind = status === 200 ? 'provider_down' : kindForStatus(status);

  const text = said?.trim().slice(0, 300);
  let message: string;
  if (kind === 'moderated') message = `BytePlus refused this content${text ? ` (${c}: ${text})` : ` (${c})`}.`;
  else if (kind === 'invalid_input') {
    const setup = /^ModelNotOpen|^InvalidEndpointOrModel|^ServiceNotOpen|^InvalidAccountStatus/.test(c)
      ? ' Activate this model for your key in the BytePlus ModelArk console.'
      : '';
    message = `BytePlus: ${text || 'the request was not accepted'}${c ? ` (${c})` : ''}.${setup}`;
  } else message = defaultMessage(kind, PROVIDER);
  return new AppError(kind, message, { provider: PROVIDER, retryAfterMs: retryAfter });
}

async function failure(res: Response, body?: unknown, route?: RouteSpec): Promise<AppError> {
  const json = body === undefined ? await readJson(res) : body;
  const parsed = ErrorBody.safeParse(json);
  const code = parsed.success ? parsed.data.error.code : undefined;
  const said = parsed.success ? parsed.data.error.message : messageFrom(json);
  return byteplusError(res.status, code, said, retryAfterMs(res.headers), route);
}

function outputOf(d: z.infer<typeof ImageDatum>): ProviderOutput | undefined {
  const size = parseResolution(d.size);
  if (d.url) return { kind: 'url', url: d.url, ...(size ?? {}) };
  if (d.b64_json) {
    const bytes = base64ToBytes(d.b64_json);
    return { kind: 'blob', blob: new Blob([bytes], { type: sniffImageMime(bytes) ?? 'image/jpeg' }), ...(size ?? {}) };
  }
  return undefined;
}

async function post(ctx: ProviderContext, body: unknown): Promise<Response> {
  return keyedFetch(ctx, PROVIDER, `${stripEnd(ctx.baseUrl)}/api/v3/images/generations`, {
    method: 'POST',
    authHeader: auth(ctx),
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(body),
  });
}

export const byteplusAdapter: ProviderAdapter = {
  id: 'byteplus',
  mode: 'sync',

  async submit(route, input, ctx): Promise<SubmitOutcome> {
    const res = await post(ctx, await byteplusBody(route, input));
    const json = await readJson(res);
    if (!res.ok) throw await failure(res, json, route);
    const reply = parseReply(PROVIDER, GenerateReply, json);
    // Some gateways answer 200 with an `error` object instead of data.
    if (reply.error?.code) throw byteplusError(200, reply.error.code, reply.error.message, undefined, route);
    const outputs = (reply.data ?? []).map(outputOf).filter((o): o is ProviderOutput => o !== undefined);
    if (outputs.length === 0) throw new AppError('bad_reply', 'BytePlus finished without any image.', { provider: PROVIDER });
    return { kind: 'done', outputs };
  },

  async poll() {
    return noPolling(PROVIDER);
  },

  async testKey(ctx): Promise<void> {
    // A request without a model costs nothing: a good key gets 400 (MissingParameter or
    // InvalidParameter), a bad one 401 AuthenticationError, an overdue account 403.
    const res = await post(ctx, {});
    if (res.ok || res.status === 400) return;
    throw await failure(res);
  },
};
