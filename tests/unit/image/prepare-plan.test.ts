// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../utils/errors';
import {
  appliedOrientation,
  decodedSidesSwapped,
  firstAttempt,
  fitsRoute,
  intakeMime,
  MAX_ATTEMPTS,
  MIN_SIDE,
  nextAttempt,
  planDecode,
  PreparedReferences,
  prepareWith,
  rgbaHasTransparency,
  SEND_MAX_PIXELS,
  type EncodeAttempt,
  type ImageEncoder,
  type RouteInput,
  type StoredImage,
} from '../../../utils/image/plan';
import { sniffImage } from '../../../utils/image/sniff';
import { fixture } from './fixtures';

const MB = 1024 * 1024;
// The pixel budget has tests of its own (below); elsewhere it is the whole 2048 × 2048 area, so
// that the side, byte and format decisions are seen alone.
const ROUTE: RouteInput = { maxSide: 2048, maxBytes: 10 * MB, formats: ['image/jpeg', 'image/png', 'image/webp'], maxPixels: 2048 * 2048 };

describe('intake decisions', () => {
  it('asks the decoder for the oriented, fitted size straight away', () => {
    // 3000x2000 stored: fits 2048 wide.
    expect(planDecode(sniffImage(fixture('large-3000x2000.jpg')), 2048)).toEqual({
      displayed: { width: 3000, height: 2000 },
      resize: { width: 2048, height: 1365 },
    });
    // EXIF 6 on a 64x48 JPEG: shown 48x64, so fitting 32 gives 24x32 (Chromium resizes in displayed orientation).
    expect(planDecode(sniffImage(fixture('orient-6.jpg')), 32)).toEqual({
      displayed: { width: 48, height: 64 },
      resize: { width: 24, height: 32 },
    });
    // AVIF irot is applied by the decoder too.
    expect(planDecode(sniffImage(fixture('real-irot3-48x32.avif')), 24).resize).toEqual({ width: 16, height: 24 });
  });

  it('does not resize what already fits', () => {
    expect(planDecode(sniffImage(fixture('photo-320x240.jpg')), 2048)).toEqual({ displayed: { width: 320, height: 240 } });
  });

  it('decodes at natural size when the header had no size', () => {
    expect(planDecode({ format: 'jpeg' }, 2048)).toEqual({});
  });

  it('ignores WebP EXIF orientation, which Chromium does not apply', () => {
    const webp = sniffImage(fixture('exif-orient-6-64x48.webp'));
    expect(webp.orientation).toBe(6);
    expect(appliedOrientation(webp)).toBe(1);
    expect(planDecode(webp, 32).resize).toEqual({ width: 32, height: 24 });
    expect(appliedOrientation(sniffImage(fixture('orient-8.jpg')))).toBe(8);
    expect(appliedOrientation({ format: 'tiff', orientation: 6 })).toBe(1);
  });

  it('notices a decoder that rotated differently from what the header said', () => {
    expect(decodedSidesSwapped({ width: 24, height: 32 }, { width: 32, height: 24 })).toBe(true);
    expect(decodedSidesSwapped({ width: 24, height: 32 }, { width: 24, height: 32 })).toBe(false);
    expect(decodedSidesSwapped({ width: 30, height: 30 }, { width: 30, height: 30 })).toBe(false);
  });

  it('stores JPEG unless transparency is really there', () => {
    expect(intakeMime(false, undefined)).toBe('image/jpeg');
    expect(intakeMime(false, true)).toBe('image/jpeg'); // a JPEG header's word is final
    expect(intakeMime(true, true)).toBe('image/png');
    expect(intakeMime(true, false)).toBe('image/jpeg'); // RGBA screenshot, every pixel opaque
    expect(intakeMime(undefined, false)).toBe('image/jpeg');
    expect(intakeMime(undefined, true)).toBe('image/png');
    expect(intakeMime(undefined, undefined)).toBe('image/png');
  });

  it('finds a single transparent pixel', () => {
    const px = new Uint8ClampedArray(4 * 1000).fill(255);
    expect(rgbaHasTransparency(px)).toBe(false);
    px[4 * 999 + 3] = 254;
    expect(rgbaHasTransparency(px)).toBe(true);
  });
});

