// BytePlus ModelArk image generation (mirrors https://ark.ap-southeast.bytepluses.com),
// mounted under /byteplus. Synchronous.
//
//   POST /byteplus/api/v3/images/generations   Authorization: Bearer <key>, JSON
//     { model, prompt, image?: URL | data URI | [1..N of them], size?: tier | "WxH",
//       sequential_image_generation?: "disabled" | "auto",
//       sequential_image_generation_options?: { max_images 1-15 }, seed?, watermark?,
//       response_format?: "url" | "b64_json", output_format? (5.x), optimize_prompt_options?,
//       stream? }
//     -> 200 { model, created, data: [{ url, size }] | [{ b64_json, size }], usage }
//     -> errors { error: { code, message, param, type } }
//
// Models (Seedream 4.x / 5.x; ids from ComfyUI comfy_api_nodes/nodes_bytedance.py
// SEEDREAM_MODELS @01d92d6, request fields from its Seedream4TaskCreationRequest):
//   seedream-4-0-250828      size 1K | 2K | 4K or WxH with 921,600..16,777,216 px
//   seedream-4-5-251128      size 2K | 4K or WxH with 3,686,400..16,777,216 px
//   seedream-5-0-260128      (5.0 lite; alias seedream-5-0-lite-260128) size 2K | 3K | 4K or WxH
//                            with 3,686,400..16,777,216 px; up to 14 references; output_format
//   seedream-5-0-pro-260628  size 1K | 2K or WxH with 921,600..4,194,304 px; output_format
// Every WxH must keep its ratio within 1/16..16 [3P]. References: 1-10 (14 for 5.0 lite) URLs
// or `data:image/<fmt>;base64,` URIs (Volcengine docs: "URL or Base64"), each with a ratio
// within 1/3..3 (BytePlus: "expected the aspect ratio to be between 0.33 and 3.00", seen in
// zquestz/dream-prompter#5) and sides of 15..6000 px [3P]. seed -1..2147483647 [3P].
// A tier follows the first reference's shape; WxH sets the shape.
//
// Seedream 3.0 (seedream-3-0-t2i-250415) and SeedEdit 3.0 (seededit-3-0-i2i-250628) are off, and
// any id ModelArk does not know, or one retired through /__sandbox/retire, answers
// 404 InvalidEndpointOrModel.NotFound "The model or endpoint %s does not exist or you do not
// have access to it." (BytePlus error-code page docs.byteplus.com/en/docs/ModelArk/1299023;
// body shape and the "Request id" suffix as observed by third parties).
//
// Other error codes follow the same page (InvalidParameter, MissingParameter,
// AuthenticationError, AccountOverdueError, RateLimitExceeded.EndpointRPMExceeded,
// InternalServiceError, *SensitiveContentDetected); the exact messages are ours. A prompt
// containing "[sandbox:unsafe]" fails with OutputImageSensitiveContentDetected.
import { Jimp } from 'jimp';
import { randomUUID } from 'node:crypto';
import { deriveFromReference, generateFromPrompt, ImageInputError, loadReference, MAX_SIDE, type GeneratedImage, type Size } from '../image';
import type { Fault, ProviderHandler, ProviderRequest, ProviderResponse, SandboxServices } from '../types';
import { hasBearer, readJsonBody, seedFrom, simulateWork, UNSAFE_MARKER } from './sync-util';

interface SeedreamModel {
  tiers: readonly string[];
  minPixels: number;
  maxPixels: number;
  maxImages: number;
  /** 5.x only: `output_format` jpeg | png. */
  outputFormat: boolean;
}

const SEEDREAM_MODELS: Readonly<Record<string, SeedreamModel>> = {
  'seedream-4-0-250828': { tiers: ['1K', '2K', '4K'], minPixels: 921_600, maxPixels: 16_777_216, maxImages: 10, outputFormat: false },
  'seedream-4-5-251128': { tiers: ['2K', '4K'], minPixels: 3_686_400, maxPixels: 16_777_216, maxImages: 10, outputFormat: false },
  'seedream-5-0-260128': { tiers: ['2K', '3K', '4K'], minPixels: 3_686_400, maxPixels: 16_777_216, maxImages: 14, outputFormat: true },
  'seedream-5-0-lite-260128': { tiers: ['2K', '3K', '4K'], minPixels: 3_686_400, maxPixels: 16_777_216, maxImages: 14, outputFormat: true },
  'seedream-5-0-pro-260628': { tiers: ['1K', '2K'], minPixels: 921_600, maxPixels: 4_194_304, maxImages: 10, outputFormat: true },
};

// Switched off upstream, and answered like unknown ids: seedream-3-0-t2i-250415,
// seededit-3-0-i2i-250628 (on record here only).

