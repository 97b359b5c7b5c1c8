/**
 * Bundled by normalize.browser.test.ts and run as a dedicated Worker in headless Chromium: a
 * worker has no DOM, like the extension's service worker, so this proves normalize.ts needs none.
 */
import { AppError } from '../../../utils/errors';
import { normalizeImage, prepareForRoute } from '../../../utils/image/normalize';

export interface WorkerRequest {
  id: number;
  op: 'normalize' | 'prepare';
  bytes: Uint8Array;
  opts?: { maxSide?: number; thumbSide?: number };
  input?: { maxSide: number; maxBytes: number; formats: string[]; maxPixels?: number };
}

/** Which corners of the image are red (the fixtures mark their stored top-left corner red). */
async function redCorners(blob: Blob): Promise<string[]> {
  const bitmap = await createImageBitmap(blob);
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = canvas.getContext('2d');
  if (!ctx) return [];
  ctx.drawImage(bitmap, 0, 0);
  const w = bitmap.width;
  const h = bitmap.height;
  bitmap.close();
  const at: Record<string, [number, number]> = { tl: [1, 1], tr: [w - 2, 1], bl: [1, h - 2], br: [w - 2, h - 2] };
  return Object.entries(at)
    .filter(([, [x, y]]) => {
      const [r = 0, g = 0, , a = 0] = ctx.getImageData(x, y, 1, 1).data;
      return a > 200 && r > 180 && g < 90;
    })
    .map(([k]) => k);
}

async function handle(req: WorkerRequest): Promise<unknown> {
  const blob = new Blob([req.bytes as Uint8Array<ArrayBuffer>]);
  const previews: Blob[] = [];
  const n = await normalizeImage(blob, { ...req.opts, onThumbnail: (thumb) => previews.push(thumb) });
  if (req.op === 'normalize') {
    return {
      previews: previews.length,
      previewIsThumb: previews[0] === n.thumb,
      mime: n.mime,
      blobType: n.blob.type,
      width: n.width,
      height: n.height,
      bytes: n.blob.size,
      thumbType: n.thumb.type,
      sha256: n.sha256,
      sourceFormat: n.sourceFormat,
      red: await redCorners(n.blob),
    };
  }
  const p = await prepareForRoute(n, req.input ?? { maxSide: 2048, maxBytes: 10 * 1024 * 1024, formats: ['image/jpeg'] });
  return { same: p === n, mime: p.mime, blobType: p.blob.type, width: p.width, height: p.height, bytes: p.blob.size, storedBytes: n.blob.size };
}

const scope = self as unknown as { onmessage: ((e: MessageEvent<WorkerRequest>) => void) | null; postMessage(m: unknown): void };
scope.onmessage = (e) => {
  handle(e.data).then(
    (res) => scope.postMessage({ id: e.data.id, ok: true, res }),
    (err: unknown) =>
      scope.postMessage({
        id: e.data.id,
        ok: false,
        kind: err instanceof AppError ? err.kind : 'thrown',
        message: err instanceof Error ? err.message : String(err),
        hasDocument: 'document' in self,
      }),
  );
};
