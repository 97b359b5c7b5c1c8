import { describe, expect, it } from 'vitest';
import { downloadOutput } from '../../../utils/jobs/download';
import { pngResponse } from './fixtures';

const output = { kind: 'url', url: 'https://cdn.example/1.png' } as const;
const signal = new AbortController().signal;
const replying = (res: Response) => (async () => res) as unknown as typeof fetch;

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