function arkError(status: number, code: string, message: string, param = ''): ProviderResponse {
  const type = status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : status === 404 ? 'NotFound' : status === 429 ? 'TooManyRequests' : status >= 500 ? 'InternalServerError' : 'BadRequest';
  return { status, json: { error: { code, message, param, type } } };
}
const invalid = (param: string, why: string) => arkError(400, 'InvalidParameter', `The parameter \`${param}\` specified in the request is not valid: ${why}.`, param);
const requestId = () => randomUUID().replace(/-/g, '');

/** ModelArk's answer for a model or endpoint id it does not have. */
function modelNotFound(model: string): ProviderResponse {
  return arkError(404, 'InvalidEndpointOrModel.NotFound', `The model or endpoint ${model} does not exist or you do not have access to it. Request id: ${requestId()}`);
}

/** Output size for "WxH": the same shape, long side <= MAX_SIDE (sandbox files stay small). */
function scaled(w: number, h: number): Size {
  const k = Math.min(1, MAX_SIDE / Math.max(w, h));
  return { width: Math.max(1, Math.round(w * k)), height: Math.max(1, Math.round(h * k)) };
}

export function createByteplusProvider(services: SandboxServices): ProviderHandler {
  async function generate(req: ProviderRequest): Promise<ProviderResponse> {
    const parsed = readJsonBody(req);
    if (!parsed.ok) return arkError(400, 'InvalidParameter', 'The request body is not valid JSON.');
    const raw = parsed.value;
    const body = (raw && typeof raw === 'object' && !Array.isArray(raw) ? raw : {}) as Record<string, unknown>;
    if (body.model === undefined) return arkError(400, 'MissingParameter', 'The request failed because it is missing the required parameter `model`.', 'model');
    if (typeof body.model !== 'string') return invalid('model', 'must be a string');
    const spec = SEEDREAM_MODELS[body.model];
    if (!spec || services.isRetired('byteplus', body.model)) return modelNotFound(body.model);
    if (typeof body.prompt !== 'string' || !body.prompt.trim()) return arkError(400, 'MissingParameter', 'The request failed because it is missing the required parameter `prompt`.', 'prompt');

    const seedIn = body.seed;
    if (seedIn !== undefined && (typeof seedIn !== 'number' || !Number.isInteger(seedIn) || seedIn < -1 || seedIn > 2147483647)) return invalid('seed', 'must be an integer in [-1, 2147483647]');
    const format = body.response_format ?? 'url';
    if (format !== 'url' && format !== 'b64_json') return invalid('response_format', 'must be url or b64_json');
    if (body.watermark !== undefined && typeof body.watermark !== 'boolean') return invalid('watermark', 'must be a boolean');
    if (body.stream !== undefined && typeof body.stream !== 'boolean') return invalid('stream', 'must be a boolean');
    const seq = body.sequential_image_generation ?? 'disabled';
    if (seq !== 'disabled' && seq !== 'auto') return invalid('sequential_image_generation', 'must be disabled or auto');
    const maxImages = (body.sequential_image_generation_options as { max_images?: unknown } | undefined)?.max_images;
    if (maxImages !== undefined && (typeof maxImages !== 'number' || !Number.isInteger(maxImages) || maxImages < 1 || maxImages > 15)) {
      return invalid('sequential_image_generation_options.max_images', 'must be an integer in [1, 15]');
    }
    if (body.output_format !== undefined) {
      if (!spec.outputFormat) return invalid('output_format', `is not supported by ${body.model}`);
      if (body.output_format !== 'jpeg' && body.output_format !== 'png') return invalid('output_format', 'must be jpeg or png');
    }

    // References: one string or a list.
    const refs = body.image === undefined ? [] : Array.isArray(body.image) ? body.image : [body.image];
    if (body.image !== undefined && refs.length === 0) return invalid('image', 'must not be empty');
    if (refs.length > spec.maxImages) return invalid('image', `at most ${spec.maxImages} images are supported by ${body.model}`);
    if (refs.some((r) => typeof r !== 'string' || !/^(https?:\/\/|data:image\/[a-z]+;base64,)/i.test(r))) {
      return invalid('image', 'each image must be a URL or a data URI like data:image/png;base64,<data>');
    }
    if (maxImages !== undefined && refs.length + maxImages > 15) return invalid('sequential_image_generation_options.max_images', 'input images plus output images must not exceed 15');

    // size: a tier or "WxH", never both.
    let outSize: Size | undefined;
    if (body.size !== undefined) {
      if (typeof body.size !== 'string') return invalid('size', 'must be a string');
      const m = /^(\d+)x(\d+)$/.exec(body.size);
      if (m) {
        const w = Number(m[1]);
        const h = Number(m[2]);
        if (w * h < spec.minPixels || w * h > spec.maxPixels) return invalid('size', `total pixels must be within [${spec.minPixels}, ${spec.maxPixels}] for ${body.model}, got ${w * h}`);
        if (w / h < 1 / 16 || w / h > 16) return invalid('size', 'the aspect ratio must be within [1/16, 16]');
        outSize = scaled(w, h);
      } else if (!spec.tiers.includes(body.size)) {
        return invalid('size', `must be one of ${spec.tiers.join(', ')} or WIDTHxHEIGHT for ${body.model}`);
      }
    }

    const loaded: Buffer[] = [];
    for (const [i, ref] of (refs as string[]).entries()) {
      let bytes: Buffer;
      try {
        bytes = await loadReference(ref);
      } catch (e) {
        if (e instanceof ImageInputError) return arkError(400, 'InvalidImageURL', `The image at index ${i} could not be read: ${e.message}`, 'image');
        throw e;
      }
      let shape: { width: number; height: number };
      try {
        shape = (await Jimp.fromBuffer(bytes)).bitmap;
      } catch {
        return invalid('image', `the image at index ${i} could not be decoded`);
      }
      const ratio = shape.width / shape.height;
      if (ratio < 1 / 3 || ratio > 3) return invalid('image', `expected the aspect ratio to be between 0.33 and 3.00, got ${ratio.toFixed(2)}`);
      if (Math.min(shape.width, shape.height) <= 14 || Math.max(shape.width, shape.height) > 6000) return invalid('image', 'width and height must be within (14, 6000]');
      loaded.push(bytes);
    }

    await simulateWork(services);
    const prompt = body.prompt;
    if (prompt.includes(UNSAFE_MARKER)) {
      return arkError(400, 'OutputImageSensitiveContentDetected', 'The request failed because the output image may contain sensitive information.');
    }
    const seed = seedFrom(typeof seedIn === 'number' && seedIn >= 0 ? seedIn : undefined, `${prompt}|${Date.now()}`);
    let img: GeneratedImage;
    const first = loaded[0];
    try {
      img = first
        ? await deriveFromReference(first, { prompt, seed, strength: 0.6, size: outSize })
        : await generateFromPrompt(prompt, seed, outSize ?? { width: MAX_SIDE, height: MAX_SIDE });
    } catch (e) {
      if (e instanceof ImageInputError) return invalid('image', 'the image could not be decoded');
      throw e;
    }
    const datum =
      format === 'b64_json'
        ? { b64_json: img.png.toString('base64'), size: `${img.width}x${img.height}` }
        : { url: services.storeFile(img.png, req.origin, services.now(), services.timing().fileTtlMs).url, size: `${img.width}x${img.height}` };
    const tokens = Math.round((img.width * img.height) / 256);
    return {
      status: 200,
      json: { model: body.model, created: Math.floor(Date.now() / 1000), data: [datum], usage: { generated_images: 1, output_tokens: tokens, total_tokens: tokens } },
      ...(loaded.length > 0 ? { referencesReceived: { reference: loaded.length } } : {}),
    };
  }

  return {
    reset() {},
    async handle(req) {
      if (req.method !== 'POST' || req.path !== '/api/v3/images/generations') {
        return arkError(404, 'NotFound', `${req.method} ${req.path} is not a ModelArk path the sandbox knows.`);
      }
      const fault = services.takeFault('byteplus', 'submit');
      if (fault) return byteplusFault(fault);
      if (!hasBearer(req)) return arkError(401, 'AuthenticationError', 'The API key or AK/SK in the request is missing or invalid.');
      return generate(req);
    },
  };
}

