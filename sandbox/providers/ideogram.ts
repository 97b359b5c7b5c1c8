// Ideogram API (mirrors https://api.ideogram.ai), mounted under /ideogram. Synchronous.
//
//   POST /ideogram/v1/ideogram-v3/remix      multipart: image (file), prompt, image_weight,
//                                            aspect_ratio (1x1 ...), rendering_speed, num_images, seed
//   POST /ideogram/v1/ideogram-v3/generate   multipart: prompt, character_reference_images (<= 1 file),
//                                            style_type, aspect_ratio, rendering_speed, num_images, seed
//   Both: style_reference_images (files, repeated; "maximum total size 10MB across all style
//   references", JPEG/PNG/WebP: developer.ideogram.ai post_remix_image_v3 / post_generate_image_v3).
//     -> 200 { created, data: [{ url, prompt, resolution, is_image_safe, seed, style_type }] }
//   GET  /ideogram/models                    custom models of the key's owner: { models: [] }
//
// Auth: header `Api-Key`. Documented by Ideogram: the fields and ranges, 422 { error } for the
// safety check, is_image_safe false with url null. Guessed: the bodies of 400/401/402/429 (we
// answer { error }). A prompt containing "[sandbox:unsafe]" yields is_image_safe: false.
import { deriveFromReference, generateFromPrompt, ImageInputError, sizeForAspect, type GeneratedImage } from '../image';
import type { Fault, ProviderHandler, ProviderRequest, ProviderResponse, SandboxServices } from '../types';
import { field, imageKind, intField, readForm, seedFrom, simulateWork, UNSAFE_MARKER } from './sync-util';

const ASPECTS = ['1x3', '3x1', '1x2', '2x1', '9x16', '16x9', '10x16', '16x10', '2x3', '3x2', '3x4', '4x3', '4x5', '5x4', '1x1'];
const SPEEDS = ['FLASH', 'TURBO', 'BALANCED', 'DEFAULT', 'QUALITY'];
const STYLE_TYPES = ['AUTO', 'GENERAL', 'REALISTIC', 'DESIGN', 'CUSTOM', 'FICTION', 'STYLIZED'];
const MAX_IMAGE_BYTES = 10_000_000;

const bad = (status: number, error: string): ProviderResponse => ({ status, json: { error } });

