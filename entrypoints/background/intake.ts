import { browser, type Browser } from 'wxt/browser';
import { AppError } from '@/utils/errors';
import { patchDraft } from '@/utils/store/drafts';
import { adoptFrom, ingestBlob, type TrayPlace } from '@/utils/intake/ingest';
import { fetchImage, isPrivateNetworkRefusal } from '@/utils/intake/fetch-image';
import { extensionHost } from '@/utils/intake/network-guard';
import { temporaryRuleId } from '@/utils/intake/private-network-rules';
import { isOwnContentScript, PickerMessage, type PickerResult } from '@/utils/intake/content-messages';
import { pageReadError } from '@/utils/intake/messages';
import { collectPickedBytes, PAGE_READ_MAX_BYTES, PICKED_BYTES_KEY, readUrlInPage, srcsetsInPage, type PageReadResult } from '@/utils/intake/page-read';
import { buildRefererRule } from '@/utils/intake/referer-rule';
import { pickBestSource } from '@/utils/intake/srcset';
import type { ReferenceSource } from '@/utils/store/types';
import { openPanel } from './panel';
import { rasterizeSvgText, type SvgRasterResult } from '@/utils/image/svg';

/**
 * Where page images come in: the context-menu entries, pick mode and the picker's answer. The
 * worker downloads with its own host permission; what it can't download (blob:, canvas, SVG,
 * refused requests) is read in the page by an injected function, allowed by the user's click.
 */

/** Fetch with the page's origin as Referer, through a session rule that exists only for this request. */
export async function fetchWithReferer(url: string, pageUrl: string, init: RequestInit): Promise<Response> {
  const id = temporaryRuleId();
  await browser.declarativeNetRequest.updateSessionRules({ addRules: [buildRefererRule(id, url, pageUrl, extensionHost()) as Browser.declarativeNetRequest.Rule] });
  try {
    return await fetch(url, init);
  } finally {
    await browser.declarativeNetRequest.updateSessionRules({ removeRuleIds: [id] }).catch(() => {});
  }
}

interface PageTarget {
  tabId?: number;
  frameId?: number;
}

async function runInPage<A extends unknown[], R>(target: PageTarget, func: (...args: A) => R | Promise<R>, args: A): Promise<R | undefined> {
  if (target.tabId === undefined) return undefined;
  const [first] = await browser.scripting.executeScript({
    target: { tabId: target.tabId, frameIds: [target.frameId ?? 0] },
    func: func as never,
    args: args as never,
  });
  return first?.result as R | undefined;
}

function toBlob(read: PageReadResult | undefined): Blob {
  if (!read || (read.ok && !(read.bytes instanceof ArrayBuffer))) throw new AppError('source_refused', 'The page didn\u2019t let the extension read this image.');
  if (!read.ok) throw pageReadError(read);
  return new Blob([read.bytes], { type: read.type });
}

async function readInPage(target: PageTarget, url: string): Promise<Blob> {
  return toBlob(await runInPage<[string, number], PageReadResult>(target, readUrlInPage, [url, PAGE_READ_MAX_BYTES]).catch(() => undefined));
}

/**
 * An image address from the page: the best srcset candidate when `probe` is set, downloaded by
 * the worker (with the page as Referer if the site insists), else read by the page itself.
 */
/** SVG the worker downloaded is drawn by the page it came from (the worker has no document). */
function rasterizeInPage(target: PageTarget) {
  return async (svgText: string): Promise<Blob> => {
    const out = await runInPage<[string, number], SvgRasterResult>(target, rasterizeSvgText, [svgText, 2048]).catch(() => undefined);
    if (!out?.ok || !(out.bytes instanceof ArrayBuffer)) throw new AppError('not_an_image', 'This SVG could not be drawn; it may be damaged.');
    return new Blob([out.bytes], { type: 'image/png' });
  };
}

/** A page image becomes the image prompt (`prompt`) or one more reference (`add`, see TrayPlace). */
export function adoptPageImage(url: string, source: ReferenceSource, target: PageTarget, probe: boolean, place: TrayPlace = 'prompt') {
  return adoptFrom(url, source, () => readPageImage(url, source, target, probe), { ...svgOptions(target), place }).catch(() => {
    // The reason is already in the draft, where the panel shows it.
  });
}

/**
 * Like adoptPageImage, but only stores the image and returns it: the user's image prompt stays
 * as it is ("Describe this image" describes a picture without making it the image prompt).
 */
export async function storePageImage(url: string, source: ReferenceSource, target: PageTarget, probe: boolean) {
  return ingestBlob(await readPageImage(url, source, target, probe), source, svgOptions(target));
}

