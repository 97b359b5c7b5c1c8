import { describe, expect, it, vi } from 'vitest';
import { parseSrcset, pickBestSource } from '@/utils/intake/srcset';
import { IMAGE_LINK_PATTERNS, isImageLink } from '@/utils/intake/link-targets';
import { buildRefererRule, TAB_ID_NONE } from '@/utils/intake/referer-rule';
import { RULE_PRIORITY } from '@/utils/intake/private-network-rules';
import { fetchImage } from '@/utils/intake/fetch-image';
import { intakeNextStep, offersScreenshot, pageReadError } from '@/utils/intake/messages';
import { isOwnContentScript, PickerMessage } from '@/utils/intake/content-messages';
import { AppError } from '@/utils/errors';

describe('srcset', () => {
  it('parses width and density descriptors, and URLs with commas', () => {
    expect(parseSrcset('a.jpg 480w, b.jpg 960w,c,d.jpg 1920w')).toEqual([
      { url: 'a.jpg', width: 480 },
      { url: 'b.jpg', width: 960 },
      { url: 'c,d.jpg', width: 1920 },
    ]);
    expect(parseSrcset('x.png, x2.png 2x, bad.png 100h')).toEqual([
      { url: 'x.png', density: 1 },
      { url: 'x2.png', density: 2 },
    ]);
  });

  it('picks the largest candidate of the set the shown image belongs to', () => {
    const base = 'https://ex.org/gallery/';
    const sets = ['/crop-a.jpg 400w, /crop-b.jpg 800w', 'small.jpg 480w, big.jpg 1920w, mid.jpg 960w'];
    expect(pickBestSource('https://ex.org/gallery/mid.jpg', sets, base)).toBe('https://ex.org/gallery/big.jpg');
    expect(pickBestSource('https://ex.org/gallery/x1.jpg', ['x1.jpg, x3.jpg 3x, x2.jpg 2x'], base)).toBe('https://ex.org/gallery/x3.jpg');
    // Not in any set (art direction, or no srcset): keep what is shown.
    expect(pickBestSource('https://ex.org/other.jpg', sets, base)).toBe('https://ex.org/other.jpg');
    expect(pickBestSource('https://ex.org/other.jpg', [], base)).toBe('https://ex.org/other.jpg');
  });
});

describe('image links', () => {
  it('accepts http(s) links to image files, with or without a query', () => {
    expect(isImageLink('https://ex.org/full/photo.JPG')).toBe(true);
    expect(isImageLink('https://ex.org/p.webp?w=2000')).toBe(true);
    expect(isImageLink('https://ex.org/page.html')).toBe(false);
    expect(isImageLink('https://ex.org/jpg')).toBe(false);
    expect(isImageLink('ftp://ex.org/a.png')).toBe(false);
    expect(isImageLink('not a url')).toBe(false);
  });
  it('gives Chrome match patterns for each extension', () => {
    expect(IMAGE_LINK_PATTERNS).toContain('*://*/*.png');
    expect(IMAGE_LINK_PATTERNS).toContain('*://*/*.JPEG?*');
    expect(IMAGE_LINK_PATTERNS.every((p) => p.startsWith('*://*/'))).toBe(true);
  });
});

describe('Referer rule', () => {
  it('sets only the page\u2019s origin as Referer, for exactly this URL, for the extension\u2019s own requests outside tabs', () => {
    const rule = buildRefererRule(7, 'https://img.ex.org/a/b.jpg?x=1', 'https://ex.org/post/7?session=abc#c', 'extension-host');
    expect(rule.id).toBe(7);
    expect(rule.action.requestHeaders).toEqual([{ header: 'referer', operation: 'set', value: 'https://ex.org/' }]);
    expect(rule.condition.urlFilter).toBe('|https://img.ex.org/a/b.jpg?x=1|');
    expect(rule.condition.regexFilter).toBeUndefined();
    expect(rule.condition.tabIds).toEqual([TAB_ID_NONE]);
    expect(rule.condition.initiatorDomains).toEqual(['extension-host']);
    expect(rule.condition.isUrlFilterCaseSensitive).toBe(true);
    expect(buildRefererRule(1, 'http://10.0.0.2:8080/cam.jpg', 'http://10.0.0.2:8080/admin/view.cgi?id=3').action.requestHeaders[0]?.value).toBe('http://10.0.0.2:8080/');
  });
  it('outranks the network guard\u2019s allow rules, which would otherwise cancel it', () => {
    expect(buildRefererRule(1, 'https://ex.org/a.png', 'https://ex.org/').priority).toBe(RULE_PRIORITY.headers);
    expect(RULE_PRIORITY.headers).toBeGreaterThan(RULE_PRIORITY.allow);
  });
  it('falls back to an escaped regex when the URL holds urlFilter syntax', () => {
    const rule = buildRefererRule(1, 'https://ex.org/a*b^c.png', 'https://ex.org/');
    expect(rule.condition.urlFilter).toBeUndefined();
    const re = new RegExp(rule.condition.regexFilter!);
    expect(re.test('https://ex.org/a*b^c.png')).toBe(true);
    expect(re.test('https://ex.org/aXXb^c.png')).toBe(false);
    expect(re.test('https://ex.org/a*b^c.png?more')).toBe(false);
  });
  it('refuses non-http addresses', () => {
    expect(() => buildRefererRule(1, 'data:image/png;base64,AA', 'https://ex.org/')).toThrow();
  });
});