describe('route preparation decisions', () => {
  const ref = (over: Partial<{ size: number; mime: string; width: number; height: number }> = {}) => ({
    size: 2 * MB,
    mime: 'image/jpeg',
    width: 2048,
    height: 1536,
    ...over,
  });

  it('keeps a reference that already suits the route', () => {
    expect(fitsRoute(ref(), ROUTE)).toBe(true);
    expect(fitsRoute(ref({ mime: 'image/png' }), ROUTE)).toBe(true);
    expect(fitsRoute(ref({ width: 2049 }), ROUTE)).toBe(false);
    expect(fitsRoute(ref({ size: 10 * MB + 1 }), ROUTE)).toBe(false);
    expect(fitsRoute(ref({ mime: 'image/png' }), { ...ROUTE, formats: ['image/jpeg'] })).toBe(false);
  });

  it('starts at the route size and quality 0.9', () => {
    expect(firstAttempt(ref(), { ...ROUTE, maxSide: 1024 })).toEqual({ width: 1024, height: 768, mime: 'image/jpeg', quality: 0.9 });
  });

  it('starts at quality 0.8 when only the bytes are over (re-encoding at 0.9 gains nothing)', () => {
    expect(firstAttempt(ref({ size: 12 * MB }), ROUTE)).toEqual({ width: 2048, height: 1536, mime: 'image/jpeg', quality: 0.8 });
  });

  it('keeps alpha: PNG stays PNG, becomes WebP when PNG is not accepted, JPEG only as a last resort', () => {
    const png = ref({ mime: 'image/png', size: 12 * MB });
    expect(firstAttempt(png, ROUTE)).toEqual({ width: 2048, height: 1536, mime: 'image/png' });
    expect(firstAttempt(png, { ...ROUTE, formats: ['image/jpeg', 'image/webp'] })).toMatchObject({ mime: 'image/webp', quality: 0.9 });
    expect(firstAttempt(png, { ...ROUTE, formats: ['image/jpeg'] })).toMatchObject({ mime: 'image/jpeg', quality: 0.9 });
  });

  it('lowers JPEG quality in steps while the overshoot is modest', () => {
    const a: EncodeAttempt = { width: 2048, height: 1536, mime: 'image/jpeg', quality: 0.9 };
    const b = nextAttempt(a, 12 * MB, ROUTE);
    expect(b).toEqual({ ...a, quality: 0.8 });
    const c = nextAttempt(b!, 11 * MB, ROUTE);
    expect(c).toEqual({ ...a, quality: 0.7 });
    const d = nextAttempt(c!, 11 * MB, ROUTE);
    expect(d).toEqual({ ...a, quality: 0.6 });
  });

  it('shrinks the sides once quality reaches its floor, or at once when far over', () => {
    const floor: EncodeAttempt = { width: 2048, height: 1536, mime: 'image/jpeg', quality: 0.6 };
    const e = nextAttempt(floor, 11 * MB, ROUTE)!;
    expect(e.quality).toBe(0.6);
    expect(e.width).toBeLessThan(2048);
    expect(e.width / e.height).toBeCloseTo(4 / 3, 2);

    const far = nextAttempt({ ...floor, quality: 0.9 }, 40 * MB, ROUTE)!;
    expect(far.quality).toBe(0.9);
    // Bytes follow pixel count: aim for ~sqrt(10/40) = 0.5 of the side, with some margin.
    expect(far.width).toBeLessThanOrEqual(1024);
    expect(far.width).toBeGreaterThan(800);
  });

  it('switches PNG to WebP when the route takes it, else shrinks it', () => {
    const png: EncodeAttempt = { width: 2048, height: 1536, mime: 'image/png' };
    expect(nextAttempt(png, 14 * MB, ROUTE)).toEqual({ width: 2048, height: 1536, mime: 'image/webp', quality: 0.9 });
    const shrunk = nextAttempt(png, 14 * MB, { ...ROUTE, formats: ['image/png', 'image/jpeg'] })!;
    expect(shrunk.mime).toBe('image/png');
    expect(shrunk.width).toBeLessThan(2048);
  });

  it('tries the minimum side once, then gives up', () => {
    const big: EncodeAttempt = { width: 2000, height: 1000, mime: 'image/jpeg', quality: 0.6 };
    const last = nextAttempt(big, 1000 * ROUTE.maxBytes, ROUTE);
    expect(last).toEqual({ width: MIN_SIDE, height: MIN_SIDE / 2, mime: 'image/jpeg', quality: 0.6 });
    expect(nextAttempt(last!, 10 * ROUTE.maxBytes, ROUTE)).toBeUndefined();
  });

  it('says nothing more is needed when the bytes already fit', () => {
    expect(nextAttempt({ width: 10, height: 10, mime: 'image/jpeg', quality: 0.9 }, 5, ROUTE)).toBeUndefined();
  });
});

