import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Page } from 'playwright-core';
import { Jimp } from 'jimp';
import { startPageServer, type PageServer } from '../../sandbox/page-server';
import { chooseFromNativeContextMenu, launchExtension, waitFor, USE_AS_IMAGE_PROMPT, type ExtensionBrowser } from './harness';

/**
 * Issue 4's sources against a local server in real Chromium: hotlink protection (the page's
 * origin as Referer, by a session rule), cookies, wrong Content-Type, a redirect into a refused
 * address (stopped before it is sent), slow and
 * failing answers (through the panel's own `reference.fromUrl` path), and the images the worker
 * can't download (a blob: image by the native context menu; a canvas and a CSS background by
 * pick mode's keyboard shortcut; a tainted canvas refused in plain words), paste, and the
 * screenshot crop. Each image has its own size, so the caption tells them apart.
 */
async function png(width: number, height: number, color: number): Promise<Buffer> {
  return new Jimp({ width, height, color }).getBuffer('image/png');
}

describe('image intake on the real web (real Chromium)', () => {
  let pages: PageServer;
  let other: PageServer;
  let ext: ExtensionBrowser;
  let panel: Page;
  let page: Page;
  const images: Record<string, Buffer> = {};

  beforeAll(async () => {
    images.hot = await png(101, 71, 0xcc3333ff);
    images.foreign = await png(60, 40, 0x111111ff);
    images.cookie = await png(103, 73, 0x33cc33ff);
    images.wrongType = await png(105, 75, 0x3333ccff);
    images.slow = await png(107, 77, 0xcccc33ff);
    images.bg = await png(109, 79, 0x33ccccff);
    images.blob = await png(111, 81, 0xcc33ccff);
    images.pasted = await png(115, 85, 0x336699ff);
    images.linked = await png(117, 87, 0x996633ff);
    images.sameOrigin = await png(119, 89, 0x663399ff);
    images.small = await png(120, 90, 0x669933ff);
    images.large = await png(480, 360, 0x339966ff);
    other = await startPageServer({
      host: 'localhost',
      extraRoutes: [
        (_req, res) => {
          res.writeHead(200, { 'Content-Type': 'image/png' }).end(images.foreign);
          return true;
        },
      ],
    });
    const send = (res: ServerResponse, body: Buffer, type = 'image/png') => res.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-store' }).end(body);
    const routes = async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      switch (path) {
        case '/intake.html':
          res.writeHead(200, { 'Content-Type': 'text/html', 'Set-Cookie': 'sid=s3cret; Path=/; SameSite=Lax' }).end(testPage(other.url));
          return true;
        case '/hot.png':
          if (req.headers.referer === `${pages.url}/`) send(res, images.hot!);
          else res.writeHead(403).end('hotlinking not allowed');
          return true;
        case '/cookie.png':
          if (/\bsid=s3cret\b/.test(req.headers.cookie ?? '')) send(res, images.cookie!);
          else res.writeHead(401).end();
          return true;
        case '/wrong-type.png':
          send(res, images.wrongType!, 'text/html');
          return true;
        case '/to-private.png':
          res.writeHead(302, { Location: `${other.url}/secret.png` }).end();
          return true;
        case '/slow.png':
          await new Promise((r) => setTimeout(r, 3000));
          send(res, images.slow!);
          return true;
        case '/fail.png':
          res.writeHead(500).end('boom');
          return true;
        case '/bg.png':
          send(res, images.bg!);
          return true;
        case '/blob-source.png':
          send(res, images.blob!);
          return true;
        case '/pasted.png':
          send(res, images.pasted!);
          return true;
        case '/same-origin-only.png':
          // Serves only the site's own pages: the extension's request is refused, Referer or not.
          if (req.headers['sec-fetch-site'] === 'same-origin') send(res, images.sameOrigin!);
          else res.writeHead(403).end('same-origin only');
          return true;
        case '/logo.svg':
          send(res, Buffer.from(SVG_LOGO), 'image/svg+xml');
          return true;
        case '/small.png':
          send(res, images.small!);
          return true;
        case '/large.png':
          send(res, images.large!);
          return true;
        case '/linked.png':
          send(res, images.linked!);
          return true;
      }
      return false;
    };
    pages = await startPageServer({ extraRoutes: [routes] });
    ext = await launchExtension({ headed: true });
    page = await ext.context.newPage();
    await page.goto(`${pages.url}/intake.html`);
    await page.locator('#blob-img').evaluate((img: HTMLImageElement) => img.decode());
    await page.waitForFunction('window.taintedReady === true');
    panel = await ext.openExtensionPage('sidepanel.html');
  });

  afterAll(async () => {
    await ext?.close();
    await pages?.close();
    await other?.close();
  });

  const field = () => panel.getByRole('region', { name: 'Image prompt' });
  async function expectThumbnail(width: number, height: number) {
    await expect.poll(() => field().textContent(), { timeout: 20_000 }).toContain(`${width} × ${height}`);
    const thumb = field().getByRole('img', { name: 'Current image prompt' });
    expect(await thumb.evaluate((img: HTMLImageElement) => img.decode().then(() => img.naturalWidth))).toBeGreaterThan(0);
  }
  async function expectError(text: string) {
    await field().getByRole('alert').filter({ hasText: text }).waitFor({ timeout: 20_000 });
  }
  /** Removes every image from the tray, one by one, as a user would. */
  async function emptyTray() {
    const removes = () => field().getByRole('button', { name: /^Remove reference \d+$/ });
    for (let n = await removes().count(); n > 0; n--) {
      await field().getByRole('button', { name: 'Remove reference 1' }).click();
      await expect.poll(() => removes().count()).toBe(n - 1);
    }
  }
  /** The panel's own message path, as a drop from that page would use it. */
  function fromUrl(url: string, pageUrl = `${pages.url}/intake.html`) {
    return panel.evaluate(
      ([url, pageUrl]) => (globalThis as unknown as { chrome: { runtime: { sendMessage(m: unknown): Promise<unknown> } } }).chrome.runtime.sendMessage({ type: 'reference.fromUrl', payload: { url, pageUrl } }),
      [url, pageUrl] as const,
    );
  }

  it('sends the page\u2019s origin as Referer to a hotlink-protected image, only after a refusal, and removes the rule', async () => {
    await fromUrl(`${pages.url}/hot.png`);
    await expectThumbnail(101, 71);
    const hits = pages.hits.filter((h) => h.path === '/hot.png');
    expect(hits.map((h) => h.referer)).toEqual([undefined, `${pages.url}/`]);
    const rules = await ext.worker.evaluate(() =>
      (globalThis as unknown as { chrome: { declarativeNetRequest: { getSessionRules(): Promise<Array<{ action: { type: string } }>> } } }).chrome.declarativeNetRequest.getSessionRules(),
    );
    // Only the network guard's standing rules remain; the Referer rule is gone.
    expect(rules.filter((r) => r.action.type === 'modifyHeaders')).toEqual([]);
  });

  it('sends the site\u2019s cookies with the worker\u2019s request', async () => {
    await fromUrl(`${pages.url}/cookie.png`);
    await expectThumbnail(103, 73);
    expect(pages.hits.find((h) => h.path === '/cookie.png')?.cookie).toContain('sid=s3cret');
  });

  it('goes by the bytes, not a wrong Content-Type', async () => {
    await fromUrl(`${pages.url}/wrong-type.png`);
    await expectThumbnail(105, 75);
  });

  it('stops a redirect into a private address before it is sent, with the reason and the way out', async () => {
    await fromUrl(`${pages.url}/to-private.png`);
    await expectError('This image\u2019s address forwards to another one that the extension won\u2019t visit (it is on your own computer or private network) or can\u2019t reach.');
    // The network guard's rules stopped the hop in the browser: the private server never heard of it.
    expect(other.hits.map((h) => h.path)).not.toContain('/secret.png');
    expect(await field().getByRole('button', { name: 'Take a screenshot instead' }).isVisible()).toBe(true);
  });

  it('shows loading while a slow site answers, then the image', async () => {
    const sent = fromUrl(`${pages.url}/slow.png`);
    await field().getByRole('status').filter({ hasText: 'Loading image' }).waitFor();
    await sent;
    await expectThumbnail(107, 77);
  });

  it('sends the panel the image\u2019s thumbnail before the image is stored', async () => {
    await emptyTray();
    // Listens on the extension's own change channel, as the panel does: the order of what the
    // worker says is fixed, whatever the machine's speed.
    await panel.evaluate(`window.__heard = [];
      window.__channel = new BroadcastChannel('image-prompt-events');
      window.__channel.onmessage = async (m) => {
        const e = { type: m.data.type };
        window.__heard.push(e);
        if (m.data.type === 'intake.preview') {
          const bmp = await createImageBitmap(m.data.thumb);
          Object.assign(e, { mime: m.data.thumb.type, width: bmp.width, height: bmp.height });
        }
      }; undefined`);
    await fromUrl(`${pages.url}/large.png`);
    await expectThumbnail(480, 360);
    // The listener decodes the preview before noting its size.
    await expect.poll(() => panel.evaluate(`window.__heard.some((e) => e.width !== undefined)`)).toBe(true);
    const heard = (await panel.evaluate('window.__channel.close(), window.__heard')) as Array<{ type: string; mime?: string; width?: number }>;
    const preview = heard.findIndex((e) => e.type === 'intake.preview');
    expect(heard[preview]).toEqual({ type: 'intake.preview', mime: 'image/webp', width: 256, height: 192 });
    // The loading draft came before it, the stored image prompt after it.
    expect(heard.slice(0, preview).map((e) => e.type)).toContain('draft.changed');
    expect(heard.slice(preview + 1).map((e) => e.type)).toContain('draft.changed');
  });

  it('says what a failing site did and what to do next', async () => {
    await fromUrl(`${pages.url}/fail.png`);
    await expectError('The site failed to send the image (it answered with error 500).');
    expect(await field().getByRole('alert').textContent()).toContain(
      'Drag it into the panel, choose \u201cPick an image on this page\u201d (Alt+Shift+I), or take a screenshot instead.',
    );
  });

  it('reads a blob: image in the page when chosen from the native context menu', async () => {
    await chooseFromNativeContextMenu(page, '#blob-img', ext.display!, USE_AS_IMAGE_PROMPT);
    await panel.bringToFront();
    await expectThumbnail(111, 81);
  });

  it('takes the image a plain text link points to, from the native context menu', async () => {
    // On a text link to an image our entries are "Use linked image" and "Add linked image to
    // image prompt", folded into our submenu; the first is the one.
    await chooseFromNativeContextMenu(page, '#img-link', ext.display!, USE_AS_IMAGE_PROMPT);
    await panel.bringToFront();
    await expectThumbnail(117, 87);
  });

  it('takes the largest candidate of a srcset, not the small one on screen', async () => {
    // The page shows the 120w candidate (sizes=120px at 1x); the site also offers 480w.
    expect(await page.locator('#responsive').evaluate((img: HTMLImageElement) => img.currentSrc)).toMatch(/small\.png$/);
    await chooseFromNativeContextMenu(page, '#responsive', ext.display!, USE_AS_IMAGE_PROMPT);
    await panel.bringToFront();
    await expectThumbnail(480, 360);
  });

  it('reads the image in the page when the site refuses the extension itself', async () => {
    const before = pages.hits.filter((h) => h.path === '/same-origin-only.png').length;
    await chooseFromNativeContextMenu(page, '#same-origin-img', ext.display!, USE_AS_IMAGE_PROMPT);
    await panel.bringToFront();
    await expectThumbnail(119, 89);
    // Refused twice (plain, then with the page as Referer), then read by the page itself.
    expect(pages.hits.filter((h) => h.path === '/same-origin-only.png').length - before).toBe(3);
  });

  it('draws an SVG image in the page it came from (the worker cannot decode SVG)', async () => {
    await chooseFromNativeContextMenu(page, '#svg-img', ext.display!, USE_AS_IMAGE_PROMPT);
    await panel.bringToFront();
    // A 200 x 100 vector is drawn at a useful size: long side 1024.
    await expectThumbnail(1024, 512);
  });

  it('draws an SVG file added with "+" in the panel', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'svg-')), 'wide.svg');
    writeFileSync(file, SVG_LOGO.replace('width="200" height="100"', 'width="300" height="100"'));
    // "+" adds to the tray; with the tray emptied first, the file becomes the image prompt.
    await emptyTray();
    await field().getByLabel('Image file').setInputFiles(file);
    await expectThumbnail(1024, 341);
  });

  async function pick(selector: string) {
    await page.bringToFront();
    await waitFor('the page window to have focus', () => page.evaluate(() => document.hasFocus()), 10_000);
    execFileSync('xdotool', ['key', 'alt+shift+i'], { env: { ...process.env, DISPLAY: ext.display! } });
    await page.getByRole('status').filter({ hasText: 'click an image' }).waitFor({ timeout: 10_000 });
    const box = (await page.locator(selector).boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  }

  it('picks a canvas by the keyboard shortcut and reads its pixels in the page', async () => {
    await pick('#canvas');
    // The page never saw the picking click.
    expect(await page.evaluate(() => (window as unknown as { clicks: number }).clicks)).toBe(0);
    await panel.bringToFront();
    await expectThumbnail(120, 90);
  });

  it('picks an image drawn as a CSS background', async () => {
    await pick('#bg');
    await panel.bringToFront();
    await expectThumbnail(109, 79);
    expect(pages.hits.filter((h) => h.path === '/bg.png').length).toBeGreaterThanOrEqual(2);
  });

  it('says plainly when a canvas holds another site\u2019s pixels', async () => {
    await pick('#tainted');
    await panel.bringToFront();
    await expectError('This canvas shows pictures from another site, and the browser doesn\u2019t let extensions read them.');
  });

  it('takes a pasted image address and a pasted image file', async () => {
    await panel.bringToFront();
    // A paste adds to the tray: into an empty tray it becomes the image prompt.
    await emptyTray();
    // A data: address: a pasted http address has no page, and this server is on loopback.
    await panel.evaluate(`(() => {
      const dt = new DataTransfer();
      dt.setData('text/plain', ${JSON.stringify(`data:image/png;base64,${images.pasted!.toString('base64')}`)});
      document.body.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true }));
    })()`);
    await expectThumbnail(115, 85);
    await panel.evaluate(`(async () => {
      const canvas = new OffscreenCanvas(117, 87);
      const ctx = canvas.getContext('2d');
      ctx.fillStyle = '#c60'; ctx.fillRect(0, 0, 117, 87);
      const blob = await canvas.convertToBlob({ type: 'image/png' });
      const dt = new DataTransfer();
      dt.items.add(new File([blob], 'clip.png', { type: 'image/png' }));
      document.body.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true }));
    })()`);
    // The second paste joined the tray behind the image prompt...
    await field().getByRole('img', { name: 'Reference 2' }).waitFor({ timeout: 20_000 });
    await expectThumbnail(115, 85);
    // ...and becomes the image prompt once the first is removed.
    await field().getByRole('button', { name: 'Remove reference 1' }).click();
    await expectThumbnail(117, 87);
    expect(await field().textContent()).toContain('pasted');
  });

  it('falls back to a screenshot crop when the site refuses', async () => {
    await fromUrl(`${pages.url}/fail.png`);
    await expectError('The site failed to send the image');
    await field().getByRole('button', { name: 'Take a screenshot instead' }).click();
    const crop = panel.getByRole('region', { name: 'Screenshot crop' });
    await crop.waitFor();
    await crop.getByLabel('X', { exact: true }).fill('10');
    await crop.getByLabel('Y', { exact: true }).fill('20');
    await crop.getByLabel('Width', { exact: true }).fill('140');
    await crop.getByLabel('Height', { exact: true }).fill('100');
    const box = crop.getByRole('group', { name: /Crop area/ });
    await box.focus();
    await panel.keyboard.press('Shift+ArrowRight');
    await crop.getByRole('button', { name: 'Use this area' }).click();
    await expectThumbnail(150, 100);
  });
});

