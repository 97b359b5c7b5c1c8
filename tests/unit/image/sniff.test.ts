// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { orientedSize, sniffImage, type SniffResult } from '../../../utils/image/sniff';
import { fixture, fixtureNames } from './fixtures';

const enc = (s: string) => new TextEncoder().encode(s);
const bytes = (...b: number[]) => Uint8Array.from(b);

/** What each committed fixture must sniff as. Fields not listed are not checked here. */
const EXPECTED: Record<string, SniffResult> = {
  // JPEG
  'photo-320x240.jpg': { format: 'jpeg', mime: 'image/jpeg', width: 320, height: 240, bitDepth: 8, cmyk: false, hasAlpha: false },
  'large-3000x2000.jpg': { format: 'jpeg', width: 3000, height: 2000 },
  'orient-1.jpg': { format: 'jpeg', width: 64, height: 48, orientation: 1 },
  'orient-3.jpg': { format: 'jpeg', width: 64, height: 48, orientation: 3 }, // big-endian EXIF
  'orient-6.jpg': { format: 'jpeg', width: 64, height: 48, orientation: 6 }, // EXIF holds a decoy 16x16 SOF
  'orient-8.jpg': { format: 'jpeg', width: 64, height: 48, orientation: 8 },
  'cmyk-header-400x300.jpg': { format: 'jpeg', width: 400, height: 300, cmyk: true, bitDepth: 8 },
  'progressive-header-120x90.jpg': { format: 'jpeg', width: 120, height: 90, bitDepth: 12, cmyk: false },
  'photo-truncated.jpg': { format: 'jpeg', width: 320, height: 240 },
  'jpeg-named.png': { format: 'jpeg', mime: 'image/jpeg', width: 64, height: 48 },
  // PNG
  'rgb-24x16.png': { format: 'png', mime: 'image/png', width: 24, height: 16, bitDepth: 8, hasAlpha: false, animated: false },
  'rgba-transparent-24x16.png': { format: 'png', width: 24, height: 16, hasAlpha: true },
  'rgba-opaque-24x16.png': { format: 'png', hasAlpha: true }, // declared RGBA: the pixels decide later
  'jimp-rgba-40x30.png': { format: 'png', width: 40, height: 30, hasAlpha: true },
  'rgb16-20x10.png': { format: 'png', width: 20, height: 10, bitDepth: 16, hasAlpha: false },
  'grey-16x16.png': { format: 'png', width: 16, height: 16, hasAlpha: false },
  'palette-16x8.png': { format: 'png', width: 16, height: 8, hasAlpha: false },
  'palette-trns-16x8.png': { format: 'png', width: 16, height: 8, hasAlpha: true },
  'animated-10x10.png': { format: 'png', width: 10, height: 10, animated: true },
  'huge-50000x50000.png': { format: 'png', width: 50000, height: 50000 },
  'png-truncated-in-idat.png': { format: 'png', width: 40, height: 30 },
  'png-named.jpg': { format: 'png', mime: 'image/png', width: 24, height: 16 },
  // GIF
  'jimp-static-30x20.gif': { format: 'gif', mime: 'image/gif', width: 30, height: 20, animated: false },
  'animated-8x8.gif': { format: 'gif', width: 8, height: 8, animated: true, hasAlpha: false },
  'single-frame-8x8.gif': { format: 'gif', width: 8, height: 8, animated: false, hasAlpha: false },
  'transparent-8x8.gif': { format: 'gif', width: 8, height: 8, animated: false, hasAlpha: true },
  // WebP
  'lossy-48x32.webp': { format: 'webp', mime: 'image/webp', width: 48, height: 32, hasAlpha: false, animated: false },
  'lossless-48x32.webp': { format: 'webp', width: 48, height: 32, hasAlpha: false, animated: false },
  'lossless-alpha-24x16.webp': { format: 'webp', width: 24, height: 16, hasAlpha: true },
  'lossy-alpha-24x16.webp': { format: 'webp', width: 24, height: 16, hasAlpha: true, animated: false },
  'animated-24x16.webp': { format: 'webp', width: 24, height: 16, animated: true },
  'exif-orient-6-64x48.webp': { format: 'webp', width: 64, height: 48, orientation: 6 },
  // AVIF / HEIC
  'real-48x32.avif': { format: 'avif', mime: 'image/avif', width: 48, height: 32, hasAlpha: false, bitDepth: 8 },
  'real-alpha-24x16.avif': { format: 'avif', width: 24, height: 16, hasAlpha: true },
  'real-irot3-48x32.avif': { format: 'avif', width: 48, height: 32, orientation: 6 },
  'avif-header-1200x800.avif': { format: 'avif', width: 1200, height: 800, bitDepth: 10 },
  'avif-rot90-header-1200x800.avif': { format: 'avif', width: 1200, height: 800, orientation: 8 },
  'avis-header-640x360.avif': { format: 'avif', width: 640, height: 360, animated: true },
  'heic-grid-header-4032x3024.heic': { format: 'heic', mime: 'image/heic', width: 4032, height: 3024, orientation: 6 },
  // Others
  'jimp-32x20.bmp': { format: 'bmp', mime: 'image/bmp', width: 32, height: 20, bitDepth: 24, hasAlpha: false },
  'topdown-4x2.bmp': { format: 'bmp', width: 4, height: 2 },
  'tiff-header-640x480.tif': { format: 'tiff', mime: 'image/tiff', width: 640, height: 480 },
  'icon-16-and-32.ico': { format: 'ico', width: 32, height: 32 },
  'basic-200x100.svg': { format: 'svg', mime: 'image/svg+xml', width: 200, height: 100 },
  'prolog-viewbox.svg': { format: 'svg', width: 640, height: 480 },
  'login-page.html': { format: 'html', mime: 'text/html' },
  'bom-whitespace.html': { format: 'html' },
  'document.pdf': { format: 'pdf', mime: 'application/pdf' },
  's3-error.xml': { format: 'unknown' },
  'error.json': { format: 'unknown' },
  'mp4-not-an-image.mp4': { format: 'unknown' },
  'empty.bin': { format: 'unknown' },
  'jpeg-cut-before-sof.jpg': { format: 'jpeg' },
  'png-truncated-in-ihdr.png': { format: 'png' },
};

