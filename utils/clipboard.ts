import { i18n } from '#i18n';
import { AppError } from './errors';

/** What copying needs from the page; the real ones by default, fakes in tests. */
export interface ClipboardEnv {
  clipboard: Pick<Clipboard, 'write'> | undefined;
  ClipboardItem: typeof ClipboardItem | undefined;
  toPng: (blob: Blob) => Promise<Blob>;
}

function pageEnv(): ClipboardEnv {
  return {
    clipboard: typeof navigator === 'undefined' ? undefined : navigator.clipboard,
    ClipboardItem: typeof ClipboardItem === 'undefined' ? undefined : ClipboardItem,
    toPng: pngOf,
  };
}

/**
 * Puts an image on the clipboard. Chromium's async clipboard takes image/png only, so other
 * types are converted first. The item is handed a promise of the PNG, so the write starts
 * while the click that asked for it still counts as the user's gesture.
 */
export async function copyImageToClipboard(blob: Blob, env: ClipboardEnv = pageEnv()): Promise<void> {
  if (!env.clipboard?.write || !env.ClipboardItem) throw new AppError('internal', i18n.t('results.copyUnsupported'));
  const png = blob.type === 'image/png' ? Promise.resolve(blob) : env.toPng(blob);
  // A failed conversion must be reported as itself, not as the clipboard's refusal.
  let unreadable: unknown;
  const guarded = png.catch((err: unknown) => {
    unreadable = err;
    throw err;
  });
  try {
    await env.clipboard.write([new env.ClipboardItem({ 'image/png': guarded })]);
  } catch (err) {
    if (unreadable !== undefined) throw new AppError('not_an_image', i18n.t('results.copyUnreadable'), { cause: unreadable });
    // NotAllowedError: the panel lost focus, or the browser's permission said no.
    throw new AppError('internal', i18n.t('results.copyRefused'), { cause: err });
  }
}

/** Re-encodes any image the browser can decode as PNG. */
async function pngOf(blob: Blob): Promise<Blob> {
  const bitmap = await createImageBitmap(blob);
  try {
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('no 2d context');
    ctx.drawImage(bitmap, 0, 0);
    return await canvas.convertToBlob({ type: 'image/png' });
  } finally {
    bitmap.close();
  }
}
