// OpenAI (mirrors https://api.openai.com), mounted under /openai.
//
//   POST /openai/v1/images/edits        multipart/form-data (op 'submit'); synchronous: answers
//                                       after queueMs + runMs with `{ created, data: [{ b64_json }], ... }`
//   POST /openai/v1/chat/completions    JSON (op 'chat'): describing a picture (image_url parts)
//   GET  /openai/v1/models              model list (op 'account'): the key check and the free
//                                       model lookup
//
// Auth: `Authorization: Bearer <key>`; any key works. Errors use OpenAI's
// `{ error: { message, type, param, code } }`.
//
// Sources: openai-node src/resources/images.ts @7b7d6ca (2026-08-21): ImageModel, ImageEditParams
// (multipart; arrays as `image[]`; up to 16 images; n 1-10; gpt-image-2 sizes: `auto`, the three
// standard sizes or any WIDTHxHEIGHT with both sides multiples of 16, ratio 1:3..3:1, at most
// 3840x2160; the default model gpt-image-1.5 is shut down, so `model` must be sent).
// OpenAI's deprecations page (developers.openai.com/api/docs/deprecations): gpt-image-1 shut down
// 2026-10-23; gpt-image-1-mini, gpt-image-1.5 and chatgpt-image-latest on 2026-12-01. An unknown
// or shut-down model answers 404 `model_not_found` ("The model `X` does not exist or you do not
// have access to it.", many public issues, e.g. openai/openai-node#117). The 655,360-pixel floor
// is fal's published limit for the same model (GptImage2Input); the 400 texts are ours.
//
// Results are PNGs derived from the first reference image, long side <= 1024 (the real API
// returns the size asked for); `output_format` is checked but the bytes are always PNG.
import { Jimp } from 'jimp';
import type { Fault, ProviderHandler, ProviderRequest, ProviderResponse, SandboxServices } from '../types';
import { deriveFromReference, describeImage, hashString, ImageInputError, loadReference, sizeForAspect, type Size } from '../image';

/** Image models that answer on /v1/images/edits. */
const IMAGE_MODELS = ['gpt-image-2', 'gpt-image-2-2026-04-21'];
/** Chat models that take image_url parts (for describing). */
const CHAT_MODELS = ['gpt-4o-mini', 'gpt-4o', 'gpt-4.1-mini'];
/** Shut down: they answer 404 model_not_found like any id OpenAI does not have. */
export const OPENAI_RETIRED = ['gpt-image-1', 'gpt-image-1-mini', 'gpt-image-1.5', 'gpt-image-1.5-2025-12-16', 'chatgpt-image-latest', 'dall-e-2', 'dall-e-3'];
const STANDARD_SIZES = ['1024x1024', '1536x1024', '1024x1536'];
const QUALITIES = ['low', 'medium', 'high', 'auto'];
const MAX_IMAGE_BYTES = 50 * 1024 * 1024;
/** `created` for the model list (sandbox values). */
const CREATED: Record<string, number> = { 'gpt-image-2': 1_776_729_600, 'gpt-image-2-2026-04-21': 1_776_729_600, 'gpt-4o-mini': 1_721_172_741, 'gpt-4o': 1_715_367_049, 'gpt-4.1-mini': 1_744_318_173 };

/** Why a gpt-image-2 `size` is refused, if it is. */
function gptImage2SizeError(size: string): string | undefined {
  if (size === 'auto' || STANDARD_SIZES.includes(size)) return undefined;
  const m = /^(\d+)x(\d+)$/.exec(size);
  if (!m) return 'expected auto or WIDTHxHEIGHT';
  const w = Number(m[1]);
  const h = Number(m[2]);
  if (w % 16 !== 0 || h % 16 !== 0) return 'width and height must be multiples of 16';
  if (Math.max(w, h) / Math.min(w, h) > 3) return 'the aspect ratio must be between 1:3 and 3:1';
  // "At most 3840x2160": an edge of at most 3840 and at most 8,294,400 pixels (fal states it so).
  if (Math.max(w, h) > 3840 || w * h > 8_294_400) return 'the size must be at most 3840x2160';
  if (w * h < 655_360) return 'the size must have at least 655,360 pixels';
  return undefined;
}

function apiError(status: number, message: string, type: string, param: string | null, code: string | null): ProviderResponse {
  return { status, json: { error: { message, type, param, code } } };
}

const NO_KEY = apiError(
  401,
  "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
  'invalid_request_error',
  null,
  null,
);

/** OpenAI's answer for a model it does not have (or no longer has). */
function modelNotFound(model: string): ProviderResponse {
  return apiError(404, `The model \`${model}\` does not exist or you do not have access to it.`, 'invalid_request_error', null, 'model_not_found');
}

