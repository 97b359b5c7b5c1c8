// Google Gemini API (mirrors https://generativelanguage.googleapis.com), mounted under /google.
// Synchronous.
//
//   POST /google/v1beta/models/{model}:generateContent    (fault `on`: 'generate')
//     JSON { contents: [{ role?, parts: [{ text } | { inline_data | inlineData: { mime_type |
//            mimeType, data } }] }], generationConfig?: { responseModalities, imageConfig:
//            { aspectRatio, imageSize }, maxOutputTokens, ... } }
//     image models -> { candidates: [{ content: { role: "model", parts: [{ text },
//            { inlineData: { mimeType: "image/png", data } }] }, finishReason: "STOP", index }],
//            usageMetadata, modelVersion, responseId }
//     text models  -> the same with one text part (a description of the first image)
//   GET  /google/v1beta/models[?pageSize=&pageToken=]      (fault `on`: 'models')
//     -> { models: [{ name: "models/<id>", displayName, supportedGenerationMethods, ... }],
//          nextPageToken? }   pageSize default 50, at most 1000
//   GET  /google/v1beta/models/{model}                      (fault `on`: 'models')
//
// Auth: `x-goog-api-key: <key>` (or `?key=`). None -> 403 PERMISSION_DENIED; the key "bad" ->
// 400 INVALID_ARGUMENT with ErrorInfo reason API_KEY_INVALID, as Google answers an unknown key.
// Errors: { error: { code, message, status, details? } }. Unknown and retired model ids (also
// those retired through `sandbox.retire('google', id)`) answer 404 NOT_FOUND and are not listed. Prompt markers: "[sandbox:unsafe]" -> 200 with finishReason IMAGE_SAFETY and no
// content; "[sandbox:text-only]" -> 200 with a text part only (the model "declines" to draw).
// See sandbox/README.md for what is documented and what is guessed.
import { randomUUID } from 'node:crypto';
import { deriveFromReference, describeImage, generateFromPrompt, ImageInputError, sizeForAspect, type GeneratedImage } from '../image';
import type { Fault, ProviderHandler, ProviderRequest, ProviderResponse, SandboxServices } from '../types';
import { imageKind, readJsonBody, seedFrom, simulateWork, UNSAFE_MARKER } from './sync-util';

export const TEXT_ONLY_MARKER = '[sandbox:text-only]';

/** The ten ratios every current Gemini image model takes. */
const RATIOS = ['1:1', '2:3', '3:2', '3:4', '4:3', '4:5', '5:4', '9:16', '16:9', '21:9'];
/** Flash image models add the extreme ratios (third-party docs; not in Google's text we read). */
const FLASH_RATIOS = [...RATIOS, '1:4', '4:1', '1:8', '8:1'];

interface SandboxModel {
  id: string;
  displayName: string;
  kind: 'image' | 'text';
  ratios?: readonly string[];
  sizes?: readonly string[];
}

/**
 * Live model ids. Image ids per the Gemini API changelog (GA 2026-05-28: gemini-3.1-flash-image,
 * gemini-3-pro-image; 2026-06-30: gemini-3.1-flash-lite-image; 2026-10-06: gemini-nano-banana-2.1);
 * text ids per the deprecations page (no shutdown announced). Third-party reports say
 * gemini-3.1-flash-image was shut down on 2026-10-29; Google's pages as stored do not, so it
 * stays live here.
 */
export const GOOGLE_MODELS: readonly SandboxModel[] = [
  { id: 'gemini-3.1-flash-image', displayName: 'Nano Banana 2 (Gemini 3.1 Flash Image)', kind: 'image', ratios: FLASH_RATIOS, sizes: ['512', '1K', '2K', '4K'] },
  { id: 'gemini-3-pro-image', displayName: 'Nano Banana Pro (Gemini 3 Pro Image)', kind: 'image', ratios: RATIOS, sizes: ['1K', '2K', '4K'] },
  { id: 'gemini-3.1-flash-lite-image', displayName: 'Nano Banana 2 Lite', kind: 'image', ratios: RATIOS, sizes: ['1K'] },
  { id: 'gemini-nano-banana-2.1', displayName: 'Nano Banana 2.1', kind: 'image', ratios: FLASH_RATIOS, sizes: ['1K', '2K', '4K'] },
  { id: 'gemini-3.5-flash-lite', displayName: 'Gemini 3.5 Flash-Lite', kind: 'text' },
  { id: 'gemini-3.6-flash', displayName: 'Gemini 3.6 Flash', kind: 'text' },
  { id: 'gemini-3.8-flash', displayName: 'Gemini 3.8 Flash', kind: 'text' },
];

