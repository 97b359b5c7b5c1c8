/**
 * makeThumbnail drives the browser's codecs. First with stand-ins that record what they are
 * asked, so the decisions (decode small, which format, what is refused before decoding) are
 * checked in Node; then for real, in a dedicated Worker in headless Chromium (no DOM, like the
 * extension's service worker, where results are downloaded).
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { makeThumbnail } from '../../../utils/image/thumbnail';
import { downloadOutput } from '../../../utils/jobs/download';
import { fixture } from './fixtures';
import { PNG_1x1 } from '../helpers';

interface Codecs {
  decodes: Array<ImageBitmapOptions | undefined>;
  encodes: Array<{ type: string; width: number; height: number }>;
  closed: number;
}

/** Installs fake createImageBitmap and OffscreenCanvas; `webp: false` answers PNG for WebP, as browsers that cannot encode it do. */
function fakeCodecs({ webp = true, natural = { width: 3000, height: 2000 } } = {}): Codecs {
  const codecs: Codecs = { decodes: [], encodes: [], closed: 0 };
  const bitmap = (width: number, height: number) => ({ width, height, close: () => void codecs.closed++ });
  vi.stubGlobal(
    'createImageBitmap',
    vi.fn(async (source: unknown, opts?: ImageBitmapOptions) => {
      codecs.decodes.push(opts);
      const from = source instanceof Blob ? natural : (source as { width: number; height: number });
      return bitmap(opts?.resizeWidth ?? from.width, opts?.resizeHeight ?? from.height);
    }),
  );
  vi.stubGlobal(
    'OffscreenCanvas',
    class {
      constructor(
        readonly width: number,
        readonly height: number,
      ) {}
      getContext() {
        return { drawImage() {}, save() {}, restore() {}, fillRect() {}, globalCompositeOperation: '', fillStyle: '' };
      }
      async convertToBlob(opts: { type: string }) {
        const type = opts.type === 'image/webp' && !webp ? 'image/png' : opts.type;
        codecs.encodes.push({ type, width: this.width, height: this.height });
        return new Blob(['x'], { type });
      }
    },
  );
  return codecs;
}

const blobOf = (name: string) => new Blob([fixture(name) as Uint8Array<ArrayBuffer>]);

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('makeThumbnail', () => {
  it('decodes a large result straight at thumbnail size and encodes WebP', async () => {
    const codecs = fakeCodecs();
    const thumb = await makeThumbnail(blobOf('large-3000x2000.jpg'));
    expect(thumb.type).toBe('image/webp');
    expect(codecs.decodes[0]).toMatchObject({ resizeWidth: 256, resizeHeight: 171 });
    expect(codecs.encodes).toEqual([{ type: 'image/webp', width: 256, height: 171 }]);
    expect(codecs.closed).toBeGreaterThanOrEqual(1);
  });

  it('falls back to JPEG for an opaque image where WebP cannot be encoded, and to PNG when it has alpha', async () => {
    const codecs = fakeCodecs({ webp: false });
    expect((await makeThumbnail(blobOf('large-3000x2000.jpg'))).type).toBe('image/jpeg');
    expect(codecs.encodes.map((e) => e.type)).toEqual(['image/png', 'image/jpeg']);
    expect((await makeThumbnail(blobOf('rgba-transparent-24x16.png'))).type).toBe('image/png');
  });

  it('never enlarges a small image', async () => {
    const codecs = fakeCodecs({ natural: { width: 24, height: 16 } });
    await makeThumbnail(blobOf('rgb-24x16.png'));
    expect(codecs.decodes[0]?.resizeWidth).toBeUndefined();
    expect(codecs.encodes).toEqual([{ type: 'image/webp', width: 24, height: 16 }]);
  });

  it('refuses, before decoding, what is not a raster image or is too many pixels', async () => {
    const codecs = fakeCodecs();
    await expect(makeThumbnail(blobOf('huge-50000x50000.png'))).rejects.toMatchObject({ kind: 'too_large' });
    await expect(makeThumbnail(blobOf('basic-200x100.svg'))).rejects.toMatchObject({ kind: 'unsupported_format' });
    await expect(makeThumbnail(blobOf('login-page.html'))).rejects.toMatchObject({ kind: 'not_an_image' });
    expect(codecs.decodes).toEqual([]);
  });
});

