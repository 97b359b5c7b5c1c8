// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { Jimp, JimpMime } from 'jimp';
import {
  deriveFromReference,
  generateFromPrompt,
  ImageInputError,
  loadReference,
  sizeForAspect,
} from '../../sandbox/image';

async function jpeg(width: number, height: number) {
  const img = new Jimp({ width, height, color: 0x3366ccff });
  return img.getBuffer(JimpMime.jpeg);
}

describe('sandbox image derivation', () => {
  it('keeps small references at their size and scales large ones to a 1024 long side', async () => {
    const small = await deriveFromReference(await jpeg(200, 100), { prompt: 'p', seed: 1 });
    expect([small.width, small.height]).toEqual([200, 100]);
    const large = await deriveFromReference(await jpeg(2048, 1024), { prompt: 'p', seed: 1 });
    expect([large.width, large.height]).toEqual([1024, 512]);
    const decoded = await Jimp.fromBuffer(large.png);
    expect([decoded.bitmap.width, decoded.bitmap.height]).toEqual([1024, 512]);
  });

  it('cover-fits the reference into an explicit size', async () => {
    const out = await deriveFromReference(await jpeg(300, 300), { prompt: 'p', seed: 1, size: { width: 160, height: 90 } });
    expect([out.width, out.height]).toEqual([160, 90]);
  });

  it('tints differently per prompt', async () => {
    const ref = await jpeg(64, 64);
    const a = await deriveFromReference(ref, { prompt: 'sunset', seed: 1 });
    const b = await deriveFromReference(ref, { prompt: 'forest', seed: 1 });
    const a2 = await deriveFromReference(ref, { prompt: 'sunset', seed: 1 });
    expect(a.png.equals(b.png)).toBe(false);
    expect(a.png.equals(a2.png)).toBe(true);
  });

  // No wall-clock bound: on two shared cores it fails with load, not with slow code.
  it('derives from a 1024 px reference at its own size', async () => {
    const out = await deriveFromReference(await jpeg(1024, 1024), { prompt: 'full size', seed: 1 });
    expect([out.width, out.height]).toEqual([1024, 1024]);
    const decoded = await Jimp.fromBuffer(out.png);
    expect([decoded.bitmap.width, decoded.bitmap.height]).toEqual([1024, 1024]);
  });

  it('generates prompt gradients at the requested size', async () => {
    const out = await generateFromPrompt('a gradient', 3, { width: 100, height: 50 });
    expect([out.width, out.height]).toEqual([100, 50]);
  });

  it('computes sizes from aspect ratios', () => {
    expect(sizeForAspect('16:9')).toEqual({ width: 1024, height: 576 });
    expect(sizeForAspect('9:21')).toEqual({ width: 439, height: 1024 });
    expect(sizeForAspect('1x1')).toEqual({ width: 1024, height: 1024 });
    expect(sizeForAspect('wide')).toBeUndefined();
  });
});

describe('sandbox reference loading', () => {
  it('decodes base64 data URIs', async () => {
    const bytes = await jpeg(10, 10);
    const back = await loadReference(`data:image/jpeg;base64,${bytes.toString('base64')}`);
    expect(back.equals(bytes)).toBe(true);
  });

  it('never fetches hosts other than localhost', async () => {
    for (const url of ['https://example.com/a.png', 'http://10.0.0.1/a.png', 'file:///etc/passwd', 'nonsense']) {
      await expect(loadReference(url)).rejects.toBeInstanceOf(ImageInputError);
    }
  });

  it('reports undecodable bytes as a decode error', async () => {
    await expect(deriveFromReference(Buffer.from('not an image'), { prompt: 'p', seed: 1 })).rejects.toMatchObject({ kind: 'decode' });
  });
});
