// @vitest-environment node
/**
 * normalizeImage and prepareForRoute need createImageBitmap and OffscreenCanvas, so they run
 * here in headless Chromium, inside a dedicated Worker (no DOM, like the MV3 service worker).
 * Never skipped: without Chromium these tests fail, saying how to install it, on a developer
 * machine as in CI, so the checks cannot silently disappear.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture } from './fixtures';
import type { WorkerRequest } from './browser-worker';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const HERE = dirname(fileURLToPath(import.meta.url));

type Reply = { ok: true; res: Record<string, unknown> } | { ok: false; kind: string; message: string; hasDocument: boolean };

describe('normalizeImage in a Chromium worker', () => {
  let close: () => Promise<void> = async () => {};
  let call: (req: Omit<WorkerRequest, 'id' | 'bytes'> & { fixture: string }) => Promise<Reply>;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `The image pipeline tests run in Chromium, and there is none at ${CHROMIUM}. Install it with \`apt-get install -y chromium\` (Debian; bash .ci/run does this), or set CHROMIUM_PATH to a Chromium binary.`,
      );
    }
    const { build } = await import('esbuild');
    const { chromium } = await import('playwright-core');
    const bundle = await build({
      entryPoints: [join(HERE, 'browser-worker.ts')],
      bundle: true,
      format: 'iife',
      write: false,
      logLevel: 'silent',
    });
    const code = bundle.outputFiles[0]?.text ?? '';
    // A secure context (crypto.subtle) needs http://localhost, not about:blank.
    const server: Server = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end('<!doctype html><title>image tests</title>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
    });
    const page = await browser.newPage();
    await page.goto(`http://localhost:${(server.address() as AddressInfo).port}/`);
    await page.evaluate((src) => {
      const worker = new Worker(URL.createObjectURL(new Blob([src], { type: 'text/javascript' })));
      const pending = new Map<number, (v: unknown) => void>();
      let next = 0;
      worker.onmessage = (e: MessageEvent<{ id: number }>) => {
        pending.get(e.data.id)?.(e.data);
        pending.delete(e.data.id);
      };
      (globalThis as unknown as { callWorker: (m: Record<string, unknown>) => Promise<unknown> }).callWorker = (m) =>
        new Promise((resolve) => {
          const id = ++next;
          pending.set(id, resolve);
          const bin = atob(m.bytes as string);
          worker.postMessage({ ...m, id, bytes: Uint8Array.from(bin, (c) => c.charCodeAt(0)) });
        });
    }, code);
    call = async ({ fixture: name, ...rest }) =>
      (await page.evaluate(
        (m) => (globalThis as unknown as { callWorker: (m: unknown) => Promise<unknown> }).callWorker(m),
        { ...rest, bytes: Buffer.from(fixture(name)).toString('base64') },
      )) as Reply;
    close = async () => {
      await browser.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    };
  }, 60_000);

  afterAll(() => close(), 30_000);

  const ok = async (req: Parameters<typeof call>[0]) => {
    const r = await call(req);
    if (!r.ok) throw new Error(`${req.fixture}: ${r.kind}: ${r.message}`);
    return r.res;
  };
  const fails = async (req: Parameters<typeof call>[0]) => {
    const r = await call(req);
    if (r.ok) throw new Error(`${req.fixture} was expected to fail`);
    expect(r.hasDocument).toBe(false);
    return r;
  };

  it('stores an opaque photo as JPEG with a WebP thumbnail and its SHA-256', async () => {
    const r = await ok({ op: 'normalize', fixture: 'photo-320x240.jpg' });
    expect(r).toMatchObject({ mime: 'image/jpeg', blobType: 'image/jpeg', width: 320, height: 240, thumbType: 'image/webp', sourceFormat: 'jpeg' });
    expect(r.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('hands the thumbnail out once, as the one it stores', async () => {
    const r = await ok({ op: 'normalize', fixture: 'photo-320x240.jpg' });
    expect(r).toMatchObject({ previews: 1, previewIsThumb: true });
  });

  it('resizes while decoding to the longest side', async () => {
    expect(await ok({ op: 'normalize', fixture: 'large-3000x2000.jpg' })).toMatchObject({ width: 2048, height: 1365, mime: 'image/jpeg' });
  });

  it.each([
    ['orient-1.jpg', 64, 48, 'tl'],
    ['orient-3.jpg', 64, 48, 'br'],
    ['orient-6.jpg', 48, 64, 'tr'],
    ['orient-8.jpg', 48, 64, 'bl'],
    ['real-irot3-48x32.avif', 32, 48, 'tr'],
  ])('turns %s upright', async (name, width, height, corner) => {
    expect(await ok({ op: 'normalize', fixture: name })).toMatchObject({ width, height, red: [corner] });
  });

  it('resizes rotated images in their displayed orientation', async () => {
    expect(await ok({ op: 'normalize', fixture: 'orient-6.jpg', opts: { maxSide: 32 } })).toMatchObject({ width: 24, height: 32, red: ['tr'] });
    expect(await ok({ op: 'normalize', fixture: 'real-irot3-48x32.avif', opts: { maxSide: 24 } })).toMatchObject({ width: 16, height: 24 });
  });

  it('leaves WebP EXIF orientation alone, as Chromium does when decoding', async () => {
    expect(await ok({ op: 'normalize', fixture: 'exif-orient-6-64x48.webp', opts: { maxSide: 32 } })).toMatchObject({ width: 32, height: 24, red: ['tl'] });
  });

  it('keeps PNG only where transparency is real', async () => {
    for (const name of ['rgba-transparent-24x16.png', 'lossless-alpha-24x16.webp', 'lossy-alpha-24x16.webp', 'palette-trns-16x8.png', 'real-alpha-24x16.avif', 'transparent-8x8.gif']) {
      expect([name, (await ok({ op: 'normalize', fixture: name })).mime]).toEqual([name, 'image/png']);
    }
    for (const name of ['rgba-opaque-24x16.png', 'jimp-rgba-40x30.png', 'rgb16-20x10.png', 'palette-16x8.png', 'lossy-48x32.webp', 'animated-8x8.gif', 'animated-10x10.png', 'jimp-32x20.bmp', 'topdown-4x2.bmp', 'real-48x32.avif']) {
      expect([name, (await ok({ op: 'normalize', fixture: name })).mime]).toEqual([name, 'image/jpeg']);
    }
  });

  it('reads by content, not by name', async () => {
    expect(await ok({ op: 'normalize', fixture: 'png-named.jpg' })).toMatchObject({ sourceFormat: 'png', width: 24, height: 16 });
  });

  it('refuses before decoding: bombs, HEIC, HTML, SVG and empty files', async () => {
    expect(await fails({ op: 'normalize', fixture: 'huge-50000x50000.png' })).toMatchObject({ kind: 'too_large', message: expect.stringMatching(/50000 \u00d7 50000/) });
    expect(await fails({ op: 'normalize', fixture: 'heic-grid-header-4032x3024.heic' })).toMatchObject({ kind: 'unsupported_format' });
    expect(await fails({ op: 'normalize', fixture: 'login-page.html' })).toMatchObject({ kind: 'not_an_image', message: expect.stringMatching(/HTML page/) });
    expect(await fails({ op: 'normalize', fixture: 'basic-200x100.svg' })).toMatchObject({ kind: 'unsupported_format', message: expect.stringMatching(/SVG/) });
    expect(await fails({ op: 'normalize', fixture: 'empty.bin' })).toMatchObject({ kind: 'not_an_image' });
  });

  it('says a damaged file could not be read', async () => {
    for (const name of ['photo-truncated.jpg', 'png-truncated-in-idat.png', 'jpeg-cut-before-sof.jpg', 'cmyk-header-400x300.jpg']) {
      expect(await fails({ op: 'normalize', fixture: name })).toMatchObject({
        kind: 'not_an_image',
        message: 'The file could not be read as an image; it may be damaged or incomplete.',
      });
    }
  });

  it('prepareForRoute returns the stored reference itself when it fits', async () => {
    const input = { maxSide: 2048, maxBytes: 10 * 1024 * 1024, formats: ['image/jpeg', 'image/png', 'image/webp'], maxPixels: 2048 * 2048 };
    expect(await ok({ op: 'prepare', fixture: 'large-3000x2000.jpg', input })).toMatchObject({ same: true });
  });

  it('prepareForRoute sends a large photo at no more than 2 megapixels, smaller than it is stored', async () => {
    const input = { maxSide: 2048, maxBytes: 10 * 1024 * 1024, formats: ['image/jpeg', 'image/png', 'image/webp'] };
    const sent = await ok({ op: 'prepare', fixture: 'large-3000x2000.jpg', input });
    // Stored at 2048 × 1365 (2.8 MP); sent at 1732 × 1154.
    expect(sent).toMatchObject({ same: false, width: 1732, height: 1154, mime: 'image/jpeg', blobType: 'image/jpeg' });
    expect(sent.bytes as number).toBeLessThan(sent.storedBytes as number);
  });

  it('prepareForRoute shrinks to the route side and bytes', async () => {
    const small = await ok({ op: 'prepare', fixture: 'large-3000x2000.jpg', input: { maxSide: 1024, maxBytes: 10 * 1024 * 1024, formats: ['image/jpeg'] } });
    expect(small).toMatchObject({ same: false, width: 1024, height: 683, mime: 'image/jpeg', blobType: 'image/jpeg' });
    const tight = await ok({ op: 'prepare', fixture: 'large-3000x2000.jpg', input: { maxSide: 2048, maxBytes: 20 * 1024, formats: ['image/jpeg'] } });
    expect(tight.bytes as number).toBeLessThanOrEqual(20 * 1024);
  });

  it('prepareForRoute converts a transparent PNG for routes that refuse PNG', async () => {
    const webp = await ok({ op: 'prepare', fixture: 'rgba-transparent-24x16.png', input: { maxSide: 2048, maxBytes: 1e7, formats: ['image/jpeg', 'image/webp'] } });
    expect(webp).toMatchObject({ mime: 'image/webp', blobType: 'image/webp' });
    const jpeg = await ok({ op: 'prepare', fixture: 'rgba-transparent-24x16.png', input: { maxSide: 2048, maxBytes: 1e7, formats: ['image/jpeg'] } });
    expect(jpeg).toMatchObject({ mime: 'image/jpeg', blobType: 'image/jpeg' });
  });
});
