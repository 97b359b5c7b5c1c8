import { z } from 'zod';
import { AppError } from '../errors';
import { wireModel, type RouteSpec } from '../models';
import { bytesToBase64 } from '../image/bytes';
import { defaultMessage, keyedFetch, kindForStatus, parseReply, readJson, retryAfterMs, sameOrigin, stripEnd } from './http';
import type { GenerationInput, JobCost, PollOutcome, ProviderAdapter, ProviderContext, ProviderHandle, SubmitOutcome } from './types';

/**
 * Black Forest Labs API.
 *   POST {base}/v1/{model}     x-key: <key>, JSON   -> { id, polling_url, cost?, input_mp?, output_mp? }
 *   GET  polling_url           x-key                -> { id, status, result: { sample }, progress, details }
 *        status: Pending | Ready | Request Moderated | Content Moderated | Task not found | Error
 *   GET  {base}/v1/credits                          (key check) -> { credits }
 * Images go in as plain base64 (no data: prefix) in `image_prompt`. There is no cancel call.
 *
 * The polling host. BFL's global (api.bfl.ai) and multi-cluster (api.eu.bfl.ai, api.us.bfl.ai)
 * endpoints answer with a polling_url on whichever regional cluster took the task (for
 * example https://api.us1.bfl.ai/v1/get_result?id=...), and BFL's integration guide says that
 * exact URL must be polled. Polling needs the key. keyedFetch sends a key only to the
 * configured origin, so this adapter makes one narrow exception: when the configured base is
 * itself an official BFL API host, the key may also go to a polling_url that is https, on the
 * default port, with a host of the form `api.<one label>.bfl.ai`. A custom base (proxy,
 * sandbox) gets no exception: its polling_url must be on its own origin.
 *
 * Verified (BFL's OpenAPI spec pages on docs.bfl.ai and its integration guide, via the search
 * tool): the paths, x-key, FluxDevInputs (image_prompt base64, width/height 256-1440 in
 * multiples of 32, seed), FluxUltraInput (image_prompt base64, image_prompt_strength 0-1 default
 * 0.1, aspect_ratio 21:9..9:21 default 16:9, raw, seed), the reply and status names, GET
 * /v1/credits, 422 `{ detail: [{ loc, msg, type }] }`, the regional polling rule.
 * Not verified: the text of the 401/402/429 bodies (we read `detail` when present and fall back
 * to our own words) and whether 429s carry Retry-After.
 */

const PROVIDER = 'Black Forest Labs';

/**
 * The submit reply (AsyncResponse): `cost`, `input_mp` and `output_mp` are `number | null` in
 * BFL's OpenAPI reference (docs.bfl.ml/api-reference/models/generate-an-image-with-flux-11-[pro]-
 * with-ultra-mode-and-optional-raw-mode, read 2026-12-06). `cost` is in credits: BFL bills in
 * credits, "1 credit = $0.01 USD" (docs.bfl.ai/quick_start/pricing), and the same page lists
 * FLUX1.1 [pro] Ultra at 6 credits, which is what the reply says for it. A cost we cannot read is
 * left out rather than failing a paid job.
 */
const SubmitReply = z.object({
  id: z.string().min(1),
  polling_url: z.url(),
  cost: z.number().nonnegative().nullish().catch(undefined),
});

/** BFL's documented rate: 1 credit = $0.01 (docs.bfl.ai/quick_start/pricing). */
export const BFL_USD_PER_CREDIT = 0.01;

/** The charge BFL reported at submit, kept in the handle (strings only) until the job is done. */
const COST_KEY = 'costCredits';

/** The handle's reported credits as dollars, or undefined when BFL did not say. */
export function reportedCost(handle: ProviderHandle): JobCost | undefined {
  const raw = handle[COST_KEY];
  if (raw === undefined) return undefined;
  const credits = Number(raw);
  if (!Number.isFinite(credits) || credits < 0) return undefined;
  // Rounded to a hundredth of a cent: credits come in steps of 0.1 or so, floats do not.
  return { usd: Math.round(credits * BFL_USD_PER_CREDIT * 10_000) / 10_000, source: 'reported' };
}

