// The fal endpoints the sandbox knows: their inputs, the checks fal applies, and the shape of
// what each answers. The sandbox follows fal's published contract, not our adapter.
//
// Sources, cited per endpoint below:
//   [types] fal's endpoint types, fal-js libs/client/src/types/endpoints.ts @381105e
//           (2026-08-02), by type name: field names, enums, defaults, required fields and the
//           output type (fal's types alias outputs structurally: `GptImage2EditOutput =
//           photaOutput`; the alias target's fields are what the endpoint answers).
//   [doc]   fal's per-model doc pages (fal.ai/models/<id>/llms.txt, fal.ai/docs/model-api-reference/...)
//           for numeric ranges the types leave out.
//   [guess] not published; chosen so obviously wrong input still fails the way fal fails.
// Errors are 422 `{ detail: [{ loc, msg, type, ... }] }` with pydantic v2 error types
// ('missing', 'literal_error', 'too_long', ...), as fal documents (docs.fal.ai/errors).

export interface FieldError {
  loc: Array<string | number>;
  msg: string;
  type: string;
  input?: unknown;
  ctx?: Record<string, unknown>;
  url?: string;
}

/** Fields of a result besides `images` (image endpoints) or `output` (vision). */
type OutputField = 'seed' | 'has_nsfw_concepts' | 'prompt' | 'timings' | 'description' | 'usage';

export interface FalModel {
  /** 'image' endpoints answer `{ images: [...], ... }`; 'vision' ones answer `{ output, usage }`. */
  kind: 'image' | 'vision';
  /** What fal's model search (GET https://api.fal.ai/v1/models) says about it. Wording is ours. */
  meta: { displayName: string; category: string; description: string };
  /** The other fields of the published output type. */
  outputs: readonly OutputField[];
  validate(input: Record<string, unknown>): FieldError[];
  /** Which input carries the reference image, if any was given. */
  reference?(input: Record<string, unknown>): { loc: Array<string | number>; url: string } | undefined;
  /** Image fields by the role fal gives them (default: every image field is a plain `reference`). */
  imageRoles?: Readonly<Record<string, string>>;
  /** 0..1: how strongly the output may depart from the reference. */
  strength?(input: Record<string, unknown>): number | undefined;
  /**
   * Whether fal's safety checker looks at this request's images and reports per image in
   * `has_nsfw_concepts` (flagged images come back black). Only endpoints with that output field.
   */
  safetyChecker?(input: Record<string, unknown>): boolean;
}

/**
 * Sandbox-only switch for the safety checker: a prompt containing NSFW_MARKER makes the
 * endpoints with `has_nsfw_concepts` (the Flux ones) flag their 2nd image; NSFW_ALL_MARKER flags
 * every image. Flagged images come back black, as fal's checker returns them.
 */
export const NSFW_MARKER = 'nsfw-sandbox';
export const NSFW_ALL_MARKER = 'nsfw-sandbox-all';

// Endpoint ids fal no longer serves, and why. fal answers them like any id it does not have:
// 404 at submit (see fal.ts); they are listed here only so the reason is on record.
//   fal-ai/imagen3: removed from fal-js endpoints.ts on 2026-08-02 (381105e); Google shut every
//     Imagen model down
//   fal-ai/bytedance/seedream/v3/text-to-image: removed from fal-js endpoints.ts on 2026-08-02 (381105e)
//   fal-ai/bytedance/dreamina/v3.1/text-to-image: removed from fal-js endpoints.ts on 2026-08-02 (381105e)
//   fal-ai/gpt-image-1/edit-image: still typed in fal-js, but deprecated by fal
//     (storytold/artcraft#1172, 2026-03) and OpenAI shut gpt-image-1 down on 2026-10-23
//   fal-ai/any-llm/vision: not in fal-js endpoints.ts @381105e; fal points to openrouter/router/vision

type Check = (input: Record<string, unknown>) => FieldError | undefined;
type Kind = 'string' | 'url' | 'urls';

const isUrl = (v: unknown) => typeof v === 'string' && /^(https?:\/\/|data:)/i.test(v);

