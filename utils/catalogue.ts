import type { ImageMime, ModelSpec, PixelSize, ReferenceSlots, RouteSpec } from './models';

/**
 * The catalogue: the ten models as users know them, and every route (provider + endpoint) that
 * can run each, in order of preference. A route is self-contained data: its knob, sizes, seed
 * range, input limits, field names (fal) and lifecycle, each wire fact next to its source.
 * Adding a route should mean one entry here and at most one adapter file.
 *
 * Provider facts are perishable. Dates and ids below were checked on 2026-12-01 against the
 * sources named; tests/unit/catalogue.test.ts fails for a route without a lifecycle.
 */

/** fal's published endpoint types; the newest version read is commit 381105e (2026-08-02). */
const FAL_JS = 'fal-js libs/client/src/types/endpoints.ts @381105e (2026-08-02)';
const FLUX_ASPECTS = ['21:9', '16:9', '4:3', '3:2', '1:1', '2:3', '3:4', '9:16', '9:21'] as const;
const COMMON_INPUT = { maxSide: 2048, maxBytes: 10 * 1024 * 1024, formats: ['image/jpeg', 'image/png', 'image/webp'] } as const;
/** JPEG/PNG only: MiniMax on every route; SeedEdit. */
const JPEG_PNG: readonly ImageMime[] = ['image/jpeg', 'image/png'];
/** Ideogram: image files up to 10 MB (decimal), JPEG/PNG/WebP; on fal too. */
const IDEOGRAM_INPUT = { maxSide: 2048, maxBytes: 10_000_000, formats: ['image/jpeg', 'image/png', 'image/webp'] } as const;
/** Seeds as 32-bit unsigned (fal, BFL, Replicate's Flux) or signed (Ideogram, BytePlus, Gemini) integers. */
const SEED_U32 = { max: 2 ** 32 - 1 } as const;
const SEED_I32 = { max: 2_147_483_647 } as const;

/** fal's named `image_size` presets, by the ratio each stands for. */
const FAL_PRESETS: Readonly<Record<string, string>> = {
  '1:1': 'square_hd',
  '4:3': 'landscape_4_3',
  '3:4': 'portrait_4_3',
  '16:9': 'landscape_16_9',
  '9:16': 'portrait_16_9',
};
const FAL_PRESET_ASPECTS = Object.keys(FAL_PRESETS);

/** Ideogram 3.0's aspect_ratio enum: the panel's `16:9` is Ideogram's `16x9`. */
const IDEOGRAM_ASPECTS = ['1:1', '16:9', '9:16', '4:3', '3:4', '3:2', '2:3', '16:10', '10:16', '4:5', '5:4', '2:1', '1:2', '3:1', '1:3'] as const;
const IDEOGRAM_SIZES = Object.fromEntries(IDEOGRAM_ASPECTS.map((a) => [a, a.replace(':', 'x')]));
const MINIMAX_ASPECTS = ['1:1', '16:9', '4:3', '3:2', '2:3', '3:4', '9:16', '21:9'] as const;

/**
 * Seedream 3 text-to-image: ByteDance's recommended sizes (about one megapixel) per ratio, both
 * sides 512..2048. Kept for the retired Seedream 3 routes.
 */
const SEEDREAM3_SIZES: Readonly<Record<string, PixelSize>> = {
  '1:1': { width: 1024, height: 1024 },
  '3:4': { width: 864, height: 1152 },
  '4:3': { width: 1152, height: 864 },
  '16:9': { width: 1280, height: 720 },
  '9:16': { width: 720, height: 1280 },
  '2:3': { width: 832, height: 1248 },
  '3:2': { width: 1248, height: 832 },
  '21:9': { width: 1512, height: 648 },
};

/**
 * Seedream 4.x: about 2K output per ratio (BytePlus recommends these for `size: "WxH"`;
 * total pixels within 1280x720..4096x4096 and a ratio within 1:16..16:1). fal takes the same
 * as `image_size: { width, height }`.
 */
const SEEDREAM4_SIZES: Readonly<Record<string, PixelSize>> = {
  '1:1': { width: 2048, height: 2048 },
  '4:3': { width: 2304, height: 1728 },
  '3:4': { width: 1728, height: 2304 },
  '16:9': { width: 2560, height: 1440 },
  '9:16': { width: 1440, height: 2560 },
  '3:2': { width: 2496, height: 1664 },
  '2:3': { width: 1664, height: 2496 },
  '21:9': { width: 3024, height: 1296 },
};

/**
 * Gemini image models' `imageConfig.aspectRatio` values: js-genai src/types.ts ImageConfig lists
 * eight; 4:5 and 5:4 come from Google's model table as copied by third parties, and fal's
 * NanoBananaProEditInput.aspect_ratio lists all ten besides `auto`.
 */
