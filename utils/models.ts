import { z } from 'zod';

/**
 * The model catalogue: the ten models users pick from, what each can do, and the API routes
 * that can run it, in order of preference. Everything model-specific that the panel, the
 * job engine and the adapters need is read from here.
 */

export const ProviderId = z.enum(['fal', 'replicate', 'openai', 'bfl', 'ideogram', 'minimax', 'byteplus', 'vyro']);
export type ProviderId = z.infer<typeof ProviderId>;

export const PROVIDER_NAMES: Record<ProviderId, string> = {
  fal: 'fal',
  replicate: 'Replicate',
  openai: 'OpenAI',
  bfl: 'Black Forest Labs',
  ideogram: 'Ideogram',
  minimax: 'MiniMax',
  byteplus: 'BytePlus ModelArk',
  vyro: 'imagine.art',
};

/** The providers' real API hosts; each is only a default, the user may point it elsewhere. */
export const PROVIDER_BASE_URLS: Record<ProviderId, string> = {
  fal: 'https://queue.fal.run',
  replicate: 'https://api.replicate.com',
  openai: 'https://api.openai.com',
  bfl: 'https://api.bfl.ai',
  ideogram: 'https://api.ideogram.ai',
  minimax: 'https://api.minimax.io',
  byteplus: 'https://ark.ap-southeast.bytepluses.com',
  vyro: 'https://api.vyro.ai',
};

export const ModelId = z.enum([
  'flux-dev',
  'realistic',
  'chatgpt-image',
  'imagen-3',
  'flux-ultra',
  'ideogram-v3',
  'minimax-image',
  'seedream-v3',
  'ideogram-character',
  'dreamina-3-1',
]);
export type ModelId = z.infer<typeof ModelId>;

export type ImageMime = 'image/jpeg' | 'image/png' | 'image/webp';

/** A route's own knob for how strongly the reference steers the result. */
export interface StrengthKnob {
  /** Field name on the wire. */
  field: string;
  min: number;
  max: number;
  default: number;
  /** True when a higher value keeps more of the reference (e.g. image_weight); false for img2img "strength". */
  higherKeepsMore: boolean;
  /** Round to whole numbers on the wire. */
  integer?: boolean;
}

export interface RouteSpec {
  /** Stable id, stored on jobs and in settings: `${provider}:${endpoint}`. */
  id: string;
  provider: ProviderId;
  /** Model path or name at that provider. */
  endpoint: string;
  /** Human-readable route name for the UI when it differs from the model (e.g. a sibling model). */
  label?: string;
  /** `native`: the image is sent; `described`: a vision model turns it into words first. */
  imageInput: 'native' | 'described';
  strength?: StrengthKnob;
  aspectRatios?: readonly string[];
  maxImages: number;
  seed: boolean;
  /** How the reference must be prepared for this route. */
  input: { maxSide: number; maxBytes: number; formats: readonly ImageMime[] };
}

export interface ModelSpec {
  id: ModelId;
  name: string;
  /** Our own words; shown under the model picker. */
  description: string;
  routes: readonly RouteSpec[];
}

const FLUX_ASPECTS = ['21:9', '16:9', '4:3', '3:2', '1:1', '2:3', '3:4', '9:16', '9:21'] as const;
const COMMON_INPUT = { maxSide: 2048, maxBytes: 10 * 1024 * 1024, formats: ['image/jpeg', 'image/png', 'image/webp'] } as const;
/** fal's `image_size` presets (square_hd, landscape_4_3, ...) as ratios; see utils/providers/sizes.ts. */
const FAL_PRESET_ASPECTS = ['1:1', '4:3', '3:4', '16:9', '9:16'] as const;
/** Ideogram 3.0's aspect_ratio enum, written the panel's way; the adapter sends `16x9` etc. */
const IDEOGRAM_ASPECTS = ['1:1', '16:9', '9:16', '4:3', '3:4', '3:2', '2:3', '16:10', '10:16', '4:5', '5:4', '2:1', '1:2', '3:1', '1:3'] as const;
/** Ideogram: image files up to 10 MB (decimal), JPEG/PNG/WebP. */
const IDEOGRAM_INPUT = { maxSide: 2048, maxBytes: 10_000_000, formats: ['image/jpeg', 'image/png', 'image/webp'] } as const;
const MINIMAX_ASPECTS = ['1:1', '16:9', '4:3', '3:2', '2:3', '3:4', '9:16', '21:9'] as const;
/** Seedream 3 sizes by ratio live in utils/providers/sizes.ts (SEEDREAM3_SIZES); same keys. */
const SEEDREAM3_ASPECTS = ['1:1', '3:4', '4:3', '16:9', '9:16', '2:3', '3:2', '21:9'] as const;