describe('sniffImage on the fixture corpus', () => {
  it('has an expectation for every committed fixture', () => {
    expect(fixtureNames().filter((f) => !(f in EXPECTED))).toEqual([]);
  });

  for (const [name, expected] of Object.entries(EXPECTED)) {
    it(name, () => {
      expect(sniffImage(fixture(name))).toMatchObject(expected);
    });
  }

  it('leaves the size unknown when the header is cut short, rather than guessing', () => {
    const cut = sniffImage(fixture('jpeg-cut-before-sof.jpg'));
    expect(cut.width).toBeUndefined();
    expect(cut.height).toBeUndefined();
    const png = sniffImage(fixture('png-truncated-in-ihdr.png'));
    expect(png.height).toBeUndefined();
    expect(png.hasAlpha).toBeUndefined();
  });

  it('reads the empty file as unknown without throwing', () => {
    expect(sniffImage(new Uint8Array())).toEqual({ format: 'unknown' });
  });

  it('never reports a wrong value for any prefix of any fixture', () => {
    // Whatever a truncated file yields must agree with the whole file: a field is either
    // missing or equal. The format is fixed once enough of the magic is there.
    for (const name of fixtureNames()) {
      const full = fixture(name);
      const whole = sniffImage(full) as unknown as Record<string, unknown>;
      const step = full.length > 4000 ? 97 : 1;
      for (let n = 0; n < Math.min(full.length, 6000); n += step) {
        const part = sniffImage(full.subarray(0, n)) as unknown as Record<string, unknown>;
        if (part.format !== whole.format) {
          expect([name, n, part.format]).toEqual([name, n, 'unknown']);
          continue;
        }
        for (const [k, v] of Object.entries(part)) {
          if (v !== undefined) expect([name, n, k, v]).toEqual([name, n, k, whole[k]]);
        }
      }
    }
  });

  it('survives random corruption of every fixture', () => {
    let seed = 42;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    for (const name of fixtureNames()) {
      const base = fixture(name);
      if (base.length === 0) continue;
      for (let round = 0; round < 60; round++) {
        const copy = base.slice(0, Math.min(base.length, 4096));
        const flips = 1 + Math.floor(rand() * 8);
        for (let i = 0; i < flips; i++) copy[Math.floor(rand() * copy.length)] = Math.floor(rand() * 256);
        const r = sniffImage(copy);
        expect(typeof r.format).toBe('string');
        if (r.width !== undefined) expect(Number.isInteger(r.width) && r.width > 0).toBe(true);
        if (r.height !== undefined) expect(Number.isInteger(r.height) && r.height > 0).toBe(true);
        if (r.orientation !== undefined) expect(r.orientation >= 1 && r.orientation <= 8).toBe(true);
      }
    }
  });

  it('survives random bytes', () => {
    let seed = 7;
    for (let round = 0; round < 500; round++) {
      const len = round % 64;
      const b = new Uint8Array(len);
      for (let i = 0; i < len; i++) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        b[i] = seed & 0xff;
      }
      expect(() => sniffImage(b)).not.toThrow();
    }
  });
});