// -----------------------------------------------------------------------------------------------
// prepareWith and a fake encoder whose output size follows pixels and quality, like real codecs.

function fakeEncoder(opts: { bytesPerPixel?: (a: EncodeAttempt) => number; unsupported?: string[] } = {}) {
  const calls: EncodeAttempt[] = [];
  let opened = 0;
  let closed = 0;
  const bpp =
    opts.bytesPerPixel ??
    ((a: EncodeAttempt) => (a.mime === 'image/png' ? 3 : a.mime === 'image/webp' ? 0.3 * (a.quality ?? 1) : 1.2 * (a.quality ?? 1)));
  const encoder: ImageEncoder = {
    async open() {
      opened++;
      return {
        async encode(a: EncodeAttempt) {
          calls.push(a);
          const type = opts.unsupported?.includes(a.mime) ? 'image/png' : a.mime; // canvas falls back to PNG
          const size = Math.round(a.width * a.height * bpp({ ...a, mime: type as EncodeAttempt['mime'] }));
          return new Blob([new Uint8Array(size)], { type });
        },
        close() {
          closed++;
        },
      };
    },
  };
  return { encoder, calls, counts: () => ({ opened, closed }) };
}

const stored = (size: number, over: Partial<StoredImage> = {}): StoredImage => ({
  blob: new Blob([new Uint8Array(size)], { type: over.mime ?? 'image/jpeg' }),
  mime: 'image/jpeg',
  width: 2048,
  height: 1536,
  ...over,
});