function route(r: Omit<RouteSpec, 'id'>): RouteSpec {
  return { ...r, id: `${r.provider}:${r.endpoint}` };
}

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
        strength: { field: 'strength', min: 0.01, max: 1, default: 0.95, higherKeepsMore: false },
        maxImages: 4,
        seed: true,
        input: COMMON_INPUT,
      }),
      route({
        provider: 'replicate',
        endpoint: 'black-forest-labs/flux-dev',
        imageInput: 'native',
        // Replicate: `image` + prompt_strength 0-1 (default 0.8, 1 = ignore the image). The
        // output takes the input image's shape, so aspect_ratio does nothing here.
        strength: { field: 'prompt_strength', min: 0, max: 1, default: 0.8, higherKeepsMore: false },
        maxImages: 4,
        seed: true,
        input: COMMON_INPUT,
      }),
      route({
        provider: 'bfl',
        endpoint: 'flux-dev',
        imageInput: 'native',
        // BFL: `image_prompt` (base64) steers like FLUX Redux: no strength knob. The adapter
        // asks for about 1 MP in the reference's shape (width/height, multiples of 32).
        maxImages: 1,
        seed: true,
        input: COMMON_INPUT,
      }),
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
        seed: true,
        input: COMMON_INPUT,
      }),
    ],
  },
  {
    id: 'chatgpt-image',
    name: 'ChatGPT Image',
    description: 'Follows instructions closely and writes legible text inside the picture.',
    routes: [
      route({
        provider: 'fal',
        endpoint: 'fal-ai/gpt-image-1/edit-image',
        imageInput: 'native',
        aspectRatios: ['1024x1024', '1536x1024', '1024x1536', 'auto'],
        maxImages: 4,
        seed: false,
        input: COMMON_INPUT,
      }),
      route({
        provider: 'openai',
        endpoint: 'v1/images/edits',
        imageInput: 'native',
        // Sent as `size`.
        aspectRatios: ['1024x1024', '1536x1024', '1024x1536', 'auto'],
        // OpenAI allows n up to 10, but the call is synchronous and slower per image: 4 keeps
        // one request well inside what a worker can wait for (and the bill predictable).
        maxImages: 4,
        seed: false,
        // `image[]`: PNG, WEBP or JPG, each under 50 MB.
        input: { maxSide: 2048, maxBytes: 49_000_000, formats: ['image/png', 'image/webp', 'image/jpeg'] },
      }),
    ],
  },
  {
    id: 'imagen-3',
    name: 'Imagen 3',
    description: 'Photographic detail with convincing lighting and objects that sit together naturally.',
    routes: [
      route({
        provider: 'fal',
        endpoint: 'fal-ai/imagen3',
        imageInput: 'described',
        aspectRatios: ['1:1', '16:9', '9:16', '3:4', '4:3'],
        maxImages: 4,
        seed: true,
        input: COMMON_INPUT,
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
        strength: { field: 'image_prompt_strength', min: 0, max: 1, default: 0.1, higherKeepsMore: true },
        aspectRatios: FLUX_ASPECTS,
        maxImages: 4,
        seed: true,
        input: COMMON_INPUT,
      }),
      route({
        provider: 'bfl',
        endpoint: 'flux-pro-1.1-ultra',
        imageInput: 'native',
        // BFL: `image_prompt` (base64) blended by image_prompt_strength 0-1 (default 0.1).
        strength: { field: 'image_prompt_strength', min: 0, max: 1, default: 0.1, higherKeepsMore: true },
        aspectRatios: FLUX_ASPECTS,
        maxImages: 1,
        seed: true,
        input: COMMON_INPUT,
      }),
      route({
        provider: 'replicate',
        endpoint: 'black-forest-labs/flux-1.1-pro-ultra',
        imageInput: 'native',
        // Replicate: `image_prompt` (URI) + image_prompt_strength 0-1 (default 0.1); one image.
        strength: { field: 'image_prompt_strength', min: 0, max: 1, default: 0.1, higherKeepsMore: true },
        aspectRatios: FLUX_ASPECTS,
        maxImages: 1,
        seed: true,
        input: COMMON_INPUT,
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
        // fal: "Strength of the input image in the remix", default 0.8: higher keeps more of it.
        strength: { field: 'strength', min: 0.01, max: 1, default: 0.8, higherKeepsMore: true },
        // fal takes `image_size` presets here, not `aspect_ratio`.
        aspectRatios: FAL_PRESET_ASPECTS,
        maxImages: 4,
        seed: true,
        input: COMMON_INPUT,
      }),
      route({
        provider: 'ideogram',
        endpoint: 'v1/ideogram-v3/remix',
        imageInput: 'native',
        // Ideogram's own knob: 1-100, default 50, higher = closer to the source image.
        strength: { field: 'image_weight', min: 1, max: 100, default: 50, higherKeepsMore: true, integer: true },
        aspectRatios: IDEOGRAM_ASPECTS,
        maxImages: 8,
        seed: true,
        input: IDEOGRAM_INPUT,
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
        aspectRatios: MINIMAX_ASPECTS,
        maxImages: 9,
        seed: false,
        input: COMMON_INPUT,
      }),
      route({
        provider: 'minimax',
        endpoint: 'v1/image_generation',
        // subject_reference type "character": MiniMax keeps a FACE from the reference; other
        // subjects (products, places) are not carried over. Without a reference it is text-only.
        imageInput: 'native',
        aspectRatios: MINIMAX_ASPECTS,
        maxImages: 9,
        seed: true,
        // image_file: JPG/JPEG/PNG under 10 MB.
        input: { maxSide: 2048, maxBytes: 9_500_000, formats: ['image/jpeg', 'image/png'] },
      }),
      route({
        provider: 'replicate',
        endpoint: 'minimax/image-01',
        // Replicate: `subject_reference` (a face), number_of_images 1-9; no seed input.
        imageInput: 'native',
        aspectRatios: MINIMAX_ASPECTS,
        maxImages: 9,
        seed: false,
        // Passed on to MiniMax, which takes JPG/PNG under 10 MB.
        input: { maxSide: 2048, maxBytes: 9_500_000, formats: ['image/jpeg', 'image/png'] },
      }),
    ],
  },
  {
    id: 'seedream-v3',
    name: 'Seedream v3',
    description: 'Cinematic, dreamlike scenes with rich light, atmosphere and saturated colour.',
    routes: [
      route({
        provider: 'fal',
        endpoint: 'fal-ai/bytedance/seedream/v3/text-to-image',
        imageInput: 'described',
        // Sent as `image_size: { width, height }` (fal's Seedream 3 has no aspect_ratio field).
        aspectRatios: SEEDREAM3_ASPECTS,
        maxImages: 4,
        seed: true,
        input: COMMON_INPUT,
      }),
      route({
        provider: 'byteplus',
        endpoint: 'seedream-3-0-t2i-250415',
        imageInput: 'described',
        aspectRatios: SEEDREAM3_ASPECTS,
        // One image per request on ModelArk's Seedream 3.
        maxImages: 1,
        seed: true,
        input: COMMON_INPUT,
      }),
      route({
        provider: 'byteplus',
        endpoint: 'seededit-3-0-i2i-250628',
        label: 'SeedEdit 3.0 (edits your image)',
        imageInput: 'native',
        // guidance_scale 1-10 (default 5.5): higher follows the prompt more, the image less.
        strength: { field: 'guidance_scale', min: 1, max: 10, default: 5.5, higherKeepsMore: false },
        // Output size follows the input image (size "adaptive"); no aspect choice.
        maxImages: 1,
        seed: true,
        input: { maxSide: 2048, maxBytes: 10 * 1024 * 1024, formats: ['image/jpeg', 'image/png'] },
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
        aspectRatios: FAL_PRESET_ASPECTS,
        maxImages: 4,
        seed: true,
        input: COMMON_INPUT,
      }),
      route({
        provider: 'ideogram',
        endpoint: 'v1/ideogram-v3/generate',
        // One `character_reference_images` file (Ideogram supports only one today).
        imageInput: 'native',
        aspectRatios: IDEOGRAM_ASPECTS,
        maxImages: 8,
        seed: true,
        input: IDEOGRAM_INPUT,
      }),
      route({
        provider: 'replicate',
        endpoint: 'ideogram-ai/ideogram-character',
        // Replicate: `character_reference_image`; one image per prediction. Its aspect_ratio
        // enum is not published on the model page, so no aspect choice on this route.
        imageInput: 'native',
        maxImages: 1,
        seed: true,
        input: IDEOGRAM_INPUT,
      }),
    ],
  },
  {
    id: 'dreamina-3-1',
    name: 'Dreamina Image 3.1',
    description: 'Mood, design and world-building for storytelling; less suited to text-heavy layouts.',
    routes: [
      route({
        provider: 'fal',
        endpoint: 'fal-ai/bytedance/dreamina/v3.1/text-to-image',
        imageInput: 'described',
        maxImages: 4,
        seed: true,
        input: COMMON_INPUT,
      }),
    ],
  },
];