const ResultReply = z.object({
  id: z.string().optional(),
  status: z.enum(['Pending', 'Ready', 'Request Moderated', 'Content Moderated', 'Task not found', 'Error', 'Reasoning', 'Generating']),
  result: z.unknown().optional(),
  progress: z.number().nullish(),
  details: z.unknown().optional(),
});

const ReadyResult = z.object({ sample: z.string().min(1) });

const ErrorBody = z.object({
  detail: z.union([z.string(), z.array(z.object({ loc: z.array(z.union([z.string(), z.number()])).optional(), msg: z.string() }))]).optional(),
  message: z.string().optional(),
  retry_after: z.number().optional(),
});

function auth(ctx: ProviderContext): [string, string] {
  return ['x-key', ctx.key];
}


/** https://api.bfl.ai or https://api.<label>.bfl.ai, default port, nothing else in the authority. */
export function isOfficialBflHost(url: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol !== 'https:' || u.port !== '' || u.username !== '' || u.password !== '') return false;
  return u.hostname === 'api.bfl.ai' || /^api\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.bfl\.ai$/.test(u.hostname);
}

/**
 * The context to use for a polling URL: the configured one when it is on the configured
 * origin, a context for the regional host when both are official BFL hosts, and otherwise the
 * configured one (so keyedFetch refuses it and the key is not sent).
 */
function pollingContext(ctx: ProviderContext, pollingUrl: string): ProviderContext {
  if (sameOrigin(pollingUrl, ctx.baseUrl)) return ctx;
  if (isOfficialBflHost(ctx.baseUrl) && isOfficialBflHost(pollingUrl)) return { ...ctx, baseUrl: new URL(pollingUrl).origin };
  return ctx;
}

/** Output size for FLUX.1 [dev]: about one megapixel in the reference's shape, multiples of 32. */
export function devSize(width: number, height: number): { width: number; height: number } {
  const ratio = Math.min(21 / 9, Math.max(9 / 21, width > 0 && height > 0 ? width / height : 4 / 3));
  const area = 1024 * 1024;
  const snap = (v: number) => Math.min(1440, Math.max(256, Math.round(v / 32) * 32));
  let w = Math.sqrt(area * ratio);
  let h = w / ratio;
  if (w > 1440) {
    w = 1440;
    h = w / ratio;
  }
  if (h > 1440) {
    h = 1440;
    w = h * ratio;
  }
  return { width: snap(w), height: snap(h) };
}

/** The JSON body for one BFL model. */
async function bflInputs(route: RouteSpec, input: GenerationInput): Promise<Record<string, unknown>> {
  if (!input.image) throw new AppError('invalid_input', 'This route needs an image prompt. Add an image first.', { provider: PROVIDER });
  const body: Record<string, unknown> = {
    prompt: input.prompt,
    image_prompt: bytesToBase64(new Uint8Array(await input.image.blob.arrayBuffer())),
  };
  switch (route.endpoint) {
    case 'flux-dev':
      // Redux-style image prompt: no strength; the output takes the reference's shape.
      Object.assign(body, devSize(input.image.width, input.image.height));
      break;
    case 'flux-pro-1.1-ultra':
      if (route.strength && input.strength !== undefined) body[route.strength.field] = input.strength;
      if (input.aspectRatio && route.aspectRatios?.includes(input.aspectRatio)) body.aspect_ratio = input.aspectRatio;
      break;
    default:
      throw new AppError('internal', `No Black Forest Labs input mapping for ${route.endpoint}.`, { provider: PROVIDER });
  }
  if (route.seed && input.seed !== undefined) body.seed = input.seed;
  return body;
}

