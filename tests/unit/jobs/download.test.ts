import { describe, expect, it, vi } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DOWNLOAD_LIMITS, downloadOutput, MAX_RESULT_BYTES } from '../../../utils/jobs/download';
import { PNG_1x1 } from '../helpers';
import { pngResponse } from './fixtures';

const output = { kind: 'url', url: 'https://cdn.example/1.png' } as const;
const signal = new AbortController().signal;
const replying = (res: Response) => (async () => res) as unknown as typeof fetch;
const fixture = (name: string) => new Uint8Array(readFileSync(resolve('tests/fixtures/images', name)));
const served = (bytes: Uint8Array, type: string) => new Response(new Blob([bytes as Uint8Array<ArrayBuffer>]), { status: 200, headers: { 'content-type': type } });

describe('downloadOutput', () => {
  it('passes on how long the provider asked us to wait', async () => {
    await expect(downloadOutput(output, replying(new Response('', { status: 429, headers: { 'retry-after': '12' } })), signal, 'fal')).rejects.toMatchObject({
      kind: 'rate_limited',
      retryAfterMs: 12_000,
    });
    await expect(downloadOutput(output, replying(new Response('', { status: 503, headers: { 'retry-after': '3' } })), signal, 'fal')).rejects.toMatchObject({
      kind: 'provider_down',
      retryAfterMs: 3_000,
    });
    await expect(downloadOutput(output, replying(new Response('', { status: 502 })), signal, 'fal')).rejects.toMatchObject({
      kind: 'provider_down',
      retryAfterMs: undefined,
    });
  });

  it('treats an expired link as gone, and saves a good image', async () => {
    await expect(downloadOutput(output, replying(new Response('', { status: 410 })), signal, 'fal')).rejects.toMatchObject({ kind: 'not_found' });
    const ok = await downloadOutput(output, replying(pngResponse()), signal, 'fal');
    expect(ok.mime).toBe('image/png');
    expect(ok.blob.size).toBeGreaterThan(0);
  });
});

describe('downloadOutput: the bytes decide, not the Content-Type (issue 12)', () => {
  it('refuses a web page served as image/png', async () => {
    const page = fixture('login-page.html');
    await expect(downloadOutput(output, replying(served(page, 'image/png')), signal, 'fal')).rejects.toMatchObject({
      kind: 'bad_reply',
      message: 'fal delivered a web page instead of an image; it was not saved.',
    });
  });

  it('refuses SVG whatever it is labelled, and formats results are not kept in', async () => {
    const svg = fixture('basic-200x100.svg');
    for (const type of ['image/svg+xml', 'image/png']) {
      await expect(downloadOutput(output, replying(served(svg, type)), signal, 'fal')).rejects.toMatchObject({ kind: 'bad_reply', message: expect.stringContaining('an SVG drawing') });
    }
    await expect(downloadOutput(output, replying(served(fixture('document.pdf'), 'image/jpeg')), signal, 'fal')).rejects.toMatchObject({ kind: 'bad_reply', message: expect.stringContaining('a PDF document') });
    await expect(downloadOutput(output, replying(served(fixture('heic-grid-header-4032x3024.heic'), 'image/heic')), signal, 'fal')).rejects.toMatchObject({ kind: 'bad_reply', message: expect.stringContaining('HEIC') });
    await expect(downloadOutput(output, replying(served(new TextEncoder().encode('{"detail":"oops"}'), 'image/png')), signal, 'fal')).rejects.toMatchObject({ kind: 'bad_reply' });
  });

  it('stores the sniffed MIME, not the header\u2019s', async () => {
    const png = await downloadOutput(output, replying(served(PNG_1x1, 'application/octet-stream')), signal, 'fal');
    expect(png.mime).toBe('image/png');
    expect(png.blob.type).toBe('image/png');
    const webp = await downloadOutput(output, replying(served(fixture('lossy-48x32.webp'), 'image/jpeg')), signal, 'fal');
    expect(webp.mime).toBe('image/webp');
    const avif = await downloadOutput(output, replying(served(fixture('avif-header-1200x800.avif'), 'text/html')), signal, 'fal');
    expect(avif.mime).toBe('image/avif');
    const gif = await downloadOutput(output, replying(served(fixture('animated-8x8.gif'), '')), signal, 'fal');
    expect(gif.mime).toBe('image/gif');
  });

  it('checks images that came inside the provider\u2019s reply the same way', async () => {
    const html = new Blob([fixture('login-page.html')], { type: 'image/png' });
    await expect(downloadOutput({ kind: 'blob', blob: html }, replying(pngResponse()), signal, 'OpenAI')).rejects.toMatchObject({ kind: 'bad_reply', message: expect.stringContaining('a web page') });
    const png = await downloadOutput({ kind: 'blob', blob: new Blob([PNG_1x1], { type: 'image/jpeg' }) }, replying(pngResponse()), signal, 'Google');
    expect(png.mime).toBe('image/png');
  });
});

