// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { normalizeImage } from '@/utils/image/normalize';
import { makeThumbnail } from '@/utils/image/thumbnail';

/**
 * The checks normalizeImage makes before decoding need no browser: a file they refuse never
 * reaches createImageBitmap (which Node does not have, so reaching it fails otherwise).
 */

/** A JPEG whose frame header comes after `metadataBytes` of APP15 segments, declaring width × height. */
function jpegWithLateFrameHeader(metadataBytes: number, width: number, height: number): Uint8Array {
  const parts: number[] = [0xff, 0xd8];
  for (let left = metadataBytes; left > 0; ) {
    const body = Math.min(left, 65533);
    parts.push(0xff, 0xef, ((body + 2) >> 8) & 0xff, (body + 2) & 0xff);
    for (let i = 0; i < body; i++) parts.push(0);
    left -= body;
  }
  // SOF0: length 17, 8-bit, height, width, 3 components.
  parts.push(0xff, 0xc0, 0x00, 0x11, 0x08, height >> 8, height & 0xff, width >> 8, width & 0xff, 0x03, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1);
  parts.push(0xff, 0xd9);
  return new Uint8Array(parts);
}

describe('before decoding', () => {
  it('refuses a pixel bomb whose size is declared after more than 1 MB of metadata', async () => {
    const bomb = jpegWithLateFrameHeader(1_200_000, 30_000, 30_000);
    await expect(normalizeImage(new Blob([bomb as Uint8Array<ArrayBuffer>], { type: 'image/jpeg' }))).rejects.toMatchObject({
      kind: 'too_large',
      message: 'This image is 30000 × 30000 pixels; the limit is 100 megapixels.',
    });
    // A provider's result goes through the same check before its thumbnail is made.
    await expect(makeThumbnail(new Blob([bomb as Uint8Array<ArrayBuffer>], { type: 'image/jpeg' }))).rejects.toMatchObject({ kind: 'too_large' });
  });
});