describe('prepareWith', () => {
  it('returns the stored reference itself when it already fits, without decoding', async () => {
    const f = fakeEncoder();
    const ref = stored(1000);
    expect(await prepareWith(f.encoder, ref, ROUTE)).toBe(ref);
    expect(f.counts()).toEqual({ opened: 0, closed: 0 });
  });

  it('resizes to the route side', async () => {
    const f = fakeEncoder();
    const out = await prepareWith(f.encoder, stored(1000), { ...ROUTE, maxSide: 1024 });
    expect(out).toMatchObject({ mime: 'image/jpeg', width: 1024, height: 768 });
    expect(f.calls).toHaveLength(1);
    expect(f.counts()).toEqual({ opened: 1, closed: 1 });
  });

  it('lowers quality, then size, until the bytes fit', async () => {
    const f = fakeEncoder();
    const maxBytes = 1.5 * MB; // 2048x1536 at 0.6 is ~2.2 MB in this model: needs a smaller side
    const out = await prepareWith(f.encoder, stored(4 * MB), { ...ROUTE, maxBytes });
    expect(out.blob.size).toBeLessThanOrEqual(maxBytes);
    expect(out.mime).toBe('image/jpeg');
    expect(f.calls.map((c) => c.quality)).toEqual([0.8, 0.7, 0.6, 0.6]);
    expect(out.width).toBeLessThan(2048);
    expect(out.width / out.height).toBeCloseTo(4 / 3, 2);
  });

  it('turns a PNG the route rejects into JPEG (opaque output only)', async () => {
    const f = fakeEncoder();
    const out = await prepareWith(f.encoder, stored(1000, { mime: 'image/png' }), { ...ROUTE, formats: ['image/jpeg'] });
    expect(out.mime).toBe('image/jpeg');
    expect(out.blob.type).toBe('image/jpeg');
  });

  it('tries WebP for an oversized PNG, and drops WebP when the browser cannot encode it', async () => {
    const ok = fakeEncoder();
    // 2048x2048 PNG is ~12 MB in this model: over the 10 MB limit.
    const out = await prepareWith(ok.encoder, stored(12 * MB, { mime: 'image/png', height: 2048 }), ROUTE);
    expect(ok.calls.map((c) => c.mime)).toEqual(['image/png', 'image/webp']);
    expect(out.mime).toBe('image/webp');

    const noWebp = fakeEncoder({ unsupported: ['image/webp'] });
    const out2 = await prepareWith(noWebp.encoder, stored(1000, { mime: 'image/png' }), { ...ROUTE, formats: ['image/jpeg', 'image/webp'] });
    expect(noWebp.calls.map((c) => c.mime)).toEqual(['image/webp', 'image/jpeg']);
    expect(out2.mime).toBe('image/jpeg');
  });

  it('accepts the PNG a canvas gives back for WebP when the route takes PNG', async () => {
    const f = fakeEncoder({ unsupported: ['image/webp'] });
    const out = await prepareWith(f.encoder, stored(1000, { mime: 'image/png', width: 4000, height: 3000 }), {
      maxSide: 2048,
      maxBytes: 20 * MB,
      formats: ['image/webp', 'image/png'],
      maxPixels: 2048 * 2048,
    });
    expect(out).toMatchObject({ mime: 'image/png', width: 2048, height: 1536 });
  });

  it('refuses with too_large, naming the limit, when nothing fits', async () => {
    // Two bytes a pixel whatever the quality: even 256 px a side is ~98 KB, over a 50 KB limit.
    const f = fakeEncoder({ bytesPerPixel: () => 2 });
    const err = await prepareWith(f.encoder, stored(12 * MB), { ...ROUTE, maxBytes: 50 * 1024 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).kind).toBe('too_large');
    expect((err as AppError).message).toMatch(/smaller than 50 KB, the most this model accepts \(the smallest version was \d+ KB\)\./);
    expect(f.calls.length).toBeLessThanOrEqual(MAX_ATTEMPTS);
    expect(f.counts()).toEqual({ opened: 1, closed: 1 });
  });

  it('closes the session when encoding throws', async () => {
    let closed = 0;
    const encoder: ImageEncoder = {
      async open() {
        return {
          encode: () => Promise.reject(new Error('boom')),
          close: () => {
            closed++;
          },
        };
      },
    };
    await expect(prepareWith(encoder, stored(12 * MB), ROUTE)).rejects.toThrow('boom');
    expect(closed).toBe(1);
  });
});

describe('a reference is sent no larger than the route needs', () => {
  const BUDGET: RouteInput = { maxSide: 2048, maxBytes: 10 * MB, formats: ['image/jpeg', 'image/png', 'image/webp'] };
  const photo = { size: 290 * 1024, mime: 'image/jpeg', width: 2048, height: 1536 };

  it('is at most 2 megapixels unless the route says otherwise', () => {
    expect(SEND_MAX_PIXELS).toBe(2_000_000);
    // A 12 MP photo is stored at 2048 × 1536 (3.1 MP): within every limit the provider sets, and still too large to send.
    expect(fitsRoute(photo, BUDGET)).toBe(false);
    const first = firstAttempt(photo, BUDGET);
    expect(first).toMatchObject({ mime: 'image/jpeg', quality: 0.9 });
    expect(first.width * first.height).toBeLessThanOrEqual(SEND_MAX_PIXELS);
    expect(first.width * first.height).toBeGreaterThan(0.99 * SEND_MAX_PIXELS);
    expect(first.width / first.height).toBeCloseTo(4 / 3, 2);
  });

  it('sends a reference within the budget as it is stored', () => {
    expect(fitsRoute({ ...photo, width: 1024, height: 768 }, BUDGET)).toBe(true);
    expect(fitsRoute({ ...photo, width: 1600, height: 1250 }, BUDGET)).toBe(true); // exactly 2 MP
    expect(fitsRoute({ ...photo, width: 1601, height: 1250 }, BUDGET)).toBe(false);
  });

  it('follows a route’s own budget, and still its longest side', () => {
    expect(fitsRoute(photo, { ...BUDGET, maxPixels: 4_000_000 })).toBe(true);
    expect(firstAttempt({ ...photo, width: 4096, height: 1024 }, { ...BUDGET, maxPixels: 4_000_000 })).toMatchObject({ width: 2048, height: 512 });
    expect(firstAttempt(photo, { ...BUDGET, maxPixels: 786_432 })).toMatchObject({ width: 1024, height: 768 });
  });

  it('keeps a transparent PNG a PNG when it shrinks it', () => {
    expect(firstAttempt({ ...photo, mime: 'image/png' }, BUDGET)).toEqual({ width: 1632, height: 1224, mime: 'image/png' });
  });

  it('re-encodes the stored photo once, at the budget, and sends that', async () => {
    const f = fakeEncoder({ bytesPerPixel: () => 0.1 });
    const out = await prepareWith(f.encoder, stored(photo.size), BUDGET);
    expect(f.calls).toHaveLength(1);
    expect(out.width * out.height).toBeLessThanOrEqual(SEND_MAX_PIXELS);
    expect(out).toMatchObject({ mime: 'image/jpeg', width: f.calls[0]!.width, height: f.calls[0]!.height });
    expect(out.blob.size).toBeLessThan(photo.size);
  });
});

