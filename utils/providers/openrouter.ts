import { z } from 'zod';
import { AppError } from '../errors';
import { base64ToBytes, blobToDataUri } from '../image/bytes';
import { wireModel, wireSize, type RouteSpec } from '../models';
import { defaultMessage, keyedFetch, kindForStatus, parseReply, readJson, retryAfterMs, stripEnd } from './http';
import { noPolling, sniffImageMime } from './sync';
import { inputImages, type GenerationInput, type JobCost, type ModelPresence, type PreparedImage, type ProviderAdapter, type ProviderContext, type ProviderOutput, type SubmitOutcome } from './types';

/**
 * OpenRouter's Image API: one key for gpt-image-2, Gemini 3 image, Seedream 4.5 and FLUX.2
 * (synchronous: the POST answers with the images). Describing a reference uses the chat API
 * with a vision model.
 *
 *   POST {base}/api/v1/images          Authorization: Bearer <key>, JSON:
 *     { model, prompt, n?, aspect_ratio?, seed?,
 *       input_references?: [{ type: "image_url", image_url: { url: <data URL> } }] }   (at most 16)
 *     -> 200 { created, data: [{ b64_json, media_type? }], usage?: { ..., cost? } }
 *   GET  {base}/api/v1/images/models   -> { data: [{ id, name, architecture, supported_parameters, ... }] }
 *   GET  {base}/api/v1/key             -> { data: { label, limit, limit_remaining, ... } }   (key check)
 *   POST {base}/api/v1/chat/completions   (describe) JSON:
 *     { model, max_completion_tokens, messages: [{ role: "user", content: [
 *         { type: "text", text }, { type: "image_url", image_url: { url: <data URL>, detail? } }] }] }
 *     -> 200 { id, object: "chat.completion", choices: [{ finish_reason, index, message: { role, content, refusal? } }], usage? }
 *   Errors: { error: { code: <the HTTP status>, message, metadata? }, user_id? }
 *
 * Sources (stored copies; no live call was made):
 * - Paths, body fields and reply: OpenRouterTeam/docs openapi/openapi.yaml @c26125a (2026-08-22),
 *   `/images` (createImages), ImageGenerationRequest (model and prompt required; `input_references`
 *   items ContentPartImage `{ type: "image_url", image_url: { url } }`, "base64 data URLs or
 *   HTTP(S) URLs", maxItems 16; `n` "1-10 ... single-image providers reject n > 1"; the
 *   aspect_ratio enum; `seed` integer), ImageGenerationResponse (`data[].b64_json` required,
 *   `media_type` optional), ImageGenerationUsage.cost; the same in OpenRouterTeam/typescript-sdk
 *   src/models/imagegenerationrequest.ts, contentpartimage.ts, imagegenerationresponse.ts @cb9393a.
 * - "Failed or cancelled generations are not billed ... the request returns a 502 Bad Gateway":
 *   OpenRouterTeam/docs guides/overview/multimodal/image-generation.mdx ("Billing and Cancellation").
 * - Statuses: the same openapi (`/images` answers 400, 401, 402, 403, 404, 413, 429, 500, 502, 524,
 *   529) and api_reference/errors-and-debugging.mdx (401 invalid or disabled key, 402 insufficient
 *   credits, 403 guardrail or moderation block with `metadata.reasons`, 408 timeout, 429 rate limit,
 *   502 model down, 503 no provider meets the routing requirements; `Retry-After` on 429 and 503).
 * - `GET /key` (getCurrentKey, 401 for a bad key): openapi.yaml and api_reference/limits.mdx.
 * - `GET /images/models` (listImageModels, ImageModelsListResponse): openapi.yaml.
 * - Describing: openapi.yaml `/chat/completions` (sendChatCompletionRequest), ChatRequest
 *   (`messages` minItems 1; `max_completion_tokens` "Maximum tokens in completion"; `max_tokens`
 *   "deprecated, use max_completion_tokens"), ChatUserMessage (content: string or content parts),
 *   ChatContentImage (`{ type: "image_url", image_url: { url ("data: URLs supported"), detail:
 *   auto|low|high|original } }`), ChatResult / ChatChoice / ChatAssistantMessage (`content`:
 *   string, content parts or null; `refusal`; finish_reason incl. `content_filter`, `error`);
 *   guides/overview/multimodal/image-understanding.mdx (text part first, then the image; base64
 *   `data:image/jpeg;base64,...`; png, jpeg, webp and gif); api_reference/errors-and-debugging.mdx
 *   (once the model has started, errors come in a 200 body, not as the HTTP status).
 *
 * Not verified: how the Image API answers for an unknown or withdrawn model. The chat API answers
 * 400 "<id> is not a valid model ID" and 404 "No endpoints found for <id>." (many public issue
 * threads, e.g. OpenRouterTeam/openrouter-examples#74, chatboxai/chatbox#2743); both are read as
 * "route unavailable" here. Also unverified: the largest request body (413) OpenRouter accepts.
 */