const required =
  (field: string, kind: Kind): Check =>
  (input) => {
    const v = input[field];
    // Kept as fal's older apps word it (pydantic v2 itself says 'Field required').
    if (v === undefined || v === null) return { loc: ['body', field], msg: 'field required', type: 'missing' };
    return typed(field, kind, v);
  };

const optional =
  (field: string, kind: Kind): Check =>
  (input) => (input[field] === undefined ? undefined : typed(field, kind, input[field]));

function typed(field: string, kind: Kind, v: unknown): FieldError | undefined {
  if (kind === 'string') {
    return typeof v === 'string' ? undefined : { loc: ['body', field], msg: 'Input should be a valid string', type: 'string_type', input: v };
  }
  if (kind === 'url') {
    return isUrl(v) ? undefined : { loc: ['body', field], msg: 'Input should be an http(s) URL or a data URI', type: 'value_error', input: v };
  }
  if (!Array.isArray(v)) return { loc: ['body', field], msg: 'Input should be a valid list', type: 'list_type', input: v };
  if (v.length === 0) return { loc: ['body', field], msg: 'List should have at least 1 item after validation, not 0', type: 'too_short', input: v, ctx: { field_type: 'List', min_length: 1, actual_length: 0 } };
  const bad = v.findIndex((u) => !isUrl(u));
  return bad < 0 ? undefined : { loc: ['body', field, bad], msg: 'Input should be an http(s) URL or a data URI', type: 'value_error', input: v[bad] };
}

const maxItems =
  (field: string, max: number): Check =>
  (input) => {
    const v = input[field];
    if (!Array.isArray(v) || v.length <= max) return undefined;
    return { loc: ['body', field], msg: `List should have at most ${max} items after validation, not ${v.length}`, type: 'too_long', input: v.length, ctx: { field_type: 'List', max_length: max, actual_length: v.length } };
  };

const range =
  (field: string, min: number, max: number, integer = false): Check =>
  (input) => {
    const v = input[field];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      return { loc: ['body', field], msg: `Input should be a valid ${integer ? 'integer' : 'number'}`, type: integer ? 'int_type' : 'float_type', input: v };
    }
    if (integer && !Number.isInteger(v)) {
      return { loc: ['body', field], msg: 'Input should be a valid integer, got a number with a fractional part', type: 'int_from_float', input: v };
    }
    if (v < min) return { loc: ['body', field], msg: `Input should be greater than or equal to ${min}`, type: 'greater_than_equal', input: v, ctx: { ge: min } };
    if (v > max) return { loc: ['body', field], msg: `Input should be less than or equal to ${max}`, type: 'less_than_equal', input: v, ctx: { le: max } };
    return undefined;
  };

const oneOf =
  (field: string, values: readonly string[]): Check =>
  (input) => {
    const v = input[field];
    if (v === undefined || (typeof v === 'string' && values.includes(v))) return undefined;
    const expected = values.map((x) => `'${x}'`).join(', ');
    return { loc: ['body', field], msg: `Input should be ${expected}`, type: 'literal_error', input: v, ctx: { expected } };
  };

const bool =
  (field: string): Check =>
  (input) => {
    const v = input[field];
    return v === undefined || typeof v === 'boolean' ? undefined : { loc: ['body', field], msg: 'Input should be a valid boolean', type: 'bool_type', input: v };
  };

/** fal's named `image_size` presets (every ImageSize union in [types] starts with these). */
const FAL_SIZE_PRESETS = ['square_hd', 'square', 'portrait_4_3', 'portrait_16_9', 'landscape_4_3', 'landscape_16_9'] as const;

/**
 * `image_size`: a preset, one of `extra` ('auto', 'auto_2K', ...) or `{ width, height }`
 * (ImageSize, whole pixels). `custom` returns why a concrete size is refused, if it is.
 */
