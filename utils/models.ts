// zod/mini: these schemas are shared with the panel, which must stay small (issue 13).
import * as z from 'zod/mini';
import { MODELS } from './catalogue';

/**
 * Types and lookups for the model catalogue: the ten models users pick from, what each can do,
 * and the API routes that can run it, in order of preference. The data itself lives in
 * utils/catalogue.ts; everything model-specific that the panel, the job engine and the
 * adapters need is read from a route there.
 */

export const ProviderId = z.enum(['fal', 'replicate', 'openai', 'bfl', 'ideogram', 'minimax', 'byteplus', 'vyro', 'google', 'openrouter', 'comfyui']);
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
  google: 'Google Gemini',
  openrouter: 'OpenRouter',
  comfyui: 'ComfyUI',
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
  google: 'https://generativelanguage.googleapis.com',
  // The image API lives under /api/v1 (openrouter.ai/docs openapi.yaml `servers`); the adapter adds that path.
  openrouter: 'https://openrouter.ai',
  // ComfyUI's own default: `--listen` 127.0.0.1, `--port` 8188 (Comfy-Org/ComfyUI comfy/cli_args.py @a125cd8).
  comfyui: 'http://127.0.0.1:8188',
};

/**
 * Providers that run on the user's own machine and take no API key: one is usable once the user
 * saved its setup (for ComfyUI, an address and a workflow; see utils/comfyui/setup-store.ts).
 */
export const KEYLESS_PROVIDERS: ReadonlySet<ProviderId> = new Set<ProviderId>(['comfyui']);

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

/**
 * What a reference is for, where a route tells them apart: `content` (the subject or scene to
 * keep), `style` (the look to borrow) and `character` (a face or figure to keep recognisable).
 */
export const ReferenceRole = z.enum(['content', 'style', 'character']);
export type ReferenceRole = z.infer<typeof ReferenceRole>;

/**
 * How many references a route takes and how it tells them apart. Absent on a route: one image
 * (native routes) with no role or weight. Wire details (field names) stay with the adapter or
 * the route's provider form, each next to its source.
 */
export interface ReferenceSlots {
  /** The most images the route sends (or, on described routes, describes) per job. */
  max: number;
  /** The roles this route distinguishes; absent = every reference is used alike. */
  roles?: readonly ReferenceRole[];
  /** Roles that may appear at most once (e.g. Ideogram's single character reference). */
  singleRoles?: readonly ReferenceRole[];
  /** A weight per image, on the route's own scale; the tray's weight is 0..1 and mapped onto it. */
  weight?: { min: number; max: number; default: number };
  /**
   * The most bytes all images of one request may take together, where the provider caps the
   * sum (e.g. Gemini's inline request data). With several references each is prepared to an
   * equal share of it (never more than the route's `input.maxBytes`).
   */
  totalBytes?: number;
}

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

export interface PixelSize {
  width: number;
  height: number;
}

/**
 * Where a route stands at its provider. Every route has one (a test fails otherwise), each with
 * the source of the fact, because provider facts go stale: re-check them when a provider
 * announces deprecations.
 */
type Lifecycle =
  | { status: 'live'; source: string }
  /** Still answering, with a shutdown announced (or suspected, with `note`). */
  | { status: 'deprecated'; shutdownOn?: string; note?: string; source: string }
  /** Switched off upstream: never chosen, kept so that older jobs and settings still resolve. */
  | { status: 'retired'; retiredOn: string; successor?: string; source: string };

/**
 * How the generic fal adapter maps the panel's input onto one fal endpoint's fields. fal's
 * endpoints differ only in these names; their published input types are in fal-js
 * (libs/client/src/types/endpoints.ts).
 */
interface FalForm {
  /** Where the reference goes; `list` sends `[url]`. Without it the endpoint takes no image. */
  image?: { field: string; list?: boolean };
  /** A list field for references in the `style` role, on endpoints that take them beside the main image. */
  styles?: string;
  /** The aspect field; values come from the route's `sizes` table, else the ratio itself. */
  aspectField?: string;
  /** Image-count field; null when the endpoint has none. Default `num_images`. */
  countField?: string | null;
  /** Constant inputs (safety checker on, a style, a cap on output length...). */
  fixed?: Readonly<Record<string, unknown>>;
}

