import { browser } from 'wxt/browser';
import { defineUnlistedScript } from 'wxt/utils/define-unlisted-script';
import type { PickerResult } from '@/utils/intake/content-messages';
import { PAGE_READ_MAX_BYTES, PICKED_BYTES_KEY, readCanvas, readSvg, readUrlInPage, type PageReadResult } from '@/utils/intake/page-read';

/**
 * "Pick an image on this page": injected into the active tab by the menu entry or the keyboard
 * shortcut (never declared for all pages). Outlines the image under the pointer (<img>,
 * <picture>, CSS background, <canvas>, inline <svg>), takes one click, Esc cancels. Sends what
 * it found to the worker once, then removes itself.
 */
type Target = { el: Element; take: () => Promise<PickerResult> };

/**
 * Whether a pick is already running in this frame. Kept in the extension's isolated world (its
 * globals persist between injections into the same frame), not in the page's DOM, where the
 * page could read it to detect us or set it to stop picking.
 */
const picking = globalThis as unknown as { imagePromptPicking?: boolean };

export default defineUnlistedScript(() => {
  if (picking.imagePromptPicking) return;
  picking.imagePromptPicking = true;

  const box = document.createElement('div');
  box.style.cssText =
    'position:fixed;z-index:2147483647;pointer-events:none;outline:3px solid #2563eb;outline-offset:-1px;background:rgba(37,99,235,.15);display:none;border-radius:2px';
  const banner = document.createElement('div');
  banner.setAttribute('role', 'status');
  banner.textContent = 'Image Prompt: click an image to use it \u00b7 Esc cancels';
  banner.style.cssText =
    'position:fixed;z-index:2147483647;top:8px;left:50%;transform:translateX(-50%);padding:6px 12px;font:14px system-ui,sans-serif;color:#fff;background:#1e293b;border-radius:6px;pointer-events:none';
  document.documentElement.append(box, banner);

  let current: Target | undefined;
  // Only the user's own input counts: a page can dispatch synthetic events at our listeners to
  // pick an image of its choosing or to cancel; those are ignored (and passed on untouched).
  const onMove = (e: MouseEvent) => {
    if (!e.isTrusted) return;
    current = findTarget(e.clientX, e.clientY, [box, banner]);
    if (!current) {
      box.style.display = 'none';
      return;
    }
    const r = current.el.getBoundingClientRect();
    Object.assign(box.style, { display: 'block', left: `${r.left}px`, top: `${r.top}px`, width: `${r.width}px`, height: `${r.height}px` });
  };
  const swallow = (e: Event) => {
    if (!e.isTrusted) return;
    e.preventDefault();
    e.stopImmediatePropagation();
  };
  const onClick = (e: MouseEvent) => {
    if (!e.isTrusted) return;
    swallow(e);
    const target = findTarget(e.clientX, e.clientY, [box, banner]);
    finish();
    void (target ? target.take() : Promise.resolve<PickerResult>({ kind: 'failed', reason: 'nothing' })).then(send);
  };
  const onKey = (e: KeyboardEvent) => {
    if (!e.isTrusted || e.key !== 'Escape') return;
    swallow(e);
    finish();
    void send({ kind: 'canceled' });
  };
  const finish = () => {
    removeEventListener('mousemove', onMove, true);
    removeEventListener('click', onClick, true);
    removeEventListener('mousedown', swallow, true);
    removeEventListener('mouseup', swallow, true);
    removeEventListener('keydown', onKey, true);
    box.remove();
    banner.remove();
    picking.imagePromptPicking = false;
  };
  addEventListener('mousemove', onMove, true);
  addEventListener('click', onClick, true);
  // Pages that act on mousedown (galleries, lightboxes) must not see the picking click.
  addEventListener('mousedown', swallow, true);
  addEventListener('mouseup', swallow, true);
  addEventListener('keydown', onKey, true);
});

async function send(result: PickerResult): Promise<void> {
  await browser.runtime.sendMessage({ type: 'picker.result', result }).catch(() => {});
}

function fromRead(read: PageReadResult): PickerResult {
  if (!read.ok) return { kind: 'failed', reason: read.reason };
  (globalThis as unknown as Record<string, PageReadResult>)[PICKED_BYTES_KEY] = read;
  return { kind: 'bytes' };
}

function fromUrl(url: string): Promise<PickerResult> {
  // blob: URLs exist only in this document: read them here. Everything else the worker fetches.
  if (url.startsWith('blob:')) return readUrlInPage(url, PAGE_READ_MAX_BYTES).then(fromRead);
  return Promise.resolve({ kind: 'url', url });
}

/** The topmost image-like element at a point, looking through overlays that aren't images. */
function findTarget(x: number, y: number, ignore: Element[]): Target | undefined {
  for (const el of document.elementsFromPoint(x, y)) {
    if (ignore.includes(el)) continue;
    if (el instanceof HTMLImageElement && (el.currentSrc || el.src)) {
      return { el, take: () => fromUrl(el.currentSrc || el.src) };
    }
    if (el instanceof HTMLCanvasElement) return { el, take: () => readCanvas(el, PAGE_READ_MAX_BYTES).then(fromRead) };
    const svg = el instanceof SVGElement ? (el instanceof SVGSVGElement ? el : el.ownerSVGElement) : null;
    if (svg) {
      let root: SVGSVGElement = svg;
      while (root.ownerSVGElement) root = root.ownerSVGElement;
      return { el: root, take: () => readSvg(root, PAGE_READ_MAX_BYTES).then(fromRead) };
    }
    if (el instanceof HTMLPictureElement) {
      const img = el.querySelector('img');
      if (img && (img.currentSrc || img.src)) return { el: img, take: () => fromUrl(img.currentSrc || img.src) };
    }
    const bg = backgroundUrl(el);
    if (bg) return { el, take: () => fromUrl(bg) };
  }
  return undefined;
}

/** The last url(...) layer of the element's computed background-image (the bottom one is usually the photo). */
function backgroundUrl(el: Element): string | undefined {
  const value = getComputedStyle(el).backgroundImage;
  if (!value || value === 'none') return undefined;
  const urls = [...value.matchAll(/url\(\s*(['"]?)(.*?)\1\s*\)/g)].map((m) => m[2]!).filter(Boolean);
  const last = urls[urls.length - 1];
  return last ? new URL(last, document.baseURI).href : undefined;
}
