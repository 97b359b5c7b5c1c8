import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Page, Worker } from 'playwright-core';
import { Jimp } from 'jimp';
import { startPageServer, type PageServer } from '../../sandbox/page-server';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import { buildBlockRules, RULE_IDS } from '../../utils/intake/private-network-rules';
import { chooseFromNativeContextMenu, currentWorker, launchExtension, saveProviderKey, waitFor, USE_AS_IMAGE_PROMPT, type ExtensionBrowser } from './harness';

/**
 * Issue 12 in real Chromium: the extension's own requests never reach loopback or private
 * addresses, redirect hops included, except the origin of an intranet page the user is on and
 * the provider addresses the user configured; cookies go only to the page's own host; the
 * Referer retry carries only the page's origin.
 *
 * Everything here runs on loopback, so host names are mapped with Chromium's resolver rules:
 * `images.example` and `cdn.example` are the "public" page server (127.0.0.1, a name the URL
 * policy sees as public), while the "intranet" (127.0.0.2) and "another intranet host"
 * (127.0.0.3) are addressed by IP, as private addresses are.
 */
async function png(width: number, height: number, color: number): Promise<Buffer> {
  return new Jimp({ width, height, color }).getBuffer('image/png');
}

interface Hit {
  path: string;
  host?: string;
  cookie?: string;
  referer?: string;
  /** A page's own load (its <img>), not the extension's request. */
  byPage: boolean;
}

/**
 * Whether a page loaded this in an <img>. Loopback IPs are "potentially trustworthy", so
 * Chromium sends them Sec-Fetch-Dest; a plain-http name like images.example gets no Sec-Fetch
 * headers, but a page's load carries the page as Referer, which the extension never sends
 * there.
 */
function loadedByPage(req: IncomingMessage): boolean {
  const dest = req.headers['sec-fetch-dest'];
  return dest !== undefined ? dest === 'image' : req.headers.referer !== undefined;
}

function logged(log: Hit[], route: (path: string, req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    log.push({ path, host: req.headers.host, cookie: req.headers.cookie, referer: req.headers.referer, byPage: loadedByPage(req) });
    return route(path, req, res);
  };
}

const sendPng = (res: ServerResponse, body: Buffer) => res.writeHead(200, { 'Content-Type': 'image/png', 'Cache-Control': 'no-store' }).end(body);
const sendHtml = (res: ServerResponse, html: string, headers: Record<string, string> = {}) =>
  res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', ...headers }).end(html);

