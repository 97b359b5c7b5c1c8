import { sniffImage } from './sniff';

/**
 * SVG cannot be decoded in a worker, but any document can draw it. These helpers rasterise an
 * SVG to PNG where a document exists: in the panel for files, and in the page (injected with
 * scripting.executeScript) for images the worker downloaded from it. SVG drawn through an
 * <img> runs no scripts and loads no external resources.
 */

export const SVG_MAX_TEXT_BYTES = 5 * 1024 * 1024;

/** Whether bytes are an SVG document (judged by content, like every other format). */
export async function isSvgBlob(blob: Blob): Promise<boolean> {
  const head = new Uint8Array(await blob.slice(0, 4096).arrayBuffer());
  return sniffImage(head).format === 'svg';
}

export type SvgRasterResult = { ok: true; bytes: ArrayBuffer } | { ok: false; reason: string };

/**
 * SVG text -> PNG bytes, in whatever document runs it. Self-contained on purpose (no imports,
 * no closures): it is also sent into web pages by scripting.executeScript.
 */
export async function rasterizeSvgText(svgText: string, maxSide: number): Promise<SvgRasterResult> {
  const url = URL.createObjectURL(new Blob([svgText], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    const w0 = img.naturalWidth > 0 ? img.naturalWidth : 1024;
    const h0 = img.naturalHeight > 0 ? img.naturalHeight : 1024;
    // Vectors are drawn at a useful size: their own, raised to a 1024 px long side, capped at maxSide.
    const long = Math.max(w0, h0);
    const scale = Math.min(maxSide, Math.max(long, 1024)) / long;
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.round(w0 * scale));
    canvas.height = Math.max(1, Math.round(h0 * scale));
    const ctx = canvas.getContext('2d');
    if (!ctx) return { ok: false, reason: 'no-canvas' };
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    const png = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
    if (!png) return { ok: false, reason: 'encode' };
    return { ok: true, bytes: await png.arrayBuffer() };
  } catch {
    return { ok: false, reason: 'decode' };
  } finally {
    URL.revokeObjectURL(url);
  }
}
