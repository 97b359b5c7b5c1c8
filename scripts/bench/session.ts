import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { startSandbox, type RecordedRequest, type Sandbox } from '../../sandbox/server';
import { startPageServer, type PageServer, type RouteHandler } from '../../sandbox/page-server';
import { CHROME_BUILD, launchExtension, saveProviderKey, waitFor, type ExtensionBrowser } from '../../tests/e2e/harness';
import { connectBrowserCdp, type BrowserCdp } from './cdp';

/**
 * One Chromium for the whole bench: headed under Xvfb (the real context menu needs it), the
 * built extension copied aside so a concurrent build cannot change it mid-run, a DevTools port
 * for the worker's heap, the fal key pointing at the local sandbox, and the panel in a visible
 * window of its own so it renders unthrottled.
 */
export const BENCH_BUILD = resolve('.tmp/bench/chrome-mv3');
/** Bench-side instrumentation: the watcher key that marks our own status checks in the request log. */
export const WATCHER_KEY = 'Key bench-watcher';
const PUBLIC_HOST = 'photos.example';

export interface BenchSession {
  sandbox: Sandbox;
  pages: PageServer;
  /**
   * The page server under a public-looking name (photos.example, resolved to it by Chromium):
   * a page on 127.0.0.1 counts as an intranet page, whose images take a slower path (a rule
   * that lets the worker reach that one private origin is added and removed around each fetch).
   */
  publicPagesUrl: string;
  ext: ExtensionBrowser;
  cdp: BrowserCdp;
  /** An extension page that is not a panel (a panel wakes the worker): IndexedDB reads, windows. */
  helper: Page;
  panel: Page;
  chromium: string;
  files: Map<string, { type: string; body: Buffer }>;
  /** When each of `files` was asked for (epoch ms). */
  fileHits: Array<{ path: string; at: number }>;
  close(): Promise<void>;
}

/**
 * Installed in every page before its own scripts; acts only in sidepanel.html. Records when the
 * panel became interactive (Create enabled with the prompt present, then the next frame) and
 * when the first result image was decoded and its frame began, both on the page's clock
 * (milliseconds since navigation start); and counts object URLs created and revoked there
 * (no product code is touched: the page's URL functions are wrapped from outside).
 */
const PANEL_PROBE = `(() => {
  // tsx keeps function names with a __name helper that page.evaluate callbacks then call.
  if (!('__name' in globalThis)) Object.defineProperty(globalThis, '__name', { value: (f) => f, configurable: true });
  if (location.protocol !== 'chrome-extension:' || location.pathname !== '/sidepanel.html') return;
  const b = (window.__bench = { interactiveAt: null, interactiveFrameAt: null, resultsSeenAt: null, resultsPaintAt: null, historySeenAt: null, historyPaintAt: null, historyRowsAt: null, fcp: null, urlsCreated: 0, urlsRevoked: 0, live: new Set() });
  const create = URL.createObjectURL.bind(URL);
  const revoke = URL.revokeObjectURL.bind(URL);
  URL.createObjectURL = (o) => { const u = create(o); b.urlsCreated++; b.live.add(u); return u; };
  URL.revokeObjectURL = (u) => { if (b.live.delete(u)) b.urlsRevoked++; return revoke(u); };
  try {
    new PerformanceObserver((l) => { for (const e of l.getEntries()) if (e.name === 'first-contentful-paint') b.fcp = e.startTime; }).observe({ type: 'paint', buffered: true });
  } catch {}
  const check = () => {
    if (b.historyRowsAt === null && document.querySelector('.history-list .history-row')) b.historyRowsAt = performance.now();
    if (b.interactiveAt === null) {
      const btn = [...document.querySelectorAll('button:not([role=tab])')].find((x) => x.textContent.trim() === 'Create');
      if (btn && !btn.disabled && document.getElementById('prompt')) {
        b.interactiveAt = performance.now();
        requestAnimationFrame(() => { b.interactiveFrameAt = performance.now(); });
      }
    }
    if (b.resultsSeenAt === null) {
      const img = document.querySelector('ul[aria-label="Results"] img');
      if (img) {
        b.resultsSeenAt = performance.now();
        img.decode().catch(() => {}).then(() => requestAnimationFrame(() => { b.resultsPaintAt = performance.now(); }));
      }
    }
    if (b.historySeenAt === null) {
      const img = document.querySelector('.history-list img');
      if (img) {
        b.historySeenAt = performance.now();
        img.decode().catch(() => {}).then(() => requestAnimationFrame(() => { b.historyPaintAt = performance.now(); }));
      }
    }
    if (b.interactiveAt !== null && b.resultsSeenAt !== null && b.historySeenAt !== null) mo.disconnect();
  };
  const mo = new MutationObserver(check);
  mo.observe(document, { childList: true, subtree: true, attributes: true });
  setTimeout(() => mo.disconnect(), 15000);
})();`;