export function createOpenAIProvider(services: SandboxServices): ProviderHandler {
  const live = (id: string) => (IMAGE_MODELS.includes(id) || CHAT_MODELS.includes(id)) && !services.isRetired('openai', id);

  async function edits(req: ProviderRequest): Promise<ProviderResponse> {
    const ct = req.headers['content-type'];
    if (typeof ct !== 'string' || !ct.toLowerCase().startsWith('multipart/form-data')) {
      return apiError(400, `Invalid Content-Type header (${String(ct ?? 'none')}), expected multipart/form-data. (sandbox: JSON edits are not simulated)`, 'invalid_request_error', null, null);
    }
    let form: FormData;
    try {
      form = await new Request('http://sandbox.invalid/', { method: 'POST', headers: { 'content-type': ct }, body: new Uint8Array(req.rawBody) }).formData();
    } catch {
      return apiError(400, 'Could not parse multipart form', 'invalid_request_error', null, null);
    }
    const text = (k: string) => {
      const v = form.get(k);
      return typeof v === 'string' ? v : undefined;
    };

    const model = text('model');
    if (model === undefined) {
      // The documented default (gpt-image-1.5) is shut down: the sandbox insists on `model`.
      return apiError(400, "Missing required parameter: 'model'. (The default model, gpt-image-1.5, was shut down on 2026-12-01.)", 'invalid_request_error', 'model', 'missing_required_parameter');
    }
    if (!live(model)) return modelNotFound(model);
    if (!IMAGE_MODELS.includes(model)) {
      return apiError(400, `Invalid value: '${model}'. Supported values are: ${IMAGE_MODELS.map((m) => `'${m}'`).join(', ')}.`, 'invalid_request_error', 'model', 'invalid_value');
    }
    const prompt = text('prompt');
    if (!prompt) return apiError(400, "Missing required parameter: 'prompt'.", 'invalid_request_error', 'prompt', 'missing_required_parameter');

    const files = [...form.getAll('image[]'), ...form.getAll('image')].filter((v): v is File => typeof v !== 'string');
    if (files.length === 0) return apiError(400, "Missing required parameter: 'image'.", 'invalid_request_error', 'image', 'missing_required_parameter');
    if (files.length > 16) return apiError(400, `Invalid 'image': array too long. Expected an array with maximum length 16, but got an array with length ${files.length} instead.`, 'invalid_request_error', 'image', 'array_above_max_length');
    const buffers: Buffer[] = [];
    for (const f of files) {
      const bytes = Buffer.from(await f.arrayBuffer());
      const kind = sniff(bytes);
      if (!kind) {
        return apiError(400, `Invalid file 'image': unsupported mimetype ('${f.type || 'application/octet-stream'}'). Supported file formats are 'image/jpeg', 'image/png', and 'image/webp'.`, 'invalid_request_error', 'image', 'unsupported_file_mimetype');
      }
      if (bytes.length >= MAX_IMAGE_BYTES) return apiError(400, 'Invalid file \'image\': the image must be less than 50MB.', 'invalid_request_error', 'image', 'image_too_large');
      buffers.push(bytes);
    }

    const nText = text('n');
    const n = nText === undefined ? 1 : Number(nText);
    if (!Number.isInteger(n)) return apiError(400, `Invalid 'n': expected an integer, but got '${nText}' instead.`, 'invalid_request_error', 'n', 'invalid_type');
    if (n < 1) return apiError(400, `Invalid 'n': integer below minimum value. Expected a value >= 1, but got ${n} instead.`, 'invalid_request_error', 'n', 'integer_below_min_value');
    if (n > 10) return apiError(400, `Invalid 'n': integer above maximum value. Expected a value <= 10, but got ${n} instead.`, 'invalid_request_error', 'n', 'integer_above_max_value');
    const size = text('size') ?? 'auto';
    const sizeError = gptImage2SizeError(size);
    if (sizeError) {
      return apiError(400, `Invalid value: '${size}'. Supported values are: 'auto', ${STANDARD_SIZES.map((s) => `'${s}'`).join(', ')}, or WIDTHxHEIGHT for ${model} (${sizeError}).`, 'invalid_request_error', 'size', 'invalid_value');
    }
    const quality = text('quality') ?? 'auto';
    if (!QUALITIES.includes(quality)) return apiError(400, `Invalid value: '${quality}'. Supported values are: ${QUALITIES.map((q) => `'${q}'`).join(', ')}.`, 'invalid_request_error', 'quality', 'invalid_value');
    const format = text('output_format') ?? 'png';
    if (!['png', 'jpeg', 'webp'].includes(format)) return apiError(400, `Invalid value: '${format}'. Supported values are: 'png', 'jpeg', and 'webp'.`, 'invalid_request_error', 'output_format', 'invalid_value');

    // The call is synchronous: the whole generation happens before the answer.
    const t = services.timing();
    const started = services.now();
    const seed = hashString(`${prompt}\u0000${buffers.length}`);
    let sizeName = size;
    const reference = buffers[0] ?? Buffer.alloc(0);
    const data: Array<{ b64_json: string }> = [];
    try {
      const outSize = size === 'auto' ? await autoSize(reference) : sizeForAspect(size);
      if (size === 'auto') sizeName = autoName(outSize);
      for (let i = 0; i < n; i++) {
        const img = await deriveFromReference(reference, { prompt, seed: seed + i, strength: 0.6, size: outSize });
        data.push({ b64_json: img.png.toString('base64') });
      }
    } catch (e) {
      if (!(e instanceof ImageInputError)) throw e;
      return apiError(400, 'Invalid image file or mode for image 1, please check your image file.', 'invalid_request_error', 'image', 'invalid_image_file');
    }
    const wait = started + t.queueMs + t.runMs - services.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));

    const inputTokens = 100 + 300 * buffers.length;
    const outputTokens = 1056 * n;
    return {
      status: 200,
      referencesReceived: { reference: buffers.length },
      json: {
        created: Math.floor(Date.now() / 1000),
        background: 'opaque',
        data,
        output_format: 'png',
        quality: quality === 'auto' ? 'medium' : quality,
        size: sizeName,
        usage: {
          input_tokens: inputTokens,
          input_tokens_details: { image_tokens: inputTokens - 100, text_tokens: 100 },
          output_tokens: outputTokens,
          total_tokens: inputTokens + outputTokens,
        },
      },
    };
  }

  /**
   * Chat completions, as far as describing needs: `model`, `messages` with text and
   * `image_url` parts (data: URIs or localhost URLs), `max_completion_tokens` (or the
   * deprecated `max_tokens`). Answers a `chat.completion` whose text names the picture's colour.
   */
  async function chat(req: ProviderRequest): Promise<ProviderResponse> {
    let body: unknown;
    try {
      body = JSON.parse(req.rawBody.toString('utf8'));
    } catch {
      return apiError(400, 'We could not parse the JSON body of your request. (HINT: This likely means you aren\'t using your HTTP library correctly.)', 'invalid_request_error', null, null);
    }
    const b = (body && typeof body === 'object' && !Array.isArray(body) ? body : {}) as Record<string, unknown>;
    if (typeof b.model !== 'string') return apiError(400, "you must provide a model parameter", 'invalid_request_error', null, null);
    if (!live(b.model)) return modelNotFound(b.model);
    if (!CHAT_MODELS.includes(b.model)) {
      return apiError(404, 'This is not a chat model and thus not supported in the v1/chat/completions endpoint.', 'invalid_request_error', 'model', null);
    }
    for (const field of ['max_completion_tokens', 'max_tokens'] as const) {
      const v = b[field];
      if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < 1)) {
        return apiError(400, `Invalid '${field}': integer below minimum value. Expected a value >= 1, but got ${String(v)} instead.`, 'invalid_request_error', field, 'integer_below_min_value');
      }
    }
    if (!Array.isArray(b.messages) || b.messages.length === 0) {
      return apiError(400, "Missing required parameter: 'messages'.", 'invalid_request_error', 'messages', 'missing_required_parameter');
    }
    let imageUrl: string | undefined;
    for (const [i, m] of b.messages.entries()) {
      const content = (m as { content?: unknown } | null)?.content;
      if (typeof content === 'string') continue;
      if (!Array.isArray(content)) return apiError(400, `Invalid type for 'messages[${i}].content'.`, 'invalid_request_error', `messages[${i}].content`, 'invalid_type');
      for (const part of content as Array<Record<string, unknown>>) {
        if (part?.type === 'image_url') {
          const url = (part.image_url as { url?: unknown } | undefined)?.url;
          if (typeof url !== 'string') return apiError(400, `Missing required parameter: 'messages[${i}].content[].image_url.url'.`, 'invalid_request_error', `messages[${i}].content`, 'missing_required_parameter');
          imageUrl ??= url;
        } else if (part?.type !== 'text') {
          return apiError(400, `Invalid value: '${String(part?.type)}'. Supported values are: 'text', 'image_url', ...`, 'invalid_request_error', `messages[${i}].content[].type`, 'invalid_value');
        }
      }
    }
    let text = 'There is no image in this conversation (sandbox).';
    if (imageUrl) {
      try {
        text = await describeImage(await loadReference(imageUrl));
      } catch (e) {
        if (!(e instanceof ImageInputError)) throw e;
        return apiError(400, 'You uploaded an unsupported image. Please make sure your image has of one the following formats: [\'png\', \'jpeg\', \'gif\', \'webp\'].', 'invalid_request_error', null, 'invalid_image_format');
      }
    }
    // A token is a word here; hitting the cap ends the answer with finish_reason `length`.
    const cap = Number(b.max_completion_tokens ?? b.max_tokens ?? Infinity);
    const words = text.split(/\s+/).filter(Boolean);
    const kept = words.slice(0, cap);
    const promptTokens = 85 + 50 * b.messages.length;
    return {
      status: 200,
      json: {
        id: `chatcmpl-sandbox${hashString(`${text}${services.now()}`).toString(16)}`,
        object: 'chat.completion',
        created: Math.floor(services.now() / 1000),
        model: b.model,
        choices: [{ index: 0, message: { role: 'assistant', content: kept.join(' '), refusal: null }, logprobs: null, finish_reason: kept.length < words.length ? 'length' : 'stop' }],
        usage: { prompt_tokens: promptTokens, completion_tokens: kept.length, total_tokens: promptTokens + kept.length },
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
        path === '/v1/images/edits' && req.method === 'POST' ? 'submit'
        : path === '/v1/chat/completions' && req.method === 'POST' ? 'chat'
        : path === '/v1/models' && req.method === 'GET' ? 'account'
        : undefined;
      if (!op) return apiError(404, `Invalid URL (${req.method} ${req.path})`, 'invalid_request_error', null, null);

      const fault = services.takeFault('openai', op);
      if (fault) return faultResponse(fault);
      const h = req.headers.authorization;
      if (typeof h !== 'string' || !/^Bearer\s+\S+/.test(h)) return NO_KEY;

      if (op === 'account') {
        const ids = [...IMAGE_MODELS, ...CHAT_MODELS].filter(live);
        return { status: 200, json: { object: 'list', data: ids.map((id) => ({ id, object: 'model', created: CREATED[id] ?? 1_714_000_000, owned_by: 'system' })) } };
      }
      return op === 'chat' ? chat(req) : edits(req);
    },
  };
}

