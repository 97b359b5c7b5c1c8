// @vitest-environment node
import { describe, expect, it, vi } from 'vitest';
import { fetchImage, isPrivateNetworkRefusal, MAX_IMAGE_BYTES } from '@/utils/intake/fetch-image';
import type { ImageFetchGuard } from '@/utils/intake/network-guard';
import { AppError } from '@/utils/errors';

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A guard that records what the download asked of it, in order, with the fetches. */
function recordingGuard(log: string[]): ImageFetchGuard {
  return {
    async ready() {
      await new Promise((r) => setTimeout(r, 5));
      log.push('ready');
    },
    async allowOrigin(origin) {
      log.push(`allow ${origin}`);
      return async () => {
        log.push(`release ${origin}`);
      };
    },
  };
}

const quietGuard: ImageFetchGuard = { ready: async () => {}, allowOrigin: async () => async () => {} };

/** What fetch() answers for redirect: 'manual' when the site redirects. */
function opaqueRedirect(): Response {
  const res = new Response(null, { status: 200 });
  Object.defineProperties(res, { type: { value: 'opaqueredirect' }, status: { value: 0 }, ok: { value: false } });
  return res;
}

/** A response fetch() gives after following redirects to `finalUrl`. */
function followed(finalUrl: string, body: BodyInit | null = PNG): Response {
  const res = new Response(body);
  Object.defineProperties(res, { redirected: { value: true }, url: { value: finalUrl } });
  return res;
}

type Init = RequestInit | undefined;

