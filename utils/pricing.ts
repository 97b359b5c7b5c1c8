import type { PixelSize, RouteSpec } from './models';

/**
 * What a generation costs before it runs: each route's published price, kept as data with the
 * date it was read and where, and a pure estimate from it. Prices change without notice, so the
 * panel always calls the result an estimate and names the date. A route whose provider publishes
 * no price we could read has no entry, and the panel says so instead of guessing.
 *
 * Only prices read first-hand on the provider's own pages (or its own machine-readable copy of
 * them, such as fal's llms.txt files) are here. Checked 2026-12-06.
 */

type PriceUnit = 'image' | 'megapixel';

export interface RoutePrice {
  /** US dollars per unit. */
  usd: number;
  unit: PriceUnit;
  /**
   * Per-image prices that depend on the output size, by the panel's aspect ratio. When set, a
   * ratio that is not listed has no estimate; no ratio at all (the provider's "auto") is
   * estimated at the dearest listed size.
   */
  byAspect?: Readonly<Record<string, number>>;
  /** Per megapixel only: the output size assumed when the route has none for the chosen ratio. */
  assumedMegapixels?: number;
  /** Per megapixel only: the provider bills whole megapixels, rounding up. */
  roundUpMegapixels?: boolean;
  /** ISO date the price was read. */
  checkedOn: string;
  /** Where: a URL or a document. */
  source: string;
  /** What the price assumes (a default quality or speed the request leaves alone). */
  note?: string;
}

const CHECKED = '2026-12-06';

/** 1 MP as fal counts it ("1 megapixel = 1024x1024", billed rounding up). */
const FAL_MEGAPIXEL = 1024 * 1024;

/** Keyed by route id (utils/catalogue.ts). Retired routes have none: they are never chosen. */
export const ROUTE_PRICES: Readonly<Record<string, RoutePrice>> = {
  'fal:fal-ai/flux/dev/image-to-image': {
    usd: 0.025,
    unit: 'megapixel',
    roundUpMegapixels: true,
    // The output takes the reference's shape (no size field): about 1 MP is assumed.
    assumedMegapixels: 1,
    checkedOn: CHECKED,
    source: 'https://fal.ai/models/fal-ai/flux-1/dev/playground ("$0.025 per megapixel", "rounding up to the nearest megapixel")',
    note: 'Price of FLUX.1 [dev] on fal; the image-to-image endpoint is billed as the same model.',
  },
  'fal:fal-ai/flux-pro/v1.1-ultra': {
    usd: 0.06,
    unit: 'image',
    checkedOn: CHECKED,
    source: 'https://fal.ai/docs/model-api-reference/image-generation-api/flux-pro-v1.1-ultra ("$0.06 per image")',
  },
  'bfl:flux-pro-1.1-ultra': {
    usd: 0.06,
    unit: 'image',
    checkedOn: CHECKED,
    source: 'https://docs.bfl.ml/quick_start/pricing (FLUX1.1 [pro] Ultra: 6 credits, 1 credit = $0.01)',
  },
  'fal:openai/gpt-image-2/edit': {
    usd: 0.22,
    unit: 'image',
    // fal's table for the default quality (high); sizes it does not list have no estimate.
    // 1536x1024 has the pixels (and so the image tokens) of the listed 1024x1536.
    byAspect: { '1:1': 0.22, '2:3': 0.17, '3:2': 0.17 },
    checkedOn: CHECKED,
    source: 'https://fal.ai/models/openai/gpt-image-2/edit (pricing table, high quality); billed per token, so prompts and references move it',
    note: 'High quality (fal’s default).',
  },
  'fal:fal-ai/ideogram/v3/remix': {
    usd: 0.06,
    unit: 'image',
    checkedOn: CHECKED,
    source: 'https://fal.ai/models/fal-ai/ideogram/v3/remix/llms.txt ("$0.06 with BALANCED", the default rendering_speed)',
  },
  'ideogram:v1/ideogram-v3/remix': {
    usd: 0.06,
    unit: 'image',
    checkedOn: CHECKED,
    source: 'https://ideogram.ai/features/api-pricing ("3.0 Default: US $0.06", applies to Remix); the adapter sends rendering_speed DEFAULT',
  },
  'fal:fal-ai/ideogram/character': {
    usd: 0.15,
    unit: 'image',
    checkedOn: CHECKED,
    source: 'https://fal.ai/models/fal-ai/ideogram/character/llms.txt ("$0.15 with BALANCED", the default)',
  },
  'ideogram:v1/ideogram-v3/generate': {
    usd: 0.15,
    unit: 'image',
    checkedOn: CHECKED,
    source: 'https://ideogram.ai/features/api-pricing ("3.0 Default with Character Reference: US $0.15")',
    note: 'With a character reference, which is what this route is for; without one Ideogram lists $0.06.',
  },
  'fal:fal-ai/minimax/image-01/subject-reference': {
    usd: 0.01,
    unit: 'image',
    checkedOn: CHECKED,
    source: 'https://fal.ai/models/fal-ai/minimax/image-01/subject-reference/llms.txt ("$0.01 per images")',
  },
  'fal:fal-ai/bytedance/seedream/v4/edit': {
    usd: 0.03,
    unit: 'image',
    checkedOn: CHECKED,
    source: 'https://fal.ai/models/fal-ai/bytedance/seedream/v4/edit/llms.txt ("$0.03 per images")',
  },
  'fal:fal-ai/bytedance/seedream/v4.5/edit': {
    usd: 0.04,
    unit: 'image',
    checkedOn: CHECKED,
    source: 'https://fal.ai/models/fal-ai/bytedance/seedream/v4.5/text-to-image/playground ("$0.04 per image"; Seedream 4.5 on fal)',
    note: 'Read on the Seedream 4.5 text-to-image page; the edit endpoint is the same model.',
  },
};