const PROVIDER = 'OpenRouter';
const API = '/api/v1';
/** ImageGenerationRequest.input_references maxItems (openapi.yaml). */
export const OPENROUTER_MAX_REFERENCES = 16;

const ImagesReply = z.object({
  data: z.array(z.object({ b64_json: z.string().min(1), media_type: z.string().nullish() })),
  // A cost we cannot read is left out rather than failing a paid job.
  usage: z.object({ cost: z.number().nonnegative().nullish().catch(undefined) }).passthrough().nullish().catch(undefined),
});

const ErrorBody = z.object({
  error: z.object({
    code: z.union([z.number(), z.string()]).nullish(),
    message: z.string().nullish(),
    metadata: z.record(z.string(), z.unknown()).nullish(),
  }),
});

const ModelList = z.object({ data: z.array(z.object({ id: z.string() }).passthrough()) });

/**
 * The vision model that describes: non-reasoning, so the whole token budget goes into the words
 * (reasoning models spend part of max_completion_tokens thinking: guides/best-practices/
 * reasoning-tokens.mdx), cheap, and the model OpenAI's own describe uses. The id is listed in
 * OpenRouterTeam/typescript-sdk src/types/models.ts @cb9393a (generated 2025-12-23) and used in
 * OpenRouterTeam/docs install.mdx @c26125a. Not verified: that OpenRouter still serves it today
 * (no live call; the stored model list is from 2025-12), nor its image pricing there.
 */
export const OPENROUTER_VISION_MODEL = 'openai/gpt-4o-mini';

const ChatReply = z.object({
  choices: z
    .array(
      z.object({
        finish_reason: z.string().nullish(),
        message: z.object({
          // A string, content parts (ChatContentItems; only `text` parts are words), or null.
          content: z.union([z.string(), z.array(z.object({ type: z.string(), text: z.unknown() }).passthrough()), z.null()]).optional(),
          refusal: z.string().nullish(),
        }),
      }),
    )
    .min(1),
});

function auth(ctx: ProviderContext): [string, string] {
  return ['Authorization', `Bearer ${ctx.key}`];
}

/** An OpenRouter message for display: one line, short, never carrying the key. */
function clean(text: string | null | undefined, key: string): string {
  let out = (text ?? '').replace(/\s+/g, ' ').trim();
  if (key) out = out.split(key).join('***');
  return out.length > 300 ? `${out.slice(0, 297)}...` : out;
}

/** Messages that say the model itself is gone or unknown (see the header: chat API wording). */
const MODEL_GONE = /not a valid model id|no endpoints found for|model (?:not found|does not exist)/i;
/** 404s that are about the request's parameters or the account's privacy settings, not the model. */
const NOT_THE_MODEL = /no endpoints (?:found )?(?:that|matching)|data policy|guardrail/i;

/**
 * What a failed call was doing: `route` only for a generation on a catalogue route, where a
 * missing model means the route is gone; `describing` for the vision call, which makes no image.
 */
interface Doing {
  route?: RouteSpec;
  describing?: boolean;
}