describe('fetchImage: the private network (finding 1)', () => {
  it('waits for the guard, and opens an intranet page\u2019s own origin only for the length of the fetch', async () => {
    const log: string[] = [];
    const fetchFn = vi.fn(async (url: RequestInfo | URL) => {
      log.push(`fetch ${String(url)}`);
      return new Response(PNG);
    });
    await fetchImage('http://192.168.1.20/cam/snapshot.jpg', { pageUrl: 'http://192.168.1.20/cam/' }, fetchFn as typeof fetch, { guard: recordingGuard(log) });
    expect(log).toEqual(['ready', 'allow http://192.168.1.20', 'fetch http://192.168.1.20/cam/snapshot.jpg', 'release http://192.168.1.20']);
  });

  it('closes the origin again when the fetch fails', async () => {
    const log: string[] = [];
    const fetchFn = async () => {
      throw new TypeError('Failed to fetch');
    };
    await expect(fetchImage('http://intranet:8080/a.png', { pageUrl: 'http://intranet:8080/wiki' }, fetchFn, { guard: recordingGuard(log) })).rejects.toBeInstanceOf(AppError);
    expect(log).toEqual(['ready', 'allow http://intranet:8080', 'release http://intranet:8080']);
  });

  it('opens nothing for a public page, even when it is served from a private address by name', async () => {
    const log: string[] = [];
    await fetchImage('https://cdn.example.com/a.png', { pageUrl: 'https://news.example.com/story' }, async () => new Response(PNG), { guard: recordingGuard(log) });
    await fetchImage('https://cdn.example.com/a.png', {}, async () => new Response(PNG), { guard: recordingGuard(log) });
    expect(log).toEqual(['ready', 'ready']);
  });

  it('refuses a redirect chain the browser stopped, in plain words, and marks it so the page is not asked to fetch it instead', async () => {
    const inits: Init[] = [];
    const fetchFn = async (_url: RequestInfo | URL, init?: RequestInit) => {
      inits.push(init);
      if (init?.redirect === 'manual') return opaqueRedirect();
      throw new TypeError('Failed to fetch'); // the guard's rule blocked a hop
    };
    const err = await fetchImage('https://images.example.com/a.png', { pageUrl: 'https://images.example.com/' }, fetchFn, { guard: quietGuard }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({
      kind: 'source_refused',
      message: 'This image\u2019s address forwards to another one that the extension won\u2019t visit (it is on your own computer or private network) or can\u2019t reach. Save it and drag it into the panel instead.',
    });
    expect(isPrivateNetworkRefusal(err)).toBe(true);
    expect(inits.map((i) => i?.redirect)).toEqual(['manual', 'follow']);
  });

  it('marks refusals of private images and of private final addresses, not ordinary failures', async () => {
    const direct = await fetchImage('http://10.0.0.1/a.png', { pageUrl: 'https://evil.example/' }, vi.fn(), { guard: quietGuard }).catch((e: unknown) => e);
    expect(isPrivateNetworkRefusal(direct)).toBe(true);
    const final = await fetchImage('https://a.example/x', {}, async () => followed('http://127.0.0.1:631/printers'), { guard: quietGuard }).catch((e: unknown) => e);
    expect(final).toMatchObject({ kind: 'source_refused', message: expect.stringMatching(/your own computer/) });
    expect(isPrivateNetworkRefusal(final)).toBe(true);
    const down = await fetchImage(
      'https://a.example/x',
      {},
      async () => {
        throw new TypeError('Failed to fetch');
      },
      { guard: quietGuard },
    ).catch((e: unknown) => e);
    expect(down).toMatchObject({ kind: 'source_refused', message: 'The site refused to send the image to the extension.' });
    expect(isPrivateNetworkRefusal(down)).toBe(false);
  });
});

describe('fetchImage: cookies only for the page\u2019s own host (finding 2)', () => {
  async function initsFor(image: string, pageUrl: string | undefined, answer: (init: Init) => Response = () => new Response(PNG)) {
    const inits: Init[] = [];
    await fetchImage(
      image,
      { pageUrl },
      async (_u: RequestInfo | URL, init?: RequestInit) => {
        inits.push(init);
        return answer(init);
      },
      { guard: quietGuard },
    );
    return inits.map((i) => ({ credentials: i?.credentials, redirect: i?.redirect }));
  }

  it('sends cookies to the page\u2019s own host, without following a redirect', async () => {
    expect(await initsFor('https://www.example.com/img/a.png', 'https://www.example.com/post/1')).toEqual([{ credentials: 'include', redirect: 'manual' }]);
    expect(await initsFor('http://www.example.com:8080/a.png', 'https://www.example.com/')).toEqual([{ credentials: 'include', redirect: 'manual' }]);
  });

  it('sends none to third parties, subdomains included (no public-suffix list: same host only)', async () => {
    expect(await initsFor('https://tracker.example.net/a.png', 'https://www.example.com/')).toEqual([{ credentials: 'omit', redirect: 'manual' }]);
    expect(await initsFor('https://cdn.example.com/a.png', 'https://www.example.com/')).toEqual([{ credentials: 'omit', redirect: 'manual' }]);
    expect(await initsFor('https://www.example.com/a.png', undefined)).toEqual([{ credentials: 'omit', redirect: 'manual' }]);
  });

  it('follows a redirect only in a second request without cookies', async () => {
    const inits = await initsFor('https://www.example.com/i/42', 'https://www.example.com/', (init) =>
      init?.redirect === 'manual' ? opaqueRedirect() : followed('https://cdn.other.net/42.png'),
    );
    expect(inits).toEqual([
      { credentials: 'include', redirect: 'manual' },
      { credentials: 'omit', redirect: 'follow' },
    ]);
  });

  it('applies the same to the Referer retry', async () => {
    const refererInits: Init[] = [];
    await fetchImage('https://www.example.com/hot.png', { pageUrl: 'https://www.example.com/gallery' }, async () => new Response(null, { status: 403 }), {
      guard: quietGuard,
      refererFetch: async (_u, _p, init) => {
        refererInits.push(init);
        return new Response(PNG);
      },
    });
    expect(refererInits.map((i) => [i?.credentials, i?.redirect, i?.cache])).toEqual([['include', 'manual', 'no-store']]);
  });
});

describe('fetchImage: the size cap while reading (finding 4)', () => {
  const MB = 1024 * 1024;

  /** A body of `chunks` megabytes, counting how many the reader pulled. */
  function countingBody(chunks: number) {
    const chunk = new Uint8Array(MB);
    const state = { pulled: 0 };
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (state.pulled >= chunks) return controller.close();
        state.pulled++;
        controller.enqueue(chunk);
      },
    });
    return { body, state };
  }

  it('stops reading at the cap when the size is not declared', async () => {
    const { body, state } = countingBody(96);
    await expect(fetchImage('https://ex.org/huge.png', {}, async () => new Response(body), { guard: quietGuard })).rejects.toMatchObject({
      kind: 'too_large',
      message: 'The image file is larger than 40 MB.',
    });
    expect(state.pulled).toBeLessThanOrEqual(MAX_IMAGE_BYTES / MB + 2);
  });

  it('refuses a declared size over the cap without reading the body', async () => {
    const { body, state } = countingBody(96);
    const res = new Response(body, { headers: { 'content-length': String(96 * MB) } });
    await expect(fetchImage('https://ex.org/huge.png', {}, async () => res, { guard: quietGuard })).rejects.toMatchObject({
      kind: 'too_large',
      message: 'The image file is 96 MB; the limit is 40 MB.',
    });
    expect(state.pulled).toBeLessThanOrEqual(1);
  });

  it('times out a body that never ends', async () => {
    const endless = new ReadableStream<Uint8Array>({ pull: () => new Promise(() => {}) });
    const fetchFn = async (_u: RequestInfo | URL, init?: RequestInit) => {
      // fetch() errors the body when its signal aborts.
      const reader = endless.getReader();
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          init?.signal?.addEventListener('abort', () => controller.error(new DOMException('aborted', 'AbortError')));
        },
        pull: async (controller) => {
          const { value, done } = await reader.read();
          if (done) controller.close();
          else controller.enqueue(value);
        },
      });
      return new Response(body);
    };
    await expect(fetchImage('https://ex.org/drip.png', {}, fetchFn, { guard: quietGuard, timeoutMs: 50 })).rejects.toMatchObject({ kind: 'timed_out' });
  });

  it('reads an image under the cap in full', async () => {
    const blob = await fetchImage('https://ex.org/a.png', {}, async () => new Response(PNG, { headers: { 'content-type': 'image/png' } }), { guard: quietGuard });
    expect(blob.size).toBe(PNG.length);
    expect(blob.type).toBe('image/png');
  });

  it('reads data: images without the network guard', async () => {
    const guard = { ready: vi.fn(async () => {}), allowOrigin: vi.fn() };
    const blob = await fetchImage(`data:image/png;base64,${Buffer.from(PNG).toString('base64')}`, { pageUrl: 'http://10.0.0.1/' }, fetch, { guard });
    expect(blob.size).toBe(PNG.length);
    expect(guard.ready).not.toHaveBeenCalled();
    expect(guard.allowOrigin).not.toHaveBeenCalled();
  });
});