export interface RouteSpec {
  /** Stable id, stored on jobs and in settings: `${provider}:${endpoint}`. */
  id: string;
  provider: ProviderId;
  /**
   * The model path or model id at that provider, as sent on the wire. The user may override it
   * per route (settings.modelOverrides); adapters read the effective id with wireModel().
   */
  endpoint: string;
  /** Human-readable route name for the UI when it differs from the model (e.g. a sibling model). */
  label?: string;
  /**
   * The model that actually runs, when it is not the one the row is named after: the
   * provider's named successor to a retired model ("Gemini 3.1 Flash Image").
   */
  runs?: string;
  /** `native`: the image is sent; `described`: a vision model turns it into words first. */
  imageInput: 'native' | 'described';
  strength?: StrengthKnob;
  aspectRatios?: readonly string[];
  /** Wire value per ratio, where the provider takes sizes or presets instead of the ratio itself. */
  sizes?: Readonly<Record<string, string | PixelSize>>;
  maxImages: number;
  /** Whether a seed can be set, and the largest one the provider accepts. */
  seed: false | { max: number };
  /** How many references the route takes, with which roles and weights (see referencePlan). */
  references?: ReferenceSlots;
  /** How the reference must be prepared for this route. */
  input: { maxSide: number; maxBytes: number; formats: readonly ImageMime[] };
  lifecycle: Lifecycle;
  /** fal routes only: the endpoint's field names. */
  fal?: FalForm;
  /** Effective model id when the user overrode `endpoint` (set by the engine on a job's route). */
  modelOverride?: string;
}

/** When a model itself was switched off upstream and its row runs on a successor. */
interface Retirement {
  /** What was retired, as its maker names it ("Imagen 3", "gpt-image-1"). */
  what: string;
  by: string;
  /** ISO date. */
  on: string;
  source: string;
}

export interface ModelSpec {
  id: ModelId;
  name: string;
  /** Our own words; shown under the model picker. */
  description: string;
  retired?: Retirement;
  routes: readonly RouteSpec[];
}

export { MODELS };

/** Providers that have an adapter; kept here so that routing needs no adapter code (panel size). */
export const ADAPTED_PROVIDERS: ReadonlySet<ProviderId> = new Set(ProviderId.options);

export function getModel(id: ModelId): ModelSpec {
  const model = MODELS.find((m) => m.id === id);
  if (!model) throw new Error(`Unknown model ${id}`);
  return model;
}

/** Route ids that were renamed when the model id became the route's endpoint; old jobs and settings keep them. */
const RENAMED_ROUTE_IDS: Readonly<Record<string, string>> = {
  'openai:v1/images/edits': 'openai:gpt-image-1',
  'minimax:v1/image_generation': 'minimax:image-01',
};

export function findRoute(routeId: string): { model: ModelSpec; route: RouteSpec } | undefined {
  const id = RENAMED_ROUTE_IDS[routeId] ?? routeId;
  for (const model of MODELS) {
    const r = model.routes.find((x) => x.id === id);
    if (r) return { model, route: r };
  }
  return undefined;
}

/** The model id or path a request goes to: the user's override, else the catalogue's. */
export function wireModel(route: RouteSpec): string {
  return route.modelOverride ?? route.endpoint;
}

/** The wire value for the panel's aspect ratio on this route, or undefined when it has none. */
export function wireSize(route: RouteSpec, ratio: string | undefined): string | PixelSize | undefined {
  if (!ratio || !route.aspectRatios?.includes(ratio)) return undefined;
  return route.sizes ? route.sizes[ratio] : ratio;
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

/**
 * Whether this route cannot run without an image prompt: fal's edit endpoints take the image
 * as a required input field (the route's fal form names it), so a text-only request is refused.
 */
export function routeNeedsImage(route: RouteSpec): boolean {
  return route.provider === 'fal' && route.imageInput === 'native' && !!route.fal?.image;
}
