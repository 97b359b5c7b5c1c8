// OpenRouter Image API (mirrors https://openrouter.ai), mounted under /openrouter. Synchronous.
//
//   POST /openrouter/api/v1/images            (fault `on`: 'submit')
//     JSON { model, prompt, n?, aspect_ratio?, resolution?, size?, quality?, output_format?,
//            background?, output_compression?, seed?, stream?, provider?,
//            input_references?: [{ type: "image_url", image_url: { url } }] }   (at most 16)
//     -> { created, data: [{ b64_json, media_type: "image/png" }], usage: { prompt_tokens,
//          completion_tokens, total_tokens, cost } }
//   GET  /openrouter/api/v1/images/models     (fault `on`: 'models'; no key needed, as documented)
//     -> { data: [{ id, name, description, created, architecture, supported_parameters,
//          supports_streaming, endpoints }] }
//   GET  /openrouter/api/v1/key               (fault `on`: 'key') -> { data: { label, limit, ... } }
//   POST /openrouter/api/v1/chat/completions  (fault `on`: 'chat'): describing a picture
//     JSON { model, messages: [{ role, content: string | [{ type: "text", text }
//            | { type: "image_url", image_url: { url, detail? } }] }], max_completion_tokens?, max_tokens?, ... }
//     -> { id, object: "chat.completion", created, model, system_fingerprint: null,
//          choices: [{ index, finish_reason, message: { role: "assistant", content, refusal: null } }], usage }
//     The words name the first image's colour and lighting (the sandbox's describe text, as on
//     the OpenAI, Google and fal sandboxes); a token is a word, and the cap ends the answer with
//     finish_reason "length".
//
// Auth: `Authorization: Bearer <key>`; none -> 401 "Missing Authentication header"; the key
// "bad" -> 401 "User not found." (the wording of the second is ours). Errors:
// { error: { code: <status>, message, metadata? } }.
// Unknown model ids answer 400 "<id> is not a valid model ID"; a model retired through
// `sandbox.retire('openrouter', id)` answers 404 "No endpoints found for <id>." and leaves the
// listing (OpenRouter's chat API wording, from public issue threads; the Image API's own answer
// is not documented). Prompt markers: "[sandbox:unsafe]" -> 403 with metadata.reasons (a
// moderation flag); "[sandbox:upstream-fail]" -> 502 "Provider returned error" (a failed
// generation, which OpenRouter documents as not billed).
//
// Sources: OpenRouterTeam/docs openapi/openapi.yaml @c26125a (2026-08-22): `/images`,
// `/images/models`, `/key`, ImageGenerationRequest (required model and prompt, prompt minLength 1,
// the aspect_ratio / resolution / quality / output_format / background enums, input_references
// maxItems 16 of ContentPartImage), ImageGenerationResponse, the error examples per status;
// guides/overview/multimodal/image-generation.mdx (n 1-10, single-image providers reject n > 1,
// "Billing and Cancellation": a failed generation returns 502 and is not billed).
// Chat: openapi.yaml `/chat/completions`, ChatRequest (only `messages` required, minItems 1;
// `max_tokens` deprecated for `max_completion_tokens`), ChatMessages (roles system, user,
// developer, assistant, tool), ChatContentItems (part types text, image_url, input_audio,
// input_video, video_url, file), ChatContentImage (`image_url.url` required, data: URLs
// supported, `detail` auto|low|high|original), ChatResult; guides/overview/multimodal/
// image-understanding.mdx (png, jpeg, webp and gif).
// Sandbox choices, not OpenRouter's documented behaviour: unknown top-level fields are refused
// (to catch misspelt field names), `stream: true` is refused (streaming is not simulated), each
// model's own reference limit and its cost per image are ours. On chat, `model` is required
// (OpenRouter would fall back to the account's default model), only the vision models listed in
// OPENROUTER_VISION_MODELS answer, only text and image_url parts are taken, and the error texts,
// token counts and cost are ours.
import { deriveFromReference, describeImage, generateFromPrompt, hashString, ImageInputError, loadReference, sizeForAspect } from '../image';
import type { Fault, ProviderHandler, ProviderRequest, ProviderResponse, SandboxServices } from '../types';
import { hasBearer, imageKind, readJsonBody, simulateWork, UNSAFE_MARKER } from './sync-util';

/** A prompt with this marker fails upstream: 502, nothing charged. */
export const UPSTREAM_FAIL_MARKER = '[sandbox:upstream-fail]';