const GEMINI_ASPECTS = ['1:1', '2:3', '3:2', '3:4', '4:3', '4:5', '5:4', '9:16', '16:9', '21:9'] as const;
/**
 * gpt-image-2 sizes per ratio: any WxH with both sides multiples of 16, ratio 1:3..3:1, at least
 * 655,360 pixels (openai-node src/resources/images.ts, ImageEditParams.size; fal's
 * GptImage2EditInput.image_size). Without a ratio the provider's `auto` follows the reference.
 */
const GPT_IMAGE2_SIZES: Readonly<Record<string, PixelSize>> = {
  '1:1': { width: 1024, height: 1024 },
  '3:2': { width: 1536, height: 1024 },
  '2:3': { width: 1024, height: 1536 },
  '4:3': { width: 1536, height: 1152 },
  '3:4': { width: 1152, height: 1536 },
  '16:9': { width: 1536, height: 864 },
  '9:16': { width: 864, height: 1536 },
};
/** gpt-image-1's three fixed sizes (retired routes only). */
const GPT_IMAGE1_SIZES: Readonly<Record<string, string>> = { '1:1': '1024x1024', '3:2': '1536x1024', '2:3': '1024x1536' };

// ---- Several references ----
// Routes that take more than one image say how many here (referencePlan uses the first ones
// and says why the rest are not). A route without `references` takes one. None of these
// providers documents a weight per image, so no route has a weight slot.

/** gpt-image edits: `image[]` "up to 16 images" (openai-node src/resources/images.ts @7b7d6ca, ImageEditParamsBase.image; fal-js GptImage2EditInput.image_urls "a maximum of 16"). */
const GPT_IMAGE_REFS: ReferenceSlots = { max: 16 };
/**
 * Gemini 3 image models: "include a maximum of 14 images in an input" (Google Cloud, Gemini image
 * generation limitations page, for Gemini 3 Pro Image; providers.md for the Gemini 3 line). Inline
 * request data must stay under 20 MB in all: base64 adds a third, so about 14 MB of image bytes.
 */
const GEMINI_REFS: ReferenceSlots = { max: 14, totalBytes: 14_000_000 };
/** fal's Seedream 4.x edit: image_urls "up to 10 image inputs" (fal-js SeedDream4EditInput, SeedDream45EditInput). */
const FAL_SEEDREAM_REFS: ReferenceSlots = { max: 10 };
/**
 * Ideogram 3.0: one image to remix (`image`, or one character reference), plus style reference
 * images "maximum total size 10MB across all style references" (developer.ideogram.ai
 * post_remix_image_v3 / post_generate_image_v3; fal-js IdeogramV3RemixInput.image_urls,
 * IdeogramCharacterInput.image_urls). How many: "add up to 10" (docs.ideogram.ai/create/style-reference).
 * The 10 MB is applied to all images of the request together (the main image has its own 10 MB
 * limit): simpler, and on the safe side.
 */
const IDEOGRAM_REMIX_REFS: ReferenceSlots = { max: 11, roles: ['content', 'style'], singleRoles: ['content'], totalBytes: 10_000_000 };
/** Ideogram character: one character reference ("currently only supports 1"), plus style references as above. */
const IDEOGRAM_CHARACTER_REFS: ReferenceSlots = { max: 11, roles: ['character', 'style'], singleRoles: ['character'], totalBytes: 10_000_000 };

function route(r: Omit<RouteSpec, 'id'>): RouteSpec {
  return { ...r, id: `${r.provider}:${r.endpoint}` };
}

/**
 * Seedream 4.x edit on fal: image_urls (up to 10), image_size preset | auto_2K | auto_4K |
 * { width, height } (the sizes here fit 4.0's and 4.5's pixel ranges), num_images 1-6, seed,
 * enable_safety_checker (fal-js SeedDream4EditInput, SeedDream45EditInput).
 */
function falSeedreamEdit(endpoint: string, runs: string): RouteSpec {
  return route({
    provider: 'fal',
    endpoint,
    runs,
    imageInput: 'native',
    fal: { image: { field: 'image_urls', list: true }, aspectField: 'image_size', fixed: { enable_safety_checker: true } },
    aspectRatios: Object.keys(SEEDREAM4_SIZES),
    sizes: SEEDREAM4_SIZES,
    maxImages: 4,
    seed: SEED_I32,
    references: FAL_SEEDREAM_REFS,
    input: COMMON_INPUT,
    lifecycle: { status: 'live', source: FAL_JS },
  });
}

/**
 * A Gemini image model on Google's own API: generateContent with inline image parts and
 * generationConfig.imageConfig.aspectRatio. Image models refuse candidateCount > 1, so one
 * image per call; inline request data must stay under 20 MB in all.
 */
