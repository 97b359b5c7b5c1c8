import { useEffect, useRef, useState } from 'react';
import { browser } from 'wxt/browser';
import { AppError } from '@/utils/errors';
import { patchDraft } from '@/utils/store/drafts';
import { adoptFrom } from './lazy-intake';
import type { Rect } from '@/utils/image/crop';

/**
 * Ctrl/Cmd+V anywhere in the panel: an image file is taken as is; an image address is taken
 * only when the focus is not in a text field (there, pasting text is what the user wants).
 */
export function usePaste(onFile: (file: File) => void, onUrl: (url: string) => void): void {
  const latest = useRef({ onFile, onUrl });
  useEffect(() => {
    latest.current = { onFile, onUrl };
  });
  useEffect(() => {
    const onPaste = (e: ClipboardEvent) => {
      const data = e.clipboardData;
      if (!data) return;
      const file = [...data.files].find((f) => f.type.startsWith('image/') && f.size > 0);
      if (file) {
        e.preventDefault();
        latest.current.onFile(file);
        return;
      }
      const target = e.target as HTMLElement | null;
      if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
      const text = data.getData('text/plain').trim();
      if (/^(https?:\/\/|data:image\/)\S+$/i.test(text)) {
        e.preventDefault();
        latest.current.onUrl(text);
      }
    };
    document.addEventListener('paste', onPaste);
    return () => document.removeEventListener('paste', onPaste);
  }, []);
}

export interface Screenshot {
  url: string;
  width: number;
  height: number;
  pageUrl?: string;
}

/** "Take a screenshot instead": capture the visible part of the current tab, then crop. */
export function useScreenshot() {
  const [shot, setShot] = useState<Screenshot | null>(null);

  async function start() {
    try {
      const win = await browser.windows.getCurrent();
      const [tab] = await browser.tabs.query({ active: true, windowId: win.id });
      const url = await browser.tabs.captureVisibleTab(win.id!, { format: 'png' });
      const img = new Image();
      img.src = url;
      await img.decode();
      setShot({ url, width: img.naturalWidth, height: img.naturalHeight, pageUrl: tab?.url });
    } catch (err) {
      await patchDraft({
        intake: { status: 'error', error: new AppError('source_refused', 'The browser didn\u2019t allow a screenshot of this tab.', { cause: err }).toJSON() },
      });
    }
  }

  async function use(rect: Rect) {
    const current = shot;
    if (!current) return;
    setShot(null);
    await adoptFrom(undefined, { kind: 'screenshot', pageUrl: current.pageUrl }, async () => {
      const full = await (await fetch(current.url)).blob();
      const bitmap = await createImageBitmap(full, rect.x, rect.y, rect.width, rect.height);
      const canvas = new OffscreenCanvas(rect.width, rect.height);
      canvas.getContext('2d')!.drawImage(bitmap, 0, 0);
      bitmap.close();
      return canvas.convertToBlob({ type: 'image/png' });
    }).catch(() => {});
  }

  return { shot, start: () => void start(), use: (rect: Rect) => void use(rect), cancel: () => setShot(null) };
}