const imageSize =
  (extra: readonly string[] = [], custom?: (w: number, h: number) => string | undefined): Check =>
  (input) => {
    const v = input.image_size;
    if (v === undefined) return undefined;
    if (typeof v === 'string' || v === null || typeof v !== 'object' || Array.isArray(v)) {
      return oneOf('image_size', [...FAL_SIZE_PRESETS, ...extra])(input);
    }
    const size = v as Record<string, unknown>;
    for (const side of ['width', 'height'] as const) {
      const s = size[side];
      if (s !== undefined && (typeof s !== 'number' || !Number.isInteger(s) || s < 1)) {
        return { loc: ['body', 'image_size', side], msg: 'Input should be a positive integer', type: 'greater_than', input: s, ctx: { gt: 0 } };
      }
    }
    // ImageSize defaults both sides to 512 [types].
    const w = typeof size.width === 'number' ? size.width : 512;
    const h = typeof size.height === 'number' ? size.height : 512;
    const why = custom?.(w, h);
    return why ? { loc: ['body', 'image_size'], msg: `Value error, ${why}`, type: 'value_error', input: v } : undefined;
  };

/** The image fields fal endpoints use; each counts as a plain `reference` unless a model says otherwise. */
const IMAGE_FIELDS = ['image_url', 'image_urls', 'reference_image_urls'] as const;

/** How many images a submit carried, by role (for the request log; not validated here). */
export function referencesIn(model: FalModel, input: Record<string, unknown>): Record<string, number> | undefined {
  const counts: Record<string, number> = {};
  for (const field of IMAGE_FIELDS) {
    const v = input[field];
    const n = Array.isArray(v) ? v.length : typeof v === 'string' ? 1 : 0;
    if (n === 0) continue;
    const role = model.imageRoles?.[field] ?? 'reference';
    counts[role] = (counts[role] ?? 0) + n;
  }
  return Object.keys(counts).length > 0 ? counts : undefined;
}

function model(spec: Omit<FalModel, 'validate'> & { checks: Check[] }): FalModel {
  const { checks, ...rest } = spec;
  return { ...rest, validate: (input) => checks.map((c) => c(input)).filter((e): e is FieldError => e !== undefined) };
}

/** The reference: `field` itself, or the first URL of a list (`fromEnd`: of its last n entries). */
const refFrom =
  (field: string, list = false, lastN?: number) =>
  (input: Record<string, unknown>) => {
    const v = input[field];
    if (!list) return typeof v === 'string' ? { loc: ['body', field], url: v } : undefined;
    if (!Array.isArray(v)) return undefined;
    const start = lastN !== undefined ? Math.max(0, v.length - lastN) : 0;
    const first = v[start];
    return typeof first === 'string' ? { loc: ['body', field, start], url: first } : undefined;
  };

const num = (field: string, fallback: number) => (input: Record<string, unknown>) =>
  typeof input[field] === 'number' ? (input[field] as number) : fallback;

/** fal's Flux apps take any 32-bit unsigned seed [guess: the types say only `number`]. */
const seedU32: Check = range('seed', 0, 2 ** 32 - 1, true);
/** Seedream's own API takes seeds up to 2147483647 (BytePlus ModelArk; ComfyUI's nodes) [doc]. */
const seedI32: Check = range('seed', -1, 2_147_483_647, true);
/** Gemini's `generationConfig.seed` is a proto int32 (js-genai converters). */
const seedInt32: Check = range('seed', -(2 ** 31), 2 ** 31 - 1, true);

const FLUX_OUTPUT: readonly OutputField[] = ['has_nsfw_concepts', 'prompt', 'seed', 'timings'];
/** BaseImageToInput / FluxDevInput: the checker runs unless `enable_safety_checker: false`. */
const checkerUnlessOff = (input: Record<string, unknown>) => input.enable_safety_checker !== false;

/** gpt-image-2's concrete sizes [types GptImage2Input.image_size doc string]. */
function gptImage2Size(w: number, h: number): string | undefined {
  if (w % 16 !== 0 || h % 16 !== 0) return 'width and height must be multiples of 16';
  if (Math.max(w, h) > 3840) return 'the longest edge must be at most 3840 pixels';
  if (Math.max(w, h) / Math.min(w, h) > 3) return 'the aspect ratio must be at most 3:1';
  if (w * h < 655_360 || w * h > 8_294_400) return 'the total number of pixels must be between 655,360 and 8,294,400';
  return undefined;
}