const ASPECT_RATIOS = ['1:1', '1:2', '1:4', '1:8', '2:1', '2:3', '3:2', '3:4', '4:1', '4:3', '4:5', '5:4', '8:1', '9:16', '16:9', '9:19.5', '19.5:9', '9:20', '20:9', '9:21', '21:9', 'auto'];
const RESOLUTIONS = ['512', '1K', '2K', '4K'];
const QUALITIES = ['auto', 'low', 'medium', 'high'];
const OUTPUT_FORMATS = ['png', 'jpeg', 'webp', 'svg'];
const BACKGROUNDS = ['auto', 'transparent', 'opaque'];
const FIELDS = new Set([
  'model', 'prompt', 'n', 'aspect_ratio', 'resolution', 'size', 'quality', 'output_format', 'background',
  'output_compression', 'seed', 'stream', 'input_references', 'provider',
]);
const MAX_REFERENCES = 16;

interface SandboxModel {
  id: string;
  name: string;
  /** Whether the model makes several images per call (`n` > 1). */
  multi: boolean;
  seed: boolean;
  /** References the model itself takes (sandbox values, see the catalogue). */
  maxReferences: number;
  /** US dollars per image (sandbox values). */
  usdPerImage: number;
}

/** Served models: the ones the catalogue routes to, with OpenRouter's slugs. */
export const OPENROUTER_MODELS: readonly SandboxModel[] = [
  { id: 'openai/gpt-image-2', name: 'OpenAI: GPT Image 2', multi: true, seed: false, maxReferences: 16, usdPerImage: 0.053 },
  { id: 'google/gemini-3.1-flash-image', name: 'Google: Nano Banana 2 (Gemini 3.1 Flash Image)', multi: false, seed: false, maxReferences: 14, usdPerImage: 0.039 },
  { id: 'google/gemini-3-pro-image', name: 'Google: Nano Banana Pro (Gemini 3 Pro Image)', multi: false, seed: false, maxReferences: 14, usdPerImage: 0.134 },
  { id: 'bytedance-seed/seedream-4.5', name: 'ByteDance Seed: Seedream 4.5', multi: false, seed: true, maxReferences: 10, usdPerImage: 0.04 },
  { id: 'black-forest-labs/flux.2-pro', name: 'Black Forest Labs: FLUX.2 [pro]', multi: false, seed: true, maxReferences: 8, usdPerImage: 0.03 },
];

/** Chat models that take image_url parts (the adapter's describer first; ids from OpenRouter's model list). */
export const OPENROUTER_VISION_MODELS: readonly string[] = ['openai/gpt-4o-mini', 'google/gemini-2.5-flash', 'google/gemini-3-flash-preview'];
/** ChatRequest's top-level fields (openapi.yaml). */
const CHAT_FIELDS = new Set([
  'cache_control', 'debug', 'frequency_penalty', 'image_config', 'logit_bias', 'logprobs', 'max_completion_tokens', 'max_tokens',
  'messages', 'metadata', 'min_p', 'modalities', 'model', 'models', 'parallel_tool_calls', 'plugins', 'prediction',
  'presence_penalty', 'prompt_cache_key', 'prompt_cache_options', 'provider', 'reasoning', 'reasoning_effort',
  'repetition_penalty', 'response_format', 'route', 'seed', 'service_tier', 'session_id', 'stop', 'stop_server_tools_when',
  'stream', 'stream_options', 'temperature', 'tool_choice', 'tools', 'top_a', 'top_k', 'top_logprobs', 'top_p', 'trace', 'user',
]);
const CHAT_ROLES = ['system', 'user', 'developer', 'assistant', 'tool'];
const IMAGE_DETAILS = ['auto', 'low', 'high', 'original'];

function orError(code: number, message: string, metadata?: Record<string, unknown>, headers?: Record<string, string>): ProviderResponse {
  return { status: code, headers, json: { error: { code, message, ...(metadata ? { metadata } : {}) }, user_id: 'user_sandbox' } };
}
const invalid = (message: string) => orError(400, message);

function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}

type Parsed = { model: SandboxModel; prompt: string; n: number; ratio?: string; seed?: number; references: Buffer[] };