const testPage = (otherOrigin: string) => `<!doctype html>
<html><head><title>Intake test page</title>
<style>#bg { width: 218px; height: 158px; background: #eee url(/bg.png) center / cover no-repeat; }</style></head>
<body>
<h1>Intake</h1>
<p><a id="img-link" href="/linked.png" style="font-size: 28px">a linked picture</a></p>
<img id="same-origin-img" alt="same origin only" src="/same-origin-only.png" width="119" height="89">
<img id="svg-img" alt="svg logo" src="/logo.svg" width="200" height="100">
<img id="responsive" alt="responsive" src="/small.png" srcset="/small.png 120w, /large.png 480w" sizes="120px" width="120" height="90">
<img id="blob-img" alt="blob image" width="222" height="162">
<canvas id="canvas" width="120" height="90"></canvas>
<div id="bg" role="img" aria-label="background"></div>
<canvas id="tainted" width="60" height="40"></canvas>

<script>
  window.clicks = 0;
  document.addEventListener('click', () => window.clicks++);
  const c = document.getElementById('canvas').getContext('2d');
  c.fillStyle = '#2a6'; c.fillRect(0, 0, 120, 90); c.fillStyle = '#fff'; c.fillRect(20, 20, 40, 30);
  const foreign = new Image();
  foreign.onload = () => { document.getElementById('tainted').getContext('2d').drawImage(foreign, 0, 0); window.taintedReady = true; };
  foreign.src = '${otherOrigin}/foreign.png';
  fetch('/blob-source.png').then((r) => r.blob()).then((b) => { document.getElementById('blob-img').src = URL.createObjectURL(b); });
</script>
</body></html>`;

const SVG_LOGO = `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100" viewBox="0 0 200 100">
  <rect width="200" height="100" fill="#1d4ed8"/><circle cx="60" cy="50" r="30" fill="#fbbf24"/>
</svg>`;
