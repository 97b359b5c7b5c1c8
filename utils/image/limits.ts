/**
 * What we agree to decode, decided from the sniffed header before any pixel is touched, and
 * the small pure size and format decisions shared by intake and per-route preparation.
 */
import { AppError } from '../errors';
import type { ImageFormat, SniffResult } from './sniff';

export interface ImageLimits {
  /** Largest file we read at all. */
  maxBytes: number;
  /** Largest decoded image, in pixels (width × height as stored). Guards against decompression bombs. */
  maxPixels: number;
  /** Longest side. Canvases over 16384 px a side silently draw nothing in Chromium. */
  maxSide: number;
}

export const DEFAULT_LIMITS: Readonly<ImageLimits> = Object.freeze({
  maxBytes: 40 * 1024 * 1024,
  maxPixels: 100_000_000,
  maxSide: 16384,
});

/** The format's everyday name, for messages. */
function formatLabel(format: ImageFormat): string {
  switch (format) {
    case 'jpeg':
      return 'JPEG';
    case 'png':
      return 'PNG';
    case 'webp':
      return 'WebP';
    case 'gif':
      return 'GIF';
    case 'avif':
      return 'AVIF';
    case 'bmp':
      return 'BMP';
    case 'svg':
      return 'SVG';
    case 'heic':
      return 'HEIC';
    case 'tiff':
      return 'TIFF';
    case 'ico':
      return 'ICO';
    case 'pdf':
      return 'PDF';
    case 'html':
      return 'HTML';
    case 'unknown':
      return 'unknown';
  }
}

/** "52.3 MB", "40 MB", "900 KB": binary units, as file managers show them on most systems. */
export function formatBytes(n: number): string {
  const MB = 1024 * 1024;
  if (n >= MB) {
    const v = n / MB;
    return `${Number.isInteger(v) ? v : v.toFixed(1)} MB`;
  }
  if (n >= 1024) return `${Math.round(n / 1024)} KB`;
  return `${n} bytes`;
}

function formatMegapixels(pixels: number): string {
  const mp = pixels / 1_000_000;
  return `${Number.isInteger(mp) ? mp : Number(mp.toFixed(mp < 1 ? 2 : 1))} megapixels`;
}

/**
 * Throws an AppError when the image must not be decoded: not an image, a format browsers can't
 * open, or too large in bytes or pixels. Call it before decoding anything.
 * SVG passes: it is decodable, just not in the worker (normalizeImage refuses it there).
 */
export function checkDecodable(sniff: SniffResult, byteLength: number, limits: ImageLimits = DEFAULT_LIMITS): void {
  if (byteLength <= 0) {
    throw new AppError('not_an_image', 'The file is empty (0 bytes), so there is no image in it.');
  }
  switch (sniff.format) {
    case 'html':
      throw new AppError(
        'not_an_image',
        'This is an HTML page, not an image. The site may have sent a login or error page instead of the picture.',
      );
    case 'pdf':
      throw new AppError('not_an_image', 'This is a PDF document, not an image. Take a screenshot of the page you want and drag that in.');
    case 'unknown':
      throw new AppError('not_an_image', 'This file is not an image the extension recognises.');
    case 'heic':
      throw new AppError('unsupported_format', 'This is a HEIC photo, which browsers cannot open. Convert it to JPEG first.');
    case 'tiff':
      throw new AppError('unsupported_format', 'This is a TIFF image, which browsers cannot open. Convert it to JPEG or PNG first.');
    default:
      break;
  }
  const label = formatLabel(sniff.format);
  if (byteLength > limits.maxBytes) {
    throw new AppError('too_large', `This ${label} file is ${formatBytes(byteLength)}; the limit is ${formatBytes(limits.maxBytes)}.`);
  }
  const { width, height } = sniff;
  if (width === 0 || height === 0) {
    throw new AppError('not_an_image', `This ${label} file says its image is 0 pixels wide or high, so it is damaged.`);
  }
  if (width !== undefined && height !== undefined) {
    if (width * height > limits.maxPixels) {
      throw new AppError(
        'too_large',
        `This image is ${width} × ${height} pixels; the limit is ${formatMegapixels(limits.maxPixels)}.`,
      );
    }
    if (Math.max(width, height) > limits.maxSide) {
      throw new AppError(
        'too_large',
        `This image is ${width} × ${height} pixels; the longest side allowed is ${limits.maxSide} pixels.`,
      );
    }
  }
}

/**
 * Scales (width, height) down so that neither side exceeds maxSide. Never upscales, keeps the
 * aspect ratio as closely as whole pixels allow, and never returns a side below 1.
 */
export function fitWithin(width: number, height: number, maxSide: number): { width: number; height: number } {
  const w = Number.isFinite(width) && width >= 1 ? width : 1;
  const h = Number.isFinite(height) && height >= 1 ? height : 1;
  const limit = Number.isFinite(maxSide) && maxSide >= 1 ? Math.floor(maxSide) : 1;
  const longest = Math.max(w, h);
  if (longest <= limit) return { width: Math.max(1, Math.round(w)), height: Math.max(1, Math.round(h)) };
  const scale = limit / longest;
  return {
    width: Math.min(limit, Math.max(1, Math.round(w * scale))),
    height: Math.min(limit, Math.max(1, Math.round(h * scale))),
  };
}

/**
 * Scales (width, height) down so that width × height does not exceed maxPixels. Never upscales,
 * keeps the aspect ratio as closely as whole pixels allow (rounding down, so the limit holds),
 * and never returns a side below 1.
 */
export function fitPixels(width: number, height: number, maxPixels: number): { width: number; height: number } {
  const w = Number.isFinite(width) && width >= 1 ? Math.round(width) : 1;
  const h = Number.isFinite(height) && height >= 1 ? Math.round(height) : 1;
  if (!(maxPixels >= 1) || w * h <= maxPixels) return { width: w, height: h };
  const scale = Math.sqrt(maxPixels / (w * h));
  const fitted = { width: Math.max(1, Math.floor(w * scale)), height: Math.max(1, Math.floor(h * scale)) };
  // A side held at one pixel leaves the whole budget to the other.
  if (fitted.height === 1) fitted.width = Math.min(fitted.width, Math.max(1, Math.floor(maxPixels)));
  if (fitted.width === 1) fitted.height = Math.min(fitted.height, Math.max(1, Math.floor(maxPixels)));
  return fitted;
}

export type OutputMime = 'image/jpeg' | 'image/png' | 'image/webp';

/**
 * JPEG for opaque images (small, fast to encode), PNG where transparency matters.
 *
 * `source.hasAlpha`: true / false when known; undefined when neither the header nor the pixels said.
 * Unknown is treated as "may have alpha" so that transparency is never lost silently.
 * `formats` (a route's accepted MIME types) narrows the choice: with alpha and no PNG, WebP keeps
 * transparency; with only JPEG the caller flattens onto white.
 */
export function chooseOutputMime(
  source: { hasAlpha?: boolean },
  formats: readonly string[] = ['image/jpeg', 'image/png'],
): OutputMime {
  const { hasAlpha } = source;
  const allows = (m: OutputMime) => formats.includes(m);
  const order: OutputMime[] = hasAlpha === false ? ['image/jpeg', 'image/webp', 'image/png'] : ['image/png', 'image/webp', 'image/jpeg'];
  return order.find(allows) ?? 'image/jpeg';
}