async function failure(res: Response): Promise<AppError> {
  const body = await readJson(res);
  const parsed = ErrorBody.safeParse(body);
  const d = parsed.success ? parsed.data.detail : undefined;
  const text =
    typeof d === 'string' ? d
    : Array.isArray(d) ? d.map((x) => `${(x.loc ?? []).filter((p) => p !== 'body').join('.') || 'input'}: ${x.msg}`).join('; ')
    : parsed.success ? parsed.data.message
    : undefined;
  const kind = kindForStatus(res.status);
  const opts = { provider: PROVIDER };
  switch (kind) {
    case 'rate_limited': {
      const bodyRetry = parsed.success && parsed.data.retry_after !== undefined ? parsed.data.retry_after * 1000 : undefined;
      return new AppError(kind, 'Black Forest Labs is already running as many of your tasks as it allows. Wait for one to finish.', {
        ...opts,
        retryAfterMs: retryAfterMs(res.headers) ?? bodyRetry,
      });
    }
    case 'out_of_credit':
    case 'invalid_input':
      return new AppError(kind, text ? `Black Forest Labs: ${text}` : defaultMessage(kind, PROVIDER), opts);
    default:
      return new AppError(kind, defaultMessage(kind, PROVIDER), { ...opts, retryAfterMs: retryAfterMs(res.headers) });
  }
}

function detailText(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  return JSON.stringify(v).slice(0, 300);
}

export const bflAdapter: ProviderAdapter = {
  id: 'bfl',
  mode: 'queue',

  async submit(route, input, ctx): Promise<SubmitOutcome> {
    const body = await bflInputs(route, input);
    const res = await keyedFetch(ctx, PROVIDER, `${stripEnd(ctx.baseUrl)}/v1/${wireModel(route)}`, {
      method: 'POST',
      authHeader: auth(ctx),
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw await failure(res);
    const reply = parseReply(PROVIDER, SubmitReply, await readJson(res));
    const handle: ProviderHandle = { id: reply.id, pollingUrl: reply.polling_url };
    if (typeof reply.cost === 'number') handle[COST_KEY] = String(reply.cost);
    return { kind: 'submitted', handle };
  },

  async poll(_route, handle, ctx): Promise<PollOutcome> {
    const { pollingUrl } = handle;
    if (!pollingUrl) throw new AppError('internal', 'This Black Forest Labs job lost its polling address.', { provider: PROVIDER });
    const res = await keyedFetch(pollingContext(ctx, pollingUrl), PROVIDER, pollingUrl, {
      method: 'GET',
      authHeader: auth(ctx),
      headers: { Accept: 'application/json' },
    });
    if (res.status === 404) throw new AppError('bad_reply', 'Black Forest Labs no longer knows this task. Create it again.', { provider: PROVIDER });
    if (!res.ok) throw await failure(res);
    const r = parseReply(PROVIDER, ResultReply, await readJson(res));
    switch (r.status) {
      case 'Pending':
        return { kind: 'pending', stage: r.progress ? 'running' : 'queued' };
      case 'Reasoning':
      case 'Generating':
        return { kind: 'pending', stage: 'running' };
      case 'Ready': {
        const result = parseReply(PROVIDER, ReadyResult, r.result);
        const cost = reportedCost(handle);
        return { kind: 'done', outputs: [{ kind: 'url', url: result.sample }], ...(cost ? { cost } : {}) };
      }
      case 'Request Moderated':
        throw new AppError('moderated', 'Black Forest Labs\u2019 moderation refused the prompt or the reference image.', { provider: PROVIDER });
      case 'Content Moderated':
        throw new AppError('moderated', 'Black Forest Labs\u2019 moderation blocked the generated image.', { provider: PROVIDER });
      case 'Task not found':
        throw new AppError('bad_reply', 'Black Forest Labs no longer knows this task. Create it again.', { provider: PROVIDER });
      case 'Error': {
        const why = detailText(r.details) || detailText(r.result);
        throw new AppError('invalid_input', `Black Forest Labs could not generate this image${why ? `: ${why}` : '.'}`, { provider: PROVIDER });
      }
    }
  },

  async testKey(ctx): Promise<void> {
    const res = await keyedFetch(ctx, PROVIDER, `${stripEnd(ctx.baseUrl)}/v1/credits`, {
      method: 'GET',
      authHeader: auth(ctx),
      headers: { Accept: 'application/json' },
    });
    if (!res.ok) throw await failure(res);
  },
};
