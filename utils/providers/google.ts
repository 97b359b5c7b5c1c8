import { z } from 'zod';
import { AppError, type ErrorKind } from '../errors';
import { base64ToBytes, bytesToBase64 } from '../image/bytes';
import { wireModel, wireSize, type RouteSpec } from '../models';
import { defaultMessage, keyedFetch, kindForStatus, parseReply, readJson, retryAfterMs, stripEnd } from './http';
import { noPolling, sniffImageMime } from './sync';
import { inputImages, type GenerationInput, type ModelPresence, type PreparedImage, type ProviderAdapter, type ProviderContext, type ProviderOutput, type SubmitOutcome } from './types';

/**
 * Google Gemini API (Developer API, not Vertex AI), native image generation (synchronous).
 *
 *   POST {base}/v1beta/models/{model}:generateContent     x-goog-api-key: <key>, JSON:
 *     { contents: [{ role: "user", parts: [{ text }, { inline_data: { mime_type, data } }] }],
 *       generationConfig: { responseModalities: ["TEXT", "IMAGE"], imageConfig: { aspectRatio } } }
 *     -> 200 { candidates: [{ content: { role, parts: [{ text } | { inlineData: { mimeType, data } }] },
 *              finishReason }], promptFeedback?: { blockReason }, usageMetadata, modelVersion }
 *   GET  {base}/v1beta/models?pageSize=&pageToken=      (free; key check and model lookup)
 *     -> { models: [{ name: "models/<id>", supportedGenerationMethods, ... }], nextPageToken? }
 *   Errors: { error: { code, message, status, details: [{ "@type", reason | retryDelay | ... }] } }
 *
 * Sources (stored copies of public pages and repositories; no live calls were made):
 * - x-goog-api-key, POST /v1beta/models/{model}:generateContent: ai.google.dev/api (Gemini API
 *   reference, "Authentication" curl sample).
 * - Part { inlineData: Blob { mimeType, data (base64) }, text, thought }, ImageConfig { aspectRatio,
 *   imageSize }, FinishReason (incl. IMAGE_SAFETY, IMAGE_PROHIBITED_CONTENT, NO_IMAGE,
 *   IMAGE_RECITATION, IMAGE_OTHER), BlockedReason: googleapis/js-genai src/types.ts @ 6e9b35c
 *   (2026-08-21). Its sample sdk-samples/interactions_multimodal_response_image_with_generate_content.ts
 *   sends responseModalities ['TEXT', 'IMAGE']; we ask for TEXT too so that a refusal comes with
 *   the model's words, which we show.
 * - snake_case `inline_data`/`mime_type` in requests: Google's own REST samples use it (the API is
 *   proto3 JSON, which accepts both spellings); replies come back camelCase (ai.google.dev
 *   nanobanana guide reads `part.inlineData`). We read both, to be safe.
 * - models.list: ai.google.dev/api/rest/v1beta/models/list (pageSize default 50, at most 1000 per
 *   page; nextPageToken omitted on the last page).
 * - Model ids: Gemini API changelog (2026-05-28: gemini-3.1-flash-image and gemini-3-pro-image GA,
 *   the -preview ids shut down 2026-06-25; 2026-10-06: gemini-nano-banana-2.1 GA) and the
 *   deprecations page (gemini-2.5-flash-image shut down 2026-10-02; gemini-3.5-flash-lite,
 *   released 2026-07-21, no shutdown announced).
 * - Error shapes, all seen in public issue threads rather than in Google's docs: a bad key is 400
 *   INVALID_ARGUMENT "API key not valid. Please pass a valid API key." with ErrorInfo reason
 *   API_KEY_INVALID (continuedev/continue#8516; newer wording "API Key not found", gemini-cli#25198);
 *   no key is 403 PERMISSION_DENIED "Method doesn't allow unregistered callers ..." (js-genai#898);
 *   an unknown or retired model is 404 NOT_FOUND "models/<id> is not found for API version v1beta,
 *   or is not supported for generateContent ..." (google/adk-python#200); quota is 429
 *   RESOURCE_EXHAUSTED with QuotaFailure and RetryInfo { retryDelay: "58s" } details and no
 *   Retry-After header (python-genai#2114, dcdpr/jp#1061: fractional seconds like "45.8s" occur).
 *
 * Not verified: whether every image model takes all ten of the catalogue's ratios (js-genai's doc
 * comment lists eight, without 4:5 and 5:4; third-party copies of Google's size table list ten);
 * the exact 5xx bodies; whether replies ever use snake_case; whether thought (`thought: true`)
 * image parts appear in generateContent replies of the GA image models (we skip them); third-party
 * reports that gemini-3.1-flash-image itself was shut down on 2026-10-29 (Google's deprecations
 * page, as stored, announces no date). One image per call: candidateCount > 1 is refused by the
 * image models (reported by third parties), so `numImages` is not sent. A retired id (like the
 * -preview ones) answers 404 NOT_FOUND, which reports the route unavailable.
 *
 * Describing uses generateContent on gemini-3.5-flash-lite with maxOutputTokens. Thinking tokens
 * are reported to count against maxOutputTokens (third-party issue threads); Flash-Lite's default
 * thinking level is MINIMAL (Google Cloud "Thinking" page, written for Vertex AI; assumed the same
 * on the Gemini API), which leaves room for the answer. gemini-2.5-flash is not used: the
 * deprecations page gave it a June 2026 shutdown.
 */

