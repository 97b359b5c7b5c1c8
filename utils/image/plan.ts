/**
 * The decisions behind normalizeImage and prepareForRoute, kept apart from the canvas code so
 * that they run (and are tested) in Node: what size to decode at, which orientation the browser
 * will apply, whether a stored reference already suits a route, and how to shrink it when not.
 */
import { AppError } from '../errors';
import { chooseOutputMime, fitPixels, fitWithin, formatBytes, type OutputMime } from './limits';
import { orientedSize, type SniffResult } from './sniff';

export interface Size {
  width: number;
  height: number;
}

// ---------------------------------------------------------------------------------------------
// Intake (normalizeImage)

/**
 * The orientation the browser's decoder applies with `imageOrientation: 'from-image'`.
 * Measured in Chromium 156: JPEG EXIF and AVIF `irot` are applied (and a resize is then in the
 * displayed orientation); a WebP's EXIF Orientation is NOT applied, so it is ignored here too,
 * or the resize would distort the image. TIFF/HEIC never get decoded.
 */
export function appliedOrientation(sniff: SniffResult): number {
  if (sniff.orientation === undefined) return 1;
  return sniff.format === 'jpeg' || sniff.format === 'avif' ? sniff.orientation : 1;
}

export interface DecodePlan {
  /** Displayed size from the header, once orientation is applied; undefined when the header had no size. */
  displayed?: Size;
  /** What to ask `createImageBitmap` for (displayed orientation); undefined = decode at natural size. */
  resize?: Size;
}

/** Resize while decoding: ask the decoder for the final size straight away when the header told us the source size. */
export function planDecode(sniff: SniffResult, maxSide: number): DecodePlan {
  if (!sniff.width || !sniff.height) return {};
  const displayed = orientedSize(sniff.width, sniff.height, appliedOrientation(sniff));
  const target = fitWithin(displayed.width, displayed.height, maxSide);
  if (target.width === displayed.width && target.height === displayed.height) return { displayed };
  return { displayed, resize: target };
}

/**
 * True when the decoded bitmap came back with its sides swapped relative to what we asked for:
 * the browser applied (or ignored) a rotation differently from our reading of the header, and
 * the resize distorted the image. The caller decodes again asking for the swapped size.
 */
export function decodedSidesSwapped(asked: Size, got: Size): boolean {
  return asked.width !== asked.height && got.width === asked.height && got.height === asked.width;
}

/**
 * Alpha decision for intake. The header's word is final when it says "opaque"; when it says
 * "has alpha" or nothing, the decoded pixels decide (a screenshot saved as RGBA but fully opaque
 * is better stored as JPEG). `pixelsHaveAlpha` undefined = not measured.
 */
export function intakeMime(sniffAlpha: boolean | undefined, pixelsHaveAlpha: boolean | undefined): 'image/jpeg' | 'image/png' {
  const hasAlpha = sniffAlpha === false ? false : (pixelsHaveAlpha ?? sniffAlpha);
  return chooseOutputMime({ hasAlpha }, ['image/jpeg', 'image/png']) === 'image/png' ? 'image/png' : 'image/jpeg';
}

/** Whether any pixel of RGBA data is not fully opaque. */
export function rgbaHasTransparency(data: Uint8ClampedArray | Uint8Array): boolean {
  for (let i = 3; i < data.length; i += 4) if (data[i] !== 255) return true;
  return false;
}

// ---------------------------------------------------------------------------------------------
// Per-route preparation (prepareForRoute)

export interface RouteInput {
  maxSide: number;
  maxBytes: number;
  formats: readonly string[];
  /** The most pixels worth sending to this route; SEND_MAX_PIXELS when not given. */
  maxPixels?: number;
}

/**
 * The most pixels a reference is sent with, whatever more the provider would accept. Most routes
 * make images of 1 to 2 megapixels (the catalogue's size tables: gpt-image-2 1024×1024 to
 * 1536×1152; fal's Flux presets about 1 MP), so a 12 MP photo sent whole only costs upload time,
 * a third more again where it goes as base64 in JSON (fal, BFL, Gemini). Our choice, not a
 * provider's: ../shared/docs/providers.md gives byte and format limits but no recommended
 * reference size; its advice for Replicate, data URIs only under about 1 MB, is met with room
 * to spare (a 12 MP photo is sent as about 170 KB of JPEG at 0.9). A route that makes larger
 * images from its reference (Seedream 4's 2K edits are about 4 MP) can ask for more in
 * `maxPixels`.
 */