describe('sniffImage on hand-made bytes', () => {
  it('skips JPEG fill bytes and APPn segments, and handles a DNL (height 0) frame', () => {
    const sof = [0xff, 0xc0, 0, 11, 8, 0, 0, 0x01, 0x00, 1, 1, 0x11, 0];
    const r = sniffImage(bytes(0xff, 0xd8, 0xff, 0xe0, 0, 4, 1, 2, 0xff, 0xff, ...sof, 0xff, 0xd9));
    expect(r).toMatchObject({ format: 'jpeg', width: 256, cmyk: false });
    expect(r.height).toBeUndefined();
  });

  it('ignores an SOF that only appears after the scan starts', () => {
    const sos = [0xff, 0xda, 0, 8, 1, 1, 0, 0, 63, 0];
    const fakeSof = [0xff, 0xc0, 0, 11, 8, 0, 20, 0, 20, 1, 1, 0x11, 0];
    const r = sniffImage(bytes(0xff, 0xd8, ...sos, ...fakeSof));
    expect(r.format).toBe('jpeg');
    expect(r.width).toBeUndefined();
  });

  it('does not take DHT/DAC markers for frame headers', () => {
    const dht = [0xff, 0xc4, 0, 7, 0, 0, 9, 0, 9];
    const sof = [0xff, 0xc1, 0, 11, 8, 0, 30, 0, 40, 1, 1, 0x11, 0];
    expect(sniffImage(bytes(0xff, 0xd8, ...dht, ...sof))).toMatchObject({ width: 40, height: 30 });
  });

  it('rejects invalid EXIF orientation values', () => {
    const tiff = [0x49, 0x49, 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0];
    const app1 = [0xff, 0xe1, 0, 2 + 6 + tiff.length, ...enc('Exif\0\0'), ...tiff];
    const sof = [0xff, 0xc0, 0, 11, 8, 0, 2, 0, 3, 1, 1, 0x11, 0];
    const r = sniffImage(bytes(0xff, 0xd8, ...app1, ...sof));
    expect(r).toMatchObject({ width: 3, height: 2 });
    expect(r.orientation).toBeUndefined();
  });

  it('reads a WebP EXIF chunk written with the JPEG-style "Exif" prefix', () => {
    const tiff = [0x4d, 0x4d, 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 5, 0, 0, 0, 0, 0, 0];
    const exif = [...enc('EXIF'), 6 + tiff.length, 0, 0, 0, ...enc('Exif\0\0'), ...tiff];
    const vp8x = [...enc('VP8X'), 10, 0, 0, 0, 0x08, 0, 0, 0, 99, 0, 0, 49, 0, 0];
    const body = [...enc('WEBP'), ...vp8x, ...exif];
    const riff = [...enc('RIFF'), body.length & 0xff, body.length >> 8, 0, 0, ...body];
    expect(sniffImage(bytes(...riff))).toMatchObject({ format: 'webp', width: 100, height: 50, orientation: 5, hasAlpha: false, animated: false });
  });

  it('finds <svg> after comments, processing instructions and a namespace prefix', () => {
    expect(sniffImage(enc('<!-- a --><?pi x?>\n<svg:svg xmlns:svg="http://www.w3.org/2000/svg" width="12px" height="8"/>'))).toMatchObject({
      format: 'svg',
      width: 12,
      height: 8,
    });
  });

  it('works out a missing SVG side from the viewBox, and ignores relative units', () => {
    expect(sniffImage(enc('<svg width="300" viewBox="0 0 600 200"></svg>'))).toMatchObject({ width: 300, height: 100 });
    const rel = sniffImage(enc('<svg width="10em" height="50%"></svg>'));
    expect(rel.format).toBe('svg');
    expect(rel.width).toBeUndefined();
  });

  it('reads UTF-16 SVG and HTML', () => {
    const utf16le = (s: string) => Uint8Array.from([0xff, 0xfe, ...[...s].flatMap((c) => [c.charCodeAt(0), 0])]);
    expect(sniffImage(utf16le('<svg width="4" height="4"/>'))).toMatchObject({ format: 'svg', width: 4 });
    expect(sniffImage(utf16le('<html></html>')).format).toBe('html');
  });

  it('tells HTML from other markup and plain text', () => {
    expect(sniffImage(enc('   <!doctype HTML><p>hi')).format).toBe('html');
    expect(sniffImage(enc('<div class="x">')).format).toBe('html');
    expect(sniffImage(enc('<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml">')).format).toBe('html');
    expect(sniffImage(enc('<Error><Code>NoSuchKey</Code></Error>')).format).toBe('unknown');
    expect(sniffImage(enc('<abbr>')).format).toBe('unknown');
    expect(sniffImage(enc('Forbidden')).format).toBe('unknown');
  });

  it('needs more than "BM" to call something a bitmap', () => {
    expect(sniffImage(enc('BMW drivers are a special breed of people, as everyone knows')).format).toBe('unknown');
  });

  it('does not take an MP4 or a short ftyp for an image', () => {
    expect(sniffImage(bytes(0, 0, 0, 8, ...enc('ftyp'))).format).toBe('unknown');
  });

  it('reads a BITMAPCOREHEADER (OS/2) BMP', () => {
    const b = bytes(...enc('BM'), 26, 0, 0, 0, 0, 0, 0, 0, 26, 0, 0, 0, 12, 0, 0, 0, 7, 0, 5, 0, 1, 0, 8, 0);
    expect(sniffImage(b)).toMatchObject({ format: 'bmp', width: 7, height: 5, bitDepth: 8, hasAlpha: false });
  });

  it('treats a 32-bit BMP as "alpha unknown" so that the pixels decide', () => {
    const dib = [40, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 1, 0, 32, 0, 0, 0, 0, 0];
    const r = sniffImage(bytes(...enc('BM'), 0, 0, 0, 0, 0, 0, 0, 0, 54, 0, 0, 0, ...dib, ...new Array(20).fill(0)));
    expect(r).toMatchObject({ format: 'bmp', bitDepth: 32 });
    expect(r.hasAlpha).toBeUndefined();
  });

  it('counts an APNG with a single frame as not animated', () => {
    const png = fixture('animated-10x10.png').slice();
    // acTL payload starts after signature (8) + IHDR chunk (25) + acTL length/type (8).
    png[8 + 25 + 8 + 3] = 1;
    expect(sniffImage(png).animated).toBe(false);
  });
});

describe('orientedSize', () => {
  it('swaps the sides for orientations 5 to 8 only', () => {
    for (const o of [undefined, 1, 2, 3, 4]) expect(orientedSize(640, 480, o)).toEqual({ width: 640, height: 480 });
    for (const o of [5, 6, 7, 8]) expect(orientedSize(640, 480, o)).toEqual({ width: 480, height: 640 });
    expect(orientedSize(640, 480, 9)).toEqual({ width: 640, height: 480 });
  });
});