export function createOpenRouterProvider(services: SandboxServices): ProviderHandler {
  const live = () => OPENROUTER_MODELS.filter((m) => !services.isRetired('openrouter', m.id));

  /** The request body checked field by field as documented; an error answer or the parsed request. */
  async function parse(req: ProviderRequest): Promise<ProviderResponse | Parsed> {
    const ct = req.headers['content-type'];
    if (typeof ct !== 'string' || !ct.toLowerCase().startsWith('application/json')) return invalid('Content-Type must be application/json');
    const json = readJsonBody(req);
    if (!json.ok || !isObject(json.value)) return invalid('Invalid JSON body');
    const b = json.value;
    const unknown = Object.keys(b).filter((k) => !FIELDS.has(k));
    if (unknown.length > 0) return invalid(`Unrecognized field(s): ${unknown.join(', ')} (sandbox: unknown fields are refused)`);
    if (typeof b.model !== 'string' || !b.model) return invalid('model: Required');
    if (services.isRetired('openrouter', b.model)) return orError(404, `No endpoints found for ${b.model}.`);
    const model = OPENROUTER_MODELS.find((m) => m.id === b.model);
    if (!model) return invalid(`${b.model} is not a valid model ID`);
    if (typeof b.prompt !== 'string' || b.prompt.length < 1) return invalid('prompt: String must contain at least 1 character(s)');
    if (b.stream === true) return invalid('stream: not simulated by the sandbox');

    const n = b.n ?? 1;
    if (!isInt(n) || n < 1 || n > 10) return invalid('n: Number must be an integer between 1 and 10');
    if (n > 1 && !model.multi) return invalid(`${model.id} does not support generating more than one image per request (n > 1)`);
    if (b.aspect_ratio !== undefined && (typeof b.aspect_ratio !== 'string' || !ASPECT_RATIOS.includes(b.aspect_ratio))) {
      return invalid(`aspect_ratio: Invalid enum value. Expected ${ASPECT_RATIOS.map((r) => `'${r}'`).join(' | ')}`);
    }
    for (const [field, allowed] of [['resolution', RESOLUTIONS], ['quality', QUALITIES], ['output_format', OUTPUT_FORMATS], ['background', BACKGROUNDS]] as const) {
      const v = b[field];
      if (v !== undefined && (typeof v !== 'string' || !(allowed as readonly string[]).includes(v))) return invalid(`${field}: Invalid enum value`);
    }
    if (b.output_compression !== undefined && (!isInt(b.output_compression) || b.output_compression < 0 || b.output_compression > 100)) return invalid('output_compression: Number must be an integer between 0 and 100');
    if (b.seed !== undefined && !isInt(b.seed)) return invalid('seed: Expected integer');
    if (b.size !== undefined && typeof b.size !== 'string') return invalid('size: Expected string');

    const refs = b.input_references ?? [];
    if (!Array.isArray(refs)) return invalid('input_references: Expected array');
    if (refs.length > MAX_REFERENCES) return invalid(`input_references: Array must contain at most ${MAX_REFERENCES} element(s)`);
    if (refs.length > model.maxReferences) return invalid(`${model.id} accepts at most ${model.maxReferences} input references, got ${refs.length}`);
    const references: Buffer[] = [];
    for (const [i, ref] of refs.entries()) {
      const url = isObject(ref) && ref.type === 'image_url' && isObject(ref.image_url) ? ref.image_url.url : undefined;
      if (typeof url !== 'string') return invalid(`input_references[${i}]: Expected { type: "image_url", image_url: { url } }`);
      let bytes: Buffer;
      try {
        bytes = await loadReference(url);
      } catch (e) {
        if (!(e instanceof ImageInputError)) throw e;
        return invalid(`input_references[${i}]: ${e.message}`);
      }
      if (!imageKind(bytes)) return invalid(`input_references[${i}]: unsupported image format (expected PNG, JPEG or WebP)`);
      references.push(bytes);
    }
    return {
      model,
      prompt: b.prompt,
      n,
      ratio: typeof b.aspect_ratio === 'string' && b.aspect_ratio !== 'auto' ? b.aspect_ratio : undefined,
      seed: model.seed && isInt(b.seed) ? b.seed : undefined,
      references,
    };
  }

  async function generate(req: ProviderRequest): Promise<ProviderResponse> {
    const parsed = await parse(req);
    if (!('model' in parsed)) return parsed;
    const received = parsed.references.length > 0 ? { referencesReceived: { reference: parsed.references.length } } : {};
    if (parsed.prompt.includes(UNSAFE_MARKER)) {
      const reasons = ['sexual'];
      return { ...orError(403, `${parsed.model.name} requires moderation on OpenRouter. Your input was flagged for "${reasons.join(', ')}".`, { reasons, flagged_input: parsed.prompt.slice(0, 100), provider_name: 'Sandbox', model_slug: parsed.model.id }), ...received };
    }
    await simulateWork(services);
    if (parsed.prompt.includes(UPSTREAM_FAIL_MARKER)) return { ...orError(502, 'Provider returned error'), ...received };

    const size = (parsed.ratio ? sizeForAspect(parsed.ratio) : undefined) ?? { width: 1024, height: 1024 };
    const base = parsed.seed ?? hashString(`${parsed.model.id}\u0000${parsed.prompt}`) % 2 ** 31;
    const first = parsed.references[0];
    const data: Array<{ b64_json: string; media_type: string }> = [];
    try {
      for (let i = 0; i < parsed.n; i++) {
        const img = first ? await deriveFromReference(first, { prompt: parsed.prompt, seed: base + i, strength: 0.6, size }) : await generateFromPrompt(parsed.prompt, base + i, size);
        data.push({ b64_json: img.png.toString('base64'), media_type: 'image/png' });
      }
    } catch (e) {
      if (!(e instanceof ImageInputError)) throw e;
      return { ...invalid('input_references[0]: the image could not be decoded'), ...received };
    }
    const promptTokens = 0;
    const completionTokens = 1290 * parsed.n;
    const cost = Math.round(parsed.model.usdPerImage * parsed.n * 1e6) / 1e6;
    return {
      status: 200,
      ...received,
      json: {
        created: Math.floor(services.now() / 1000),
        data,
        usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens, cost },
      },
    };
  }

  /** The first image of a chat request's messages, or an error answer (messages checked part by part). */
  function chatImage(messages: unknown): ProviderResponse | { url?: string; count: number } {
    if (!Array.isArray(messages) || messages.length === 0) return invalid('messages: Array must contain at least 1 element(s)');
    let url: string | undefined;
    let count = 0;
    for (const [i, m] of messages.entries()) {
      if (!isObject(m) || typeof m.role !== 'string' || !CHAT_ROLES.includes(m.role)) return invalid(`messages[${i}].role: Expected one of ${CHAT_ROLES.join(', ')}`);
      const content = m.content;
      if (typeof content === 'string' || (content == null && m.role === 'assistant')) continue;
      if (!Array.isArray(content)) return invalid(`messages[${i}].content: Expected string or array of content parts`);
      for (const [j, part] of content.entries()) {
        const where = `messages[${i}].content[${j}]`;
        if (!isObject(part)) return invalid(`${where}: Expected object`);
        if (part.type === 'text') {
          if (typeof part.text !== 'string') return invalid(`${where}.text: Required`);
        } else if (part.type === 'image_url') {
          if (m.role !== 'user') return invalid(`${where}: image_url parts are only taken in user messages (sandbox)`);
          const img = part.image_url;
          if (!isObject(img) || typeof img.url !== 'string') return invalid(`${where}.image_url.url: Required`);
          if (img.detail !== undefined && (typeof img.detail !== 'string' || !IMAGE_DETAILS.includes(img.detail))) return invalid(`${where}.image_url.detail: Invalid enum value`);
          url ??= img.url;
          count++;
        } else {
          return invalid(`${where}.type: Expected 'text' or 'image_url' (sandbox: other part types are not simulated)`);
        }
      }
    }
    return { url, count };
  }

  /** Chat completions, as far as describing needs (see the header). */
  async function chat(req: ProviderRequest): Promise<ProviderResponse> {
    const ct = req.headers['content-type'];
    if (typeof ct !== 'string' || !ct.toLowerCase().startsWith('application/json')) return invalid('Content-Type must be application/json');
    const json = readJsonBody(req);
    if (!json.ok || !isObject(json.value)) return invalid('Invalid JSON body');
    const b = json.value;
    const unknown = Object.keys(b).filter((k) => !CHAT_FIELDS.has(k));
    if (unknown.length > 0) return invalid(`Unrecognized field(s): ${unknown.join(', ')} (sandbox: unknown fields are refused)`);
    if (typeof b.model !== 'string' || !b.model) return invalid('model: Required (sandbox: OpenRouter would use the account default)');
    if (services.isRetired('openrouter', b.model)) return orError(404, `No endpoints found for ${b.model}.`);
    if (!OPENROUTER_VISION_MODELS.includes(b.model)) return invalid(`${b.model} is not a valid model ID`);
    if (b.stream === true) return invalid('stream: not simulated by the sandbox');
    for (const field of ['max_completion_tokens', 'max_tokens'] as const) {
      const v = b[field];
      if (v !== undefined && v !== null && (!isInt(v) || v < 1)) return invalid(`${field}: Expected a positive integer`);
    }
    const found = chatImage(b.messages);
    if (!('count' in found)) return found;
    const received = found.count > 0 ? { referencesReceived: { reference: found.count } } : {};
    let text = 'There is no image in this conversation (sandbox).';
    if (found.url) {
      try {
        const bytes = await loadReference(found.url);
        const gif = bytes.subarray(0, 4).toString('latin1') === 'GIF8';
        if (!imageKind(bytes) && !gif) return { ...invalid('messages: unsupported image format (expected PNG, JPEG, WebP or GIF)'), ...received };
        text = await describeImage(bytes);
      } catch (e) {
        if (!(e instanceof ImageInputError)) throw e;
        return { ...invalid(`messages: the image could not be read (${e.message})`), ...received };
      }
    }
    const cap = Number(b.max_completion_tokens ?? b.max_tokens ?? Infinity);
    const words = text.split(/\s+/).filter(Boolean);
    const kept = words.slice(0, cap);
    const promptTokens = 85 * found.count + 40;
    return {
      status: 200,
      ...received,
      json: {
        id: `gen-sandbox-${hashString(`${text}${services.now()}`).toString(16)}`,
        object: 'chat.completion',
        created: Math.floor(services.now() / 1000),
        model: b.model,
        system_fingerprint: null,
        choices: [{ index: 0, finish_reason: kept.length < words.length ? 'length' : 'stop', logprobs: null, message: { role: 'assistant', content: kept.join(' '), refusal: null } }],
        usage: { prompt_tokens: promptTokens, completion_tokens: kept.length, total_tokens: promptTokens + kept.length },
      },
    };
  }

  function listModels(): ProviderResponse {
    return {
      status: 200,
      json: {
        data: live().map((m) => ({
          id: m.id,
          name: m.name,
          description: `${m.name} (sandbox).`,
          created: 1_767_225_600,
          architecture: { input_modalities: ['text', 'image'], output_modalities: ['image'] },
          supported_parameters: {
            aspect_ratio: { type: 'enum', values: ASPECT_RATIOS },
            ...(m.seed ? { seed: { type: 'boolean' } } : {}),
            ...(m.multi ? { n: { type: 'range', min: 1, max: 10 } } : {}),
          },
          supports_streaming: false,
          endpoints: `/api/v1/images/models/${m.id}/endpoints`,
        })),
      },
    };
  }

  return {
    reset() {
      // Stateless (retired models live in the server): nothing to forget.
    },
    async handle(req) {
      const path = req.path.replace(/\/+$/, '');
      const op =
        path === '/api/v1/images' && req.method === 'POST' ? 'submit'
        : path === '/api/v1/images/models' && req.method === 'GET' ? 'models'
        : path === '/api/v1/key' && req.method === 'GET' ? 'key'
        : path === '/api/v1/chat/completions' && req.method === 'POST' ? 'chat'
        : undefined;
      if (!op) return orError(404, `Not found (sandbox: ${req.method} ${req.path})`);

      const fault = services.takeFault('openrouter', op);
      if (fault) return faultResponse(fault);
      // The model list is public (the guide lists it with a bare curl).
      if (op === 'models') return listModels();
      if (!hasBearer(req)) return orError(401, 'Missing Authentication header');
      if (/^Bearer\s+bad$/.test(String(req.headers.authorization))) return orError(401, 'User not found.');

      if (op === 'key') {
        return { status: 200, json: { data: { label: 'sk-or-v1-san...box', limit: null, limit_remaining: null, limit_reset: null, usage: 0, is_free_tier: false, is_management_key: false, is_provisioning_key: false } } };
      }
      return op === 'chat' ? chat(req) : generate(req);
    },
  };
}

/** Injected failures (`on`: 'submit' | 'models' | 'key' | 'chat'); OpenRouter's documented example bodies by status. */
function faultResponse(f: Fault): ProviderResponse {
  const defaults: Record<number, ProviderResponse> = {
    400: orError(400, 'Invalid request parameters'),
    401: orError(401, 'Missing Authentication header'),
    402: orError(402, 'Insufficient credits. Add more using https://openrouter.ai/credits'),
    403: orError(403, 'Only management keys can perform this operation'),
    404: orError(404, 'No endpoints found for openai/gpt-image-2.'),
    413: orError(413, 'Request payload too large'),
    429: orError(429, 'Rate limit exceeded', undefined, { 'Retry-After': '12' }),
    500: orError(500, 'Internal Server Error'),
    502: orError(502, 'Provider returned error'),
    503: orError(503, 'No available model provider meets your routing requirements'),
    524: orError(524, 'Request timed out. Please try again later.'),
    529: orError(529, 'Provider returned error'),
  };
  const d = defaults[f.status] ?? orError(f.status, `Injected sandbox fault (${f.status})`);
  return { status: f.status, json: f.body !== undefined ? f.body : d.json, headers: { ...d.headers, ...f.headers } };
}