export const SEND_MAX_PIXELS = 2_000_000;

/** The size a stored image is sent at: within the route's longest side and its pixel budget. */
function sendSize(ref: Size, input: RouteInput): Size {
  const side = fitWithin(ref.width, ref.height, input.maxSide);
  return fitPixels(side.width, side.height, input.maxPixels ?? SEND_MAX_PIXELS);
}

export interface StoredImage {
  blob: Blob;
  mime: string;
  width: number;
  height: number;
}

export interface EncodeAttempt extends Size {
  mime: OutputMime;
  /** 0-1 for JPEG and WebP; undefined for PNG. */
  quality?: number;
}

const FIRST_QUALITY = 0.9;
/** Below this JPEG artefacts start to change what a model sees; shrink instead. */
const MIN_QUALITY = 0.6;
/** Give up rather than send a postage stamp. */
export const MIN_SIDE = 256;
export const MAX_ATTEMPTS = 8;

/** A stored reference suits a route as it is when its type, size, pixels and bytes are all within what the route takes. */
export function fitsRoute(ref: { size: number; mime: string; width: number; height: number }, input: RouteInput): boolean {
  const size = sendSize(ref, input);
  return input.formats.includes(ref.mime) && size.width === ref.width && size.height === ref.height && ref.size <= input.maxBytes;
}

const isLossy = (mime: string) => mime === 'image/jpeg' || mime === 'image/webp';
const round2 = (n: number) => Math.round(n * 100) / 100;

/**
 * The first encoding to try. Stored references are JPEG (opaque) or PNG (alpha matters), so the
 * stored type says whether alpha must survive.
 */
export function firstAttempt(ref: { size: number; mime: string; width: number; height: number }, input: RouteInput): EncodeAttempt {
  const hasAlpha = ref.mime === 'image/png' || ref.mime === 'image/webp' ? true : ref.mime === 'image/jpeg' ? false : undefined;
  const mime = chooseOutputMime({ hasAlpha }, input.formats);
  const size = sendSize(ref, input);
  const sameSize = size.width === ref.width && size.height === ref.height;
  if (!isLossy(mime)) return { ...size, mime };
  // Same size and already JPEG but too many bytes: re-encoding at the stored quality gains nothing.
  const quality = sameSize && ref.mime === mime && ref.size > input.maxBytes ? round2(FIRST_QUALITY - 0.1) : FIRST_QUALITY;
  return { ...size, mime, quality };
}

/**
 * The next encoding to try after `prev` produced `producedBytes` (> maxBytes), or undefined when
 * nothing sensible is left. Lossy: lower the quality in 0.1 steps while the overshoot is modest,
 * else shrink the sides by the square root of the overshoot (bytes follow pixel count). PNG:
 * switch to WebP when the route takes it (keeps alpha, far smaller), else shrink.
 */
export function nextAttempt(prev: EncodeAttempt, producedBytes: number, input: RouteInput): EncodeAttempt | undefined {
  const ratio = input.maxBytes / Math.max(1, producedBytes);
  if (ratio >= 1) return undefined; // it fitted; nothing to do
  if (isLossy(prev.mime)) {
    const q = prev.quality ?? FIRST_QUALITY;
    if (ratio >= 0.5 && q - 0.1 >= MIN_QUALITY - 1e-9) return { ...prev, quality: round2(q - 0.1) };
    return shrink(prev, ratio);
  }
  if (input.formats.includes('image/webp')) return { width: prev.width, height: prev.height, mime: 'image/webp', quality: FIRST_QUALITY };
  return shrink(prev, ratio);
}