const svgOptions = (target: PageTarget) => ({ rasterizeSvg: target.tabId === undefined ? undefined : rasterizeInPage(target) });

/** The page image's bytes, for adoptPageImage and storePageImage. */
async function readPageImage(url: string, source: ReferenceSource, target: PageTarget, probe: boolean): Promise<Blob> {
  if (url.startsWith('blob:')) return readInPage(target, url);
  const ctx = { pageUrl: source.pageUrl };
  const opts = { refererFetch: fetchWithReferer };
  const fetchShown = () => fetchImage(url, ctx, fetch, opts);
  let shown: Promise<Blob> | undefined;
  let best = url;
  if (probe && !url.startsWith('data:')) {
    // Fetch the image as shown while the page is asked for a larger srcset candidate: most
    // images have none, and then the probe's round trip into the page costs nothing.
    shown = fetchShown();
    shown.catch(() => {}); // handled below if it is the one we use
    const sets = await runInPage<[string], string[]>(target, srcsetsInPage, [url]).catch(() => undefined);
    if (sets?.length) best = pickBestSource(url, sets, source.pageUrl ?? url);
  }
  try {
    if (best === url) return await (shown ?? fetchShown());
    try {
      return await fetchImage(best, ctx, fetch, opts);
    } catch {
      return await (shown ?? fetchShown());
    }
  } catch (err) {
    // Same-origin (or CORS-enabled) images the site refuses to the extension: the page may
    // still be allowed to read its own copy. Not when the image is, or leads, into a private
    // network: the page's request would go exactly where the extension refused to.
    if (err instanceof AppError && err.kind === 'source_refused' && !isPrivateNetworkRefusal(err) && target.tabId !== undefined && /^https?:/.test(url)) {
      const page = await readInPage(target, url).catch(() => undefined);
      if (page) return page;
    }
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// Pick mode

const PICK_KEY = (tabId: number) => `pick:${tabId}`;
const PICK_TTL_MS = 10 * 60_000;

/** Opens the panel and injects the picker into the tab (the click or shortcut allows it). */
export function startPicking(tab: Browser.tabs.Tab | undefined): void {
  openPanel(tab);
  const tabId = tab?.id;
  if (tabId === undefined) return;
  void (async () => {
    // The picker's answer is accepted only for a pick we started, in that tab.
    await browser.storage.session.set({ [PICK_KEY(tabId)]: { startedAt: Date.now() } });
    await browser.scripting.executeScript({ target: { tabId }, files: ['/picker.js'] });
  })().catch(() =>
    patchDraft({
      intake: {
        status: 'error',
        error: new AppError('source_refused', 'The extension can\u2019t pick images on this page (browser pages and the web store are off limits).').toJSON(),
      },
    }),
  );
}

async function takePickedImage(result: PickerResult, tab: Browser.tabs.Tab & { id: number }, frameId: number | undefined): Promise<void> {
  const source: ReferenceSource = { kind: 'page', pageUrl: tab.url, pageTitle: tab.title };
  switch (result.kind) {
    case 'canceled':
      return;
    case 'url':
      await adoptPageImage(result.url, { ...source, url: result.url.startsWith('data:') ? undefined : result.url }, { tabId: tab.id, frameId }, false);
      return;
    case 'bytes':
      await adoptFrom(undefined, source, async () =>
        toBlob(await runInPage<[string], PageReadResult | undefined>({ tabId: tab.id, frameId }, collectPickedBytes, [PICKED_BYTES_KEY]).catch(() => undefined)),
      ).catch(() => {});
      return;
    case 'failed': {
      const error =
        result.reason === 'nothing'
          ? new AppError('not_found', 'There was no image under the pointer.')
          : pageReadError({ ok: false, reason: result.reason });
      await patchDraft({ intake: { status: 'error', error: error.toJSON() } });
    }
  }
}

/** The content-script channel: only the picker's one answer, only for a pick we started. */
export function registerPickerListener(): void {
  const origin = browser.runtime.getURL('/');
  browser.runtime.onMessage.addListener((message: unknown, sender) => {
    if (!isOwnContentScript(sender, browser.runtime.id, origin)) return undefined;
    const parsed = PickerMessage.safeParse(message);
    if (!parsed.success) return undefined;
    const tab = sender.tab;
    void (async () => {
      const key = PICK_KEY(tab.id);
      const open = (await browser.storage.session.get(key))[key] as { startedAt?: number } | undefined;
      if (!open?.startedAt || Date.now() - open.startedAt > PICK_TTL_MS) return;
      await browser.storage.session.remove(key);
      await takePickedImage(parsed.data.result, tab, sender.frameId);
    })();
    return undefined;
  });
}
