// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../utils/errors';
import { checkDecodable, chooseOutputMime, DEFAULT_LIMITS, fitPixels, fitWithin, formatBytes } from '../../../utils/image/limits';
import { sniffImage, type SniffResult } from '../../../utils/image/sniff';
import { fixture } from './fixtures';

function refusal(fn: () => void): AppError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }
  throw new Error('expected a refusal');
}

const check = (name: string) => () => {
  const bytes = fixture(name);
  checkDecodable(sniffImage(bytes), bytes.length);
};

describe('DEFAULT_LIMITS', () => {
  it('are 40 MiB, 100 megapixels and 16384 px a side', () => {
    expect(DEFAULT_LIMITS).toEqual({ maxBytes: 40 * 1024 * 1024, maxPixels: 100_000_000, maxSide: 16384 });
  });
});

describe('checkDecodable', () => {
  it.each([
    'photo-320x240.jpg',
    'orient-6.jpg',
    'rgb-24x16.png',
    'rgba-transparent-24x16.png',
    'rgb16-20x10.png',
    'animated-10x10.png',
    'animated-8x8.gif',
    'lossy-48x32.webp',
    'lossless-alpha-24x16.webp',
    'animated-24x16.webp',
    'real-48x32.avif',
    'jimp-32x20.bmp',
    'icon-16-and-32.ico',
    'basic-200x100.svg', // decodable in a page; the worker refuses it separately
    'png-named.jpg',
    'cmyk-header-400x300.jpg',
  ])('lets %s through', (name) => {
    expect(check(name)).not.toThrow();
  });

  it('refuses an empty file as not an image', () => {
    const e = refusal(() => checkDecodable({ format: 'unknown' }, 0));
    expect(e.kind).toBe('not_an_image');
    expect(e.message).toMatch(/empty/);
    // Even when something claims a format.
    expect(refusal(() => checkDecodable({ format: 'png', width: 1, height: 1 }, 0)).kind).toBe('not_an_image');
  });

  it('names HTML pages, PDFs and unknown files', () => {
    for (const name of ['login-page.html', 'bom-whitespace.html']) {
      const e = refusal(check(name));
      expect(e.kind).toBe('not_an_image');
      expect(e.message).toMatch(/^This is an HTML page, not an image\./);
    }
    expect(refusal(check('document.pdf'))).toMatchObject({ kind: 'not_an_image', message: expect.stringMatching(/PDF/) });
    for (const name of ['s3-error.xml', 'error.json', 'mp4-not-an-image.mp4']) {
      expect(refusal(check(name))).toMatchObject({ kind: 'not_an_image', message: expect.stringMatching(/not an image/) });
    }
  });

  it('names HEIC and TIFF as formats browsers cannot open', () => {
    expect(refusal(check('heic-grid-header-4032x3024.heic'))).toMatchObject({
      kind: 'unsupported_format',
      message: 'This is a HEIC photo, which browsers cannot open. Convert it to JPEG first.',
    });
    expect(refusal(check('tiff-header-640x480.tif'))).toMatchObject({ kind: 'unsupported_format', message: expect.stringMatching(/TIFF/) });
  });

  it('refuses a decompression bomb from its header, naming the size and the limit', () => {
    const e = refusal(check('huge-50000x50000.png'));
    expect(e.kind).toBe('too_large');
    expect(e.message).toBe('This image is 50000 \u00d7 50000 pixels; the limit is 100 megapixels.');
    expect(refusal(() => checkDecodable({ format: 'jpeg', width: 30000, height: 20000 }, 1000)).message).toBe(
      'This image is 30000 \u00d7 20000 pixels; the limit is 100 megapixels.',
    );
  });

  it('refuses a side longer than a canvas can draw even when the pixel count is fine', () => {
    const e = refusal(() => checkDecodable({ format: 'png', width: 20000, height: 100 }, 1000));
    expect(e.kind).toBe('too_large');
    expect(e.message).toMatch(/20000 \u00d7 100 pixels; the longest side allowed is 16384 pixels/);
    expect(() => checkDecodable({ format: 'png', width: 16384, height: 100 }, 1000)).not.toThrow();
  });

  it('refuses files over the byte limit, naming format, size and limit', () => {
    const e = refusal(() => checkDecodable({ format: 'jpeg', width: 100, height: 100 }, 52 * 1024 * 1024 + 300 * 1024));
    expect(e.kind).toBe('too_large');
    expect(e.message).toBe('This JPEG file is 52.3 MB; the limit is 40 MB.');
  });

  it('applies custom limits', () => {
    const limits = { maxBytes: 1000, maxPixels: 10_000, maxSide: 200 };
    expect(() => checkDecodable({ format: 'png', width: 100, height: 100 }, 1000, limits)).not.toThrow();
    expect(refusal(() => checkDecodable({ format: 'png', width: 101, height: 100 }, 1000, limits)).message).toMatch(/0\.01 megapixels/);
    expect(refusal(() => checkDecodable({ format: 'png', width: 201, height: 10 }, 1000, limits)).message).toMatch(/200 pixels/);
    expect(refusal(() => checkDecodable({ format: 'gif', width: 1, height: 1 }, 1001, limits)).message).toMatch(/GIF file is 1001 bytes/);
  });

  it('lets a header without a size through (the decoder and the decoded size decide)', () => {
    const truncated: SniffResult = { format: 'jpeg' };
    expect(() => checkDecodable(truncated, 30)).not.toThrow();
  });

  it('refuses a header that says zero pixels', () => {
    expect(refusal(() => checkDecodable({ format: 'gif', width: 0, height: 10 }, 100)).kind).toBe('not_an_image');
  });
});

