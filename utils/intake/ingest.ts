import { saveReference } from '../store/references';
import { requireResult } from '../store/results';
import { AppError, toAppError } from '../errors';
import { publish } from '../events';
import { normalizeImage } from '../image/normalize';
import { isSvgBlob, rasterizeSvgText, SVG_MAX_TEXT_BYTES } from '../image/svg';
import type { ReferenceRecord, ReferenceSource } from '../store/types';
import { addReference, patchDraft, setImagePrompt, trayFullError, trayHasRoom } from '../store/drafts';

/**
 * Where an adopted image goes in the tray: `prompt` ("Use as image prompt") takes the first
 * place and keeps the rest; `add` ("Add to image prompt", the panel's own "+", drop and paste)
 * appends, and starts the tray when it is empty.
 */
export type TrayPlace = 'prompt' | 'add';

export interface IngestOptions {
  /** Draws SVG text as PNG somewhere with a document (the page the image came from). */
  rasterizeSvg?: SvgRasterizer;
  /** Default `prompt`. */
  place?: TrayPlace;
  /** Gets the thumbnail before the reference is stored (see normalizeImage's onThumbnail). */
  onPreview?: (thumb: Blob) => void;
}

type SvgRasterizer = (svgText: string) => Promise<Blob>;

/** In a document (the panel) SVG is drawn right here; the worker needs a rasterizer passed in. */
const rasterizeHere: SvgRasterizer | undefined =
  typeof document === 'undefined'
    ? undefined
    : async (text) => {
        const out = await rasterizeSvgText(text, 2048);
        if (!out.ok) throw new AppError('not_an_image', 'This SVG could not be drawn; it may be damaged.');
        return new Blob([out.bytes], { type: 'image/png' });
      };

/** SVG becomes PNG before the usual pipeline; without a place to draw it, normalizeImage refuses it clearly. */
async function rasterizeIfSvg(blob: Blob, rasterize = rasterizeHere): Promise<Blob> {
  if (!rasterize || !(await isSvgBlob(blob))) return blob;
  if (blob.size > SVG_MAX_TEXT_BYTES) throw new AppError('too_large', `This SVG is larger than ${SVG_MAX_TEXT_BYTES / 1048576} MB.`);
  return rasterize(await blob.text());
}

/**
 * Turns bytes from anywhere (a page, a file, a drop, a previous result) into a stored
 * reference; adoptFrom then makes it the panel's current image prompt. Runs in the worker and
 * in extension pages alike; both share the same IndexedDB.
 */
export async function ingestBlob(blob: Blob, source: ReferenceSource, opts: IngestOptions = {}): Promise<ReferenceRecord> {
  const normal = await normalizeImage(await rasterizeIfSvg(blob, opts.rasterizeSvg), { onThumbnail: opts.onPreview });
  return saveReference(normal, source);
}

/**
 * Shows "loading" in the panel at once, then gets the bytes (downloaded by the worker, see
 * adopt-url.ts; read in the page; a screenshot crop), converts and stores them. `getBlob` may
 * throw an AppError with the reason to show; failure leaves the previous reference in place.
 */
export async function adoptFrom(url: string | undefined, source: ReferenceSource, getBlob: () => Promise<Blob>, opts: IngestOptions = {}): Promise<ReferenceRecord> {
  const sourceUrl = url && !url.startsWith('data:') && !url.startsWith('blob:') ? url : undefined;
  // The panel shows "loading" while the bytes are already on their way; the final write waits
  // for this one so the two never land out of order.
  const startedAt = Date.now();
  const loading = patchDraft({ intake: { status: 'loading', sourceUrl, startedAt } });
  // The panel shows the thumbnail as soon as it exists, marked as still being prepared.
  const onPreview = (thumb: Blob) => publish({ type: 'intake.preview', startedAt, thumb });
  try {
    // A full tray says so before anything is downloaded.
    if (opts.place === 'add' && !(await trayHasRoom())) throw trayFullError();
    const ref = await ingestBlob(await getBlob(), source, { ...opts, onPreview });
    await loading;
    await (opts.place === 'add' ? addReference : setImagePrompt)(ref.id, { intake: { status: 'idle' } });
    return ref;
  } catch (err) {
    const error = toAppError(err, 'not_an_image');
    await loading.catch(() => {});
    await patchDraft({ intake: { status: 'error', sourceUrl, error: error.toJSON() } });
    throw error;
  }
}

/** Files picked or dropped in the panel. */
export function adoptImageBlob(blob: Blob, source: ReferenceSource, place: TrayPlace = 'prompt'): Promise<ReferenceRecord> {
  return adoptFrom(undefined, source, async () => blob, { place });
}

/** A generated result becomes the next image prompt (the iteration loop), or one more reference. */
export async function adoptResult(resultId: string, place: TrayPlace = 'prompt'): Promise<ReferenceRecord> {
  const result = await requireResult(resultId);
  return adoptImageBlob(result.blob, { kind: 'result', jobId: result.jobId, resultId }, place);
}
