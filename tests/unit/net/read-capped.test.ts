// @vitest-environment node
import { describe, expect, it, vi } from 'vitest';
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

  /** A response as an extension's own fetch gets it: "basic", every header visible. */
  function basic(body: BodyInit, headers: Record<string, string>): Response {
    const res = new Response(body, { headers });
    Object.defineProperty(res, 'type', { value: 'basic' });
    return res;
  }

  it('takes a body whose declared length binds it in one piece', async () => {
    const res = basic(new Uint8Array(3000), { 'content-type': 'image/jpeg', 'content-length': '3000' });
    const whole = vi.spyOn(res, 'blob');
    const blob = await readCapped(res, 4096);
    expect(whole).toHaveBeenCalledOnce();
    expect(blob.size).toBe(3000);
    expect(blob.type).toBe('image/jpeg');
  });

  it('counts chunks when the length does not bind: compressed, chunked, undeclared, or headers hidden', async () => {
    const cases = [
      basic(new Uint8Array(3000), { 'content-length': '3000', 'content-encoding': 'gzip' }),
      // Chromium reads a chunked body whole whatever Content-Length says.
      basic(new Uint8Array(3000), { 'content-length': '3000', 'transfer-encoding': 'chunked' }),
      basic(new Uint8Array(3000), {}),
      new Response(new Uint8Array(3000), { headers: { 'content-length': '3000' } }), // type "default"
    ];
    for (const res of cases) {
      const whole = vi.spyOn(res, 'blob');
      expect((await readCapped(res, 4096)).size).toBe(3000);
      expect(whole).not.toHaveBeenCalled();
    }
  });

  it('still refuses a whole body that turns out larger than the cap', async () => {
    // A declared length the body does not keep to (no browser lets this through; the check stays).
    const res = basic(new Uint8Array(5000), { 'content-length': '3000' });
    await expect(readCapped(res, 4096)).rejects.toBeInstanceOf(BodyTooLarge);
  });
});
