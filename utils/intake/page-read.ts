/**
 * Reading image bytes inside the web page, for images the worker cannot download: blob: URLs
 * (they exist only in the page's document), canvases and SVG drawn in the page.
 *
 * Transport: runtime messages are JSON, but a `scripting.executeScript` result that is an
 * ArrayBuffer arrives in the worker as an ArrayBuffer (measured in Chromium 156: 20 MB in about
 * 370 ms; a Blob arrives as `{}`). So bytes never travel as base64: the menu path returns them
 * from an injected function, and the picker keeps them in its isolated world until the worker
 * collects them the same way (see takePickedBytes).
 */
export const PAGE_READ_MAX_BYTES = 40 * 1024 * 1024;

/** Where the picker leaves bytes for the worker: a global of the extension's isolated world, invisible to the page. */
export const PICKED_BYTES_KEY = '__imagePromptPickedBytes';

/**
 * Runs in the page via `scripting.executeScript({ func })` (self-contained, isolated world):
 * hands over and forgets the bytes the picker left under `key`.
 */
export function collectPickedBytes(key: string): PageReadResult | undefined {
  const store = globalThis as unknown as Record<string, PageReadResult | undefined>;
  const value = store[key];
  delete store[key];
  return value;
}

export type PageReadResult =
  | { ok: true; bytes: ArrayBuffer; type: string }
  | { ok: false; reason: 'tainted' | 'unreadable' | 'too_large' | 'not_found' };

/**
 * Runs in the page via `scripting.executeScript({ func })`: must be self-contained (no imports,
 * no outer variables). Reads a blob:, data: or same-origin URL with the page's own fetch.
 */
export async function readUrlInPage(url: string, maxBytes: number): Promise<PageReadResult> {
  try {
    const res = await fetch(url);
    if (!res.ok) return { ok: false, reason: res.status === 404 ? 'not_found' : 'unreadable' };
    const blob = await res.blob();
    if (blob.size > maxBytes) return { ok: false, reason: 'too_large' };
    return { ok: true, bytes: await blob.arrayBuffer(), type: blob.type };
  } catch {
    return { ok: false, reason: 'unreadable' };
  }
}

/** A canvas's pixels as PNG; a canvas holding cross-origin pixels ("tainted") can't be read. */
export async function readCanvas(canvas: HTMLCanvasElement, maxBytes: number): Promise<PageReadResult> {
  let blob: Blob | null;
  try {
    blob = await new Promise<Blob | null>((resolve, reject) => {
      try {
        canvas.toBlob(resolve, 'image/png');
      } catch (err) {
        reject(err);
      }
    });
  } catch (err) {
    return { ok: false, reason: err instanceof DOMException && err.name === 'SecurityError' ? 'tainted' : 'unreadable' };
  }
  if (!blob) return { ok: false, reason: 'unreadable' };
  return blobResult(blob, maxBytes);
}

/** An inline <svg>, rasterised at its on-screen size times the device pixel ratio. */
export async function readSvg(svg: SVGSVGElement, maxBytes: number): Promise<PageReadResult> {
  const box = svg.getBoundingClientRect();
  const scale = Math.min(4, Math.max(1, window.devicePixelRatio || 1));
  const width = Math.max(1, Math.round(box.width * scale));
  const height = Math.max(1, Math.round(box.height * scale));
  const clone = svg.cloneNode(true) as SVGSVGElement;
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  clone.setAttribute('width', String(box.width));
  clone.setAttribute('height', String(box.height));
  const url = URL.createObjectURL(new Blob([new XMLSerializer().serializeToString(clone)], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    canvas.getContext('2d')?.drawImage(img, 0, 0, width, height);
    return await readCanvas(canvas, maxBytes);
  } catch {
    return { ok: false, reason: 'unreadable' };
  } finally {
    URL.revokeObjectURL(url);
  }
}

async function blobResult(blob: Blob, maxBytes: number): Promise<PageReadResult> {
  if (blob.size > maxBytes) return { ok: false, reason: 'too_large' };
  return { ok: true, bytes: await blob.arrayBuffer(), type: blob.type };
}

/**
 * Runs in the page via `scripting.executeScript({ func })` (self-contained): the srcsets of the
 * shown <img> whose current source is `srcUrl`, including its <picture>'s <source>s.
 */
export function srcsetsInPage(srcUrl: string): string[] {
  for (const img of Array.from(document.images)) {
    if (img.currentSrc !== srcUrl && img.src !== srcUrl) continue;
    const sets: string[] = [];
    if (img.srcset) sets.push(img.srcset);
    const picture = img.parentElement;
    if (picture && picture.tagName === 'PICTURE') {
      for (const source of Array.from(picture.querySelectorAll('source'))) if (source.srcset) sets.push(source.srcset);
    }
    return sets;
  }
  return [];
}