/** Maps an OpenRouter error onto our kinds. */
function openrouterError(status: number, body: unknown, headers: Headers, key: string, { route, describing }: Doing = {}): AppError {
  const parsed = ErrorBody.safeParse(body);
  const err = parsed.success ? parsed.data.error : undefined;
  const said = clean(err?.message, key);
  const opts = { provider: PROVIDER };
  const quoted = said ? `OpenRouter: ${said}` : undefined;

  if (route && err && (MODEL_GONE.test(said) || (status === 404 && !NOT_THE_MODEL.test(said)))) {
    return new AppError('route_unavailable', `OpenRouter no longer offers ${wireModel(route)}${said ? ` (${said})` : '.'}`, { ...opts, routeId: route.id });
  }
  // 403 is a guardrail or moderation block when OpenRouter says why (metadata.reasons), else a permission problem.
  const reasons = err?.metadata?.reasons;
  if (status === 403 && (Array.isArray(reasons) || /flagged|moderat|blocked/i.test(said))) {
    const why = Array.isArray(reasons) ? reasons.filter((r): r is string => typeof r === 'string').join(', ') : '';
    return new AppError('moderated', `OpenRouter refused this request${why ? ` (${why})` : ''}${said ? `: ${said}` : '.'}`, opts);
  }
  if (status === 502 && describing) {
    // Only the Image API documents a failed call as unbilled; the chat API just says the model is down.
    return new AppError('provider_down', `The vision model behind OpenRouter failed to describe the image${said ? ` (${said})` : ''}; try again.`, opts);
  }
  if (status === 502) {
    // Documented: a generation that did not complete answers 502 and is not billed.
    return new AppError('provider_down', `The model behind OpenRouter failed to make the image${said ? ` (${said})` : ''}. Nothing was charged; try again.`, opts);
  }
  if (status === 524) return new AppError('timed_out', defaultMessage('timed_out', PROVIDER), opts);
  if (status === 529) return new AppError('provider_down', `The model behind OpenRouter is overloaded; try again shortly.`, { ...opts, retryAfterMs: retryAfterMs(headers) });

  const kind = kindForStatus(status);
  switch (kind) {
    case 'bad_key':
      // 401 means an invalid or disabled key: our words. 403 says what is missing.
      return new AppError(kind, status === 403 && quoted ? quoted : defaultMessage(kind, PROVIDER), opts);
    case 'out_of_credit':
    case 'invalid_input':
      return new AppError(kind, quoted ?? defaultMessage(kind, PROVIDER), opts);
    case 'rate_limited':
      return new AppError(kind, quoted ?? defaultMessage(kind, PROVIDER), { ...opts, retryAfterMs: retryAfterMs(headers) });
    default:
      return new AppError(kind, defaultMessage(kind, PROVIDER), { ...opts, retryAfterMs: retryAfterMs(headers) });
  }
}

async function failure(res: Response, ctx: ProviderContext, doing?: Doing): Promise<AppError> {
  return openrouterError(res.status, await readJson(res), res.headers, ctx.key, doing);
}

/** The JSON body of one generation: every used reference of the tray, in tray order. */
async function openrouterBody(route: RouteSpec, input: GenerationInput): Promise<Record<string, unknown>> {
  const images = inputImages(input);
  if (images.length > OPENROUTER_MAX_REFERENCES) {
    throw new AppError('invalid_input', `OpenRouter takes at most ${OPENROUTER_MAX_REFERENCES} reference images, not ${images.length}.`, { provider: PROVIDER });
  }
  const body: Record<string, unknown> = { model: wireModel(route), prompt: input.prompt, n: input.numImages };
  const ratio = wireSize(route, input.aspectRatio);
  if (typeof ratio === 'string') body.aspect_ratio = ratio;
  if (route.seed && input.seed !== undefined) body.seed = input.seed;
  if (images.length > 0) {
    body.input_references = await Promise.all(
      images.map(async (image) => ({ type: 'image_url', image_url: { url: await blobToDataUri(image.blob, image.mime) } })),
    );
  }
  return body;
}

/** Raster formats the panel can show; SVG (vector models) and anything unknown are not. */
const RASTER = new Set(['image/png', 'image/jpeg', 'image/webp']);

function outputsOf(reply: z.infer<typeof ImagesReply>): ProviderOutput[] {
  return reply.data.map((d) => {
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = base64ToBytes(d.b64_json);
    } catch {
      throw new AppError('bad_reply', 'OpenRouter sent an image that could not be decoded.', { provider: PROVIDER });
    }
    const declared = d.media_type?.toLowerCase() ?? '';
    const mime = sniffImageMime(bytes) ?? (RASTER.has(declared) ? declared : undefined);
    if (!mime || !RASTER.has(mime)) {
      throw new AppError('bad_reply', `OpenRouter sent an image in a format this extension cannot show (${declared || 'unknown'}).`, { provider: PROVIDER });
    }
    return { kind: 'blob' as const, blob: new Blob([bytes], { type: mime }) };
  });
}

/** The chat request that asks the vision model for words about one picture (text first, as the guide advises). */
async function describeBody(image: PreparedImage, instruction: string, maxTokens: number): Promise<Record<string, unknown>> {
  return {
    model: OPENROUTER_VISION_MODEL,
    // `max_tokens` is deprecated in favour of this (ChatRequest).
    max_completion_tokens: maxTokens,
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: instruction },
          // `low` detail: a description needs no fine detail and costs fewer image tokens.
          { type: 'image_url', image_url: { url: await blobToDataUri(image.blob, image.mime), detail: 'low' } },
        ],
      },
    ],
  };
}