const PROVIDER = 'Google';

/** A current multimodal Flash model for "describe the reference" (see the header). */
export const GOOGLE_VISION_MODEL = 'gemini-3.5-flash-lite';

/** Pages of models.list read by checkModels, at 1000 models a page. */
const MAX_MODEL_PAGES = 10;

/** Finish and block reasons that mean Google's filters refused the request or its result. */
const SAFETY_REASONS = new Set([
  'SAFETY',
  'IMAGE_SAFETY',
  'PROHIBITED_CONTENT',
  'IMAGE_PROHIBITED_CONTENT',
  'BLOCKLIST',
  'SPII',
  'RECITATION',
  'IMAGE_RECITATION',
]);

const InlineBlob = z.object({ mimeType: z.string().nullish(), mime_type: z.string().nullish(), data: z.string() });

const ReplyPart = z.object({
  text: z.string().nullish(),
  inlineData: InlineBlob.nullish(),
  inline_data: InlineBlob.nullish(),
  thought: z.boolean().nullish(),
});

const GenerateReply = z.object({
  candidates: z
    .array(
      z.object({
        content: z.object({ parts: z.array(ReplyPart).nullish() }).nullish(),
        finishReason: z.string().nullish(),
        finishMessage: z.string().nullish(),
      }),
    )
    .nullish(),
  promptFeedback: z.object({ blockReason: z.string().nullish(), blockReasonMessage: z.string().nullish() }).nullish(),
});
type GenerateReply = z.infer<typeof GenerateReply>;

const ErrorDetail = z
  .object({
    '@type': z.string().nullish(),
    reason: z.string().nullish(),
    retryDelay: z.string().nullish(),
  })
  .passthrough();

const ErrorBody = z.object({
  error: z.object({
    code: z.number().nullish(),
    message: z.string().nullish(),
    status: z.string().nullish(),
    details: z.array(ErrorDetail).nullish(),
  }),
});

const ModelList = z.object({
  models: z.array(z.object({ name: z.string() })).nullish(),
  nextPageToken: z.string().nullish(),
});

function auth(ctx: ProviderContext): [string, string] {
  return ['x-goog-api-key', ctx.key];
}

