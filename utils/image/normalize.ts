/**
 * Decode, orient, resize and re-encode images with `createImageBitmap` and `OffscreenCanvas`.
 * Runs in the Chrome MV3 service worker, Firefox's event page and extension pages: no DOM,
 * no `Image`, no `document`. The decisions live in ./plan (pure, unit-tested in Node); this
 * file only drives the browser's codecs.
 */
import { AppError } from '../errors';
import { sha256Hex } from './bytes';
import { checkDecodable, DEFAULT_LIMITS, fitWithin, type ImageLimits } from './limits';
import {
  decodedSidesSwapped,
  intakeMime,
  planDecode,
  PreparedReferences,
  prepareWith,
  rgbaHasTransparency,
  type DecodePlan,
  type EncodeAttempt,
  type ImageEncoder,
  type RouteInput,
  type Size,
  type StoredImage,
} from './plan';
import { sniffImage, type ImageFormat, type SniffResult } from './sniff';

export interface NormalizeOptions {
  /** Longest side of the stored reference. Default 2048. */
  maxSide?: number;
  /** Longest side of the panel thumbnail. Default 256. */
  thumbSide?: number;
  limits?: Partial<ImageLimits>;
  /**
   * Called with the thumbnail as soon as it exists, before the reference itself is encoded:
   * the panel can show the image while the rest is still being done.
   */
  onThumbnail?: (thumb: Blob) => void;
}

export interface NormalizedImage {
  blob: Blob;
  mime: 'image/jpeg' | 'image/png';
  width: number;
  height: number;
  thumb: Blob;
  /** Hex SHA-256 of `blob`. */
  sha256: string;
  sourceFormat: ImageFormat;
}

const JPEG_QUALITY = 0.9;
const THUMB_QUALITY = 0.8;
/** Enough for any header we read (EXIF, ICC profiles before SOF, PNG chunks before IDAT). */
const HEAD_BYTES = 1024 * 1024;

const DAMAGED = 'The file could not be read as an image; it may be damaged or incomplete.';

/**
 * Turns any image the browser can decode into the stored reference: oriented upright, at most
 * `maxSide` pixels a side, JPEG q0.9 when opaque or PNG when transparency matters, plus a WebP
 * thumbnail. Everything refusable is refused from the header, before decoding.
 */
export async function normalizeImage(blob: Blob, opts: NormalizeOptions = {}): Promise<NormalizedImage> {
  const maxSide = opts.maxSide ?? 2048;
  const thumbSide = opts.thumbSide ?? 256;
  const limits: ImageLimits = { ...DEFAULT_LIMITS, ...opts.limits };

  const sniff = await sniffHeader(blob, limits);
  checkDecodable(sniff, blob.size, limits);
  if (sniff.format === 'svg') {
    // createImageBitmap cannot decode SVG without a document (InvalidStateError in the worker).
    throw new AppError('unsupported_format', 'This is an SVG image, which can\u2019t be converted here. Save it and drag the file into the panel instead.');
  }

  const decoded = await decodeWithin(blob, sniff, maxSide);
  const plan = decoded.plan;
  let bitmap = decoded.bitmap;
  try {
    if (bitmap.width < 1 || bitmap.height < 1) throw new AppError('not_an_image', DAMAGED);
    if (!plan.displayed) {
      // The header gave no size: apply the pixel and side limits to what was decoded.
      checkDecodable({ ...sniff, width: bitmap.width, height: bitmap.height }, blob.size, limits);
    }
    if (Math.max(bitmap.width, bitmap.height) > maxSide) {
      const smaller = await resizeBitmap(bitmap, fitWithin(bitmap.width, bitmap.height, maxSide));
      bitmap.close();
      bitmap = smaller;
    }

    // The thumbnail first: it is what the user waits to see. Its fallback format (where WebP
    // can't be encoded) keeps alpha whenever the format may have it.
    const thumb = await encodeThumbnail(bitmap, thumbSide, sniff.hasAlpha !== false);
    try {
      opts.onThumbnail?.(thumb);
    } catch {
      // Only a preview: the image goes on without it.
    }
    const { width, height } = bitmap;
    const canvas = new OffscreenCanvas(width, height);
    const ctx = context2d(canvas);
    ctx.drawImage(bitmap, 0, 0);
    const pixelsHaveAlpha = sniff.hasAlpha === false ? undefined : rgbaHasTransparency(ctx.getImageData(0, 0, width, height).data);
    const mime = intakeMime(sniff.hasAlpha, pixelsHaveAlpha);
    if (mime === 'image/jpeg') flattenOnWhite(ctx, width, height);
    const out = await encodeCanvas(canvas, mime, JPEG_QUALITY);
    return { blob: out, mime, width, height, thumb, sha256: await sha256Hex(out), sourceFormat: sniff.format };
  } finally {
    bitmap.close();
  }
}

/**
 * What is checked before decoding (format, size, alpha) comes from the header, read from the
 * first HEAD_BYTES: a copy of a whole large download would cost time for nothing. A file whose
 * size is not found there (a JPEG with more metadata than that before its frame header) is read
 * whole, so that the pixel limits still stop a decompression bomb before it is decoded. A file
 * over the byte limit is only read far enough to name its format in the refusal.
 */
export async function sniffHeader(blob: Blob, limits: ImageLimits): Promise<SniffResult> {
  const head = sniffImage(new Uint8Array(await blob.slice(0, HEAD_BYTES).arrayBuffer()));
  const sized = head.width !== undefined && head.height !== undefined;
  if (sized || blob.size <= HEAD_BYTES || blob.size > limits.maxBytes) return head;
  return sniffImage(new Uint8Array(await blob.arrayBuffer()));
}