function geminiApiRoute(endpoint: string, runs: string, source: string): RouteSpec {
  return route({
    provider: 'google',
    endpoint,
    runs,
    imageInput: 'native',
    aspectRatios: GEMINI_ASPECTS,
    maxImages: 1,
    seed: false,
    references: GEMINI_REFS,
    input: { maxSide: 2048, maxBytes: 7 * 1024 * 1024, formats: ['image/jpeg', 'image/png', 'image/webp'] },
    lifecycle: { status: 'live', source },
  });
}

const OPENROUTER_DOCS = 'OpenRouterTeam/docs openapi/openapi.yaml and guides/overview/multimodal/image-generation.mdx @c26125a (2026-08-22)';
/**
 * OpenRouter's Image API (POST /api/v1/images): the reference images go as `input_references`
 * data URLs (at most 16 per request), the panel's ratio as the normalised `aspect_ratio` (one of
 * OpenRouter's enum; providers clamp it), `n` 1-10 where the model makes several (single-image
 * models reject n > 1), an integer `seed`. OpenRouterTeam/docs openapi/openapi.yaml @c26125a
 * (ImageGenerationRequest) and guides/overview/multimodal/image-generation.mdx (2026-08-22).
 * How large a request body it takes is not published: all references of a job together are
 * kept under 20 MB (our cap, about 27 MB as base64).
 */
function openrouterRoute(r: Pick<RouteSpec, 'endpoint' | 'aspectRatios' | 'maxImages' | 'seed' | 'references'> & { runs: string; label?: string; source: string }): RouteSpec {
  const { source, ...rest } = r;
  return route({
    provider: 'openrouter',
    imageInput: 'native',
    input: COMMON_INPUT,
    ...rest,
    lifecycle: { status: 'live', source: `${OPENROUTER_DOCS}; ${source}` },
  });
}

/**
 * The user's own ComfyUI server running their own workflow (utils/providers/comfyui.ts): the
 * workflow decides the model, size and steps; a job fills in the image, prompt, seed and
 * strength, which goes to the sampler's `denoise` (0..1, 1 = ignore the image; nodes.py KSampler
 * @a125cd8). Seeds: KSampler takes 0..2^64-1; we stay within 32 bits. One image per job. Uploads:
 * ComfyUI's default limit is 100 MB (`--max-upload-size`, comfy/cli_args.py); 20 MB is plenty.
 */
const COMFYUI_WORKFLOW = route({
  provider: 'comfyui',
  // The wire endpoint (POST /prompt); the model is whatever the user's workflow loads.
  endpoint: 'prompt',
  label: 'Your ComfyUI workflow',
  runs: 'the checkpoint your workflow loads',
  imageInput: 'native',
  strength: { field: 'denoise', min: 0, max: 1, default: 0.75, higherKeepsMore: false },
  maxImages: 1,
  seed: SEED_U32,
  input: { maxSide: 2048, maxBytes: 20 * 1024 * 1024, formats: ['image/png', 'image/jpeg', 'image/webp'] },
  lifecycle: { status: 'live', source: 'the user\u2019s own server' },
});

