// OpenAI Images edits (mirrors https://api.openai.com), mounted under /openai.
//
//   POST /openai/v1/images/edits   multipart/form-data (op 'submit'); synchronous: answers after
//                                  queueMs + runMs with `{ created, data: [{ b64_json }], ... }`
//   GET  /openai/v1/models         model list (op 'account'), the cheap key check
//
// Auth: `Authorization: Bearer <key>`; any key works. Errors use OpenAI's
// `{ error: { message, type, param, code } }`. Fields checked: model (GPT image models only),
// prompt, image / image[] (1-16 PNG, JPEG or WEBP files), n (1-10), size, quality.
// Results are PNGs derived from the first reference image, long side <= 1024 (the real API
// returns the full 1024x1024 / 1536x1024 / 1024x1536).
import { Jimp } from 'jimp';
import type { Fault, ProviderHandler, ProviderRequest, ProviderResponse, SandboxServices } from '../types.ts';
import { deriveFromReference, hashString, ImageInputError, sizeForAspect, type Size } from '../image.ts';

const MODELS = ['gpt-image-1', 'gpt-image-1-mini', 'gpt-image-1.5'];
const SIZES = ['1024x1024', '1536x1024', '1024x1536', 'auto'];
const QUALITIES = ['low', 'medium', 'high', 'auto'];
const MAX_IMAGE_BYTES = 50 * 1024 * 1024;

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

export function createOpenAIProvider(services: SandboxServices): ProviderHandler {
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
    if (model === undefined || !MODELS.includes(model)) {
      return apiError(400, `Invalid value: '${model ?? 'dall-e-2'}'. Supported values are: ${MODELS.map((m) => `'${m}'`).join(', ')} (sandbox).`, 'invalid_request_error', 'model', 'invalid_value');
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
    if (!SIZES.includes(size)) return apiError(400, `Invalid value: '${size}'. Supported values are: ${SIZES.map((s) => `'${s}'`).join(', ')}.`, 'invalid_request_error', 'size', 'invalid_value');
    const quality = text('quality') ?? 'auto';
    if (!QUALITIES.includes(quality)) return apiError(400, `Invalid value: '${quality}'. Supported values are: ${QUALITIES.map((q) => `'${q}'`).join(', ')}.`, 'invalid_request_error', 'quality', 'invalid_value');

    // The call is synchronous: the whole generation happens before the answer.
    const t = services.timing();
    const started = services.now();
    const seed = hashString(`${prompt}\u0000${buffers.length}`);
    const reference = buffers[0] ?? Buffer.alloc(0);
    const data: Array<{ b64_json: string }> = [];
    try {
      const outSize = size === 'auto' ? await autoSize(reference) : sizeForAspect(size);
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
      json: {
        created: Math.floor(Date.now() / 1000),
        background: 'opaque',
        data,
        output_format: 'png',
        quality: quality === 'auto' ? 'medium' : quality,
        size: size === 'auto' ? '1024x1024' : size,
        usage: {
          input_tokens: inputTokens,
          input_tokens_details: { image_tokens: inputTokens - 100, text_tokens: 100 },
          output_tokens: outputTokens,
          total_tokens: inputTokens + outputTokens,
        },
      },
    };
  }

  return {
    reset() {
      // Stateless: nothing to forget.
    },
    async handle(req) {
      const path = req.path.replace(/\/+$/, '');
      const op =
        path === '/v1/images/edits' && req.method === 'POST' ? 'submit'
        : path === '/v1/models' && req.method === 'GET' ? 'account'
        : undefined;
      if (!op) return apiError(404, `Invalid URL (${req.method} ${req.path})`, 'invalid_request_error', null, null);

      const fault = services.takeFault('openai', op);
      if (fault) return faultResponse(fault);
      const h = req.headers.authorization;
      if (typeof h !== 'string' || !/^Bearer\s+\S+/.test(h)) return NO_KEY;

      if (op === 'account') {
        const created = 1_714_000_000;
        return { status: 200, json: { object: 'list', data: MODELS.map((id) => ({ id, object: 'model', created, owned_by: 'system' })) } };
      }
      return edits(req);
    },
  };
}

function sniff(b: Buffer): 'png' | 'jpeg' | 'webp' | undefined {
  if (b.length >= 8 && b.readUInt32BE(0) === 0x89504e47) return 'png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP') return 'webp';
  return undefined;
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
export function faultResponse(f: Fault): ProviderResponse {
  const byStatus: Record<number, ProviderResponse> = {
    400: apiError(400, 'Your request was rejected by the safety system. If you believe this is an error, contact us at help.openai.com and include the request ID sandbox. safety_violations=[sandbox].', 'image_generation_user_error', null, 'moderation_blocked'),
    401: apiError(401, 'Incorrect API key provided: sk-sandb***. You can find your API key at https://platform.openai.com/account/api-keys.', 'invalid_request_error', null, 'invalid_api_key'),
    403: apiError(403, 'Your organization must be verified to use the model `gpt-image-1`. Please go to: https://platform.openai.com/settings/organization/general and click on Verify Organization.', 'invalid_request_error', null, null),
    429: { ...apiError(429, 'Rate limit reached for gpt-image-1 in organization org-sandbox on images per minute (IPM): Limit 5, Used 5, Requested 1. Please try again in 12s.', 'requests', null, 'rate_limit_exceeded') },
    500: apiError(500, 'The server had an error while processing your request. Sorry about that!', 'server_error', null, null),
    503: apiError(503, 'The engine is currently overloaded, please try again later.', 'server_error', null, null),
  };
  const d = byStatus[f.status] ?? apiError(f.status, `Injected sandbox fault (${f.status})`, 'server_error', null, null);
  return { status: f.status, json: f.body !== undefined ? f.body : d.json, headers: { ...d.headers, ...f.headers } };
}