describe('fetchImage', () => {
  const png = new Blob([new Uint8Array([0x89, 0x50, 0x4e, 0x47])]);
  it('retries a 403 once with the page as Referer', async () => {
    const fetchFn = vi.fn(async () => new Response(null, { status: 403 }));
    const refererFetch = vi.fn(async () => new Response(png, { status: 200 }));
    const blob = await fetchImage('https://img.ex.org/a.png', { pageUrl: 'https://ex.org/p' }, fetchFn, { refererFetch });
    expect(blob.size).toBe(4);
    expect(refererFetch).toHaveBeenCalledWith('https://img.ex.org/a.png', 'https://ex.org/p', expect.objectContaining({ cache: 'no-store' }));
  });
  it('does not send the page address when the image comes without it', async () => {
    const refererFetch = vi.fn();
    await fetchImage('https://img.ex.org/a.png', { pageUrl: 'https://ex.org/p' }, async () => new Response(png), { refererFetch });
    expect(refererFetch).not.toHaveBeenCalled();
  });
  it('says the site refused when the Referer does not help either', async () => {
    const deny = async () => new Response(null, { status: 403 });
    await expect(fetchImage('https://img.ex.org/a.png', { pageUrl: 'https://ex.org/p' }, deny, { refererFetch: deny })).rejects.toMatchObject({
      kind: 'source_refused',
      message: 'The site refused to send this image to the extension.',
    });
  });
  it('times out after the injected limit', async () => {
    const hang = (_u: RequestInfo | URL, init?: RequestInit) =>
      new Promise<Response>((_r, reject) => init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))));
    await expect(fetchImage('https://img.ex.org/a.png', {}, hang as typeof fetch, { timeoutMs: 30 })).rejects.toMatchObject({ kind: 'timed_out' });
  });
  it('names server errors and missing images', async () => {
    await expect(fetchImage('https://ex.org/a.png', {}, async () => new Response(null, { status: 500 }))).rejects.toMatchObject({
      message: 'The site failed to send the image (it answered with error 500).',
    });
    await expect(fetchImage('https://ex.org/a.png', {}, async () => new Response(null, { status: 404 }))).rejects.toMatchObject({ kind: 'not_found' });
  });
});

describe('intake messages', () => {
  it('always names another way in', () => {
    for (const kind of ['not_found', 'source_refused', 'timed_out'] as const) {
      expect(intakeNextStep(kind)).toMatch(/drag it into the panel/i);
      expect(intakeNextStep(kind)).toContain('screenshot');
      expect(offersScreenshot(kind)).toBe(true);
    }
    expect(offersScreenshot('internal')).toBe(false);
    expect(pageReadError({ ok: false, reason: 'tainted' })).toBeInstanceOf(AppError);
    expect(pageReadError({ ok: false, reason: 'tainted' }).message).toContain('another site');
  });
});

describe('picker messages', () => {
  const origin = 'chrome-extension://abc/';
  it('admits only our own content scripts in a tab', () => {
    expect(isOwnContentScript({ id: 'abc', tab: { id: 3 } as never, url: 'https://ex.org/' }, 'abc', origin)).toBe(true);
    expect(isOwnContentScript({ id: 'abc', url: 'https://ex.org/' }, 'abc', origin)).toBe(false);
    expect(isOwnContentScript({ id: 'other', tab: { id: 3 } as never, url: 'https://ex.org/' }, 'abc', origin)).toBe(false);
    expect(isOwnContentScript({ id: 'abc', tab: { id: 3 } as never, url: `${origin}sidepanel.html` }, 'abc', origin)).toBe(false);
  });
  it('parses only the picker result shapes', () => {
    expect(PickerMessage.safeParse({ type: 'picker.result', result: { kind: 'url', url: 'https://ex.org/a.png' } }).success).toBe(true);
    expect(PickerMessage.safeParse({ type: 'picker.result', result: { kind: 'shell', cmd: 'x' } }).success).toBe(false);
    expect(PickerMessage.safeParse({ type: 'job.create', result: { kind: 'canceled' } }).success).toBe(false);
  });
});
