/**
 * Result previews for grids and lists, made with the same decode and encode path as reference
 * thumbnails (./normalize): createImageBitmap + OffscreenCanvas, so it runs in the worker and
 * in extension pages alike.
 */
import { AppError } from '../errors';
import { checkDecodable, DEFAULT_LIMITS } from './limits';
import { decodeWithin, encodeThumbnail, sniffHeader } from './normalize';

/** Longest side of a result thumbnail. */
const THUMB_SIDE = 256;

/**
 * A WebP (or JPEG/PNG where WebP cannot be encoded) preview of an image, at most `side` pixels
 * a side. Throws an AppError for anything that is not a raster image the browser decodes.
 */
export async function makeThumbnail(blob: Blob, side = THUMB_SIDE): Promise<Blob> {
  // The byte size was bounded by whoever stored the image; the pixel limits still guard the decode.
  const limits = { ...DEFAULT_LIMITS, maxBytes: Number.MAX_SAFE_INTEGER };
  const sniff = await sniffHeader(blob, limits);
  checkDecodable(sniff, blob.size, limits);
  if (sniff.format === 'svg') throw new AppError('unsupported_format', 'SVG images get no thumbnail.');
  const { bitmap } = await decodeWithin(blob, sniff, side);
  try {
    return await encodeThumbnail(bitmap, side, sniff.hasAlpha !== false);
  } finally {
    bitmap.close();
  }
}