describe('PreparedReferences', () => {
  const input: RouteInput = { maxSide: 2048, maxBytes: 10 * MB, formats: ['image/jpeg'] };
  const ref = (sha256?: string) => ({ ...stored(3000), sha256, id: 'ref-1', thumb: new Blob(['t']) });
  const preparing = () => {
    const calls: string[] = [];
    const prepare = (r: StoredImage) => async () => {
      calls.push('prepare');
      return { blob: new Blob([new Uint8Array(r.blob.size / 3)], { type: 'image/jpeg' }), mime: 'image/jpeg', width: 1632, height: 1224 };
    };
    return { calls, prepare };
  };

  it('prepares a stored picture once for the same route input', async () => {
    const kept = new PreparedReferences(2);
    const { calls, prepare } = preparing();
    const a = ref('sha-a');
    const first = await kept.get(a, input, prepare(a));
    const again = await kept.get(ref('sha-a'), input, prepare(a));
    expect(calls).toEqual(['prepare']);
    expect(again).toBe(first);
    expect(again).toMatchObject({ mime: 'image/jpeg', width: 1632, height: 1224 });
    expect(again.blob.size).toBe(1000);
  });

  it('prepares again for another route input, another picture, or a picture without a hash', async () => {
    const kept = new PreparedReferences(4);
    const { calls, prepare } = preparing();
    const a = ref('sha-a');
    await kept.get(a, input, prepare(a));
    await kept.get(a, { ...input, maxSide: 1024 }, prepare(a));
    await kept.get(a, { ...input, formats: ['image/jpeg', 'image/png'] }, prepare(a));
    await kept.get(ref('sha-b'), input, prepare(a));
    await kept.get(ref(), input, prepare(a));
    await kept.get(ref(), input, prepare(a));
    expect(calls).toHaveLength(6);
  });

  it('keeps only the most recently used', async () => {
    const kept = new PreparedReferences(2);
    const { calls, prepare } = preparing();
    const [a, b, c] = [ref('a'), ref('b'), ref('c')];
    await kept.get(a, input, prepare(a));
    await kept.get(b, input, prepare(b));
    await kept.get(a, input, prepare(a)); // a is now the most recent
    await kept.get(c, input, prepare(c)); // b goes
    expect(calls).toHaveLength(3);
    await kept.get(a, input, prepare(a));
    expect(calls).toHaveLength(3);
    await kept.get(b, input, prepare(b));
    expect(calls).toHaveLength(4);
  });

  it('does not keep a preparation that failed', async () => {
    const kept = new PreparedReferences(2);
    const a = ref('sha-a');
    await expect(kept.get(a, input, () => Promise.reject(new AppError('too_large', 'no')))).rejects.toMatchObject({ kind: 'too_large' });
    const { calls, prepare } = preparing();
    await kept.get(a, input, prepare(a));
    expect(calls).toEqual(['prepare']);
  });

  it('keeps nothing for a reference sent as stored, and hands back the reference itself', async () => {
    const kept = new PreparedReferences(2);
    const a = ref('sha-a');
    let calls = 0;
    const asStored = async () => (calls++, a);
    expect(await kept.get(a, input, asStored)).toBe(a);
    expect(await kept.get(a, input, asStored)).toBe(a);
    expect(calls).toBe(2);
  });
});