/**
 * Ids that used to work and now answer 404 like any unknown id; listed for the README and for
 * tests. Imagen never answered generateContent (it used :predict) and the Gemini API shut every
 * Imagen model down in 2026; the -preview image ids were shut down on 2026-06-25 (changelog);
 * gemini-2.5-flash-image on 2026-10-02 (deprecations page); gemini-2.5-flash by 2026-11-12
 * (a third-party report).
 */
export const GOOGLE_RETIRED_MODELS = [
  'imagen-3.0-generate-002',
  'gemini-2.5-flash-image',
  'gemini-3.1-flash-image-preview',
  'gemini-3-pro-image-preview',
  'gemini-2.5-flash',
] as const;

const IMAGE_MIMES = ['image/png', 'image/jpeg', 'image/webp', 'image/heic', 'image/heif'];
/** Input images an image model takes in one request. */
const MAX_INPUT_IMAGES = 14;
const MODALITIES = ['TEXT', 'IMAGE', 'AUDIO'];
const REQUEST_FIELDS = new Set([
  'contents', 'tools', 'toolConfig', 'tool_config', 'safetySettings', 'safety_settings', 'systemInstruction',
  'system_instruction', 'generationConfig', 'generation_config', 'cachedContent', 'cached_content',
]);
const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT', 401: 'UNAUTHENTICATED', 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND', 409: 'ABORTED',
  429: 'RESOURCE_EXHAUSTED', 499: 'CANCELLED', 500: 'INTERNAL', 501: 'NOT_IMPLEMENTED', 503: 'UNAVAILABLE', 504: 'DEADLINE_EXCEEDED',
};

function gError(code: number, message: string, details?: unknown[], headers?: Record<string, string>): ProviderResponse {
  const status = STATUS_NAMES[code] ?? (code >= 500 ? 'INTERNAL' : 'INVALID_ARGUMENT');
  return { status: code, headers, json: { error: { code, message, status, ...(details ? { details } : {}) } } };
}
const invalid = (message: string) => gError(400, message);

