// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { BodyTooLarge, readCapped } from '@/utils/net/read-capped';

/** A body of `chunks` chunks of `size` bytes that counts how many were pulled. */
function countingBody(chunks: number, size: number) {
  const pulled = { chunks: 0 };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled.chunks >= chunks) return controller.close();
      pulled.chunks++;
      controller.enqueue(new Uint8Array(size));
    },
  });
  return { stream, pulled };
}

describe('readCapped', () => {
  it('returns the whole body when it fits, typed', async () => {
    const blob = await readCapped(new Response('hello', { headers: { 'content-type': 'text/plain' } }), 10);
    expect(await blob.text()).toBe('hello');
    expect(blob.type).toBe('text/plain');
  });

  it('stops reading at the cap instead of reading the whole body', async () => {
    // 200 MB announced by nothing (chunked): reading must stop just past 1 MB.
    const { stream, pulled } = countingBody(200 * 16, 64 * 1024);
    await expect(readCapped(new Response(stream), 1024 * 1024)).rejects.toBeInstanceOf(BodyTooLarge);
    expect(pulled.chunks * 64 * 1024).toBeLessThanOrEqual(1024 * 1024 + 2 * 64 * 1024);
  });

  it('refuses a declared length over the cap before reading', async () => {
    const { stream, pulled } = countingBody(10, 1024);
    const res = new Response(stream, { headers: { 'content-length': String(200 * 1024 * 1024) } });
    await expect(readCapped(res, 1024)).rejects.toMatchObject({ declared: 200 * 1024 * 1024 });
    expect(pulled.chunks).toBeLessThanOrEqual(1);
  });
});