export function getModel(id: ModelId): ModelSpec {
  const model = MODELS.find((m) => m.id === id);
  if (!model) throw new Error(`Unknown model ${id}`);
  return model;
}

export function findRoute(routeId: string): { model: ModelSpec; route: RouteSpec } | undefined {
  for (const model of MODELS) {
    const r = model.routes.find((x) => x.id === routeId);
    if (r) return { model, route: r };
  }
  return undefined;
}

/**
 * Maps the panel's single "Reference strength" (0 = loose, 1 = follow the reference closely)
 * onto a route's own knob, respecting its range and direction.
 */
export function toRouteStrength(knob: StrengthKnob, influence: number): number {
  const u = Math.min(1, Math.max(0, influence));
  const span = knob.max - knob.min;
  const value = knob.higherKeepsMore ? knob.min + u * span : knob.max - u * span;
  const rounded = knob.integer ? Math.round(value) : Math.round(value * 1000) / 1000;
  return Math.min(knob.max, Math.max(knob.min, rounded));
}

/** The inverse of toRouteStrength: where the panel's slider starts for a route's default. */
export function fromRouteStrength(knob: StrengthKnob, value: number): number {
  const span = knob.max - knob.min;
  if (span <= 0) return 0.5;
  const u = knob.higherKeepsMore ? (value - knob.min) / span : (knob.max - value) / span;
  return Math.min(1, Math.max(0, u));
}
