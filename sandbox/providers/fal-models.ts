// The fal endpoints the sandbox knows, with the input checks that matter to the extension.
// Ranges marked (docs) come from /work/shared/docs/providers.md; the rest are loose sanity
// checks so obviously wrong input still fails the way fal fails (422, pydantic-style detail).
// Error `type`s follow pydantic v2 names ('missing', 'greater_than_equal', ...).

export interface FieldError {
  loc: Array<string | number>;
  msg: string;
  type: string;
  input?: unknown;
  ctx?: Record<string, unknown>;
  url?: string;
}

export interface FalModel {
  /** 'image' endpoints answer `{ images: [...] }`; 'vision' ones answer `{ output: string }`. */
  kind: 'image' | 'vision';
  validate(input: Record<string, unknown>): FieldError[];
  /** Which input carries the reference image, if any was given. */
  reference?(input: Record<string, unknown>): { loc: Array<string | number>; url: string } | undefined;
  /** 0..1: how strongly the output may depart from the reference. */
  strength?(input: Record<string, unknown>): number | undefined;
}

type Check = (input: Record<string, unknown>) => FieldError | undefined;

const isUrl = (v: unknown) => typeof v === 'string' && /^(https?:\/\/|data:)/i.test(v);

const required =
  (field: string, kind: 'string' | 'url' | 'urls'): Check =>
  (input) => {
    const v = input[field];
    // The brief for this sandbox fixes 'field required' (pydantic v2 itself says 'Field required').
    if (v === undefined || v === null) return { loc: ['body', field], msg: 'field required', type: 'missing' };
    return typed(field, kind, v);
  };

const optional =
  (field: string, kind: 'string' | 'url' | 'urls'): Check =>
  (input) => (input[field] === undefined ? undefined : typed(field, kind, input[field]));

function typed(field: string, kind: 'string' | 'url' | 'urls', v: unknown): FieldError | undefined {
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

const seed: Check = range('seed', 0, 2 ** 32 - 1, true);

function model(kind: FalModel['kind'], checks: Check[], extra: Omit<FalModel, 'kind' | 'validate'> = {}): FalModel {
  return {
    kind,
    validate: (input) => checks.map((c) => c(input)).filter((e): e is FieldError => e !== undefined),
    ...extra,
  };
}

const refFrom =
  (field: string, list = false) =>
  (input: Record<string, unknown>) => {
    const v = list && Array.isArray(input[field]) ? (input[field] as unknown[])[0] : input[field];
    return typeof v === 'string' ? { loc: list ? ['body', field, 0] : ['body', field], url: v } : undefined;
  };

const num = (field: string, fallback: number) => (input: Record<string, unknown>) =>
  typeof input[field] === 'number' ? (input[field] as number) : fallback;

const FLUX_SIZES = ['square_hd', 'square', 'portrait_4_3', 'portrait_16_9', 'landscape_4_3', 'landscape_16_9'] as const;
const imageSize: Check = (input) => {
  const v = input.image_size;
  if (v === undefined || (typeof v === 'object' && v !== null)) return undefined;
  return oneOf('image_size', FLUX_SIZES)(input);
};

export const FAL_MODELS: Readonly<Record<string, FalModel>> = {
  // (docs) image_url, strength 0.01-1 (default 0.95); num_images 1-4.
  'fal-ai/flux/dev/image-to-image': model(
    'image',
    [required('prompt', 'string'), required('image_url', 'url'), range('strength', 0.01, 1), range('num_images', 1, 4, true), range('num_inference_steps', 1, 50, true), range('guidance_scale', 1, 20), seed],
    { reference: refFrom('image_url'), strength: num('strength', 0.95) },
  ),
  'fal-ai/flux/dev': model('image', [required('prompt', 'string'), imageSize, range('num_images', 1, 4, true), seed]),
  // (docs) image_url, image_prompt_strength 0-1 (default 0.1), aspect_ratio 21:9..9:21, num_images 1-4.
  'fal-ai/flux-pro/v1.1-ultra': model(
    'image',
    [required('prompt', 'string'), optional('image_url', 'url'), range('image_prompt_strength', 0, 1), oneOf('aspect_ratio', ['21:9', '16:9', '4:3', '3:2', '1:1', '2:3', '3:4', '9:16', '9:21']), range('num_images', 1, 4, true), seed],
    { reference: refFrom('image_url'), strength: (i) => 1 - num('image_prompt_strength', 0.1)(i) },
  ),
  // (docs) image_urls.
  'fal-ai/gpt-image-1/edit-image': model(
    'image',
    [required('prompt', 'string'), required('image_urls', 'urls'), oneOf('image_size', ['auto', '1024x1024', '1536x1024', '1024x1536']), range('num_images', 1, 4, true)],
    { reference: refFrom('image_urls', true), strength: () => 0.6 },
  ),
  'fal-ai/imagen3': model('image', [required('prompt', 'string'), oneOf('aspect_ratio', ['1:1', '16:9', '9:16', '3:4', '4:3']), range('num_images', 1, 4, true), seed]),
  // (docs) image_url (+ image_urls as style references); strength is "of the input image"
  // (default 0.8), so a higher value keeps more of it; image_size presets, no aspect_ratio.
  'fal-ai/ideogram/v3/remix': model(
    'image',
    [required('prompt', 'string'), required('image_url', 'url'), optional('image_urls', 'urls'), range('strength', 0.01, 1), imageSize, range('num_images', 1, 8, true), seed],
    { reference: refFrom('image_url'), strength: (i) => 1 - num('strength', 0.8)(i) },
  ),
  // (docs) image_url, aspect_ratio, num_images 1-9.
  'fal-ai/minimax/image-01/subject-reference': model(
    'image',
    [required('prompt', 'string'), required('image_url', 'url'), oneOf('aspect_ratio', ['1:1', '16:9', '4:3', '3:2', '2:3', '3:4', '9:16', '21:9']), range('num_images', 1, 9, true)],
    { reference: refFrom('image_url'), strength: () => 0.9 },
  ),
  'fal-ai/bytedance/seedream/v3/text-to-image': model('image', [required('prompt', 'string'), imageSize, range('num_images', 1, 6, true), seed]),
  // (docs) reference_image_urls (first used).
  'fal-ai/ideogram/character': model(
    'image',
    [required('prompt', 'string'), required('reference_image_urls', 'urls'), optional('reference_mask_urls', 'urls'), oneOf('style', ['AUTO', 'REALISTIC', 'FICTION']), imageSize, range('num_images', 1, 8, true), seed],
    { reference: refFrom('reference_image_urls', true), strength: () => 0.85 },
  ),
  'fal-ai/bytedance/dreamina/v3.1/text-to-image': model('image', [required('prompt', 'string'), imageSize, range('num_images', 1, 4, true), seed]),
  // "Describe the reference" stand-in for models without image input (shape unverified).
  'fal-ai/any-llm/vision': model('vision', [required('prompt', 'string'), required('image_url', 'url')], { reference: refFrom('image_url') }),
  // fal's successor to the deprecated any-llm/vision: a list of images, answers `{ output }`.
  'openrouter/router/vision': model('vision', [required('prompt', 'string'), required('image_urls', 'urls'), optional('model', 'string')], {
    reference: refFrom('image_urls', true),
  }),
};