describe('downloadOutput: read as a stream, stopped at 80 MB (issue 12)', () => {
  it('stops a 200 MB chunked download just past the cap', async () => {
    const pulled = { bytes: 0 };
    let first = true;
    const chunk = 256 * 1024;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        if (pulled.bytes >= 200 * 1024 * 1024) return c.close();
        const bytes = new Uint8Array(chunk);
        if (first) bytes.set(PNG_1x1);
        first = false;
        pulled.bytes += chunk;
        c.enqueue(bytes);
      },
    });
    await expect(downloadOutput(output, replying(new Response(stream, { headers: { 'content-type': 'image/png' } })), signal, 'fal')).rejects.toMatchObject({
      kind: 'bad_reply',
      message: 'fal delivered a result larger than 80 MB; it was not saved.',
    });
    expect(pulled.bytes).toBeLessThanOrEqual(MAX_RESULT_BYTES + 2 * chunk);
    console.log(`[download] 200 MB chunked result: ${pulled.bytes} bytes read before stopping (cap ${MAX_RESULT_BYTES})`);
  });

  it('refuses a declared length over the cap without reading', async () => {
    let pulls = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        pulls++;
        c.enqueue(new Uint8Array(1024));
      },
    });
    const res = new Response(stream, { headers: { 'content-type': 'image/png', 'content-length': String(300 * 1024 * 1024) } });
    await expect(downloadOutput(output, replying(res), signal, 'fal')).rejects.toMatchObject({ kind: 'bad_reply' });
    expect(pulls).toBeLessThanOrEqual(1);
  });

  it('fails a download that goes silent for 20 s, instead of waiting for ever', async () => {
    vi.useFakeTimers();
    try {
      // Headers and the first bytes at once, then nothing more, ever.
      const stream = new ReadableStream<Uint8Array>({
        start(c) {
          c.enqueue(PNG_1x1.subarray(0, 8));
        },
        pull: () => new Promise<void>(() => {}),
      });
      const outcome = downloadOutput(output, replying(new Response(stream, { headers: { 'content-type': 'image/png' } })), signal, 'fal').then(
        () => undefined,
        (e: unknown) => e,
      );
      await vi.advanceTimersByTimeAsync(DOWNLOAD_LIMITS.silenceMs - 100);
      let settled = false;
      void outcome.then(() => (settled = true));
      await vi.advanceTimersByTimeAsync(0);
      expect(settled).toBe(false);
      await vi.advanceTimersByTimeAsync(200);
      expect(await outcome).toMatchObject({ kind: 'timed_out', message: 'The result from fal did not arrive in time.' });
    } finally {
      vi.useRealTimers();
    }
  });

  it('stops at once when the job is canceled mid-download', async () => {
    const controller = new AbortController();
    let pulls = 0;
    const stream = new ReadableStream<Uint8Array>({
      // The first pull hands over the start of the file; the next one means it was read and more
      // is wanted: the user cancels then, and the rest never comes.
      pull(c) {
        if (++pulls === 1) {
          c.enqueue(PNG_1x1.subarray(0, 8));
          return;
        }
        controller.abort();
        return new Promise<void>(() => {});
      },
    });
    await expect(downloadOutput(output, replying(new Response(stream, { headers: { 'content-type': 'image/png' } })), controller.signal, 'fal')).rejects.toMatchObject({ kind: 'canceled' });
    expect(pulls).toBe(2); // canceled with the first bytes read, not before
  });
});