export const MODELS: readonly ModelSpec[] = [
  {
    id: 'flux-dev',
    name: 'Flux dev',
    description: 'Fast, detailed and adventurous: a good first pass for almost any idea.',
    routes: [
      route({
        provider: 'fal',
        endpoint: 'fal-ai/flux/dev/image-to-image',
        imageInput: 'native',
        // image_url, strength 0.01-1 (default 0.95), num_images 1-4, enable_safety_checker.
        fal: { image: { field: 'image_url' }, fixed: { enable_safety_checker: true } },
        strength: { field: 'strength', min: 0.01, max: 1, default: 0.95, higherKeepsMore: false },
        maxImages: 4,
        seed: SEED_U32,
        input: COMMON_INPUT,
        lifecycle: { status: 'live', source: FAL_JS },
      }),
      route({
        provider: 'replicate',
        endpoint: 'black-forest-labs/flux-dev',
        imageInput: 'native',
        // Replicate: `image` + prompt_strength 0-1 (default 0.8, 1 = ignore the image). The
        // output takes the input image's shape, so aspect_ratio does nothing here.
        strength: { field: 'prompt_strength', min: 0, max: 1, default: 0.8, higherKeepsMore: false },
        maxImages: 4,
        seed: SEED_U32,
        input: COMMON_INPUT,
        lifecycle: { status: 'live', source: 'replicate.com/black-forest-labs/flux-dev (API schema)' },
      }),
      route({
        provider: 'bfl',
        endpoint: 'flux-dev',
        imageInput: 'native',
        // BFL: `image_prompt` (base64) steers like FLUX Redux: no strength knob. The adapter
        // asks for about 1 MP in the reference's shape (width/height, multiples of 32).
        maxImages: 1,
        seed: SEED_U32,
        input: COMMON_INPUT,
        lifecycle: { status: 'live', source: 'docs.bfl.ai API reference, FluxDevInput' },
      }),
      // Last, so it never displaces a cloud route unless the user picks it (or has no key at all).
      COMFYUI_WORKFLOW,
    ],
  },
  {
    id: 'realistic',
    name: 'Realistic',
    description: 'Lifelike photos with believable skin, light and depth; made for portraits and scenes.',
    routes: [
      route({
        provider: 'vyro',
        endpoint: 'v2/image/generations:realistic',
        imageInput: 'described',
        aspectRatios: ['1:1', '3:2', '4:3', '3:4', '16:9', '9:16'],
        maxImages: 1,
        seed: SEED_U32,
        input: COMMON_INPUT,
        lifecycle: { status: 'live', source: 'imagine.art API v2 reference (docs.imagine.art)' },
      }),
    ],
  },
  {
    id: 'chatgpt-image',
    name: 'ChatGPT Image',
    description: 'Follows instructions closely and writes legible text inside the picture.',
    retired: { what: 'gpt-image-1', by: 'OpenAI', on: '2026-10-23', source: 'OpenAI deprecations page (platform.openai.com/docs/deprecations), as reported by projects that migrated' },
    routes: [
      route({
        provider: 'fal',
        endpoint: 'openai/gpt-image-2/edit',
        runs: 'GPT Image 2',
        imageInput: 'native',
        // image_urls (up to 16), image_size preset | auto | { width, height }, num_images,
        // quality (default high), output_format; output { images } (GptImage2EditInput).
        fal: { image: { field: 'image_urls', list: true }, aspectField: 'image_size' },
        aspectRatios: Object.keys(GPT_IMAGE2_SIZES),
        sizes: GPT_IMAGE2_SIZES,
        maxImages: 4,
        seed: false,
        references: GPT_IMAGE_REFS,
        input: COMMON_INPUT,
        lifecycle: { status: 'live', source: FAL_JS },
      }),
      route({
        provider: 'openai',
        endpoint: 'gpt-image-2',
        runs: 'GPT Image 2',
        imageInput: 'native',
        // POST /v1/images/edits, multipart: `image[]` PNG/WEBP/JPG each under 50 MB, `size` WxH.
        aspectRatios: Object.keys(GPT_IMAGE2_SIZES),
        sizes: Object.fromEntries(Object.entries(GPT_IMAGE2_SIZES).map(([r, s]) => [r, `${s.width}x${s.height}`])),
        // OpenAI allows n up to 10, but the call is synchronous and slower per image: 4 keeps
        // one request well inside what a worker can wait for (and the bill predictable).
        maxImages: 4,
        seed: false,
        references: GPT_IMAGE_REFS,
        input: { maxSide: 2048, maxBytes: 49_000_000, formats: ['image/png', 'image/webp', 'image/jpeg'] },
        // No shutdown announced as of 2026-12-01; OpenAI also offers gpt-image-2.5/2.6 variants
        // (unverified here): a user can switch with a model id override.
        lifecycle: { status: 'live', source: 'openai-node src/resources/images.ts @7b7d6ca (ImageModel); OpenAI deprecations page' },
      }),
      route({
        provider: 'fal',
        endpoint: 'fal-ai/gpt-image-1/edit-image',
        imageInput: 'native',
        fal: { image: { field: 'image_urls', list: true }, aspectField: 'image_size' },
        aspectRatios: Object.keys(GPT_IMAGE1_SIZES),
        sizes: GPT_IMAGE1_SIZES,
        maxImages: 4,
        seed: false,
        input: COMMON_INPUT,
        // Still typed in fal-js, but deprecated by fal (March 2026) and its model is shut down.
        lifecycle: { status: 'retired', retiredOn: '2026-10-23', successor: 'fal:openai/gpt-image-2/edit', source: 'fal changelog via storytold/artcraft#1172; OpenAI gpt-image-1 shutdown' },
      }),
      route({
        provider: 'openai',
        endpoint: 'gpt-image-1',
        imageInput: 'native',
        aspectRatios: Object.keys(GPT_IMAGE1_SIZES),
        sizes: GPT_IMAGE1_SIZES,
        maxImages: 4,
        seed: false,
        input: { maxSide: 2048, maxBytes: 49_000_000, formats: ['image/png', 'image/webp', 'image/jpeg'] },
        lifecycle: { status: 'retired', retiredOn: '2026-10-23', successor: 'openai:gpt-image-2', source: 'OpenAI deprecations page' },
      }),
      // gpt-image-2 through OpenRouter: n may be up to 10; 4 as on the OpenAI route (a synchronous call).
      openrouterRoute({
        endpoint: 'openai/gpt-image-2',
        runs: 'GPT Image 2',
        aspectRatios: Object.keys(GPT_IMAGE2_SIZES),
        maxImages: 4,
        seed: false,
        references: { ...GPT_IMAGE_REFS, totalBytes: 20_000_000 },
        source: 'slug openai/gpt-image-2 in the image-generation guide',
      }),
    ],
  },
  {
    id: 'imagen-3',
    name: 'Imagen 3',
    description: 'Photographic detail with convincing lighting and objects that sit together naturally.',
    retired: { what: 'Imagen 3', by: 'Google', on: '2026-06-30', source: 'Vertex AI model page "Imagen 3" (discontinuation date); Gemini API shut every Imagen model down on 2026-08-17' },
    routes: [
      route({
        provider: 'fal',
        endpoint: 'fal-ai/nano-banana-pro/edit',
        runs: 'Gemini 3 Pro Image',
        imageInput: 'native',
        // image_urls (required), aspect_ratio auto + Gemini's ten ratios, resolution 1K/2K/4K,
        // num_images, seed; output { images, description } (NanoBananaProEditInput).
        fal: { image: { field: 'image_urls', list: true }, aspectField: 'aspect_ratio' },
        aspectRatios: GEMINI_ASPECTS,
        maxImages: 4,
        seed: SEED_I32,
        // fal-js gives no count for image_urls; the model's own limit is 14 (see GEMINI_REFS).
        // fal takes URLs, so Google's inline-data total does not apply here.
        references: { max: 14 },
        input: COMMON_INPUT,
        lifecycle: { status: 'live', source: FAL_JS },
      }),
      geminiApiRoute('gemini-nano-banana-2.1', 'Nano Banana 2.1 (Gemini)', 'ai.google.dev Gemini API changelog (GA 2026-10-06); Firebase AI Logic Imagen migration table'),
      // GA on 2026-05-28; its -preview id was shut down on 2026-06-25.
      geminiApiRoute('gemini-3-pro-image', 'Gemini 3 Pro Image', 'ai.google.dev Gemini API changelog (2026-05-28)'),
      route({
        provider: 'fal',
        endpoint: 'fal-ai/imagen3',
        imageInput: 'described',
        fal: { aspectField: 'aspect_ratio' },
        aspectRatios: ['1:1', '16:9', '9:16', '3:4', '4:3'],
        maxImages: 4,
        seed: SEED_U32,
        input: COMMON_INPUT,
        lifecycle: { status: 'retired', retiredOn: '2026-06-30', successor: 'fal:fal-ai/nano-banana-pro/edit', source: `${FAL_JS}: removed; Vertex AI Imagen 3 discontinuation` },
      }),
      // Gemini on OpenRouter: one image per call, up to 14 references under Google's inline-data cap (GEMINI_REFS).
      openrouterRoute({
        endpoint: 'google/gemini-3.1-flash-image',
        runs: 'Gemini 3.1 Flash Image (Nano Banana 2)',
        aspectRatios: GEMINI_ASPECTS,
        maxImages: 1,
        seed: false,
        references: GEMINI_REFS,
        source: 'slug google/gemini-3.1-flash-image in cookbook/image-generation/preset-enhanced-images.mdx',
      }),
      openrouterRoute({
        endpoint: 'google/gemini-3-pro-image',
        runs: 'Gemini 3 Pro Image',
        label: 'Gemini 3 Pro Image (Nano Banana Pro)',
        aspectRatios: GEMINI_ASPECTS,
        maxImages: 1,
        seed: false,
        references: GEMINI_REFS,
        // Unverified slug: typescript-sdk src/types/models.ts (2025-12) lists the -preview id, which
        // Google shut down on 2026-06-25; the GA id is assumed to follow 3.1 Flash's naming.
        source: 'slug assumed from google/gemini-3-pro-image-preview (OpenRouterTeam/typescript-sdk src/types/models.ts) and Google\'s GA id',
      }),
    ],
  },
  {
    id: 'flux-ultra',
    name: 'Flux Ultra 1.1',
    description: 'High-resolution photorealism with fine texture; strong for products and architecture.',
    routes: [
      route({
        provider: 'fal',
        endpoint: 'fal-ai/flux-pro/v1.1-ultra',
        imageInput: 'native',
        // image_url, image_prompt_strength 0-1 (default 0.1), aspect_ratio 21:9..9:21, num_images 1-4.
        fal: { image: { field: 'image_url' }, aspectField: 'aspect_ratio' },
        strength: { field: 'image_prompt_strength', min: 0, max: 1, default: 0.1, higherKeepsMore: true },
        aspectRatios: FLUX_ASPECTS,
        maxImages: 4,
        seed: SEED_U32,
        input: COMMON_INPUT,
        lifecycle: { status: 'live', source: FAL_JS },
      }),
      route({
        provider: 'bfl',
        endpoint: 'flux-pro-1.1-ultra',
        imageInput: 'native',
        // BFL: `image_prompt` (base64) blended by image_prompt_strength 0-1 (default 0.1).
        strength: { field: 'image_prompt_strength', min: 0, max: 1, default: 0.1, higherKeepsMore: true },
        aspectRatios: FLUX_ASPECTS,
        maxImages: 1,
        seed: SEED_U32,
        input: COMMON_INPUT,
        lifecycle: { status: 'live', source: 'docs.bfl.ai API reference, FluxUltraInput' },
      }),
      route({
        provider: 'replicate',
        endpoint: 'black-forest-labs/flux-1.1-pro-ultra',
        imageInput: 'native',
        // Replicate: `image_prompt` (URI) + image_prompt_strength 0-1 (default 0.1); one image.
        strength: { field: 'image_prompt_strength', min: 0, max: 1, default: 0.1, higherKeepsMore: true },
        aspectRatios: FLUX_ASPECTS,
        maxImages: 1,
        seed: SEED_U32,
        input: COMMON_INPUT,
        lifecycle: { status: 'live', source: 'replicate.com/black-forest-labs/flux-1.1-pro-ultra (API schema)' },
      }),
      // FLUX.2 [pro], Black Forest Labs' successor to the FLUX 1.1 [pro] line: no strength knob,
      // several references (8 per BFL's API as gateways document it; ComfyUI's node allows 9).
      openrouterRoute({
        endpoint: 'black-forest-labs/flux.2-pro',
        runs: 'FLUX.2 [pro]',
        label: 'FLUX.2 [pro] (successor model)',
        aspectRatios: FLUX_ASPECTS,
        maxImages: 1,
        seed: SEED_I32,
        references: { max: 8, totalBytes: 20_000_000 },
        source: 'slug black-forest-labs/flux.2-pro in the image-generation guide; 8 references: docs.apiyi.com FLUX overview',
      }),
    ],
  },
  {
    id: 'ideogram-v3',
    name: 'Ideogram v3',
    description: 'Precise typography: clean, correctly spelled lettering even in busy layouts.',
    routes: [
      route({
        provider: 'fal',
        endpoint: 'fal-ai/ideogram/v3/remix',
        imageInput: 'native',
        // image_url, strength "of the input image" (default 0.8: higher keeps more of it),
        // image_size presets (no aspect_ratio field), num_images 1-8.
        // image_urls: style references beside the image to remix (IdeogramV3RemixInput).
        fal: { image: { field: 'image_url' }, styles: 'image_urls', aspectField: 'image_size' },
        strength: { field: 'strength', min: 0.01, max: 1, default: 0.8, higherKeepsMore: true },
        aspectRatios: FAL_PRESET_ASPECTS,
        sizes: FAL_PRESETS,
        maxImages: 4,
        seed: SEED_I32,
        references: IDEOGRAM_REMIX_REFS,
        input: IDEOGRAM_INPUT,
        lifecycle: { status: 'live', source: FAL_JS },
      }),
      route({
        provider: 'ideogram',
        endpoint: 'v1/ideogram-v3/remix',
        imageInput: 'native',
        // Ideogram's own knob: 1-100, default 50, higher = closer to the source image.
        strength: { field: 'image_weight', min: 1, max: 100, default: 50, higherKeepsMore: true, integer: true },
        aspectRatios: IDEOGRAM_ASPECTS,
        sizes: IDEOGRAM_SIZES,
        maxImages: 8,
        seed: SEED_I32,
        // `image` (content) plus `style_reference_images` files.
        references: IDEOGRAM_REMIX_REFS,
        input: IDEOGRAM_INPUT,
        // Ideogram marks the v1 paths legacy beside /v2/image/remix/{model}; still served.
        lifecycle: { status: 'live', source: 'developer.ideogram.ai API reference (post_remix_image_v3)' },
      }),
    ],
  },
  {
    id: 'minimax-image',
    name: 'Minimax Image',
    description: 'Natural portraits, products and buildings; keeps a face from the reference.',
    routes: [
      route({
        provider: 'fal',
        endpoint: 'fal-ai/minimax/image-01/subject-reference',
        imageInput: 'native',
        // image_url (a face), aspect_ratio, num_images 1-9; no seed input.
        fal: { image: { field: 'image_url' }, aspectField: 'aspect_ratio' },
        aspectRatios: MINIMAX_ASPECTS,
        maxImages: 9,
        seed: false,
        // Passed on to MiniMax, which takes JPG/PNG under 10 MB.
        input: { maxSide: 2048, maxBytes: 9_500_000, formats: JPEG_PNG },
        lifecycle: { status: 'live', source: FAL_JS },
      }),
      route({
        provider: 'minimax',
        endpoint: 'image-01',
        // subject_reference type "character": MiniMax keeps a FACE from the reference; other
        // subjects (products, places) are not carried over. Without a reference it is text-only.
        imageInput: 'native',
        aspectRatios: MINIMAX_ASPECTS,
        maxImages: 9,
        seed: SEED_U32,
        // image_file: JPG/JPEG/PNG under 10 MB.
        input: { maxSide: 2048, maxBytes: 9_500_000, formats: JPEG_PNG },
        lifecycle: { status: 'live', source: 'MiniMax API reference, image generation (image-01)' },
      }),
      route({
        provider: 'replicate',
        endpoint: 'minimax/image-01',
        // Replicate: `subject_reference` (a face), number_of_images 1-9; no seed input.
        imageInput: 'native',
        aspectRatios: MINIMAX_ASPECTS,
        maxImages: 9,
        seed: false,
        input: { maxSide: 2048, maxBytes: 9_500_000, formats: JPEG_PNG },
        lifecycle: { status: 'live', source: 'replicate.com/minimax/image-01 (API schema)' },
      }),
    ],
  },
  {
    id: 'seedream-v3',
    name: 'Seedream v3',
    description: 'Cinematic, dreamlike scenes with rich light, atmosphere and saturated colour.',
    retired: { what: 'Seedream 3.0', by: 'BytePlus', on: '2026-05-13', source: 'docs.byteplus.com ModelArk model deprecation notice (1350667)' },
    routes: [
      // Output { images, seed } (SeedDream4EditInput; image_size also takes auto, at least 921,600 px).
      falSeedreamEdit('fal-ai/bytedance/seedream/v4/edit', 'Seedream 4.0'),
      route({
        provider: 'byteplus',
        endpoint: 'seedream-4-0-250828',
        runs: 'Seedream 4.0',
        imageInput: 'native',
        // image (URL or data URI, one or an array), size "WxH" (0.92-16.8 MP), sequential_image_generation
        // "disabled", seed 0..2147483647 (whether 4.0 honours it is unverified), watermark.
        aspectRatios: Object.keys(SEEDREAM4_SIZES),
        sizes: SEEDREAM4_SIZES,
        maxImages: 1,
        seed: SEED_I32,
        // Up to 10 references on 4.0 and 4.5 (14 only on 5.0 lite), inputs plus outputs at most
        // 15 (we ask for one): Comfy-Org/ComfyUI comfy_api_nodes/nodes_bytedance.py
        // (max_num_of_images, _seedream_model_inputs max_ref_images). Gateways' copies of
        // BytePlus's page say "1-14" for the whole line; 10 is the safe reading for 4.0.
        references: { max: 10 },
        input: { maxSide: 2048, maxBytes: 10 * 1024 * 1024, formats: ['image/jpeg', 'image/png', 'image/webp'] },
        lifecycle: { status: 'live', source: 'ComfyUI comfy_api_nodes/nodes_bytedance.py (SEEDREAM_MODELS); docs.byteplus.com ModelArk' },
      }),
      route({
        provider: 'fal',
        endpoint: 'fal-ai/bytedance/seedream/v3/text-to-image',
        imageInput: 'described',
        // No aspect_ratio field: image_size { width, height }, both sides 512-2048.
        fal: { aspectField: 'image_size' },
        aspectRatios: Object.keys(SEEDREAM3_SIZES),
        sizes: SEEDREAM3_SIZES,
        maxImages: 4,
        seed: SEED_I32,
        input: COMMON_INPUT,
        lifecycle: { status: 'retired', retiredOn: '2026-05-13', successor: 'fal:fal-ai/bytedance/seedream/v4/edit', source: `${FAL_JS}: removed` },
      }),
      route({
        provider: 'byteplus',
        endpoint: 'seedream-3-0-t2i-250415',
        imageInput: 'described',
        aspectRatios: Object.keys(SEEDREAM3_SIZES),
        sizes: SEEDREAM3_SIZES,
        maxImages: 1,
        seed: SEED_I32,
        input: COMMON_INPUT,
        lifecycle: { status: 'retired', retiredOn: '2026-05-13', successor: 'byteplus:seedream-4-0-250828', source: 'docs.byteplus.com ModelArk 1350667' },
      }),
      route({
        provider: 'byteplus',
        endpoint: 'seededit-3-0-i2i-250628',
        label: 'SeedEdit 3.0 (edits your image)',
        imageInput: 'native',
        // guidance_scale 1-10 (default 5.5): higher follows the prompt more, the image less.
        strength: { field: 'guidance_scale', min: 1, max: 10, default: 5.5, higherKeepsMore: false },
        maxImages: 1,
        seed: SEED_I32,
        input: { maxSide: 2048, maxBytes: 10 * 1024 * 1024, formats: JPEG_PNG },
        // BytePlus's date is not confirmed first-hand; fal dropped its SeedEdit 3 by April 2026.
        lifecycle: { status: 'retired', retiredOn: '2026-05-13', successor: 'byteplus:seedream-4-0-250828', source: 'docs.byteplus.com ModelArk 1350667 (with Seedream 3.0; unverified for SeedEdit)' },
      }),
      // Seedream 4.5 on OpenRouter: `seed` supported, 1K/2K/4K resolution (the guide's
      // supported_parameters example), one image per call; 10 references as on fal and BytePlus 4.x.
      openrouterRoute({
        endpoint: 'bytedance-seed/seedream-4.5',
        runs: 'Seedream 4.5',
        aspectRatios: Object.keys(SEEDREAM4_SIZES),
        maxImages: 1,
        seed: SEED_I32,
        references: { max: 10, totalBytes: 20_000_000 },
        source: 'slug bytedance-seed/seedream-4.5 (the openapi example model)',
      }),
    ],
  },
  {
    id: 'ideogram-character',
    name: 'Ideogram Character',
    description: 'Keeps one character consistent from a single reference picture.',
    routes: [
      route({
        provider: 'fal',
        endpoint: 'fal-ai/ideogram/character',
        imageInput: 'native',
        // reference_image_urls (only the first is used), style AUTO | REALISTIC | FICTION.
        // image_urls: style references beside the character (IdeogramCharacterInput).
        fal: { image: { field: 'reference_image_urls', list: true }, styles: 'image_urls', aspectField: 'image_size', fixed: { style: 'AUTO' } },
        aspectRatios: FAL_PRESET_ASPECTS,
        sizes: FAL_PRESETS,
        maxImages: 4,
        seed: SEED_I32,
        references: IDEOGRAM_CHARACTER_REFS,
        input: IDEOGRAM_INPUT,
        lifecycle: { status: 'live', source: FAL_JS },
      }),
      route({
        provider: 'ideogram',
        endpoint: 'v1/ideogram-v3/generate',
        // One `character_reference_images` file (Ideogram supports only one today), plus
        // `style_reference_images` files.
        imageInput: 'native',
        aspectRatios: IDEOGRAM_ASPECTS,
        sizes: IDEOGRAM_SIZES,
        maxImages: 8,
        seed: SEED_I32,
        references: IDEOGRAM_CHARACTER_REFS,
        input: IDEOGRAM_INPUT,
        lifecycle: { status: 'live', source: 'developer.ideogram.ai API reference (post_generate_image_v3)' },
      }),
      route({
        provider: 'replicate',
        endpoint: 'ideogram-ai/ideogram-character',
        // Replicate: `character_reference_image`; one image per prediction. Its aspect_ratio
        // enum is not published on the model page, so no aspect choice on this route.
        imageInput: 'native',
        maxImages: 1,
        seed: SEED_I32,
        input: IDEOGRAM_INPUT,
        lifecycle: { status: 'live', source: 'replicate.com/ideogram-ai/ideogram-character (API schema)' },
      }),
    ],
  },
  {
    id: 'dreamina-3-1',
    name: 'Dreamina Image 3.1',
    description: 'Mood, design and world-building for storytelling; less suited to text-heavy layouts.',
    retired: { what: 'Dreamina Image 3.1 on fal', by: 'fal', on: '2026-08-02', source: `${FAL_JS}: removed` },
    routes: [
      // ByteDance's current image line, which took over from its 3.x models. Output { images }
      // without a seed (SeedDream45EditInput; sizes of 2560x1440..4096x4096 px).
      falSeedreamEdit('fal-ai/bytedance/seedream/v4.5/edit', 'Seedream 4.5'),
      route({
        provider: 'replicate',
        endpoint: 'bytedance/dreamina-3.1',
        label: 'Dreamina 3.1 itself',
        // Text to image only: prompt, aspect_ratio (default 1:1; its enum is not published on
        // the model page, so no aspect choice here), resolution (default 2K), seed; one URI out.
        imageInput: 'described',
        maxImages: 1,
        seed: SEED_I32,
        input: COMMON_INPUT,
        lifecycle: { status: 'live', source: 'replicate.com/bytedance/dreamina-3.1 (API schema, version b5e96172)' },
      }),
      route({
        provider: 'fal',
        endpoint: 'fal-ai/bytedance/dreamina/v3.1/text-to-image',
        imageInput: 'described',
        fal: { aspectField: 'image_size' },
        aspectRatios: FAL_PRESET_ASPECTS,
        sizes: FAL_PRESETS,
        maxImages: 4,
        seed: SEED_I32,
        input: COMMON_INPUT,
        lifecycle: { status: 'retired', retiredOn: '2026-08-02', successor: 'fal:fal-ai/bytedance/seedream/v4.5/edit', source: `${FAL_JS}: removed (git log -S)` },
      }),
    ],
  },
];