function sniff(b: Buffer): 'png' | 'jpeg' | 'webp' | undefined {
  if (b.length >= 8 && b.readUInt32BE(0) === 0x89504e47) return 'png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP') return 'webp';
  return undefined;
}

/** The standard size `auto` stood for, for the reply's `size`. */
function autoName(size: Size | undefined): string {
  if (!size) return '1024x1024';
  const r = size.width / size.height;
  return r > 1.2 ? '1536x1024' : r < 1 / 1.2 ? '1024x1536' : '1024x1024';
}

/** `size=auto`: the closest of the three sizes to the reference's shape. */
async function autoSize(reference: Buffer): Promise<Size | undefined> {
  let shape: { width: number; height: number };
  try {
    shape = (await Jimp.fromBuffer(reference)).bitmap;
  } catch {
    return undefined; // deriveFromReference reports the decode error
  }
  const r = shape.width / shape.height;
  return sizeForAspect(r > 1.2 ? '3:2' : r < 1 / 1.2 ? '2:3' : '1:1');
}

/** Default bodies follow OpenAI's error shape (see sandbox/README.md for what is verified). */
function faultResponse(f: Fault): ProviderResponse {
  const byStatus: Record<number, ProviderResponse> = {
    400: apiError(400, 'Your request was rejected by the safety system. If you believe this is an error, contact us at help.openai.com and include the request ID sandbox. safety_violations=[sandbox].', 'image_generation_user_error', null, 'moderation_blocked'),
    401: apiError(401, 'Incorrect API key provided: sk-sandb***. You can find your API key at https://platform.openai.com/account/api-keys.', 'invalid_request_error', null, 'invalid_api_key'),
    403: apiError(403, 'Your organization must be verified to use the model `gpt-image-2`. Please go to: https://platform.openai.com/settings/organization/general and click on Verify Organization.', 'invalid_request_error', null, null),
    404: modelNotFound('gpt-image-2'),
    429: { ...apiError(429, 'Rate limit reached for gpt-image-2 in organization org-sandbox on images per minute (IPM): Limit 5, Used 5, Requested 1. Please try again in 12s.', 'requests', null, 'rate_limit_exceeded') },
    500: apiError(500, 'The server had an error while processing your request. Sorry about that!', 'server_error', null, null),
    503: apiError(503, 'The engine is currently overloaded, please try again later.', 'server_error', null, null),
  };
  const d = byStatus[f.status] ?? apiError(f.status, `Injected sandbox fault (${f.status})`, 'server_error', null, null);
  return { status: f.status, json: f.body !== undefined ? f.body : d.json, headers: { ...d.headers, ...f.headers } };
}