function shrink(prev: EncodeAttempt, ratio: number): EncodeAttempt | undefined {
  const scale = Math.min(0.85, Math.sqrt(ratio) * 0.9);
  const longest = Math.max(prev.width, prev.height);
  // One last try at the minimum side before giving up.
  if (longest <= MIN_SIDE) return undefined;
  const side = Math.max(MIN_SIDE, Math.floor(longest * scale));
  return { ...prev, ...fitWithin(prev.width, prev.height, side) };
}

/** Turns a stored image into bytes of a given size and type. The browser one uses a canvas. */
export interface ImageEncoder {
  /** Decodes `source` once; `encode` may then be called several times. */
  open(source: Blob): Promise<EncoderSession>;
}
interface EncoderSession {
  /** Must return a Blob whose `type` is what was really produced (canvas may ignore an unsupported type). */
  encode(attempt: EncodeAttempt): Promise<Blob>;
  close(): void;
}

/**
 * prepareForRoute with the encoder passed in: returns `ref` untouched when it already suits the
 * route, otherwise tries encodings from firstAttempt/nextAttempt until one fits maxBytes.
 */
export async function prepareWith(encoder: ImageEncoder, ref: StoredImage, input: RouteInput): Promise<StoredImage> {
  const info = { size: ref.blob.size, mime: ref.mime, width: ref.width, height: ref.height };
  if (fitsRoute(info, input)) return ref;
  const session = await encoder.open(ref.blob);
  try {
    let formats = [...input.formats];
    let attempt: EncodeAttempt | undefined = firstAttempt(info, { ...input, formats });
    let best: StoredImage | undefined;
    for (let i = 0; attempt && i < MAX_ATTEMPTS; i++) {
      const blob = await session.encode(attempt);
      const got = blob.type || attempt.mime;
      if (got !== attempt.mime) {
        // The browser would not produce this type (e.g. WebP in some builds): try without it.
        formats = formats.filter((f) => f !== attempt?.mime);
        if (!formats.includes(got)) {
          attempt = formats.length > 0 ? { ...firstAttempt(info, { ...input, formats }), width: attempt.width, height: attempt.height } : undefined;
          continue;
        }
      }
      const produced: StoredImage = { blob, mime: got, width: attempt.width, height: attempt.height };
      if (blob.size <= input.maxBytes) return produced;
      if (!best || blob.size < best.blob.size) best = produced;
      attempt = nextAttempt({ ...attempt, mime: got as OutputMime }, blob.size, { ...input, formats });
    }
    throw new AppError(
      'too_large',
      `This image could not be made smaller than ${formatBytes(input.maxBytes)}, the most this model accepts` +
        (best ? ` (the smallest version was ${formatBytes(best.blob.size)}).` : '.'),
    );
  } finally {
    session.close();
  }
}

/**
 * The references shrunk or converted last, kept by their content hash and the route input.
 * Working on one picture (a new prompt, another seed, Create again) is the usual way to use the
 * extension: a 12 MP photo is then shrunk to the send size once (about 100 ms of decoding,
 * resizing and encoding in the worker), not at every Create. Content-addressed, so never stale.
 * Kept only when something was made: a reference sent as stored costs nothing to prepare again.
 * A failed preparation is not kept; an image without a hash (not from the store) is not kept.
 */
export class PreparedReferences {
  private readonly kept = new Map<string, Promise<StoredImage>>();
  constructor(private readonly capacity: number) {}

  get(ref: StoredImage & { sha256?: string }, input: RouteInput, prepare: () => Promise<StoredImage>): Promise<StoredImage> {
    if (!ref.sha256) return prepare();
    const key = JSON.stringify([ref.sha256, input.maxSide, input.maxBytes, input.maxPixels ?? null, [...input.formats]]);
    const known = this.kept.get(key);
    if (known) {
      // Most recently used last, so the oldest is the one dropped.
      this.kept.delete(key);
      this.kept.set(key, known);
      return known;
    }
    const making = prepare();
    this.kept.set(key, making);
    const forget = () => {
      if (this.kept.get(key) === making) this.kept.delete(key);
    };
    making.then((image) => image === ref && forget(), forget);
    for (const oldest of this.kept.keys()) {
      if (this.kept.size <= this.capacity) break;
      this.kept.delete(oldest);
    }
    return making;
  }
}
