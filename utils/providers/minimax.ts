import { z } from 'zod';
import { AppError, type ErrorKind } from '../errors';
import { wireModel, type RouteSpec } from '../models';
import { blobToDataUri } from '../image/bytes';
import { defaultMessage, keyedFetch, kindForStatus, parseReply, readJson, retryAfterMs, stripEnd } from './http';
import { noPolling } from './sync';
import type { GenerationInput, ProviderAdapter, ProviderContext, SubmitOutcome } from './types';

/**
 * MiniMax image generation (synchronous, JSON, `Authorization: Bearer <key>`).
 *   POST {base}/v1/image_generation
 *     { model: "image-01", prompt, aspect_ratio, n 1-9, seed, response_format: "url",
 *       subject_reference: [{ type: "character", image_file: <URL or data URL, JPG/PNG < 10 MB> }] }
 *     -> 200 { id, data: { image_urls: [...] }, metadata: { success_count, failed_count },
 *              base_resp: { status_code: 0, status_msg: "success" } }
 * Errors arrive in `base_resp.status_code`, usually with HTTP 200: 1002 rate limit, 1004 auth,
 * 1008 balance, 1026/1027 sensitive input/output, 2013 invalid parameters (see STATUS_KINDS).
 * The subject reference keeps a FACE; it does not carry over products or places.
 * URLs stay valid for 24 hours; the engine downloads them at once anyway.
 * Sources: MiniMax error-code table (platform.minimax.io/docs/api-reference/errorcode), the
 * official MiniMax CLI and MCP server (request and reply shapes).
 */

const PROVIDER = 'MiniMax';

const BaseResp = z.object({ status_code: z.number(), status_msg: z.string().nullish() });
const Count = z.union([z.number(), z.string()]).nullish();

const GenerateReply = z.object({
  id: z.string().nullish(),
  data: z
    .object({
      image_urls: z.array(z.string().min(1)).nullish(),
      image_base64: z.array(z.string()).nullish(),
    })
    .nullish(),
  metadata: z.object({ success_count: Count, failed_count: Count }).passthrough().nullish(),
  base_resp: BaseResp,
});

/**
 * base_resp.status_code -> what it means for the user. From MiniMax's error-code table:
 * 1000 unknown, 1001 timeout, 1002 rate limit, 1004 not authorized, 1008 insufficient balance,
 * 1024 internal, 1026 input sensitive, 1027 output sensitive, 1033 system/downstream error.
 * From the official MiniMax CLI: 1028/1030 quota exhausted, 1039 (rate limit on tokens), 2061
 * model not in plan. Not seen first-hand (kept because their meaning is unambiguous in
 * MiniMax's wider table): 1041 connection limit, 2013 invalid parameters, 2045 rate growth
 * limit, 2049 invalid API key.
 */
const STATUS_KINDS: Record<number, ErrorKind> = {
  1000: 'provider_down',
  1001: 'timed_out',
  1002: 'rate_limited',
  1004: 'bad_key',
  1008: 'out_of_credit',
  1013: 'provider_down',
  1024: 'provider_down',
  1026: 'moderated',
  1027: 'moderated',
  1028: 'out_of_credit',
  1030: 'out_of_credit',
  1033: 'provider_down',
  1039: 'rate_limited',
  1041: 'rate_limited',
  2013: 'invalid_input',
  2045: 'rate_limited',
  2049: 'bad_key',
  2061: 'invalid_input',
};

/** The error for a non-zero status code; unknown 2xxx codes are request problems, others MiniMax's. */
function minimaxError(code: number, msg: string | null | undefined, retryAfter?: number): AppError {
  const kind: ErrorKind = STATUS_KINDS[code] ?? (code >= 2000 ? 'invalid_input' : 'provider_down');
  const said = msg?.trim();
  let message: string;
  if (kind === 'moderated') message = `MiniMax refused this content${said ? ` (${said})` : ''}.`;
  else if (kind === 'invalid_input') message = `MiniMax: ${said || 'the request was not accepted'} (code ${code}).`;
  else message = defaultMessage(kind, PROVIDER);
  return new AppError(kind, message, { provider: PROVIDER, retryAfterMs: retryAfter });
}

function auth(ctx: ProviderContext): [string, string] {
  return ['Authorization', `Bearer ${ctx.key}`];
}

/** The JSON body for one request. */
async function minimaxBody(route: RouteSpec, input: GenerationInput): Promise<Record<string, unknown>> {
  const body: Record<string, unknown> = {
    model: wireModel(route),
    prompt: input.prompt,
    n: Math.min(9, Math.max(1, input.numImages)),
    response_format: 'url',
  };
  if (input.aspectRatio) body.aspect_ratio = input.aspectRatio;
  if (route.seed && input.seed !== undefined) body.seed = input.seed;
  if (input.image) {
    if (input.image.mime !== 'image/jpeg' && input.image.mime !== 'image/png') {
      throw new AppError('unsupported_format', 'MiniMax takes JPEG or PNG references only.', { provider: PROVIDER });
    }
    body.subject_reference = [{ type: 'character', image_file: await blobToDataUri(input.image.blob, input.image.mime) }];
  }
  return body;
}

/** Reads a reply body (any HTTP status) and throws the error it carries, if any. */
function checkBaseResp(body: unknown, res: Response): void {
  const parsed = z.object({ base_resp: BaseResp }).safeParse(body);
  if (parsed.success && parsed.data.base_resp.status_code !== 0) {
    throw minimaxError(parsed.data.base_resp.status_code, parsed.data.base_resp.status_msg, retryAfterMs(res.headers));
  }
}

async function send(ctx: ProviderContext, path: string, body: unknown): Promise<{ res: Response; json: unknown }> {
  const res = await keyedFetch(ctx, PROVIDER, `${stripEnd(ctx.baseUrl)}/${path}`, {
    method: 'POST',
    authHeader: auth(ctx),
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(body),
  });
  const json = await readJson(res);
  checkBaseResp(json, res);
  if (!res.ok) {
    const kind = kindForStatus(res.status);
    throw new AppError(kind, defaultMessage(kind, PROVIDER), { provider: PROVIDER, retryAfterMs: retryAfterMs(res.headers) });
  }
  return { res, json };
}

function count(v: number | string | null | undefined): number {
  const n = typeof v === 'string' ? Number(v) : (v ?? 0);
  return Number.isFinite(n) ? n : 0;
}

export const minimaxAdapter: ProviderAdapter = {
  id: 'minimax',
  mode: 'sync',

  async submit(route, input, ctx): Promise<SubmitOutcome> {
    const { json } = await send(ctx, 'v1/image_generation', await minimaxBody(route, input));
    const reply = parseReply(PROVIDER, GenerateReply, json);
    const urls = reply.data?.image_urls ?? [];
    if (urls.length === 0) {
      if (count(reply.metadata?.failed_count) > 0) {
        throw new AppError('moderated', 'MiniMax\u2019s safety check blocked every image of this result.', { provider: PROVIDER });
      }
      throw new AppError('bad_reply', 'MiniMax finished without any image.', { provider: PROVIDER });
    }
    return { kind: 'done', outputs: urls.map((url) => ({ kind: 'url' as const, url })) };
  },

  async poll() {
    return noPolling(PROVIDER);
  },

  async testKey(ctx): Promise<void> {
    // Listing the system voices is free and needs a valid key (1004 otherwise).
    await send(ctx, 'v1/get_voice', { voice_type: 'system' });
  },
};