describe('fitWithin', () => {
  it('never upscales', () => {
    expect(fitWithin(320, 240, 2048)).toEqual({ width: 320, height: 240 });
    expect(fitWithin(2048, 2048, 2048)).toEqual({ width: 2048, height: 2048 });
  });

  it('scales the longest side to the limit and keeps the aspect', () => {
    expect(fitWithin(3000, 2000, 2048)).toEqual({ width: 2048, height: 1365 });
    expect(fitWithin(2000, 3000, 2048)).toEqual({ width: 1365, height: 2048 });
    expect(fitWithin(4032, 3024, 256)).toEqual({ width: 256, height: 192 });
  });

  it('keeps at least one pixel on very thin images', () => {
    expect(fitWithin(16000, 3, 256)).toEqual({ width: 256, height: 1 });
    expect(fitWithin(1, 100000, 100)).toEqual({ width: 1, height: 100 });
  });

  it('always returns whole numbers within the limit', () => {
    for (let w = 1; w < 5000; w += 137) {
      for (let h = 1; h < 5000; h += 251) {
        const r = fitWithin(w, h, 1000);
        expect(Number.isInteger(r.width) && Number.isInteger(r.height)).toBe(true);
        expect(Math.max(r.width, r.height)).toBeLessThanOrEqual(1000);
        expect(Math.min(r.width, r.height)).toBeGreaterThanOrEqual(1);
        if (Math.max(w, h) > 1000) expect(Math.max(r.width, r.height)).toBe(1000);
      }
    }
  });

  it('copes with nonsense input', () => {
    expect(fitWithin(0, -5, 100)).toEqual({ width: 1, height: 1 });
    expect(fitWithin(Number.NaN, 50, 100)).toEqual({ width: 1, height: 50 });
    expect(fitWithin(500, 500, 0)).toEqual({ width: 1, height: 1 });
  });
});

describe('chooseOutputMime', () => {
  const ALL = ['image/jpeg', 'image/png', 'image/webp'];

  it('is JPEG for opaque images and PNG where alpha matters', () => {
    expect(chooseOutputMime({ hasAlpha: false }, ALL)).toBe('image/jpeg');
    expect(chooseOutputMime({ hasAlpha: true }, ALL)).toBe('image/png');
    expect(chooseOutputMime(sniffImage(fixture('lossless-alpha-24x16.webp')), ALL)).toBe('image/png');
    expect(chooseOutputMime(sniffImage(fixture('lossy-48x32.webp')), ALL)).toBe('image/jpeg');
    expect(chooseOutputMime(sniffImage(fixture('photo-320x240.jpg')))).toBe('image/jpeg');
  });

  it('keeps transparency when alpha is unknown', () => {
    expect(chooseOutputMime({}, ALL)).toBe('image/png');
  });

  it('follows the route formats', () => {
    expect(chooseOutputMime({ hasAlpha: true }, ['image/jpeg', 'image/webp'])).toBe('image/webp');
    expect(chooseOutputMime({ hasAlpha: true }, ['image/jpeg'])).toBe('image/jpeg');
    expect(chooseOutputMime({ hasAlpha: false }, ['image/png'])).toBe('image/png');
    expect(chooseOutputMime({ hasAlpha: false }, ['image/webp', 'image/png'])).toBe('image/webp');
  });
});

describe('formatBytes', () => {
  it('reads like a file manager', () => {
    expect(formatBytes(40 * 1024 * 1024)).toBe('40 MB');
    expect(formatBytes(1536 * 1024)).toBe('1.5 MB');
    expect(formatBytes(2048)).toBe('2 KB');
    expect(formatBytes(12)).toBe('12 bytes');
  });
});

describe('fitPixels', () => {
  it('never upscales, and leaves what fits alone', () => {
    expect(fitPixels(1024, 768, 2_000_000)).toEqual({ width: 1024, height: 768 });
    expect(fitPixels(1600, 1250, 2_000_000)).toEqual({ width: 1600, height: 1250 });
  });

  it('scales both sides by the same factor until the area fits', () => {
    const out = fitPixels(2048, 1536, 2_000_000);
    expect(out.width * out.height).toBeLessThanOrEqual(2_000_000);
    expect(out).toEqual({ width: 1632, height: 1224 });
    expect(fitPixels(4000, 3000, 786_432)).toEqual({ width: 1024, height: 768 });
  });

  it('keeps at least one pixel a side', () => {
    expect(fitPixels(100_000, 2, 1000)).toEqual({ width: 1000, height: 1 });
    expect(fitPixels(3, 50_000, 1000)).toEqual({ width: 1, height: 1000 });
  });
});