/** Injected failures (`on`: 'submit'); defaults by HTTP status, or `body` as given. */
function byteplusFault(f: Fault): ProviderResponse {
  const defaults: Record<number, ProviderResponse> = {
    400: arkError(400, 'InvalidParameter', 'The parameter `prompt` specified in the request is not valid (injected).', 'prompt'),
    401: arkError(401, 'AuthenticationError', 'The API key or AK/SK in the request is missing or invalid.'),
    402: arkError(403, 'AccountOverdueError', 'The request failed because your account has an overdue balance.'),
    403: arkError(403, 'AccountOverdueError', 'The request failed because your account has an overdue balance.'),
    404: modelNotFound('seedream-4-0-250828'),
    429: { ...arkError(429, 'RateLimitExceeded.EndpointRPMExceeded', 'The request has exceeded the RPM limit of the endpoint.'), headers: { 'Retry-After': '2' } },
    500: arkError(500, 'InternalServiceError', 'The service encountered an unexpected internal error.'),
    503: arkError(503, 'ServerOverloaded', 'The service is overloaded; try again later.'),
  };
  const d = defaults[f.status] ?? arkError(f.status, 'Injected', `Injected sandbox fault (${f.status})`);
  return { status: f.body !== undefined ? f.status : d.status, json: f.body !== undefined ? f.body : d.json, headers: { ...d.headers, ...f.headers } };
}