/** The words of a chat reply; an error, a refusal or an empty answer is an AppError. */
function descriptionOf(body: unknown, ctx: ProviderContext, headers: Headers): string {
  // After the model has started, OpenRouter reports failures in a 200 body (errors-and-debugging.mdx).
  const inBand = ErrorBody.safeParse(body);
  if (inBand.success && !(body as { choices?: unknown }).choices) {
    const code = Number(inBand.data.error.code);
    throw openrouterError(Number.isInteger(code) && code >= 400 ? code : 502, body, headers, ctx.key, { describing: true });
  }
  const choice = parseReply(PROVIDER, ChatReply, body).choices[0]!;
  const { content, refusal } = choice.message;
  const text = typeof content === 'string' ? content : (content ?? []).map((p) => (p.type === 'text' && typeof p.text === 'string' ? p.text : '')).join(' ');
  if (text.trim()) return text;
  if (refusal?.trim() || choice.finish_reason === 'content_filter') {
    const why = clean(refusal, ctx.key);
    throw new AppError('moderated', `OpenRouter\u2019s vision model refused to describe this picture${why ? ` (${why})` : '.'}`, { provider: PROVIDER });
  }
  const finish = choice.finish_reason && choice.finish_reason !== 'stop' ? ` (${choice.finish_reason})` : '';
  throw new AppError('bad_reply', `OpenRouter returned no description${finish}.`, { provider: PROVIDER });
}

/** GET /api/v1/images/models: every image model OpenRouter serves (free). */
async function listImageModels(ctx: ProviderContext): Promise<Set<string>> {
  const res = await keyedFetch(ctx, PROVIDER, `${stripEnd(ctx.baseUrl)}${API}/images/models`, {
    method: 'GET',
    authHeader: auth(ctx),
    headers: { Accept: 'application/json' },
  });
  if (!res.ok) throw await failure(res, ctx);
  return new Set(parseReply(PROVIDER, ModelList, await readJson(res)).data.map((m) => m.id));
}

export const openrouterAdapter: ProviderAdapter = {
  id: 'openrouter',
  mode: 'sync',

  async submit(route, input, ctx): Promise<SubmitOutcome> {
    const res = await keyedFetch(ctx, PROVIDER, `${stripEnd(ctx.baseUrl)}${API}/images`, {
      method: 'POST',
      authHeader: auth(ctx),
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(await openrouterBody(route, input)),
    });
    if (!res.ok) throw await failure(res, ctx, { route });
    const reply = parseReply(PROVIDER, ImagesReply, await readJson(res));
    const outputs = outputsOf(reply);
    if (outputs.length === 0) throw new AppError('bad_reply', 'OpenRouter answered without an image.', { provider: PROVIDER });
    const usd = reply.usage?.cost;
    const cost: JobCost | undefined = typeof usd === 'number' ? { usd, source: 'reported' } : undefined;
    // `n` is an upper bound: providers may return fewer (openapi.yaml ImageGenerationRequest.n).
    const fewer = outputs.length < input.numImages ? `OpenRouter returned ${outputs.length} of the ${input.numImages} images asked for.` : undefined;
    return { kind: 'done', outputs, ...(cost ? { cost } : {}), ...(fewer ? { notice: fewer } : {}) };
  },

  async poll() {
    return noPolling(PROVIDER);
  },

  async testKey(ctx): Promise<void> {
    const res = await keyedFetch(ctx, PROVIDER, `${stripEnd(ctx.baseUrl)}${API}/key`, {
      method: 'GET',
      authHeader: auth(ctx),
      headers: { Accept: 'application/json' },
    });
    if (!res.ok) throw await failure(res, ctx);
    await readJson(res);
  },

  async describe({ image, instruction, maxTokens }, ctx): Promise<string> {
    const res = await keyedFetch(ctx, PROVIDER, `${stripEnd(ctx.baseUrl)}${API}/chat/completions`, {
      method: 'POST',
      authHeader: auth(ctx),
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(await describeBody(image, instruction, maxTokens)),
    });
    if (!res.ok) throw await failure(res, ctx, { describing: true });
    return descriptionOf(await readJson(res), ctx, res.headers);
  },

  async listModels(ctx): Promise<string[]> {
    return [...(await listImageModels(ctx))].sort();
  },

  async checkModels(models, ctx): Promise<Record<string, ModelPresence>> {
    const present = await listImageModels(ctx);
    return Object.fromEntries(models.map((m) => [m, present.has(m) ? 'present' : 'missing'] as const));
  },
};
