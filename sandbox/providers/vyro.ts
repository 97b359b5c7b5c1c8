// imagine.art API by Vyro (mirrors https://api.vyro.ai), mounted under /vyro. Synchronous.
//
//   POST /vyro/v2/image/generations   Authorization: Bearer <key>, multipart:
//                                     prompt, style, aspect_ratio (1:1 3:2 4:3 3:4 16:9 9:16), seed
//     -> 200 the PNG itself (Content-Type: image/png)
//     -> errors { status: "error", code, error, message }
//
// The success shape (raw image bytes) is what public clients of this endpoint rely on; the
// error body follows /work/shared/docs/providers.md and its codes/messages are guessed. A
// prompt containing "[sandbox:unsafe]" is refused with 400 "NSFW content detected".
import { generateFromPrompt, sizeForAspect } from '../image';
import type { Fault, ProviderHandler, ProviderRequest, ProviderResponse, SandboxServices } from '../types';
import { field, hasBearer, intField, readForm, seedFrom, simulateWork, UNSAFE_MARKER } from './sync-util';

const ASPECTS = ['1:1', '3:2', '4:3', '3:4', '16:9', '9:16'];
const STYLES = ['realistic', 'anime', 'flux-schnell', 'flux-dev', 'flux-dev-fast', 'imagine-turbo', 'sdxl-1.0'];
const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

function vyroError(status: number, message: string, headers?: Record<string, string>): ProviderResponse {
  return { status, json: { status: 'error', code: status, error: REASONS[status] ?? 'Error', message }, headers };
}

export function createVyroProvider(services: SandboxServices): ProviderHandler {
  async function generate(req: ProviderRequest): Promise<ProviderResponse> {
    const form = await readForm(req);
    if (!form) return vyroError(400, 'Expected a multipart/form-data body.');
    const prompt = field(form, 'prompt');
    if (!prompt?.trim()) return vyroError(422, 'prompt is required.');
    const style = field(form, 'style');
    if (!style) return vyroError(422, 'style is required.');
    if (!STYLES.includes(style)) return vyroError(422, `style must be one of ${STYLES.join(', ')}.`);
    const aspect = field(form, 'aspect_ratio') ?? '1:1';
    if (!ASPECTS.includes(aspect)) return vyroError(422, `aspect_ratio must be one of ${ASPECTS.join(', ')}.`);
    const seedIn = intField(field(form, 'seed'), 0, 2 ** 32 - 1);
    if (seedIn === 'invalid') return vyroError(422, 'seed must be a non-negative integer.');

    await simulateWork(services);
    if (prompt.includes(UNSAFE_MARKER)) return vyroError(400, 'NSFW content detected in the prompt.');
    const img = await generateFromPrompt(`${style}:${prompt}`, seedFrom(seedIn, `${prompt}|${Date.now()}`), sizeForAspect(aspect) ?? { width: 1024, height: 1024 });
    return { status: 200, body: img.png, headers: { 'Content-Type': 'image/png' } };
  }

  return {
    reset() {},
    async handle(req) {
      if (req.method !== 'POST' || req.path !== '/v2/image/generations') return vyroError(404, 'Not found.');
      const fault = services.takeFault('vyro', 'submit');
      if (fault) return vyroFault(fault);
      if (!hasBearer(req)) return vyroError(401, 'Invalid or missing API key.');
      return generate(req);
    },
  };
}

/** Injected failures (`on`: 'submit'); defaults by HTTP status, or `body` as given. */
function vyroFault(f: Fault): ProviderResponse {
  const messages: Record<number, string> = {
    400: 'Invalid request (injected).',
    401: 'Invalid or missing API key.',
    402: 'Insufficient credits.',
    403: 'This API key is not allowed to use this endpoint.',
    422: 'prompt is required.',
    429: 'Rate limit exceeded.',
    500: 'Something went wrong.',
    503: 'Service temporarily unavailable.',
  };
  const d = vyroError(f.status, messages[f.status] ?? `Injected sandbox fault (${f.status})`, f.status === 429 ? { 'Retry-After': '2' } : undefined);
  return { status: f.status, json: f.body !== undefined ? f.body : d.json, headers: { ...d.headers, ...f.headers } };
}