describe('network guard (real Chromium)', () => {
  let publicSite: PageServer;
  let intranet: PageServer;
  let otherIntranet: PageServer;
  let sandbox: Sandbox;
  let ext: ExtensionBrowser;
  let panel: Page;
  const publicHits: Hit[] = [];
  const intranetHits: Hit[] = [];
  const otherHits: Hit[] = [];
  const images: Record<string, Buffer> = {};
  let GALLERY: string;
  let CDN: string;

  beforeAll(async () => {
    images.lure = await png(61, 41, 0x884422ff);
    images.secret = await png(62, 42, 0xff0000ff);
    images.same = await png(63, 43, 0x228844ff);
    images.cdn = await png(64, 44, 0x224488ff);
    images.cam = await png(65, 45, 0x448822ff);
    images.hot = await png(66, 46, 0x882244ff);

    otherIntranet = await startPageServer({
      host: '127.0.0.3',
      extraRoutes: [
        logged(otherHits, (_path, _req, res) => {
          sendPng(res, images.secret!);
          return true;
        }),
      ],
    });
    intranet = await startPageServer({
      host: '127.0.0.2',
      extraRoutes: [
        logged(intranetHits, (path, req, res) => {
          switch (path) {
            case '/wiki.html':
              sendHtml(res, intranetPage());
              return true;
            case '/cam.png':
              sendPng(res, images.cam!);
              return true;
            case '/hot.png':
              // The page's own <img> load is served; anyone else must say where they come from,
              // and only the site's origin is what this check (and the extension) uses.
              if (loadedByPage(req) || req.headers.referer === `${intranet.url}/`) sendPng(res, images.hot!);
              else res.writeHead(403).end('hotlinking not allowed');
              return true;
            case '/to-elsewhere.png':
              if (loadedByPage(req)) sendPng(res, images.cam!);
              else res.writeHead(302, { Location: `${otherIntranet.url}/printer.png` }).end();
              return true;
            default:
              sendPng(res, images.secret!);
              return true;
          }
        }),
      ],
    });
    publicSite = await startPageServer({
      extraRoutes: [
        logged(publicHits, (path, req, res) => {
          switch (path) {
            case '/gallery.html':
              sendHtml(res, galleryPage(CDN), { 'Set-Cookie': 'sid=pub; Path=/; SameSite=Lax' });
              return true;
            case '/set-cdn-cookie':
              sendHtml(res, '<p>cdn</p>', { 'Set-Cookie': 'track=cdn1; Path=/; SameSite=Lax' });
              return true;
            case '/lure.png':
              // Shows the page a picture, and sends everyone else into the intranet.
              if (loadedByPage(req)) sendPng(res, images.lure!);
              else res.writeHead(302, { Location: `${intranet.url}/secret.png` }).end();
              return true;
            case '/same.png':
              sendPng(res, images.same!);
              return true;
            case '/cdn.png':
              sendPng(res, images.cdn!);
              return true;
          }
          return false;
        }),
      ],
    });
    GALLERY = `http://images.example:${publicSite.port}/gallery.html`;
    CDN = `http://cdn.example:${publicSite.port}`;
    sandbox = await startSandbox({ timing: { queueMs: 300, runMs: 300 } });
    ext = await launchExtension({
      headed: true,
      extraArgs: ['--host-resolver-rules=MAP images.example 127.0.0.1, MAP cdn.example 127.0.0.1'],
    });
    panel = await ext.openExtensionPage('sidepanel.html');
  });

  afterAll(async () => {
    await ext?.close();
    await publicSite?.close();
    await intranet?.close();
    await otherIntranet?.close();
    await sandbox?.close();
  });

  const field = () => panel.getByRole('region', { name: 'Image prompt' });
  async function expectThumbnail(width: number, height: number) {
    await expect.poll(() => field().textContent(), { timeout: 20_000 }).toContain(`${width} × ${height}`);
  }
  async function expectError(text: string) {
    await field().getByRole('alert').filter({ hasText: text }).waitFor({ timeout: 20_000 });
  }
  async function useImage(page: Page, selector: string) {
    await page.locator(selector).evaluate((img: HTMLImageElement) => img.decode());
    await chooseFromNativeContextMenu(page, selector, ext.display!, USE_AS_IMAGE_PROMPT);
    await panel.bringToFront();
  }
  /** The worker as it is now (it may have been stopped and restarted while idle). */
  function worker(): Promise<Worker> {
    return currentWorker(ext.context, ext.extensionId);
  }
  async function sessionRules() {
    return (await worker()).evaluate(() =>
      (globalThis as unknown as { chrome: { declarativeNetRequest: { getSessionRules(): Promise<Array<{ id: number; priority: number; action: { type: string }; condition: Record<string, unknown> }>> } } }).chrome.declarativeNetRequest.getSessionRules(),
    );
  }
  /** A fetch() made by the extension's worker itself: 'sent' or the error. */
  async function workerFetch(url: string): Promise<string> {
    return (await worker()).evaluate(async (u) => {
      try {
        const r = await fetch(u, { credentials: 'omit', cache: 'no-store' });
        return `sent ${r.status}`;
      } catch (e) {
        return `failed: ${(e as Error).message}`;
      }
    }, url);
  }

  it('installs the URL policy\u2019s ranges as session rules when the worker starts, every pattern accepted', async () => {
    const expected = buildBlockRules('x').length;
    const rules = await waitFor('the guard rules', async () => {
      const r = await sessionRules();
      return r.filter((x) => x.action.type === 'block').length === expected ? r : undefined;
    });
    const blocks = rules.filter((r) => r.action.type === 'block');
    expect(blocks.every((r) => r.id >= RULE_IDS.block.first && r.id <= RULE_IDS.block.last)).toBe(true);
    expect(blocks.every((r) => JSON.stringify(r.condition.initiatorDomains) === JSON.stringify([ext.extensionId]))).toBe(true);
    const unsupported = await (await worker()).evaluate(async (patterns) => {
      const dnr = (globalThis as unknown as { chrome: { declarativeNetRequest: { isRegexSupported(o: { regex: string }): Promise<{ isSupported: boolean }> } } }).chrome.declarativeNetRequest;
      const out: string[] = [];
      for (const regex of patterns) if (!(await dnr.isRegexSupported({ regex })).isSupported) out.push(regex);
      return out;
    }, blocks.map((r) => String(r.condition.regexFilter)));
    expect(unsupported).toEqual([]);
  });

  it('stops a public image\u2019s redirect into the intranet before it is sent, and says so', async () => {
    const page = await ext.context.newPage();
    await page.goto(GALLERY);
    await useImage(page, '#lure');
    await expectError('This image\u2019s address forwards to another one that the extension won\u2019t visit (it is on your own computer or private network) or can\u2019t reach.');
    expect(await field().getByRole('button', { name: 'Take a screenshot instead' }).isVisible()).toBe(true);
    // The extension asked the public site (the redirect may come from its cache the second time) ...
    expect(publicHits.filter((h) => h.path === '/lure.png' && !h.byPage).length).toBeGreaterThanOrEqual(1);
    // ... and the intranet never heard a thing, neither from the worker nor from a fallback in the page.
    expect(intranetHits).toEqual([]);
    await page.close();
  });

  it('blocks the worker\u2019s own direct requests too, and leaves pages alone', async () => {
    expect(await workerFetch(`${intranet.url}/direct.png`)).toMatch(/^failed/);
    expect(await workerFetch(`http://localhost:${intranet.port}/x.png`)).toMatch(/^failed/);
    expect(intranetHits).toEqual([]);
    const page = await ext.context.newPage();
    await page.goto(GALLERY);
    await page.evaluate((u) => fetch(u, { mode: 'no-cors' }).then(() => 'ok'), `${intranet.url}/page-own.png`);
    expect(intranetHits.map((h) => h.path)).toEqual(['/page-own.png']);
    intranetHits.length = 0;
    await page.close();
  });

  it('sends cookies with an image on the page\u2019s own host, none to another host', async () => {
    // The CDN has a cookie of its own in this browser, which the old code sent along.
    const cdnTab = await ext.context.newPage();
    await cdnTab.goto(`${CDN}/set-cdn-cookie`);
    await cdnTab.close();
    expect((await ext.context.cookies(CDN)).map((c) => c.name)).toEqual(['track']);
    const page = await ext.context.newPage();
    await page.goto(GALLERY);
    await useImage(page, '#same');
    await expectThumbnail(63, 43);
    const same = publicHits.filter((h) => h.path === '/same.png' && !h.byPage);
    expect(same.map((h) => h.cookie)).toEqual(['sid=pub']);

    await useImage(page, '#cdn');
    await expectThumbnail(64, 44);
    const cdn = publicHits.filter((h) => h.path === '/cdn.png' && !h.byPage);
    expect(cdn).toHaveLength(1);
    expect(cdn[0]!.host).toBe(`cdn.example:${publicSite.port}`);
    expect(cdn[0]!.cookie).toBeUndefined();
    await page.close();
  });

  it('on an intranet page, fetches that page\u2019s own images (Referer: its origin only), and nothing else private', async () => {
    const page = await ext.context.newPage();
    await page.goto(`${intranet.url}/wiki.html?doc=secret-plans#top`);
    await useImage(page, '#cam');
    await expectThumbnail(65, 45);

    await useImage(page, '#hot');
    await expectThumbnail(66, 46);
    const hot = intranetHits.filter((h) => h.path === '/hot.png' && !h.byPage);
    expect(hot.map((h) => h.referer)).toEqual([undefined, `${intranet.url}/`]);

    await useImage(page, '#elsewhere');
    await expectError('This image\u2019s address forwards to another one that the extension won\u2019t visit');
    expect(otherHits).toEqual([]);

    // The page's origin was open only while its images were fetched.
    const temporary = (await sessionRules()).filter((r) => r.id >= RULE_IDS.temporary.first);
    expect(temporary).toEqual([]);
    expect(await workerFetch(`${intranet.url}/after.png`)).toMatch(/^failed/);
    expect(intranetHits.some((h) => h.path === '/after.png')).toBe(false);
    await page.close();
  });

  it('keeps a provider configured on this computer reachable, and only once it is configured', async () => {
    const probe = `${sandbox.url}/fal/fal-ai/flux/dev/image-to-image`;
    expect(await workerFetch(probe)).toMatch(/^failed/);
    expect(sandbox.requests).toEqual([]);

    const options = await ext.openExtensionPage('options.html');
    await saveProviderKey(options, 'fal', 'fal-key', `${sandbox.url}/fal`);
    await waitFor('the allow rule for the sandbox', async () => (await sessionRules()).some((r) => r.action.type === 'allow' && r.condition.urlFilter === `|${sandbox.url}/`));

    await panel.bringToFront();
    await panel.getByRole('textbox', { name: 'Prompt' }).fill('the camera view at dusk');
    await panel.getByRole('combobox', { name: 'Model' }).selectOption({ label: 'Flux dev' });
    await panel.getByRole('button', { name: 'Create' }).click();
    const result = panel.getByRole('list', { name: 'Results' }).getByRole('img', { name: /Result 1 for/ });
    await result.waitFor({ timeout: 30_000 });
    expect(sandbox.requests.some((r) => r.method === 'POST' && r.provider === 'fal')).toBe(true);
    expect(sandbox.requests.some((r) => r.provider === 'files')).toBe(true);

    // Another address: the rules follow it.
    await saveProviderKey(options, 'fal', 'fal-key', `http://localhost:${sandbox.port}/fal`);
    await waitFor('the allow rules to follow the address', async () => {
      const allows = (await sessionRules()).filter((r) => r.action.type === 'allow').map((r) => r.condition.urlFilter);
      return allows.includes(`|http://localhost:${sandbox.port}/`) && !allows.includes(`|${sandbox.url}/`);
    });
    expect(await workerFetch(probe)).toMatch(/^failed/);
    await options.close();
  });
});

const galleryPage = (cdn: string) => `<!doctype html>
<html><head><title>Gallery</title></head>
<body>
<h1>Gallery</h1>
<p><img id="lure" alt="lure" src="/lure.png" width="61" height="41"></p>
<p><img id="same" alt="same host" src="/same.png" width="63" height="43"></p>
<p><img id="cdn" alt="from the cdn" src="${cdn}/cdn.png" width="64" height="44"></p>
</body></html>`;

const intranetPage = () => `<!doctype html>
<html><head><title>Wiki</title></head>
<body>
<h1>Team wiki</h1>
<p><img id="cam" alt="camera" src="/cam.png" width="65" height="45"></p>
<p><img id="hot" alt="protected" src="/hot.png" width="66" height="46"></p>
<p><img id="elsewhere" alt="elsewhere" src="/to-elsewhere.png" width="65" height="45"></p>
</body></html>`;
