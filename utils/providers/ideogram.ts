import { z } from 'zod';
import { AppError } from '../errors';
import { wireModel, wireSize, type RouteSpec } from '../models';
import { defaultMessage, keyedFetch, kindForStatus, parseReply, readJson, retryAfterMs, stripEnd } from './http';
import { imageFilePart, messageFrom, noPolling, parseResolution } from './sync';
import { inputImages, type GenerationInput, type ProviderAdapter, type ProviderContext, type ProviderOutput, type SubmitOutcome } from './types';

/**
 * Ideogram API (synchronous, multipart/form-data, header `Api-Key: <key>`).
 *   POST {base}/v1/ideogram-v3/remix      image (file), prompt, image_weight 1-100 (default 50,
 *                                          higher = closer to the image), aspect_ratio `16x9`,
 *                                          rendering_speed, num_images 1-8, seed
 *   POST {base}/v1/ideogram-v3/generate   prompt, character_reference_images (one file today),
 *                                          style_type AUTO, aspect_ratio, rendering_speed, num_images, seed
 *   Both also take style_reference_images: files, repeated ("maximum total size 10MB across all
 *   style references"); references in the `style` role go there, the first other one is the
 *   image to remix or the character.
 *     -> 200 { created, data: [{ url, prompt, resolution, is_image_safe, seed, style_type }] }
 *        (url is null when is_image_safe is false; links expire, so the engine downloads at once)
 *     -> 400 invalid input, 401/403 not authorized, 422 { error } failed the safety check, 429
 *   GET  {base}/models                    lists custom models: a free authenticated call (testKey)
 * Routes use the panel's `16:9` ratios; the wire form is Ideogram's `16x9`.
 * Source: Ideogram's OpenAPI (developer.ideogram.ai), operations post_remix_image_v3 and
 * post_generate_image_v3.
 */

const PROVIDER = 'Ideogram';


const ImageObject = z.object({
  url: z.string().min(1).nullish(),
  prompt: z.string().nullish(),
  resolution: z.string().nullish(),
  is_image_safe: z.boolean(),
  seed: z.number().nullish(),
  style_type: z.string().nullish(),
});

const GenerateReply = z.object({
  created: z.string().nullish(),
  data: z.array(ImageObject).min(1),
});

function auth(ctx: ProviderContext): [string, string] {
  return ['Api-Key', ctx.key];
}

/** Builds the multipart body for one Ideogram route. */
function ideogramForm(route: RouteSpec, input: GenerationInput): FormData {
  const form = new FormData();
  const remix = route.endpoint.endsWith('/remix');
  const images = inputImages(input);
  const main = images.find((i) => i.role !== 'style');
  const styles = images.filter((i) => i.role === 'style');
  if (remix) {
    if (!main) {
      const why = styles.length > 0 ? ' A style reference alone is not enough: add the image to remix first.' : ' Add an image first.';
      throw new AppError('invalid_input', `Ideogram remix needs an image prompt.${why}`, { provider: PROVIDER });
    }
    const { blob, filename } = imageFilePart(main);
    form.append('image', blob, filename);
  } else if (main) {
    const { blob, filename } = imageFilePart(main, 'character');
    form.append('character_reference_images', blob, filename);
    // Character references take AUTO / REALISTIC / FICTION; AUTO lets Ideogram decide.
    form.append('style_type', 'AUTO');
  }
  for (const [i, image] of styles.entries()) {
    const { blob, filename } = imageFilePart(image, `style-${i + 1}`);
    form.append('style_reference_images', blob, filename);
  }
  form.append('prompt', input.prompt);
  if (remix && route.strength && input.strength !== undefined) {
    form.append(route.strength.field, String(Math.round(input.strength)));
  }
  const size = wireSize(route, input.aspectRatio);
  const aspect = typeof size === 'string' ? size : undefined;
  if (aspect) form.append('aspect_ratio', aspect);
  form.append('rendering_speed', 'DEFAULT');
  form.append('num_images', String(Math.min(8, Math.max(1, input.numImages))));
  if (route.seed && input.seed !== undefined) form.append('seed', String(input.seed));
  return form;
}

async function failure(res: Response): Promise<AppError> {
  const body = await readJson(res);
  const said = messageFrom(body);
  // 422 is documented as "Prompt or provided image failed safety check" ({ error }).
  if (res.status === 422) {
    return new AppError('moderated', `Ideogram refused this content${said ? `: ${said}` : '.'}`, { provider: PROVIDER });
  }
  const kind = kindForStatus(res.status);
  const message = kind === 'invalid_input' && said ? `Ideogram: ${said}` : defaultMessage(kind, PROVIDER);
  return new AppError(kind, message, { provider: PROVIDER, retryAfterMs: retryAfterMs(res.headers) });
}

/** Turns a parsed reply into outputs; images that failed Ideogram's safety check have no URL. */
function ideogramOutputs(reply: z.infer<typeof GenerateReply>): ProviderOutput[] {
  const outputs: ProviderOutput[] = [];
  for (const img of reply.data) {
    if (!img.is_image_safe || !img.url) continue;
    const size = parseResolution(img.resolution);
    outputs.push({ kind: 'url', url: img.url, ...(size ?? {}) });
  }
  if (outputs.length === 0) {
    throw new AppError('moderated', 'Ideogram\u2019s safety check blocked every image of this result.', { provider: PROVIDER });
  }
  return outputs;
}

export const ideogramAdapter: ProviderAdapter = {
  id: 'ideogram',
  mode: 'sync',

  async submit(route, input, ctx): Promise<SubmitOutcome> {
    const res = await keyedFetch(ctx, PROVIDER, `${stripEnd(ctx.baseUrl)}/${wireModel(route)}`, {
      method: 'POST',
      authHeader: auth(ctx),
      headers: { Accept: 'application/json' },
      body: ideogramForm(route, input),
    });
    if (!res.ok) throw await failure(res);
    const reply = parseReply(PROVIDER, GenerateReply, await readJson(res));
    return { kind: 'done', outputs: ideogramOutputs(reply) };
  },

  async poll() {
    return noPolling(PROVIDER);
  },

  async testKey(ctx): Promise<void> {
    // Listing one's own custom models is free; a bad key gets 401 (or 403).
    const res = await keyedFetch(ctx, PROVIDER, `${stripEnd(ctx.baseUrl)}/models?scope=owned`, {
      method: 'GET',
      authHeader: auth(ctx),
      headers: { Accept: 'application/json' },
    });
    if (res.status === 401 || res.status === 403 || res.status === 429 || res.status >= 500) throw await failure(res);
  },
};