/** Seedream 4.5's concrete sizes [types SeedDream45EditInput.image_size doc string]. */
function seedream45Size(w: number, h: number): string | undefined {
  const sides = [w, h].every((s) => s >= 1920 && s <= 4096);
  const px = w * h >= 2560 * 1440 && w * h <= 4096 * 4096;
  return sides || px ? undefined : 'width and height must be between 1920 and 4096, or the total number of pixels between 2560*1440 and 4096*4096';
}

const GEMINI_RATIOS = ['auto', '21:9', '16:9', '3:2', '4:3', '5:4', '1:1', '4:5', '3:4', '2:3', '9:16'] as const;
const SAFETY_TOLERANCE = ['1', '2', '3', '4', '5', '6'] as const;

export const FAL_MODELS: Readonly<Record<string, FalModel>> = {
  // [types] FluxDevImageToImageInput = BaseImageToInput: image_url (required), strength (default
  // 0.95), num_images, enable_safety_checker (default true); output unoOutput { images,
  // has_nsfw_concepts, prompt, seed, timings }. [doc] strength 0.01-1, num_images 1-4.
  'fal-ai/flux/dev/image-to-image': model({
    kind: 'image',
    meta: { displayName: 'FLUX.1 [dev] Image-to-Image', category: 'image-to-image', description: 'FLUX.1 [dev] image-to-image.' },
    outputs: FLUX_OUTPUT,
    checks: [required('prompt', 'string'), required('image_url', 'url'), range('strength', 0.01, 1), range('num_images', 1, 4, true), range('num_inference_steps', 1, 50, true), range('guidance_scale', 1, 20), bool('enable_safety_checker'), seedU32],
    reference: refFrom('image_url'),
    strength: num('strength', 0.95),
    safetyChecker: checkerUnlessOff,
  }),
  // [types] FluxDevInput, output unoOutput (as above).
  'fal-ai/flux/dev': model({
    kind: 'image',
    meta: { displayName: 'FLUX.1 [dev]', category: 'text-to-image', description: 'FLUX.1 [dev] text-to-image.' },
    outputs: FLUX_OUTPUT,
    checks: [required('prompt', 'string'), imageSize(), range('num_images', 1, 4, true), bool('enable_safety_checker'), seedU32],
    safetyChecker: checkerUnlessOff,
  }),
  // [types] FluxProV11UltraInput: image_url (optional), image_prompt_strength (default 0.1),
  // aspect_ratio 21:9..9:21 (default 16:9), num_images; no enable_safety_checker field (the
  // checker always runs; safety_tolerance sets how strict). Output FluxProV11Output { images,
  // has_nsfw_concepts, prompt, seed, timings }. [doc] image_prompt_strength 0-1, num_images 1-4.
  'fal-ai/flux-pro/v1.1-ultra': model({
    kind: 'image',
    meta: { displayName: 'FLUX1.1 [pro] ultra', category: 'text-to-image', description: 'FLUX1.1 [pro] ultra with an optional image prompt.' },
    outputs: FLUX_OUTPUT,
    checks: [required('prompt', 'string'), optional('image_url', 'url'), range('image_prompt_strength', 0, 1), oneOf('aspect_ratio', ['21:9', '16:9', '4:3', '3:2', '1:1', '2:3', '3:4', '9:16', '9:21']), range('num_images', 1, 4, true), oneOf('safety_tolerance', SAFETY_TOLERANCE), seedU32],
    reference: refFrom('image_url'),
    strength: (i) => 1 - num('image_prompt_strength', 0.1)(i),
    safetyChecker: () => true,
  }),
  // [types] GptImage2EditInput: prompt, image_urls (required; "A maximum of 16 images are
  // allowed"), image_size presets | auto | ImageSize (default auto = infer from the inputs;
  // concrete sizes per GptImage2Input: multiples of 16, max edge 3840, ratio <= 3:1, 655,360 to
  // 8,294,400 px), mask_url, num_images (default 1), quality (default high), output_format
  // (default png), sync_mode. Output GptImage2EditOutput = photaOutput { images } only.
  // [guess] num_images at most 10 (the types give only the default; OpenAI's own n is 1-10).
  'openai/gpt-image-2/edit': model({
    kind: 'image',
    meta: { displayName: 'GPT Image 2 Edit', category: 'image-to-image', description: 'OpenAI GPT Image 2 image editing.' },
    outputs: [],
    checks: [required('prompt', 'string'), required('image_urls', 'urls'), maxItems('image_urls', 16), imageSize(['auto'], gptImage2Size), optional('mask_url', 'url'), range('num_images', 1, 10, true), oneOf('quality', ['auto', 'low', 'medium', 'high']), oneOf('output_format', ['jpeg', 'png', 'webp']), bool('sync_mode')],
    reference: refFrom('image_urls', true),
    strength: () => 0.6,
  }),
  // [types] NanoBananaProEditInput: prompt, image_urls (required), aspect_ratio auto + ten
  // ratios (default auto), resolution 1K | 2K | 4K (default 1K), num_images (default 1), seed,
  // output_format, safety_tolerance "1".."6", limit_generations, enable_web_search,
  // system_prompt, sync_mode. Output NanoBananaProEditOutput = MaiImage25Output { images,
  // description } (description required). [doc] num_images 1-4 (fal-ai/nano-banana-2/edit/llms.txt;
  // the Pro page was not read).
  'fal-ai/nano-banana-pro/edit': model({
    kind: 'image',
    meta: { displayName: 'Nano Banana Pro Edit', category: 'image-to-image', description: 'Gemini 3 Pro Image editing.' },
    outputs: ['description'],
    checks: [required('prompt', 'string'), required('image_urls', 'urls'), oneOf('aspect_ratio', GEMINI_RATIOS), oneOf('resolution', ['1K', '2K', '4K']), range('num_images', 1, 4, true), seedInt32, oneOf('output_format', ['jpeg', 'png', 'webp']), oneOf('safety_tolerance', SAFETY_TOLERANCE), bool('limit_generations'), bool('enable_web_search'), optional('system_prompt', 'string'), bool('sync_mode')],
    reference: refFrom('image_urls', true),
    strength: () => 0.6,
  }),
  // [types] SeedDream4EditInput: prompt, image_urls (required; "up to 10 ... If over 10 images
  // are sent, only the last 10 will be used"), image_size presets | auto | auto_2K | auto_4K |
  // ImageSize ("minimum total image area is 921600 pixels. Failing this, the image size will be
  // adjusted to by scaling it up": not an error), num_images, max_images, seed,
  // enable_safety_checker, enhance_prompt_mode standard | fast, sync_mode. Output
  // BytedanceSeedreamV4EditOutput = pulidOutput { images, seed }. [doc] num_images and
  // max_images 1-6 (fal.ai/docs/model-api-reference/image-generation-api/bytedance-seedream-v4).
  'fal-ai/bytedance/seedream/v4/edit': model({
    kind: 'image',
    meta: { displayName: 'Bytedance Seedream v4 Edit', category: 'image-to-image', description: 'ByteDance Seedream 4.0 image editing.' },
    outputs: ['seed'],
    checks: [required('prompt', 'string'), required('image_urls', 'urls'), imageSize(['auto', 'auto_2K', 'auto_4K']), range('num_images', 1, 6, true), range('max_images', 1, 6, true), seedI32, bool('enable_safety_checker'), oneOf('enhance_prompt_mode', ['standard', 'fast']), bool('sync_mode')],
    reference: refFrom('image_urls', true, 10),
    strength: () => 0.6,
  }),
  // [types] SeedDream45EditInput: as v4 without enhance_prompt_mode and without plain `auto`
  // (presets | auto_2K | auto_4K | ImageSize: "Width and height must be between 1920 and 4096,
  // or total number of pixels must be between 2560*1440 and 4096*4096"). Output
  // BytedanceSeedreamV45EditOutput = BlurOutput { images } (no seed). [doc] num_images and
  // max_images 1-6 (.../bytedance-seedream-v4.5). [guess] a size outside both ranges is a 422
  // (the types do not say whether fal adjusts it instead).
  'fal-ai/bytedance/seedream/v4.5/edit': model({
    kind: 'image',
    meta: { displayName: 'Bytedance Seedream v4.5 Edit', category: 'image-to-image', description: 'ByteDance Seedream 4.5 image editing.' },
    outputs: [],
    checks: [required('prompt', 'string'), required('image_urls', 'urls'), imageSize(['auto_2K', 'auto_4K'], seedream45Size), range('num_images', 1, 6, true), range('max_images', 1, 6, true), seedI32, bool('enable_safety_checker'), bool('sync_mode')],
    reference: refFrom('image_urls', true, 10),
    strength: () => 0.6,
  }),
  // [types] IdeogramV3RemixInput: image_url (required), image_urls (style references),
  // strength "of the input image" (default 0.8), image_size presets | ImageSize (no
  // aspect_ratio), num_images, seed. Output GenerateOutput { images, seed }. [doc] num_images 1-8.
  'fal-ai/ideogram/v3/remix': model({
    kind: 'image',
    meta: { displayName: 'Ideogram V3 Remix', category: 'image-to-image', description: 'Ideogram 3.0 remix.' },
    outputs: ['seed'],
    checks: [required('prompt', 'string'), required('image_url', 'url'), optional('image_urls', 'urls'), range('strength', 0.01, 1), imageSize(), range('num_images', 1, 8, true), seedU32],
    reference: refFrom('image_url'),
    imageRoles: { image_url: 'content', image_urls: 'style' },
    strength: (i) => 1 - num('strength', 0.8)(i),
  }),
  // [types] IdeogramCharacterInput: reference_image_urls (required; only the first is used),
  // image_urls (style references), style AUTO | REALISTIC | FICTION, image_size, num_images,
  // seed. Output GenerateOutput { images, seed }.
  'fal-ai/ideogram/character': model({
    kind: 'image',
    meta: { displayName: 'Ideogram Character', category: 'image-to-image', description: 'Ideogram 3.0 character reference.' },
    outputs: ['seed'],
    checks: [required('prompt', 'string'), required('reference_image_urls', 'urls'), optional('reference_mask_urls', 'urls'), optional('image_urls', 'urls'), oneOf('style', ['AUTO', 'REALISTIC', 'FICTION']), imageSize(), range('num_images', 1, 8, true), seedU32],
    reference: refFrom('reference_image_urls', true),
    imageRoles: { reference_image_urls: 'character', image_urls: 'style' },
    strength: () => 0.85,
  }),
  // [types] MinimaxImage01SubjectReferenceInput: image_url (required), aspect_ratio (8 ratios),
  // num_images "(1-9)", prompt_optimizer; no seed. Output V16Output { images } only.
  'fal-ai/minimax/image-01/subject-reference': model({
    kind: 'image',
    meta: { displayName: 'MiniMax Image-01 Subject Reference', category: 'image-to-image', description: 'MiniMax image-01 with a subject reference.' },
    outputs: [],
    checks: [required('prompt', 'string'), required('image_url', 'url'), oneOf('aspect_ratio', ['1:1', '16:9', '4:3', '3:2', '2:3', '3:4', '9:16', '21:9']), range('num_images', 1, 9, true), bool('prompt_optimizer')],
    reference: refFrom('image_url'),
    strength: () => 0.9,
  }),
  // [types] RouterVisionInput: prompt, image_urls, model (all required), max_tokens (optional
  // integer), system_prompt, temperature, reasoning. Output RouterVisionOutput = AudioOutput
  // { output, usage: { decode_time_ms, input_tokens, output_tokens, prefill_time_ms, ttft_ms } }.
  // fal's successor to the deprecated fal-ai/any-llm/vision. [guess] temperature 0-2
  // (OpenRouter's range); max_tokens has no published upper bound here.
  'openrouter/router/vision': model({
    kind: 'vision',
    meta: { displayName: 'OpenRouter Vision', category: 'vision', description: 'Vision language models through OpenRouter.' },
    outputs: ['usage'],
    checks: [required('prompt', 'string'), required('image_urls', 'urls'), required('model', 'string'), range('max_tokens', 1, 1_000_000, true), optional('system_prompt', 'string'), range('temperature', 0, 2), bool('reasoning')],
    reference: refFrom('image_urls', true),
  }),
};