export function priceFor(routeId: string): RoutePrice | undefined {
  return Object.hasOwn(ROUTE_PRICES, routeId) ? ROUTE_PRICES[routeId] : undefined;
}

export interface EstimateSettings {
  aspectRatio: string | null;
  numImages: number;
}

/** One route's estimate: a price in dollars, or none (no published price, or none for this size). */
export type RouteEstimate = { priced: true; usd: number; checkedOn: string; source: string } | { priced: false };

/** The output size a route will be asked for at this ratio, when its table says. */
function outputSize(route: RouteSpec, ratio: string | null): PixelSize | undefined {
  if (!ratio || !route.aspectRatios?.includes(ratio)) return undefined;
  const size = route.sizes?.[ratio];
  if (typeof size === 'object') return size;
  const m = typeof size === 'string' ? /^(\d+)x(\d+)$/.exec(size) : null;
  return m ? { width: Number(m[1]), height: Number(m[2]) } : undefined;
}

/**
 * Price x images (x megapixels where the provider charges by them). Images are capped at what
 * the route sends, as the job will be (utils/jobs/prepare-input.ts). Pure.
 */
export function estimateRoute(route: RouteSpec, settings: EstimateSettings, prices: Readonly<Record<string, RoutePrice>> = ROUTE_PRICES): RouteEstimate {
  const price = Object.hasOwn(prices, route.id) ? prices[route.id] : undefined;
  if (!price) return { priced: false };
  const images = Math.max(1, Math.min(Math.floor(settings.numImages) || 1, route.maxImages));
  let perImage: number;
  if (price.unit === 'megapixel') {
    const size = outputSize(route, settings.aspectRatio);
    const raw = size ? (size.width * size.height) / FAL_MEGAPIXEL : price.assumedMegapixels;
    if (raw === undefined) return { priced: false };
    perImage = price.usd * (price.roundUpMegapixels ? Math.max(1, Math.ceil(raw - 1e-9)) : raw);
  } else if (price.byAspect) {
    // No ratio chosen: the provider picks the size ("auto"), among the ones it prices, so the
    // dearest listed size bounds the estimate. A ratio it does not list has none.
    const bySize = settings.aspectRatio ? price.byAspect[settings.aspectRatio] : Math.max(...Object.values(price.byAspect));
    if (bySize === undefined || !Number.isFinite(bySize)) return { priced: false };
    perImage = bySize;
  } else {
    perImage = price.usd;
  }
  return { priced: true, usd: roundCents(perImage * images), checkedOn: price.checkedOn, source: price.source };
}

/** What the Create bar shows: the sum of the priced parts, and whether any part had no price. */
export interface RunEstimate {
  /** Null when no part has a published price. */
  usd: number | null;
  /** Some parts (models in a compare run) have no published price and are not in the sum. */
  partial: boolean;
  /** The oldest date among the prices used. */
  checkedOn?: string;
}

/** An estimate as the Create bar shows it: the sum, and whose price it is when one provider is asked. */
export interface EstimateView extends RunEstimate {
  providerName?: string;
}

/** Sums route estimates (one for a single run, one per model for compare). Pure. */
export function sumEstimates(parts: readonly RouteEstimate[]): RunEstimate {
  const priced = parts.filter((p): p is Extract<RouteEstimate, { priced: true }> => p.priced);
  if (priced.length === 0) return { usd: null, partial: false };
  const checkedOn = priced.map((p) => p.checkedOn).sort()[0];
  return { usd: roundCents(priced.reduce((a, p) => a + p.usd, 0)), partial: priced.length < parts.length, ...(checkedOn ? { checkedOn } : {}) };
}

/** Floating sums of cents drift (0.1 + 0.2): keep a tenth of a cent. */
function roundCents(usd: number): number {
  return Math.round(usd * 1000) / 1000;
}

/**
 * Dollars as the panel shows them: cents ("$0.04", "$1.20"), with a tenth of a cent where it
 * matters under a dollar, since many images cost that ("$0.025", "$0.005"); "$0.00" for nothing.
 */
export function formatUsd(usd: number): string {
  const mills = Math.round(usd * 1000);
  if (usd < 1 && mills % 10 !== 0) return `$${(mills / 1000).toFixed(3)}`;
  return `$${usd.toFixed(2)}`;
}
