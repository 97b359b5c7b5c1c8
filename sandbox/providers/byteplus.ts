// BytePlus ModelArk image generation (mirrors https://ark.ap-southeast.bytepluses.com),
// mounted under /byteplus. Synchronous.
//
//   POST /byteplus/api/v3/images/generations   Authorization: Bearer <key>, JSON
//     seedream-3-0-t2i-250415:  prompt, size "WxH" (512..2048 each side), seed, guidance_scale,
//                               response_format url|b64_json, watermark
//     seededit-3-0-i2i-250628:  prompt, image (URL or data URI), size "adaptive", seed,
//                               guidance_scale 1-10, response_format, watermark
//     -> 200 { model, created, data: [{ url, size }] | [{ b64_json, size }], usage }
//     -> errors { error: { code, message, param, type } }
//
// Error codes follow public Ark clients (InvalidParameter, MissingParameter,
// AuthenticationError, AccountOverdueError, RateLimitExceeded.EndpointRPMExceeded,
// InvalidEndpointOrModel.NotFound, InternalServiceError, *SensitiveContentDetected); the exact
// messages are ours. A prompt containing "[sandbox:unsafe]" fails with
// OutputImageSensitiveContentDetected.
import { deriveFromReference, generateFromPrompt, ImageInputError, loadReference, type GeneratedImage } from '../image.ts';
import type { Fault, ProviderHandler, ProviderRequest, ProviderResponse, SandboxServices } from '../types.ts';
import { hasBearer, readJsonBody, seedFrom, simulateWork, UNSAFE_MARKER } from './sync-util.ts';

const T2I = 'seedream-3-0-t2i-250415';
const I2I = 'seededit-3-0-i2i-250628';

function arkError(status: number, code: string, message: string, param = ''): ProviderResponse {
  const type = status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : status === 404 ? 'NotFound' : status === 429 ? 'TooManyRequests' : status >= 500 ? 'InternalServerError' : 'BadRequest';
  return { status, json: { error: { code, message, param, type } } };
}
const invalid = (param: string, why: string) => arkError(400, 'InvalidParameter', `The parameter \`${param}\` specified in the request is not valid: ${why}.`, param);

export function createByteplusProvider(services: SandboxServices): ProviderHandler {
  async function generate(req: ProviderRequest): Promise<ProviderResponse> {
    const parsed = readJsonBody(req);
    if (!parsed.ok) return arkError(400, 'InvalidParameter', 'The request body is not valid JSON.');
    const raw = parsed.value;
    const body = (raw && typeof raw === 'object' && !Array.isArray(raw) ? raw : {}) as Record<string, unknown>;
    if (body.model === undefined) return arkError(400, 'MissingParameter', 'The request failed because it is missing the required parameter `model`.', 'model');
    if (body.model !== T2I && body.model !== I2I) {
      return arkError(404, 'InvalidEndpointOrModel.NotFound', `The model or endpoint ${String(body.model)} does not exist or you do not have access to it.`);
    }
    if (typeof body.prompt !== 'string' || !body.prompt.trim()) return arkError(400, 'MissingParameter', 'The request failed because it is missing the required parameter `prompt`.', 'prompt');
    const seedIn = body.seed;
    if (seedIn !== undefined && (typeof seedIn !== 'number' || !Number.isInteger(seedIn) || seedIn < -1 || seedIn > 2147483647)) return invalid('seed', 'must be an integer in [-1, 2147483647]');
    const gs = body.guidance_scale;
    if (gs !== undefined && (typeof gs !== 'number' || gs < 1 || gs > 10)) return invalid('guidance_scale', 'must be in [1, 10]');
    const format = body.response_format ?? 'url';
    if (format !== 'url' && format !== 'b64_json') return invalid('response_format', 'must be url or b64_json');
    if (body.watermark !== undefined && typeof body.watermark !== 'boolean') return invalid('watermark', 'must be a boolean');

    let ref: Buffer | undefined;
    let size: { width: number; height: number } | undefined;
    if (body.model === I2I) {
      if (typeof body.image !== 'string') return arkError(400, 'MissingParameter', 'The request failed because it is missing the required parameter `image`.', 'image');
      if (body.size !== undefined && body.size !== 'adaptive') return invalid('size', 'only "adaptive" is supported by this model');
      try {
        ref = await loadReference(body.image);
      } catch (e) {
        if (e instanceof ImageInputError) return arkError(400, 'InvalidImageURL', `The image could not be read: ${e.message}`, 'image');
        throw e;
      }
    } else {
      const m = typeof body.size === 'string' ? /^(\d+)x(\d+)$/.exec(body.size) : null;
      if (body.size !== undefined && !m) return invalid('size', 'must look like 1024x1024');
      const w = m ? Number(m[1]) : 1024;
      const h = m ? Number(m[2]) : 1024;
      if (w < 512 || w > 2048 || h < 512 || h > 2048) return invalid('size', 'width and height must be within [512, 2048]');
      // Keep sandbox files small: same ratio, long side <= 1024.
      const k = Math.min(1, 1024 / Math.max(w, h));
      size = { width: Math.round(w * k), height: Math.round(h * k) };
    }

    await simulateWork(services);
    const prompt = body.prompt;
    if (prompt.includes(UNSAFE_MARKER)) {
      return arkError(400, 'OutputImageSensitiveContentDetected', 'The request failed because the output image may contain sensitive information.');
    }
    const seed = seedFrom(typeof seedIn === 'number' && seedIn >= 0 ? seedIn : undefined, `${prompt}|${Date.now()}`);
    let img: GeneratedImage;
    try {
      img = ref
        ? await deriveFromReference(ref, { prompt, seed, strength: typeof gs === 'number' ? (gs - 1) / 9 : 0.5 })
        : await generateFromPrompt(prompt, seed, size ?? { width: 1024, height: 1024 });
    } catch (e) {
      if (e instanceof ImageInputError) return arkError(400, 'InvalidParameter', 'The image could not be decoded.', 'image');
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
export function byteplusFault(f: Fault): ProviderResponse {
  const defaults: Record<number, ProviderResponse> = {
    400: arkError(400, 'InvalidParameter', 'The parameter `prompt` specified in the request is not valid (injected).', 'prompt'),
    401: arkError(401, 'AuthenticationError', 'The API key or AK/SK in the request is missing or invalid.'),
    402: arkError(403, 'AccountOverdueError', 'The request failed because your account has an overdue balance.'),
    403: arkError(403, 'AccountOverdueError', 'The request failed because your account has an overdue balance.'),
    404: arkError(404, 'InvalidEndpointOrModel.NotFound', 'The model or endpoint does not exist or you do not have access to it.'),
    429: { ...arkError(429, 'RateLimitExceeded.EndpointRPMExceeded', 'The request has exceeded the RPM limit of the endpoint.'), headers: { 'Retry-After': '2' } },
    500: arkError(500, 'InternalServiceError', 'The service encountered an unexpected internal error.'),
    503: arkError(503, 'ServerOverloaded', 'The service is overloaded; try again later.'),
  };
  const d = defaults[f.status] ?? arkError(f.status, 'Injected', `Injected sandbox fault (${f.status})`);
  return { status: f.body !== undefined ? f.status : d.status, json: f.body !== undefined ? f.body : d.json, headers: { ...d.headers, ...f.headers } };
}