export function createIdeogramProvider(services: SandboxServices): ProviderHandler {
  async function imagePart(form: FormData, name: string): Promise<Buffer | ProviderResponse | undefined> {
    const parts = form.getAll(name);
    if (parts.length === 0) return undefined;
    if (parts.length > 1) return bad(400, `Only one ${name} image is supported.`);
    const part = parts[0];
    if (typeof part === 'string' || !part) return bad(400, `${name} must be a file.`);
    const bytes = Buffer.from(await part.arrayBuffer());
    if (bytes.length > MAX_IMAGE_BYTES) return bad(400, `${name} is larger than 10MB.`);
    if (!imageKind(bytes)) return bad(400, `${name}: only JPEG, WebP and PNG formats are supported.`);
    return bytes;
  }

  /** Every style reference file; refused as a whole when one is not an image or all weigh over 10 MB. */
  async function styleParts(form: FormData): Promise<Buffer[] | ProviderResponse> {
    const out: Buffer[] = [];
    for (const part of form.getAll('style_reference_images')) {
      if (typeof part === 'string') return bad(400, 'style_reference_images must be files.');
      const bytes = Buffer.from(await part.arrayBuffer());
      if (!imageKind(bytes)) return bad(400, 'style_reference_images: only JPEG, WebP and PNG formats are supported.');
      out.push(bytes);
    }
    const total = out.reduce((n, b) => n + b.length, 0);
    if (total > MAX_IMAGE_BYTES) return bad(400, 'style_reference_images: the maximum total size is 10MB across all style references.');
    return out;
  }

  async function generate(req: ProviderRequest, remix: boolean): Promise<ProviderResponse> {
    const form = await readForm(req);
    if (!form) return bad(400, 'Expected a multipart/form-data body.');
    const prompt = field(form, 'prompt');
    if (!prompt?.trim()) return bad(400, 'prompt is required.');

    const ref = await imagePart(form, remix ? 'image' : 'character_reference_images');
    if (ref && !Buffer.isBuffer(ref)) return ref;
    if (remix && !ref) return bad(400, 'image is required.');
    const styles = await styleParts(form);
    if (!Array.isArray(styles)) return styles;
    const received: Record<string, number> = {};
    if (ref) received[remix ? 'content' : 'character'] = 1;
    if (styles.length > 0) received.style = styles.length;

    const aspect = field(form, 'aspect_ratio');
    if (aspect !== undefined && !ASPECTS.includes(aspect)) return bad(400, `aspect_ratio must be one of ${ASPECTS.join(', ')}.`);
    const speed = field(form, 'rendering_speed');
    if (speed !== undefined && !SPEEDS.includes(speed)) return bad(400, `rendering_speed must be one of ${SPEEDS.join(', ')}.`);
    const styleType = field(form, 'style_type');
    if (styleType !== undefined && !STYLE_TYPES.includes(styleType)) return bad(400, `style_type must be one of ${STYLE_TYPES.join(', ')}.`);
    const weight = intField(field(form, 'image_weight'), 1, 100);
    if (weight === 'invalid') return bad(400, 'image_weight must be an integer from 1 to 100.');
    const n = intField(field(form, 'num_images'), 1, 8);
    if (n === 'invalid') return bad(400, 'num_images must be an integer from 1 to 8.');
    const seedIn = intField(field(form, 'seed'), 0, 2147483647);
    if (seedIn === 'invalid') return bad(400, 'seed must be an integer from 0 to 2147483647.');

    await simulateWork(services);
    const seed = seedFrom(seedIn, `${prompt}|${Date.now()}`);
    const size = sizeForAspect(aspect ?? '1x1');
    const unsafe = prompt.includes(UNSAFE_MARKER);
    const data = [];
    for (let i = 0; i < (n ?? 1); i++) {
      let img: GeneratedImage;
      try {
        img = ref
          ? await deriveFromReference(ref, { prompt, seed: seed + i, size, strength: 1 - (weight ?? 50) / 100 })
          : await generateFromPrompt(prompt, seed + i, size ?? { width: 1024, height: 1024 });
      } catch (e) {
        if (e instanceof ImageInputError) return bad(400, 'The image could not be read.');
        throw e;
      }
      const file = unsafe ? undefined : services.storeFile(img.png, req.origin, services.now(), services.timing().fileTtlMs);
      data.push({
        url: file ? file.url : null,
        prompt,
        resolution: `${img.width}x${img.height}`,
        is_image_safe: !unsafe,
        seed: seed + i,
        style_type: styleType ?? (remix ? 'GENERAL' : 'AUTO'),
      });
    }
    return { status: 200, json: { created: new Date().toISOString(), data }, ...(Object.keys(received).length > 0 ? { referencesReceived: received } : {}) };
  }

  return {
    reset() {},
    async handle(req) {
      const op =
        req.method === 'POST' && req.path === '/v1/ideogram-v3/remix' ? 'remix'
        : req.method === 'POST' && req.path === '/v1/ideogram-v3/generate' ? 'generate'
        : req.method === 'GET' && req.path === '/models' ? 'models'
        : undefined;
      if (!op) return { status: 404, json: { error: 'Not found' } };
      const fault = services.takeFault('ideogram', op === 'models' ? 'models' : 'submit');
      if (fault) return ideogramFault(fault);
      const key = req.headers['api-key'];
      if (typeof key !== 'string' || !key.trim()) return bad(401, 'Not authorized: missing or invalid Api-Key.');
      if (op === 'models') return { status: 200, json: { models: [] } };
      return generate(req, op === 'remix');
    },
  };
}

/** Injected failures; `on` is 'submit' (remix and generate) or 'models'. */
function ideogramFault(f: Fault): ProviderResponse {
  const defaults: Record<number, ProviderResponse> = {
    400: bad(400, 'Invalid input provided.'),
    401: bad(401, 'Not authorized: missing or invalid Api-Key.'),
    402: bad(402, 'Insufficient credits or quota.'),
    403: bad(403, 'Not authorized to generate an image.'),
    422: bad(422, 'Prompt provided failed safety check due to the inclusion of prohibited content.'),
    429: { status: 429, json: { error: 'Too many requests.' }, headers: { 'Retry-After': '2' } },
    500: bad(500, 'Internal server error.'),
    503: bad(503, 'Service unavailable.'),
  };
  const d = defaults[f.status] ?? bad(f.status, `Injected sandbox fault (${f.status})`);
  return { status: f.status, json: f.body !== undefined ? f.body : d.json, headers: { ...d.headers, ...f.headers } };
}
