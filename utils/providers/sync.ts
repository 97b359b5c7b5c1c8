import { AppError } from '../errors';
import type { PreparedImage } from './types';

/**
 * Small pieces shared by the synchronous adapters (Ideogram, MiniMax, BytePlus, imagine.art):
 * the submit call itself returns the images, so there is nothing to poll or cancel.
 */

const EXTENSIONS: Record<string, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp' };

/** The prepared reference as a multipart file part: a Blob typed with its MIME and a matching name. */
export function imageFilePart(image: PreparedImage, stem = 'reference'): { blob: Blob; filename: string } {
  const blob = image.blob.type === image.mime ? image.blob : new Blob([image.blob], { type: image.mime });
  return { blob, filename: `${stem}.${EXTENSIONS[image.mime] ?? 'bin'}` };
}

/** A sync job never reaches polling; if the engine asks anyway, say so plainly. */
export function noPolling(provider: string): never {
  throw new AppError('internal', `${provider} answers in one call; there is nothing to check on.`, { provider });
}

/** JPEG, PNG, WebP or GIF by magic bytes; undefined for anything else. */
export function sniffImageMime(bytes: Uint8Array): string | undefined {
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'image/png';
  if (bytes[0] === 0x47 && bytes[1] === 0x49 && bytes[2] === 0x46) return 'image/gif';
  const riff = String.fromCharCode(...bytes.subarray(0, 4));
  const webp = String.fromCharCode(...bytes.subarray(8, 12));
  if (riff === 'RIFF' && webp === 'WEBP') return 'image/webp';
  return undefined;
}

/** "1280x800" -> { width: 1280, height: 800 }; undefined when absent or malformed. */
export function parseResolution(value: string | null | undefined): { width: number; height: number } | undefined {
  const m = value ? /^(\d+)x(\d+)$/.exec(value) : null;
  return m ? { width: Number(m[1]), height: Number(m[2]) } : undefined;
}


/** The first usable human message in a provider error body, trimmed for display. */
export function messageFrom(body: unknown, keys: readonly string[] = ['message', 'error', 'detail', 'msg']): string | undefined {
  if (typeof body === 'string') return body.trim().slice(0, 300) || undefined;
  if (!body || typeof body !== 'object') return undefined;
  for (const key of keys) {
    const v = (body as Record<string, unknown>)[key];
    if (typeof v === 'string' && v.trim()) return v.trim().slice(0, 300);
    if (v && typeof v === 'object') {
      const inner = messageFrom(v, keys);
      if (inner) return inner;
    }
  }
  return undefined;
}