const NO_KEY = gError(
  403,
  "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
);
const BAD_KEY = gError(400, 'API key not valid. Please pass a valid API key.', [
  { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com', metadata: { service: 'generativelanguage.googleapis.com' } },
  { '@type': 'type.googleapis.com/google.rpc.LocalizedMessage', locale: 'en-US', message: 'API key not valid. Please pass a valid API key.' },
]);

const notFound = (id: string) =>
  gError(404, `models/${id} is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.`);

function keyOf(req: ProviderRequest): string | undefined {
  const h = req.headers['x-goog-api-key'];
  const v = (Array.isArray(h) ? h[0] : h) ?? req.query.get('key') ?? undefined;
  return v && v.trim() ? v.trim() : undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** Strict base64 (standard or URL-safe alphabet, as proto3 JSON accepts) -> bytes, or null. */
function decodeBase64(s: string): Buffer | null {
  const t = s.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(t) || t.replace(/=+$/, '').length % 4 === 1) return null;
  return Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

function modelEntry(m: SandboxModel) {
  const image = m.kind === 'image';
  return {
    name: `models/${m.id}`,
    version: image ? '2.0' : '3',
    displayName: m.displayName,
    description: `${m.displayName} (sandbox)`,
    inputTokenLimit: image ? 65_536 : 1_048_576,
    outputTokenLimit: image ? 32_768 : 65_536,
    supportedGenerationMethods: image ? ['generateContent', 'countTokens', 'batchGenerateContent'] : ['generateContent', 'countTokens', 'createCachedContent', 'batchGenerateContent'],
    temperature: 1,
    maxTemperature: 2,
    topP: 0.95,
    topK: 64,
    thinking: true,
  };
}

interface ParsedRequest {
  text: string;
  images: Buffer[];
  modalities: string[];
  aspectRatio?: string;
  maxOutputTokens?: number;
}

/** Checks the request the way the API does, field by field; a string is the 400 message. */
function parseRequest(raw: unknown, model: SandboxModel): ParsedRequest | string {
  if (!isObject(raw)) return 'Invalid JSON payload received. Expected an object.';
  for (const k of Object.keys(raw)) {
    if (!REQUEST_FIELDS.has(k)) return `Invalid JSON payload received. Unknown name "${k}": Cannot find field.`;
  }
  const contents = raw.contents;
  if (!Array.isArray(contents) || contents.length === 0) return '* GenerateContentRequest.contents: contents is not specified';
  const texts: string[] = [];
  const images: Buffer[] = [];
  for (const [ci, c] of contents.entries()) {
    if (!isObject(c)) return `Invalid value at 'contents[${ci}]': expected an object.`;
    if (c.role !== undefined && c.role !== 'user' && c.role !== 'model') return `Please use a valid role: user, model.`;
    const parts = c.parts;
    if (!Array.isArray(parts) || parts.length === 0) return `* GenerateContentRequest.contents[${ci}].parts: contents.parts must not be empty.`;
    for (const [pi, p] of parts.entries()) {
      const at = `contents[${ci}].parts[${pi}]`;
      if (!isObject(p)) return `Invalid value at '${at}': expected an object.`;
      const snake = p.inline_data;
      const camel = p.inlineData;
      if (snake !== undefined && camel !== undefined) return `Invalid JSON payload received. Duplicate oneof field "data" at '${at}'.`;
      const kinds = [p.text !== undefined, snake !== undefined || camel !== undefined].filter(Boolean).length;
      if (kinds !== 1) return `* GenerateContentRequest.${at}.data: required oneof field 'data' must have one initialized field`;
      if (p.text !== undefined) {
        if (typeof p.text !== 'string') return `Invalid value at '${at}.text' (TYPE_STRING), ${JSON.stringify(p.text)}`;
        texts.push(p.text);
        continue;
      }
      const blob = snake ?? camel;
      const field = snake !== undefined ? 'inline_data' : 'inlineData';
      if (!isObject(blob)) return `Invalid value at '${at}.${field}': expected an object.`;
      const mime = blob.mime_type ?? blob.mimeType;
      if (typeof mime !== 'string' || !mime) return `* GenerateContentRequest.${at}.inline_data.mime_type: mime_type must be specified.`;
      if (!IMAGE_MIMES.includes(mime.toLowerCase())) return `Unsupported MIME type: ${mime}`;
      if (typeof blob.data !== 'string' || !blob.data) return `* GenerateContentRequest.${at}.inline_data.data: data must not be empty.`;
      const bytes = decodeBase64(blob.data);
      if (!bytes) return `Invalid value at '${at}.${field}.data' (TYPE_BYTES), Base64 decoding failed for "${blob.data.slice(0, 20)}"`;
      if (!imageKind(bytes)) return 'Unable to process input image. Please retry or report in https://developers.generativeai.google/guide/troubleshooting';
      images.push(bytes);
    }
  }
  // Gemini 3 image models take at most 14 input images (Google Cloud, Gemini image generation
  // limitations); the wording of the refusal is ours [guess].
  if (model.kind === 'image' && images.length > MAX_INPUT_IMAGES) {
    return `Too many input images: ${images.length}. This model accepts at most ${MAX_INPUT_IMAGES} images per request.`;
  }

  const config = raw.generationConfig ?? raw.generation_config;
  // Without responseModalities an image model answers text and an image (Google's image guide
  // calls generateContent with no config at all).
  let modalities = model.kind === 'image' ? ['TEXT', 'IMAGE'] : ['TEXT'];
  let aspectRatio: string | undefined;
  let maxOutputTokens: number | undefined;
  if (config !== undefined) {
    if (!isObject(config)) return "Invalid value at 'generation_config': expected an object.";
    const mods = config.responseModalities ?? config.response_modalities;
    if (mods !== undefined) {
      if (!Array.isArray(mods)) return "Invalid value at 'generation_config.response_modalities': expected a list.";
      for (const [i, m] of mods.entries()) {
        if (typeof m !== 'string' || !MODALITIES.includes(m)) {
          return `Invalid value at 'generation_config.response_modalities[${i}]' (type.googleapis.com/google.ai.generativelanguage.v1beta.GenerationConfig.Modality), ${JSON.stringify(m)}`;
        }
      }
      modalities = mods as string[];
    }
    const mot = config.maxOutputTokens ?? config.max_output_tokens;
    if (mot !== undefined) {
      if (typeof mot !== 'number' || !Number.isInteger(mot) || mot < 1) return `Invalid value at 'generation_config.max_output_tokens' (TYPE_INT32), ${JSON.stringify(mot)}`;
      maxOutputTokens = mot;
    }
    const ic = config.imageConfig ?? config.image_config;
    if (ic !== undefined) {
      if (!isObject(ic)) return "Invalid value at 'generation_config.image_config': expected an object.";
      if (model.kind !== 'image') return 'Image config is not supported for this model.';
      const ar = ic.aspectRatio ?? ic.aspect_ratio;
      if (ar !== undefined) {
        if (typeof ar !== 'string' || !model.ratios?.includes(ar)) {
          return `Unsupported aspect ratio: ${JSON.stringify(ar)}. Supported values are: ${(model.ratios ?? []).join(', ')}.`;
        }
        aspectRatio = ar;
      }
      const size = ic.imageSize ?? ic.image_size;
      if (size !== undefined && (typeof size !== 'string' || !model.sizes?.includes(size))) {
        return `Unsupported image size: ${JSON.stringify(size)}. Supported values are: ${(model.sizes ?? []).join(', ')}.`;
      }
    }
  }
  if (model.kind === 'text' && modalities.includes('IMAGE')) return 'Model does not support the requested response modalities: image';
  if (model.kind === 'image' && !modalities.includes('IMAGE')) return 'Model does not support the requested response modalities: text';
  return { text: texts.join('\n'), images, modalities, aspectRatio, maxOutputTokens };
}

export function createGoogleProvider(services: SandboxServices): ProviderHandler {
  /** Live here, and not retired through the sandbox control (`sandbox.retire('google', id)`). */
  const liveModels = () => GOOGLE_MODELS.filter((m) => !services.isRetired('google', m.id));
  const findLive = (id: string) => liveModels().find((m) => m.id === id);

  async function generateContent(req: ProviderRequest, modelId: string): Promise<ProviderResponse> {
    const model = findLive(modelId);
    if (!model) return notFound(modelId);
    const body = readJsonBody(req);
    if (!body.ok) return invalid('Invalid JSON payload received. Unexpected token.');
    const parsed = parseRequest(body.value, model);
    if (typeof parsed === 'string') return invalid(parsed);

    await simulateWork(services);
    const promptTokens = 8 + Math.ceil(parsed.text.length / 4) + 258 * parsed.images.length;
    const base = { modelVersion: model.id, responseId: randomUUID().replace(/-/g, '').slice(0, 22) };
    const reply = (parts: unknown[] | null, finishReason: string, outTokens: number) => ({
      status: 200,
      json: {
        candidates: [{ ...(parts ? { content: { role: 'model', parts } } : {}), finishReason, index: 0 }],
        usageMetadata: { promptTokenCount: promptTokens, candidatesTokenCount: outTokens, totalTokenCount: promptTokens + outTokens },
        ...base,
      },
    });

    if (model.kind === 'text') {
      let words: string[];
      try {
        words = (parsed.images[0] ? await describeImage(parsed.images[0]) : `You said: ${parsed.text} (sandbox answer)`).split(' ');
      } catch (e) {
        if (e instanceof ImageInputError) return invalid('Unable to process input image. Please retry or report in https://developers.generativeai.google/guide/troubleshooting');
        throw e;
      }
      // About one token a word; a small limit cuts the answer as MAX_TOKENS does.
      const limit = parsed.maxOutputTokens ?? Infinity;
      const cut = words.length > limit;
      const shown = cut ? words.slice(0, limit) : words;
      return reply([{ text: shown.join(' ') }], cut ? 'MAX_TOKENS' : 'STOP', shown.length);
    }

    if (parsed.text.includes(UNSAFE_MARKER)) return reply(null, 'IMAGE_SAFETY', 0);
    if (parsed.text.includes(TEXT_ONLY_MARKER)) {
      return reply([{ text: "I can't create that image, but I can describe one for you instead (sandbox)." }], 'STOP', 18);
    }

    const seed = seedFrom(undefined, `${parsed.text}|${parsed.images.length}|${Date.now()}`);
    const size = parsed.aspectRatio ? sizeForAspect(parsed.aspectRatio) : undefined;
    let img: GeneratedImage;
    try {
      img = parsed.images[0]
        ? await deriveFromReference(parsed.images[0], { prompt: parsed.text, seed, strength: 0.6, size })
        : await generateFromPrompt(parsed.text, seed, size ?? { width: 1024, height: 1024 });
    } catch (e) {
      if (e instanceof ImageInputError) return invalid('Unable to process input image. Please retry or report in https://developers.generativeai.google/guide/troubleshooting');
      throw e;
    }
    const parts: unknown[] = [];
    if (parsed.modalities.includes('TEXT')) parts.push({ text: 'Here is the edited image (sandbox).' });
    parts.push({ inlineData: { mimeType: 'image/png', data: img.png.toString('base64') } });
    return { ...reply(parts, 'STOP', 1290), ...(parsed.images.length > 0 ? { referencesReceived: { reference: parsed.images.length } } : {}) };
  }

  function listModels(req: ProviderRequest): ProviderResponse {
    const sizeText = req.query.get('pageSize');
    let pageSize = 50;
    if (sizeText !== null) {
      if (!/^\d+$/.test(sizeText)) return invalid(`Invalid value at 'page_size' (TYPE_INT32), "${sizeText}"`);
      pageSize = Number(sizeText) === 0 ? 50 : Math.min(1000, Number(sizeText));
    }
    const all = liveModels();
    let offset = 0;
    const token = req.query.get('pageToken');
    if (token) {
      const m = /^offset:(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
      if (!m || Number(m[1]) > all.length) return invalid('Invalid page token.');
      offset = Number(m[1]);
    }
    const page = all.slice(offset, offset + pageSize);
    const next = offset + page.length;
    return {
      status: 200,
      json: {
        models: page.map(modelEntry),
        ...(next < all.length ? { nextPageToken: Buffer.from(`offset:${next}`).toString('base64url') } : {}),
      },
    };
  }

  return {
    reset() {
      // Stateless: nothing to forget.
    },
    async handle(req) {
      const gen = /^\/v1beta\/models\/([^/:]+):generateContent$/.exec(req.path);
      const get = /^\/v1beta\/models\/([^/:]+)$/.exec(req.path);
      const op =
        gen && req.method === 'POST' ? 'generate'
        : (req.path === '/v1beta/models' || get) && req.method === 'GET' ? 'models'
        : undefined;
      if (!op) return gError(404, `The requested URL ${req.mount}${req.path} was not found on this server (sandbox: ${req.method} ${req.path}).`);

      const fault = services.takeFault('google', op);
      if (fault) return googleFault(fault);
      const key = keyOf(req);
      if (!key) return NO_KEY;
      if (key === 'bad') return BAD_KEY;

      if (gen) return generateContent(req, decodeURIComponent(gen[1] ?? ''));
      if (get) {
        const id = decodeURIComponent(get[1] ?? '');
        const m = findLive(id);
        return m ? { status: 200, json: modelEntry(m) } : gError(404, `models/${id} is not found for API version v1beta.`);
      }
      return listModels(req);
    },
  };
}

/** Injected failures (`on`: 'generate' | 'models'); Google's error shape by status, or `body` as given. */
function googleFault(f: Fault): ProviderResponse {
  const defaults: Record<number, ProviderResponse> = {
    400: gError(400, 'Request contains an invalid argument.'),
    401: gError(401, 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.'),
    403: gError(403, 'Your API key was reported as leaked. Please use another API key.'),
    404: notFound('sandbox-fault'),
    429: gError(429, 'You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.', [
      { '@type': 'type.googleapis.com/google.rpc.QuotaFailure', violations: [{ quotaMetric: 'generativelanguage.googleapis.com/generate_content_paid_tier_requests', quotaId: 'GenerateRequestsPerMinutePerProjectPerModel' }] },
      { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '12s' },
    ]),
    500: gError(500, 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting'),
    503: gError(503, 'The model is overloaded. Please try again later.'),
    504: gError(504, 'Deadline expired before operation could complete.'),
  };
  const d = defaults[f.status] ?? gError(f.status, `Injected sandbox fault (${f.status})`);
  return { status: f.status, json: f.body !== undefined ? f.body : d.json, headers: { ...d.headers, ...f.headers } };
}