describe('downloadOutput and thumbnails', () => {
  const signal = new AbortController().signal;
  const png = () => ({ kind: 'blob' as const, blob: new Blob([PNG_1x1], { type: 'image/png' }) });
  const noFetch = vi.fn() as unknown as typeof fetch;

  it('returns the preview with the result', async () => {
    const thumb = new Blob(['t'], { type: 'image/webp' });
    const made = vi.fn(async () => thumb);
    const got = await downloadOutput(png(), noFetch, signal, 'fal', made);
    expect(got.thumb).toBe(thumb);
    expect(got.mime).toBe('image/png');
    expect(made).toHaveBeenCalledWith(got.blob);
  });

  it('keeps the result without a preview when none can be made', async () => {
    const got = await downloadOutput(png(), noFetch, signal, 'fal', async () => {
      throw new Error('no canvas here');
    });
    expect(got.thumb).toBeUndefined();
    expect(got.blob.size).toBe(PNG_1x1.length);
    // Node has no createImageBitmap: the real thumbnailer fails the same harmless way.
    expect((await downloadOutput(png(), noFetch, signal, 'fal')).thumb).toBeUndefined();
  });
});

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Runs in the Worker: makes the thumbnail and reports what came out, decoded again. */
const WORKER_ENTRY = `
import { makeThumbnail } from '../../../utils/image/thumbnail';
self.onmessage = async (e) => {
  const { id, bytes } = e.data;
  try {
    const thumb = await makeThumbnail(new Blob([bytes]));
    const bitmap = await createImageBitmap(thumb);
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const ctx = canvas.getContext('2d');
    ctx.drawImage(bitmap, 0, 0);
    const [r, g] = ctx.getImageData(1, 1, 1, 1).data;
    self.postMessage({ id, ok: true, type: thumb.type, width: bitmap.width, height: bitmap.height, redTopLeft: r > 180 && g < 90 });
  } catch (err) {
    self.postMessage({ id, ok: false, kind: err.kind ?? String(err) });
  }
};
`;

type Made = { ok: true; type: string; width: number; height: number; redTopLeft: boolean } | { ok: false; kind: string };

describe('makeThumbnail in a Chromium worker', () => {
  let close: () => Promise<void> = async () => {};
  let thumbOf: (name: string) => Promise<Made>;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`The thumbnail tests run in Chromium, and there is none at ${CHROMIUM}. Install it (apt-get install -y chromium) or set CHROMIUM_PATH.`);
    }
    const { build } = await import('esbuild');
    const { chromium } = await import('playwright-core');
    const bundle = await build({
      stdin: { contents: WORKER_ENTRY, resolveDir: dirname(fileURLToPath(import.meta.url)), loader: 'ts' },
      bundle: true,
      format: 'iife',
      write: false,
      logLevel: 'silent',
    });
    const code = bundle.outputFiles[0]?.text ?? '';
    const server: Server = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end('<!doctype html><title>thumbnail tests</title>');
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
      (globalThis as unknown as { thumbOf: (b64: string) => Promise<unknown> }).thumbOf = (b64) =>
        new Promise((resolve) => {
          const id = ++next;
          pending.set(id, resolve);
          worker.postMessage({ id, bytes: Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)) });
        });
    }, code);
    thumbOf = async (name) =>
      (await page.evaluate(
        (b64) => (globalThis as unknown as { thumbOf: (b64: string) => Promise<unknown> }).thumbOf(b64),
        Buffer.from(fixture(name)).toString('base64'),
      )) as Made;
    close = async () => {
      await browser.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    };
  }, 60_000);

  afterAll(() => close(), 30_000);

  it('makes a WebP of at most 256 px a side, keeping the proportions', async () => {
    expect(await thumbOf('large-3000x2000.jpg')).toMatchObject({ ok: true, type: 'image/webp', width: 256, height: 171 });
    expect(await thumbOf('rgba-transparent-24x16.png')).toMatchObject({ ok: true, type: 'image/webp', width: 24, height: 16 });
    expect(await thumbOf('real-48x32.avif')).toMatchObject({ ok: true, width: 48, height: 32 });
  });

  it('turns the picture upright', async () => {
    // The fixture's stored top-left corner is red; EXIF orientation 6 turns it to the top right.
    expect(await thumbOf('orient-6.jpg')).toMatchObject({ ok: true, width: 48, height: 64, redTopLeft: false });
    expect(await thumbOf('orient-1.jpg')).toMatchObject({ ok: true, width: 64, height: 48, redTopLeft: true });
  });

  it('refuses what it cannot decode', async () => {
    expect(await thumbOf('png-truncated-in-ihdr.png')).toMatchObject({ ok: false });
    expect(await thumbOf('huge-50000x50000.png')).toMatchObject({ ok: false, kind: 'too_large' });
    expect(await thumbOf('basic-200x100.svg')).toEqual({ id: expect.any(Number), ok: false, kind: 'unsupported_format' });
  });
});
