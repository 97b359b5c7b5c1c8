// MiniMax API (mirrors https://api.minimax.io), mounted under /minimax. Synchronous.
//
//   POST /minimax/v1/image_generation   JSON { model: "image-01", prompt, aspect_ratio, n 1-9, seed,
//                                       response_format url|base64,
//                                       subject_reference: [{ type: "character", image_file }] }
//     -> 200 { id, data: { image_urls | image_base64 }, metadata: { success_count, failed_count },
//              base_resp: { status_code: 0, status_msg: "success" } }
//   POST /minimax/v1/get_voice          JSON { voice_type } -> { system_voice: [...], base_resp }
//
// Errors are HTTP 200 with a non-zero base_resp.status_code, as on MiniMax: 1002 rate limit,
// 1004 auth, 1008 balance, 1026 input sensitive, 2013 invalid parameters. Injected faults map
// their `status` onto those codes (see minimaxFault); 502/503/504 stay real HTTP errors. A
// prompt containing "[sandbox:unsafe]" answers with no image and failed_count = n.
import { randomUUID } from 'node:crypto';
import { deriveFromReference, generateFromPrompt, ImageInputError, loadReference, sizeForAspect, type GeneratedImage } from '../image';
import type { Fault, ProviderHandler, ProviderRequest, ProviderResponse, SandboxServices } from '../types';
import { hasBearer, readJsonBody, seedFrom, simulateWork, UNSAFE_MARKER } from './sync-util';

const ASPECTS = ['1:1', '16:9', '4:3', '3:2', '2:3', '3:4', '9:16', '21:9'];
const LOGIN_FAIL = "login fail: Please carry the API secret key in the 'Authorization' field of the request header";

function baseResp(code: number, msg: string, httpStatus = 200): ProviderResponse {
  return { status: httpStatus, json: { base_resp: { status_code: code, status_msg: msg } } };
}
const invalid = (what: string) => baseResp(2013, `invalid params, ${what}`);

export function createMinimaxProvider(services: SandboxServices): ProviderHandler {
  async function imageGeneration(req: ProviderRequest): Promise<ProviderResponse> {
    const parsed = readJsonBody(req);
    if (!parsed.ok) return invalid('request body is not valid JSON');
    const b = parsed.value;
    if (!b || typeof b !== 'object' || Array.isArray(b)) return invalid('request body must be an object');
    const body = b as Record<string, unknown>;
    if (body.model !== 'image-01') return invalid(`model ${JSON.stringify(body.model)} is not supported`);
    if (typeof body.prompt !== 'string' || !body.prompt.trim()) return invalid('prompt is required');
    if (body.prompt.length > 1500) return invalid('prompt is longer than 1500 characters');
    if (body.aspect_ratio !== undefined && !ASPECTS.includes(String(body.aspect_ratio))) return invalid('aspect_ratio');
    const n = body.n === undefined ? 1 : body.n;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 9) return invalid('n must be 1-9');
    if (body.seed !== undefined && (typeof body.seed !== 'number' || !Number.isInteger(body.seed))) return invalid('seed');
    const format = body.response_format ?? 'url';
    if (format !== 'url' && format !== 'base64') return invalid('response_format');

    let ref: Buffer | undefined;
    if (body.subject_reference !== undefined) {
      const refs = body.subject_reference;
      if (!Array.isArray(refs) || refs.length !== 1) return invalid('subject_reference must hold one item');
      const item = refs[0] as Record<string, unknown> | null;
      if (!item || item.type !== 'character') return invalid('subject_reference type must be character');
      if (typeof item.image_file !== 'string') return invalid('subject_reference image_file is required');
      try {
        ref = await loadReference(item.image_file);
      } catch (e) {
        if (e instanceof ImageInputError) return invalid(`subject_reference image_file: ${e.message}`);
        throw e;
      }
      if (ref.length >= 10 * 1024 * 1024) return invalid('subject_reference image_file must be under 10MB');
    }

    await simulateWork(services);
    const prompt = body.prompt;
    const seed = seedFrom(body.seed as number | undefined, `${prompt}|${Date.now()}`);
    const size = sizeForAspect(String(body.aspect_ratio ?? '1:1'));
    const id = randomUUID().replace(/-/g, '');
    if (prompt.includes(UNSAFE_MARKER)) {
      return {
        status: 200,
        json: { id, data: { image_urls: [] }, metadata: { failed_count: String(n), success_count: '0' }, base_resp: { status_code: 0, status_msg: 'success' } },
      };
    }
    const images: GeneratedImage[] = [];
    for (let i = 0; i < n; i++) {
      try {
        images.push(
          ref
            ? await deriveFromReference(ref, { prompt, seed: seed + i, size, strength: 0.4 })
            : await generateFromPrompt(prompt, seed + i, size ?? { width: 1024, height: 1024 }),
        );
      } catch (e) {
        if (e instanceof ImageInputError) return invalid('subject_reference image_file could not be decoded');
        throw e;
      }
    }
    const data =
      format === 'base64'
        ? { image_base64: images.map((img) => img.png.toString('base64')) }
        : { image_urls: images.map((img) => services.storeFile(img.png, req.origin, services.now(), services.timing().fileTtlMs).url) };
    return {
      status: 200,
      json: { id, data, metadata: { failed_count: '0', success_count: String(n) }, base_resp: { status_code: 0, status_msg: 'success' } },
    };
  }

  return {
    reset() {},
    async handle(req) {
      const op =
        req.method === 'POST' && req.path === '/v1/image_generation' ? 'submit'
        : req.method === 'POST' && req.path === '/v1/get_voice' ? 'voices'
        : undefined;
      if (!op) return { status: 404, json: { base_resp: { status_code: 404, status_msg: 'not found' } } };
      const fault = services.takeFault('minimax', op);
      if (fault) return minimaxFault(fault);
      if (!hasBearer(req)) return baseResp(1004, LOGIN_FAIL);
      if (op === 'voices') {
        return {
          status: 200,
          json: { system_voice: [{ voice_id: 'English_Graceful_Lady', voice_name: 'Graceful Lady', description: [] }], base_resp: { status_code: 0, status_msg: 'success' } },
        };
      }
      return imageGeneration(req);
    },
  };
}

/**
 * Injected failures; `on` is 'submit' or 'voices'. MiniMax reports errors with HTTP 200 and a
 * status code, so the fault's `status` picks the code: 400/422 -> 2013, 401/403 -> 1004,
 * 402 -> 1008, 429 -> 1002, 451 -> 1026 (sensitive input), 500 -> 1000. 502/503/504 are real
 * gateway errors. With `body`, that body is sent with HTTP `status` as given.
 */
function minimaxFault(f: Fault): ProviderResponse {
  if (f.body !== undefined) return { status: f.status, json: f.body, headers: f.headers };
  const byStatus: Record<number, ProviderResponse> = {
    400: invalid('injected'),
    401: baseResp(1004, LOGIN_FAIL),
    402: baseResp(1008, 'insufficient balance'),
    403: baseResp(1004, LOGIN_FAIL),
    422: invalid('injected'),
    429: baseResp(1002, 'rate limit exceeded(RPM)'),
    451: baseResp(1026, 'input new_sensitive'),
    500: baseResp(1000, 'unknown error'),
  };
  const d = byStatus[f.status] ?? { status: f.status, json: { error: `Injected sandbox fault (${f.status})` } };
  return { ...d, headers: { ...d.headers, ...f.headers } };
}