export async function startSession(): Promise<BenchSession> {
  rmSync(BENCH_BUILD, { recursive: true, force: true });
  mkdirSync(resolve(BENCH_BUILD, '..'), { recursive: true });
  cpSync(CHROME_BUILD, BENCH_BUILD, { recursive: true });

  const sandbox = await startSandbox({ timing: { queueMs: 50, runMs: 50 } });
  const files = new Map<string, { type: string; body: Buffer }>();
  const fileHits: Array<{ path: string; at: number }> = [];
  const serveFiles: RouteHandler = (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const f = files.get(path);
    if (!f) return false;
    fileHits.push({ path, at: Date.now() });
    // With its length, as image hosts send it (Node would otherwise send the body chunked).
    res.writeHead(200, { 'Content-Type': f.type, 'Content-Length': f.body.length, 'Cache-Control': 'no-store' }).end(f.body);
    return true;
  };
  const pages = await startPageServer({ extraRoutes: [serveFiles] });
  const port = await freePort();
  const ext = await launchExtension({ headed: true, extensionDir: BENCH_BUILD, extraArgs: [`--remote-debugging-port=${port}`, `--host-resolver-rules=MAP ${PUBLIC_HOST} 127.0.0.1`] });
  const cdp = await connectBrowserCdp(port);
  // Make sure the port reached this browser and not another one.
  if (!(await cdp.targets()).some((t) => t.url.startsWith(`chrome-extension://${ext.extensionId}/`))) {
    await ext.close();
    throw new Error(`The DevTools port ${port} does not lead to the browser the bench started.`);
  }
  const version = await cdp.send<{ product: string }>('Browser.getVersion');
  await ext.context.addInitScript(PANEL_PROBE);

  const helper = await ext.openExtensionPage('options.html');
  await saveProviderKey(helper, 'fal', 'bench-fal-key', `${sandbox.url}/fal`);
  const panel = await openPanelWindow({ ext, helper });
  await panel.getByRole('region', { name: 'Image prompt' }).waitFor();
  await panel.getByRole('combobox', { name: 'Model' }).selectOption({ label: 'Flux dev' });

  return {
    sandbox,
    pages,
    publicPagesUrl: pages.url.replace('127.0.0.1', PUBLIC_HOST),
    ext,
    cdp,
    helper,
    panel,
    chromium: version.product.replace(/^[^/]*\//, ''),
    files,
    fileHits,
    async close() {
      cdp.close();
      await ext.close();
      await pages.close();
      await sandbox.close();
    },
  };
}

/** Opens sidepanel.html in a popup window of its own (the docked panel is not drivable). */
export async function openPanelWindow(s: Pick<BenchSession, 'ext' | 'helper'>, hash = ''): Promise<Page> {
  const opened = s.ext.context.waitForEvent('page', { predicate: (p) => p.url().includes('/sidepanel.html'), timeout: 20_000 });
  await s.helper.evaluate(`chrome.windows.create({ url: chrome.runtime.getURL('sidepanel.html${hash}'), type: 'popup', left: 820, top: 0, width: 440, height: 860 }); undefined`);
  return opened;
}

/** The provider's requests, without the bench's own status checks. */
export const providerRequests = (sandbox: Sandbox): RecordedRequest[] => sandbox.requests.filter((r) => r.headers.authorization !== WATCHER_KEY);

export interface StoredJob {
  id: string;
  state: string;
  createdAt: number;
  prompt: string;
  requestId?: string;
  resultIds: string[];
}

/** Reads jobs straight from IndexedDB, as any extension page can. */
function readJobs(page: Page, ids?: string[]): Promise<StoredJob[]> {
  return page.evaluate(async (only) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open('image-prompt');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const all = await new Promise<Array<Record<string, unknown>>>((resolve, reject) => {
      const req = db.transaction('jobs').objectStore('jobs').getAll();
      req.onsuccess = () => resolve(req.result as Array<Record<string, unknown>>);
      req.onerror = () => reject(req.error);
    });
    db.close();
    return all
      .filter((j) => !only || only.includes(j.id as string))
      .map((j) => ({
        id: j.id as string,
        state: j.state as string,
        createdAt: j.createdAt as number,
        prompt: (j.request as { prompt: string }).prompt,
        requestId: (j.handle as { requestId?: string } | undefined)?.requestId,
        resultIds: j.resultIds as string[],
      }));
  }, ids ?? null);
}

export async function waitForJobs(page: Page, ids: string[], ok: (j: StoredJob) => boolean, what: string, timeoutMs = 60_000): Promise<StoredJob[]> {
  return waitFor(what, async () => {
    const jobs = await readJobs(page, ids);
    return jobs.length === ids.length && jobs.every(ok) ? jobs : undefined;
  }, timeoutMs);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