/**
 * Fits a stored reference to one route's limits. Returns `ref` itself when it already fits
 * (type accepted, longest side, pixels and bytes within limits); otherwise re-encodes, lowering
 * JPEG quality and then the size until the bytes fit. What a stored reference (one with its
 * `sha256`) was made into is kept for the next Creates (see PreparedReferences).
 */
export function prepareForRoute(ref: StoredImage & { sha256?: string }, input: RouteInput): Promise<StoredImage> {
  return prepared.get(ref, input, () => prepareWith(canvasEncoder, ref, input));
}

/** Two: the reference itself for its model, and for describing it or a second model. */
const prepared = new PreparedReferences(2);

/** The browser ImageEncoder: decode once, then resize + encode per attempt on an OffscreenCanvas. */
const canvasEncoder: ImageEncoder = {
  async open(source: Blob) {
    const bitmap = await decodeOrRefuse(source, undefined);
    return {
      async encode(attempt: EncodeAttempt): Promise<Blob> {
        const same = attempt.width === bitmap.width && attempt.height === bitmap.height;
        const sized = same ? bitmap : await resizeBitmap(bitmap, attempt);
        try {
          const canvas = new OffscreenCanvas(attempt.width, attempt.height);
          const ctx = context2d(canvas);
          ctx.drawImage(sized, 0, 0);
          if (attempt.mime === 'image/jpeg') flattenOnWhite(ctx, attempt.width, attempt.height);
          return await encodeCanvas(canvas, attempt.mime, attempt.quality);
        } finally {
          if (sized !== bitmap) sized.close();
        }
      },
      close() {
        bitmap.close();
      },
    };
  },
};

/**
 * Decodes upright and, when the header tells the size, already scaled to at most `maxSide` a
 * side (decoding small never holds the full-size pixels). Shared by intake and result thumbnails.
 */
export async function decodeWithin(blob: Blob, sniff: SniffResult, maxSide: number): Promise<{ bitmap: ImageBitmap; plan: DecodePlan }> {
  const plan = planDecode(sniff, maxSide);
  const bitmap = await decodeOrRefuse(blob, plan.resize);
  if (!plan.resize || !decodedSidesSwapped(plan.resize, bitmap)) return { bitmap, plan };
  bitmap.close();
  return { bitmap: await decodeOrRefuse(blob, { width: plan.resize.height, height: plan.resize.width }), plan };
}

// ---------------------------------------------------------------------------------------------

function bitmapOptions(resize: Size | undefined, full: boolean): ImageBitmapOptions {
  const opts: ImageBitmapOptions = {};
  if (full) opts.imageOrientation = 'from-image';
  if (resize) {
    opts.resizeWidth = resize.width;
    opts.resizeHeight = resize.height;
    // Firefox has no resizeQuality; as an unknown dictionary member it is simply ignored there.
    if (full) opts.resizeQuality = 'high';
  }
  return opts;
}

async function createBitmap(source: ImageBitmapSource, resize: Size | undefined): Promise<ImageBitmap> {
  try {
    return await createImageBitmap(source, bitmapOptions(resize, true));
  } catch (err) {
    // A TypeError means an option value this engine doesn't know (older engines lack
    // 'from-image'); decoding problems are DOMExceptions. Retry with the resize alone.
    if (!(err instanceof TypeError)) throw err;
    return await createImageBitmap(source, bitmapOptions(resize, false));
  }
}

async function decodeOrRefuse(blob: Blob, resize: Size | undefined): Promise<ImageBitmap> {
  try {
    return await createBitmap(blob, resize);
  } catch (err) {
    throw new AppError('not_an_image', DAMAGED, { cause: err });
  }
}

function resizeBitmap(bitmap: ImageBitmap, size: Size): Promise<ImageBitmap> {
  return createBitmap(bitmap, size);
}

function context2d(canvas: OffscreenCanvas): OffscreenCanvasRenderingContext2D {
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new AppError('internal', 'The browser could not create a canvas to process the image.');
  return ctx;
}

/** JPEG has no alpha: put white (not black) behind any transparent pixels. */
function flattenOnWhite(ctx: OffscreenCanvasRenderingContext2D, width: number, height: number): void {
  ctx.save();
  ctx.globalCompositeOperation = 'destination-over';
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);
  ctx.restore();
}

async function encodeCanvas(canvas: OffscreenCanvas, type: string, quality: number | undefined): Promise<Blob> {
  try {
    return await canvas.convertToBlob(quality === undefined || type === 'image/png' ? { type } : { type, quality });
  } catch (err) {
    throw new AppError('internal', 'The browser could not encode the image.', { cause: err });
  }
}

/** A WebP preview of at most `side` pixels a side; PNG (alpha kept) or JPEG where WebP cannot be encoded. */
export async function encodeThumbnail(bitmap: ImageBitmap, side: number, keepAlpha: boolean): Promise<Blob> {
  const size = fitWithin(bitmap.width, bitmap.height, side);
  const same = size.width === bitmap.width && size.height === bitmap.height;
  const small = same ? bitmap : await resizeBitmap(bitmap, size);
  try {
    const canvas = new OffscreenCanvas(size.width, size.height);
    const ctx = context2d(canvas);
    ctx.drawImage(small, 0, 0);
    const webp = await encodeCanvas(canvas, 'image/webp', THUMB_QUALITY);
    // convertToBlob silently returns PNG for types it can't encode: check what came back.
    if (webp.type === 'image/webp') return webp;
    if (keepAlpha) return await encodeCanvas(canvas, 'image/png', undefined);
    flattenOnWhite(ctx, size.width, size.height);
    return await encodeCanvas(canvas, 'image/jpeg', THUMB_QUALITY);
  } finally {
    if (small !== bitmap) small.close();
  }
}
