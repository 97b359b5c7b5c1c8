import { describe, expect, it, vi } from 'vitest';
import { copyImageToClipboard, type ClipboardEnv } from '../../utils/clipboard';

/** A ClipboardItem that keeps what it was given, like the browser's. */
class FakeItem {
  constructor(readonly items: Record<string, Promise<Blob> | Blob>) {}
}

function env(write: (items: FakeItem[]) => Promise<void>, toPng = vi.fn(async (b: Blob) => new Blob([await b.arrayBuffer()], { type: 'image/png' }))) {
  const written: Blob[] = [];
  const e: ClipboardEnv = {
    clipboard: {
      write: async (items) => {
        // The browser reads every item's data before it answers.
        for (const item of items as unknown as FakeItem[]) for (const data of Object.values(item.items)) written.push(await data);
        await write(items as unknown as FakeItem[]);
      },
    },
    ClipboardItem: FakeItem as unknown as typeof ClipboardItem,
    toPng,
  };
  return { env: e, written, toPng };
}

describe('copyImageToClipboard', () => {
  it('writes a PNG as it is', async () => {
    const { env: e, written, toPng } = env(async () => {});
    const png = new Blob(['png'], { type: 'image/png' });
    await copyImageToClipboard(png, e);
    expect(written).toEqual([png]);
    expect(toPng).not.toHaveBeenCalled();
  });

  it('converts other types to PNG first, since the clipboard takes PNG only', async () => {
    const { env: e, written, toPng } = env(async () => {});
    await copyImageToClipboard(new Blob(['webp'], { type: 'image/webp' }), e);
    expect(toPng).toHaveBeenCalledTimes(1);
    expect(written.map((b) => b.type)).toEqual(['image/png']);
  });

  it('says clearly when the browser refuses', async () => {
    const { env: e } = env(async () => {
      throw new DOMException('Document is not focused.', 'NotAllowedError');
    });
    await expect(copyImageToClipboard(new Blob(['png'], { type: 'image/png' }), e)).rejects.toMatchObject({
      name: 'AppError',
      message: 'The browser did not allow copying the image. Click in the panel and try again.',
    });
  });

  it('tells a picture that cannot be converted apart from a refusal', async () => {
    const { env: e } = env(
      async () => {},
      vi.fn(async () => {
        throw new DOMException('bad image', 'InvalidStateError');
      }),
    );
    await expect(copyImageToClipboard(new Blob(['avif'], { type: 'image/avif' }), e)).rejects.toMatchObject({
      kind: 'not_an_image',
      message: 'This image could not be prepared for the clipboard.',
    });
  });

  it('says so when the browser has no image clipboard', async () => {
    await expect(
      copyImageToClipboard(new Blob(['png'], { type: 'image/png' }), { clipboard: undefined, ClipboardItem: undefined, toPng: vi.fn() }),
    ).rejects.toMatchObject({ message: 'This browser cannot copy images from here. Use Download instead.' });
  });
});
