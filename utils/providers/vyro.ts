import { AppError } from '../errors';
import { wireModel, wireSize, type RouteSpec } from '../models';
import { defaultMessage, keyedFetch, kindForStatus, readJson, retryAfterMs, stripEnd } from './http';
import { messageFrom, noPolling, sniffImageMime } from './sync';
import type { GenerationInput, ProviderAdapter, ProviderContext, SubmitOutcome } from './types';

/**
 * imagine.art API by Vyro (synchronous, multipart/form-data, `Authorization: Bearer <key>`).
 *   POST {base}/v2/image/generations   prompt, style (e.g. realistic), aspect_ratio
 *                                       (1:1, 3:2, 4:3, 3:4, 16:9, 9:16), seed
 *     -> 200 the image itself (Content-Type image/png or image/jpeg), one image per call
 *     -> errors as JSON { status: "error", code, error, message } (401/403 key, 402 credits, 429)
 * No image input in the v2 reference: the Realistic route describes the reference first.
 * A route endpoint is `<path>:<style>`, e.g. `v2/image/generations:realistic`.
 * Sources: /work/shared/docs/providers.md; public client code calling this endpoint (field
 * names and the bytes-in-the-body reply). The error body and codes are not verified.
 */

const PROVIDER = 'imagine.art';


/** `v2/image/generations:realistic` -> path and style. */
function vyroTarget(route: RouteSpec): { path: string; style: string } {
  const endpoint = wireModel(route);
  const i = endpoint.lastIndexOf(':');
  if (i <= 0) throw new AppError('internal', `imagine.art route ${endpoint} names no style.`, { provider: PROVIDER });
  return { path: endpoint.slice(0, i), style: endpoint.slice(i + 1) };
}

/** The multipart body for one request. */
function vyroForm(route: RouteSpec, input: GenerationInput): FormData {
  const form = new FormData();
  form.append('prompt', input.prompt);
  form.append('style', vyroTarget(route).style);
  const aspect = wireSize(route, input.aspectRatio);
  if (typeof aspect === 'string') form.append('aspect_ratio', aspect);
  if (route.seed && input.seed !== undefined) form.append('seed', String(input.seed));
  return form;
}

function auth(ctx: ProviderContext): [string, string] {
  return ['Authorization', `Bearer ${ctx.key}`];
}

async function failure(res: Response): Promise<AppError> {
  const body = await readJson(res);
  const said = messageFrom(body, ['message', 'error', 'detail']);
  if (said && /nsfw|unsafe|inappropriate|moderat|prohibited|safety/i.test(said)) {
    return new AppError('moderated', `imagine.art refused this content (${said}).`, { provider: PROVIDER });
  }
  if ((res.status === 400 || res.status === 403) && said && /credit|balance|quota|insufficient/i.test(said)) {
    return new AppError('out_of_credit', 'Your imagine.art account is out of credit.', { provider: PROVIDER });
  }
  const kind = kindForStatus(res.status);
  const message = kind === 'invalid_input' && said ? `imagine.art: ${said}` : defaultMessage(kind, PROVIDER);
  return new AppError(kind, message, { provider: PROVIDER, retryAfterMs: retryAfterMs(res.headers) });
}

async function post(ctx: ProviderContext, path: string, form: FormData): Promise<Response> {
  return keyedFetch(ctx, PROVIDER, `${stripEnd(ctx.baseUrl)}/${path}`, {
    method: 'POST',
    authHeader: auth(ctx),
    headers: { Accept: 'image/*, application/json' },
    body: form,
  });
}

export const vyroAdapter: ProviderAdapter = {
  id: 'vyro',
  mode: 'sync',

  async submit(route, input, ctx): Promise<SubmitOutcome> {
    const res = await post(ctx, vyroTarget(route).path, vyroForm(route, input));
    if (!res.ok) throw await failure(res);
    const type = (res.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (type.includes('json')) {
      // A 200 with JSON is not an image: an error in disguise, or a changed API.
      const body = await readJson(res);
      const said = messageFrom(body);
      throw new AppError('bad_reply', `imagine.art answered without an image${said ? ` (${said})` : ''}.`, { provider: PROVIDER });
    }
    const bytes = new Uint8Array(await res.arrayBuffer());
    if (bytes.length === 0) throw new AppError('bad_reply', 'imagine.art sent an empty image.', { provider: PROVIDER });
    const mime = type.startsWith('image/') ? type : sniffImageMime(bytes);
    if (!mime) throw new AppError('bad_reply', 'imagine.art sent something that is not an image.', { provider: PROVIDER });
    return { kind: 'done', outputs: [{ kind: 'blob', blob: new Blob([bytes], { type: mime }) }] };
  },

  async poll() {
    return noPolling(PROVIDER);
  },

  async testKey(ctx): Promise<void> {
    // A form without a prompt is refused before any work (400/422) when the key is good;
    // a bad key gets 401/403. No image can be made without a prompt, so this should cost
    // nothing; not verified against the live API (its reference documents no free call).
    const form = new FormData();
    form.append('style', 'realistic');
    const res = await post(ctx, 'v2/image/generations', form);
    if (res.status === 400 || res.status === 422) return;
    if (res.ok) {
      // Unexpected, but the key clearly works; drop the body.
      await res.body?.cancel();
      return;
    }
    throw await failure(res);
  },
};