/** The model id as the URL wants it: no `models/` prefix, path-safe. */
function modelPath(id: string): string {
  return encodeURIComponent(id.trim().replace(/^models\//, ''));
}

/** A Google message for display: trimmed, short, and never carrying the key. */
function clean(text: string | null | undefined, key: string): string {
  let out = (text ?? '').replace(/\s+/g, ' ').trim();
  if (key) out = out.split(key).join('***');
  return out.length > 300 ? `${out.slice(0, 297)}...` : out;
}

/** A protobuf Duration as JSON ("30s", "45.837906927s") -> milliseconds. */
export function durationMs(value: string | null | undefined): number | undefined {
  const m = value ? /^\s*(\d+(?:\.\d+)?)s\s*$/.exec(value) : null;
  return m ? Math.ceil(Number(m[1]) * 1000) : undefined;
}

/**
 * Maps a Google error reply onto our kinds. `route` is given only for generateContent on a
 * catalogue route, where NOT_FOUND means that the model is gone.
 */
function googleError(status: number, body: unknown, headers: Headers, key: string, route?: RouteSpec): AppError {
  // Some Google front ends wrap the error in a one-element array.
  const parsed = ErrorBody.safeParse(Array.isArray(body) ? body[0] : body);
  const err = parsed.success ? parsed.data.error : undefined;
  const gStatus = err?.status ?? '';
  const details = err?.details ?? [];
  const reasons = details.map((d) => d.reason ?? '').filter(Boolean);
  const said = clean(err?.message, key);
  const opts = { provider: PROVIDER };

  // Only Google's own NOT_FOUND: a bare 404 (a proxy, a wrong base URL) says nothing about the model.
  if (route && (gStatus === 'NOT_FOUND' || (status === 404 && err))) {
    return new AppError('route_unavailable', `Google no longer offers ${wireModel(route)}${said ? ` (${said})` : '.'}`, { ...opts, routeId: route.id });
  }
  // API_KEY_INVALID (unknown key) gets our own words; other API_KEY_* reasons (service or referrer
  // blocked...) keep Google's, which say what to change.
  if (reasons.includes('API_KEY_INVALID') || /API key (not valid|not found|expired)/i.test(said)) {
    return new AppError('bad_key', defaultMessage('bad_key', PROVIDER), opts);
  }
  if (reasons.some((r) => r.startsWith('API_KEY_'))) {
    return new AppError('bad_key', said ? `Google: ${said}` : defaultMessage('bad_key', PROVIDER), opts);
  }

  let kind: ErrorKind;
  if (gStatus === 'UNAUTHENTICATED' || gStatus === 'PERMISSION_DENIED') kind = 'bad_key';
  else if (gStatus === 'RESOURCE_EXHAUSTED') kind = 'rate_limited';
  else if (gStatus === 'INVALID_ARGUMENT' || gStatus === 'FAILED_PRECONDITION' || gStatus === 'OUT_OF_RANGE') kind = 'invalid_input';
  else if (gStatus === 'UNAVAILABLE' || gStatus === 'INTERNAL') kind = 'provider_down';
  else if (gStatus === 'DEADLINE_EXCEEDED') kind = 'timed_out';
  else kind = kindForStatus(status);

  switch (kind) {
    case 'bad_key':
      // 401 says nothing useful; 403 explains (API not enabled, key reported as leaked...).
      return new AppError(kind, status === 403 && said && !/unregistered callers/i.test(said) ? `Google: ${said}` : defaultMessage(kind, PROVIDER), opts);
    case 'rate_limited': {
      const hint = details.map((d) => durationMs(d.retryDelay)).find((ms) => ms !== undefined);
      return new AppError(kind, said ? `Google: ${said}` : defaultMessage(kind, PROVIDER), { ...opts, retryAfterMs: retryAfterMs(headers) ?? hint });
    }
    case 'invalid_input':
      return new AppError(kind, said ? `Google: ${said}` : defaultMessage(kind, PROVIDER), opts);
    default:
      return new AppError(kind, defaultMessage(kind, PROVIDER), { ...opts, retryAfterMs: retryAfterMs(headers) });
  }
}

async function failure(res: Response, ctx: ProviderContext, route?: RouteSpec): Promise<AppError> {
  return googleError(res.status, await readJson(res), res.headers, ctx.key, route);
}

async function imagePart(image: PreparedImage): Promise<Record<string, unknown>> {
  const bytes = new Uint8Array(await image.blob.arrayBuffer());
  return { inline_data: { mime_type: image.mime, data: bytesToBase64(bytes) } };
}

/** The generateContent body for one image request. */
async function googleBody(route: RouteSpec, input: GenerationInput): Promise<Record<string, unknown>> {
  const parts: Array<Record<string, unknown>> = [{ text: input.prompt }];
  // Several references: one inline image part each, in tray order (up to 14 on Gemini 3 image models).
  for (const image of inputImages(input)) parts.push(await imagePart(image));
  const generationConfig: Record<string, unknown> = { responseModalities: ['TEXT', 'IMAGE'] };
  const ratio = wireSize(route, input.aspectRatio);
  if (typeof ratio === 'string') generationConfig.imageConfig = { aspectRatio: ratio };
  return { contents: [{ role: 'user', parts }], generationConfig };
}

async function generate(ctx: ProviderContext, model: string, body: unknown, route?: RouteSpec): Promise<GenerateReply> {
  const res = await keyedFetch(ctx, PROVIDER, `${stripEnd(ctx.baseUrl)}/v1beta/models/${modelPath(model)}:generateContent`, {
    method: 'POST',
    authHeader: auth(ctx),
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw await failure(res, ctx, route);
  return parseReply(PROVIDER, GenerateReply, await readJson(res));
}

type Part = z.infer<typeof ReplyPart>;

function partsOf(reply: GenerateReply): Part[] {
  return (reply.candidates ?? []).flatMap((c) => c.content?.parts ?? []).filter((p) => !p.thought);
}

function textOf(reply: GenerateReply): string {
  return partsOf(reply)
    .map((p) => p.text ?? '')
    .join('')
    .trim();
}

/** Why Google held the answer back, if it says so: a block reason or a safety finish reason. */
function refusalOf(reply: GenerateReply): string | undefined {
  const block = reply.promptFeedback?.blockReason;
  if (block && block !== 'BLOCKED_REASON_UNSPECIFIED') return block;
  return (reply.candidates ?? []).map((c) => c.finishReason ?? '').find((r) => SAFETY_REASONS.has(r));
}

function outputsOf(reply: GenerateReply): ProviderOutput[] {
  const outputs: ProviderOutput[] = [];
  for (const part of partsOf(reply)) {
    const blob = part.inlineData ?? part.inline_data;
    if (!blob) continue;
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = base64ToBytes(blob.data);
    } catch {
      throw new AppError('bad_reply', 'Google sent an image that could not be decoded.', { provider: PROVIDER });
    }
    const declared = blob.mimeType ?? blob.mime_type ?? '';
    const mime = sniffImageMime(bytes) ?? (declared.startsWith('image/') ? declared : undefined);
    if (!mime || bytes.length === 0) continue; // not an image (audio, a document...)
    outputs.push({ kind: 'blob', blob: new Blob([bytes], { type: mime }) });
  }
  return outputs;
}

function quote(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > 300 ? `${t.slice(0, 297)}...` : t;
}

async function listPage(ctx: ProviderContext, pageSize: number, pageToken?: string): Promise<z.infer<typeof ModelList>> {
  const query = new URLSearchParams({ pageSize: String(pageSize) });
  if (pageToken) query.set('pageToken', pageToken);
  const res = await keyedFetch(ctx, PROVIDER, `${stripEnd(ctx.baseUrl)}/v1beta/models?${query.toString()}`, {
    method: 'GET',
    authHeader: auth(ctx),
    headers: { Accept: 'application/json' },
  });
  if (!res.ok) throw await failure(res, ctx);
  return parseReply(PROVIDER, ModelList, await readJson(res));
}

export const googleAdapter: ProviderAdapter = {
  id: 'google',
  mode: 'sync',

  async submit(route, input, ctx): Promise<SubmitOutcome> {
    const reply = await generate(ctx, wireModel(route), await googleBody(route, input), route);
    const outputs = outputsOf(reply);
    if (outputs.length > 0) return { kind: 'done', outputs };

    const said = quote(textOf(reply));
    const refusal = refusalOf(reply);
    if (refusal) {
      throw new AppError('moderated', `Google\u2019s safety filters refused this request (${refusal})${said ? `: \u201c${said}\u201d` : '.'}`, { provider: PROVIDER });
    }
    const finish = (reply.candidates ?? []).map((c) => c.finishReason).find(Boolean);
    const why = finish && finish !== 'STOP' ? ` (${finish})` : '';
    throw new AppError(
      'bad_reply',
      said ? `Google answered without an image${why}: \u201c${said}\u201d` : `Google answered without an image${why}.`,
      { provider: PROVIDER },
    );
  },

  async poll() {
    return noPolling(PROVIDER);
  },

  async describe({ image, instruction, maxTokens }, ctx): Promise<string> {
    const body = {
      contents: [{ role: 'user', parts: [{ text: instruction }, await imagePart(image)] }],
      generationConfig: { maxOutputTokens: maxTokens },
    };
    const reply = await generate(ctx, GOOGLE_VISION_MODEL, body);
    const text = textOf(reply);
    if (text) return text;
    const refusal = refusalOf(reply);
    if (refusal) throw new AppError('moderated', `Google\u2019s safety filters refused to describe this picture (${refusal}).`, { provider: PROVIDER });
    const finish = (reply.candidates ?? []).map((c) => c.finishReason).find((r) => r && r !== 'STOP');
    if (finish) throw new AppError('bad_reply', `Google returned no description (${finish}).`, { provider: PROVIDER });
    return '';
  },

  async testKey(ctx): Promise<void> {
    await listPage(ctx, 1);
  },

  async checkModels(models, ctx): Promise<Record<string, ModelPresence>> {
    const present = new Set<string>();
    let token: string | undefined;
    for (let page = 0; page < MAX_MODEL_PAGES; page++) {
      const list = await listPage(ctx, 1000, token);
      for (const m of list.models ?? []) present.add(m.name.replace(/^models\//, ''));
      const next = list.nextPageToken || undefined;
      if (!next || next === token || models.every((m) => present.has(m.replace(/^models\//, '')))) break;
      token = next;
    }
    return Object.fromEntries(models.map((m) => [m, present.has(m.replace(/^models\//, '')) ? 'present' : 'missing'] as const));
  },
};
