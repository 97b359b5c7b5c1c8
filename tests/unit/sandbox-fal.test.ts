// @vitest-environment node
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { Jimp, JimpMime } from 'jimp';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import { until } from './helpers';

const KEY = 'Key test-id:test-secret';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Submitted {
  status: string;
  request_id: string;
  status_url: string;
  response_url: string;
  cancel_url: string;
  queue_position: number;
}
interface StatusBody {
  status: 'IN_QUEUE' | 'IN_PROGRESS' | 'COMPLETED';
  queue_position?: number;
  logs: unknown[] | null;
  metrics?: { inference_time: number | null };
  error?: string;
  error_type?: string | null;
}
interface ImageOut {
  url: string;
  width: number;
  height: number;
  content_type: string;
}
interface ResultBody {
  images: ImageOut[];
  seed: number;
  has_nsfw_concepts: boolean[];
  prompt: string;
}
interface FieldErr {
  loc: Array<string | number>;
  msg: string;
  type: string;
  ctx?: Record<string, unknown>;
}

let sb: Sandbox;
let fal: string;

beforeAll(async () => {
  sb = await startSandbox({ port: 0, timing: { queueMs: 80, runMs: 120 } });
  fal = `${sb.url}/fal`;
});
afterAll(() => sb.close());
beforeEach(() => sb.reset());

/** A width x height JPEG, left half black and right half white, as a data URI. */
async function referenceDataUri(width = 300, height = 200, mime: 'image/jpeg' | 'image/png' = JimpMime.jpeg) {
  const img = new Jimp({ width, height, color: 0xffffffff });
  img.scan(0, 0, Math.floor(width / 2), height, (_x, _y, idx) => {
    img.bitmap.data[idx] = 0;
    img.bitmap.data[idx + 1] = 0;
    img.bitmap.data[idx + 2] = 0;
  });
  const buf = await img.getBuffer(mime);
  return `data:${mime};base64,${buf.toString('base64')}`;
}

function submit(model: string, body: unknown, key: string | null = KEY) {
  return fetch(`${fal}/${model}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(key ? { Authorization: key } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function submitOk(model: string, body: unknown): Promise<Submitted> {
  const res = await submit(model, body);
  expect(res.status).toBe(200);
  return (await res.json()) as Submitted;
}

const get = (url: string, key: string | null = KEY) => fetch(url, { headers: key ? { Authorization: key } : {} });

/** Poll the status URL until COMPLETED; returns every (HTTP status, body) seen. */
async function pollUntilDone(statusUrl: string) {
  const seen: Array<{ code: number; body: StatusBody }> = [];
  for (let i = 0; i < 400; i++) {
    const res = await get(`${statusUrl}?logs=1`);
    const body = (await res.json()) as StatusBody;
    seen.push({ code: res.status, body });
    if (body.status === 'COMPLETED') return seen;
    await sleep(15);
  }
  throw new Error('never completed');
}

async function run(model: string, body: unknown) {
  const sub = await submitOk(model, body);
  const seen = await pollUntilDone(sub.status_url);
  const res = await get(sub.response_url);
  return { sub, seen, res };
}

async function download(url: string) {
  const res = await fetch(url);
  return { res, bytes: Buffer.from(await res.arrayBuffer()) };
}

describe('fal sandbox: auth', () => {
  it('answers 401 without a key, with the wrong scheme, and on status polls', async () => {
    for (const key of [null, 'Bearer abc', 'Key ']) {
      const res = await submit('fal-ai/flux/dev', { prompt: 'x' }, key);
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ detail: 'No user found for Key ID and Secret' });
    }
    const sub = await submitOk('fal-ai/flux/dev', { prompt: 'x' });
    expect((await get(sub.status_url, null)).status).toBe(401);
    expect((await get(sub.response_url, null)).status).toBe(401);
  });

  it('records requests with lowercase headers, the key verbatim and the parsed body', async () => {
    await submitOk('fal-ai/flux/dev', { prompt: 'logged' });
    const rec = sb.requests.find((r) => r.method === 'POST');
    expect(rec).toMatchObject({ provider: 'fal', path: '/fal/fal-ai/flux/dev', body: { prompt: 'logged' } });
    expect(rec?.headers.authorization).toBe(KEY);
    expect(typeof rec?.at).toBe('number');
  });
});

describe('fal sandbox: queue URLs', () => {
  it('builds status/response/cancel URLs from the app id only, on the Host it was called on', async () => {
    const sub = await submitOk('fal-ai/flux/dev/image-to-image', { prompt: 'x', image_url: await referenceDataUri() });
    const base = `${fal}/fal-ai/flux/requests/${sub.request_id}`;
    expect(sub).toMatchObject({ status: 'IN_QUEUE', response_url: base, status_url: `${base}/status`, cancel_url: `${base}/cancel` });
    expect(sub.queue_position).toBe(0);

    // The full model path is not where the request lives (as on fal: use the returned URLs).
    const wrong = await get(`${fal}/fal-ai/flux/dev/image-to-image/requests/${sub.request_id}/status`);
    expect(wrong.status).toBe(404);

    // Absolute URLs follow the Host header.
    const viaLocalhost = await new Promise<Submitted>((resolve, reject) => {
      const req = httpRequest(
        `${fal}/fal-ai/flux/dev`,
        { method: 'POST', headers: { Host: `localhost:${sb.port}`, Authorization: KEY, 'Content-Type': 'application/json' } },
        (res) => {
          let s = '';
          res.on('data', (c: Buffer) => (s += c.toString()));
          res.on('end', () => resolve(JSON.parse(s) as Submitted));
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify({ prompt: 'x' }));
    });
    expect(viaLocalhost.status_url.startsWith(`http://localhost:${sb.port}/fal/fal-ai/flux/requests/`)).toBe(true);
  });

  it('answers 404 for unknown models and unknown request ids', async () => {
    const unknown = await submit('fal-ai/no-such-model', { prompt: 'x' });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ detail: 'Application "fal-ai/no-such-model" not found' });
    expect((await get(`${fal}/fal-ai/flux/requests/nope/status`)).status).toBe(404);
  });

  it.each([
    'fal-ai/imagen3',
    'fal-ai/bytedance/seedream/v3/text-to-image',
    'fal-ai/bytedance/dreamina/v3.1/text-to-image',
    'fal-ai/gpt-image-1/edit-image',
    'fal-ai/any-llm/vision',
  ])('answers retired %s as fal does for an app it no longer has: 404 at submit', async (id) => {
    const res = await submit(id, { prompt: 'x', image_url: 'data:image/png;base64,AA', image_urls: ['data:image/png;base64,AA'] });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ detail: `Application "${id}" not found` });
    expect(sb.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  });
});

describe('fal sandbox: validation (422)', () => {
  it('rejects malformed JSON at submit', async () => {
    const res = await submit('fal-ai/flux/dev', '{"prompt": ');
    expect(res.status).toBe(422);
    const body = (await res.json()) as { detail: FieldErr[] };
    expect(body.detail[0]).toMatchObject({ loc: ['body', 0], type: 'json_invalid' });
  });

  it('reports model-input errors from the result URL, like fal queue apps', async () => {
    const { sub, seen, res } = await run('fal-ai/flux/dev/image-to-image', { image_url: 'data:image/png;base64,AAAA' });
    expect(sub.status).toBe('IN_QUEUE'); // accepted by the queue
    const last = seen.at(-1)?.body;
    expect(last?.status).toBe('COMPLETED');
    expect(last?.error).toContain('field required');
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({ detail: [{ loc: ['body', 'prompt'], msg: 'field required', type: 'missing' }] });
  });

  it('checks image_url, strength and num_images for flux dev image-to-image', async () => {
    const cases: Array<[Record<string, unknown>, Partial<FieldErr>]> = [
      [{ prompt: 'x' }, { loc: ['body', 'image_url'], type: 'missing' }],
      [{ prompt: 'x', image_url: 'ftp://example.com/a.png' }, { loc: ['body', 'image_url'], type: 'value_error' }],
      [{ prompt: 'x', image_url: 'data:image/png;base64,AA', strength: 0 }, { loc: ['body', 'strength'], type: 'greater_than_equal', ctx: { ge: 0.01 } }],
      [{ prompt: 'x', image_url: 'data:image/png;base64,AA', strength: 1.5 }, { loc: ['body', 'strength'], type: 'less_than_equal', ctx: { le: 1 } }],
      [{ prompt: 'x', image_url: 'data:image/png;base64,AA', num_images: 5 }, { loc: ['body', 'num_images'], type: 'less_than_equal' }],
    ];
    const subs = await Promise.all(cases.map(([body]) => submitOk('fal-ai/flux/dev/image-to-image', body)));
    await Promise.all(subs.map((s) => pollUntilDone(s.status_url)));
    for (const [i, s] of subs.entries()) {
      const res = await get(s.response_url);
      expect(res.status).toBe(422);
      const body = (await res.json()) as { detail: FieldErr[] };
      expect(body.detail).toHaveLength(1);
      expect(body.detail[0]).toMatchObject(cases[i]?.[1] ?? {});
    }
  });

  it('fails with image_load_error / file_download_error when the reference cannot be used', async () => {
    const corrupt = await run('fal-ai/flux/dev/image-to-image', { prompt: 'x', image_url: 'data:image/png;base64,bm90IGFuIGltYWdl' });
    expect(corrupt.res.status).toBe(422);
    expect(((await corrupt.res.json()) as { detail: FieldErr[] }).detail[0]).toMatchObject({ loc: ['body', 'image_url'], type: 'image_load_error' });

    // Other hosts are never fetched: the sandbox refuses before touching the network.
    const remote = await run('fal-ai/flux/dev/image-to-image', { prompt: 'x', image_url: 'https://example.com/cat.jpg' });
    expect(remote.res.status).toBe(422);
    expect(((await remote.res.json()) as { detail: FieldErr[] }).detail[0]).toMatchObject({ type: 'file_download_error' });
  });
});

describe('fal sandbox: full flow', () => {
  it('goes IN_QUEUE -> IN_PROGRESS -> COMPLETED, then serves a PNG derived from the reference', async () => {
    const sub = await submitOk('fal-ai/flux/dev/image-to-image', { prompt: 'a red fox', image_url: await referenceDataUri(300, 200) });

    const early = await get(sub.response_url);
    expect(early.status).toBe(400);
    expect(await early.json()).toEqual({ detail: 'Request is still in progress' });

    const seen = await pollUntilDone(sub.status_url);
    const order = [...new Set(seen.map((s) => s.body.status))];
    expect(order).toEqual(['IN_QUEUE', 'IN_PROGRESS', 'COMPLETED']);
    for (const s of seen) expect(s.code).toBe(s.body.status === 'COMPLETED' ? 200 : 202);
    const first = seen[0]?.body;
    expect(first?.queue_position).toBe(0);
    const done = seen.at(-1)?.body;
    expect(done?.metrics?.inference_time).toBeGreaterThan(0);
    expect(Array.isArray(done?.logs)).toBe(true);
    expect(done?.error).toBeUndefined();

    const res = await get(sub.response_url);
    expect(res.status).toBe(200);
    const out = (await res.json()) as ResultBody;
    expect(out.prompt).toBe('a red fox');
    expect(out.has_nsfw_concepts).toEqual([false]);
    expect(out.images).toHaveLength(1);
    const img = out.images[0];
    expect(img).toMatchObject({ width: 300, height: 200, content_type: 'image/png' });
    expect(img?.url.startsWith(`${sb.url}/files/`)).toBe(true);

    const { res: file, bytes } = await download(img?.url ?? '');
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('image/png');
    expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    const decoded = await Jimp.fromBuffer(bytes);
    expect([decoded.bitmap.width, decoded.bitmap.height]).toEqual([300, 200]);
    // The dark left half of the reference stays darker than its bright right half.
    const lum = (x: number, y: number) => {
      const i = (y * decoded.bitmap.width + x) * 4;
      const d = decoded.bitmap.data;
      return (d[i] ?? 0) + (d[i + 1] ?? 0) + (d[i + 2] ?? 0);
    };
    expect(lum(60, 100)).toBeLessThan(lum(240, 100) - 100);
  });

  it('derives different images for different prompts (and the same image for the same prompt and seed)', async () => {
    const image_url = await referenceDataUri(120, 80, JimpMime.png);
    const runs = await Promise.all(
      ['a cat', 'a dog', 'a cat'].map((prompt) => run('fal-ai/flux/dev/image-to-image', { prompt, image_url, seed: 7 })),
    );
    const pngs = await Promise.all(
      runs.map(async ({ res }) => (await download(((await res.json()) as ResultBody).images[0]?.url ?? '')).bytes),
    );
    expect(pngs[0]?.equals(pngs[1] ?? Buffer.alloc(0))).toBe(false);
    expect(pngs[0]?.equals(pngs[2] ?? Buffer.alloc(0))).toBe(true);
  });

  it('generates text-to-image results at the requested aspect ratio and image count', async () => {
    const { res } = await run('fal-ai/flux/dev', { prompt: 'a lighthouse', image_size: 'landscape_16_9', num_images: 2 });
    const out = (await res.json()) as ResultBody;
    expect(out.images.map((i) => [i.width, i.height])).toEqual([
      [1024, 576],
      [1024, 576],
    ]);
    expect(out.images[0]?.url).not.toBe(out.images[1]?.url);
  });

  it('accepts a reference served from localhost (e.g. an earlier result)', async () => {
    const first = await run('fal-ai/flux/dev', { prompt: 'seed image', image_size: { width: 64, height: 48 } });
    const url = ((await first.res.json()) as ResultBody).images[0]?.url ?? '';
    const { res } = await run('fal-ai/flux/dev/image-to-image', { prompt: 'variation', image_url: url });
    expect(res.status).toBe(200);
    expect(((await res.json()) as ResultBody).images[0]).toMatchObject({ width: 64, height: 48 });
  });
});

describe('fal sandbox: cancel', () => {
  it('cancels a queued request: 202, then COMPLETED with client_cancelled and no images', async () => {
    sb.setTiming({ queueMs: 10_000 });
    const sub = await submitOk('fal-ai/flux/dev', { prompt: 'never' });
    const cancel = await fetch(sub.cancel_url, { method: 'PUT', headers: { Authorization: KEY } });
    expect(cancel.status).toBe(202);
    expect(await cancel.json()).toEqual({ status: 'CANCELLATION_REQUESTED' });

    const status = await get(sub.status_url);
    expect(status.status).toBe(200);
    expect(await status.json()).toMatchObject({ status: 'COMPLETED', error_type: 'client_cancelled' });

    const res = await get(sub.response_url);
    expect(res.status).toBe(499);
    expect(res.headers.get('x-fal-error-type')).toBe('client_cancelled');
    expect(await res.json()).not.toHaveProperty('images');

    // Nothing was made to download: the log holds the four calls above and no file request.
    expect(sb.requests.map((r) => `${r.method} ${r.provider}`)).toEqual(['POST fal', 'PUT fal', 'GET fal', 'GET fal']);
  });

  it('answers 400 ALREADY_COMPLETED after completion and 404 for unknown ids', async () => {
    const { sub } = await run('fal-ai/flux/dev', { prompt: 'done' });
    const late = await fetch(sub.cancel_url, { method: 'PUT', headers: { Authorization: KEY } });
    expect(late.status).toBe(400);
    expect(await late.json()).toEqual({ status: 'ALREADY_COMPLETED' });
    const unknown = await fetch(`${fal}/fal-ai/flux/requests/unknown/cancel`, { method: 'PUT', headers: { Authorization: KEY } });
    expect(unknown.status).toBe(404);
  });
});

describe('fal sandbox: fault injection', () => {
  it('fails the next N submits with 429 + Retry-After, then recovers', async () => {
    sb.injectFault({ provider: 'fal', on: 'submit', status: 429, times: 2 });
    for (let i = 0; i < 2; i++) {
      const res = await submit('fal-ai/flux/dev', { prompt: 'x' });
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('2');
    }
    expect((await submit('fal-ai/flux/dev', { prompt: 'x' })).status).toBe(200);
  });

  it('uses fal error shapes by default and honours custom bodies and headers', async () => {
    const sub = await submitOk('fal-ai/flux/dev', { prompt: 'x' });
    sb.injectFault({ provider: 'fal', on: 'status', status: 503 });
    const down = await get(sub.status_url);
    expect(down.status).toBe(503);
    expect(down.headers.get('x-fal-error-type')).toBe('runner_scheduling_failure');
    expect(await down.json()).toMatchObject({ error_type: 'runner_scheduling_failure' });
    expect([200, 202]).toContain((await get(sub.status_url)).status); // only once

    await pollUntilDone(sub.status_url);
    sb.injectFault({ provider: 'fal', on: 'result', status: 422 });
    const moderated = await get(sub.response_url);
    expect(moderated.status).toBe(422);
    expect(((await moderated.json()) as { detail: FieldErr[] }).detail[0]?.type).toBe('content_policy_violation');

    sb.injectFault({ provider: 'fal', on: 'result', status: 500, body: { detail: 'custom' }, headers: { 'X-Fal-Retryable': 'true' } });
    const custom = await get(sub.response_url);
    expect(custom.status).toBe(500);
    expect(custom.headers.get('x-fal-retryable')).toBe('true');
    expect(await custom.json()).toEqual({ detail: 'custom' });
    expect((await get(sub.response_url)).status).toBe(200);
  });

  it('offers the same controls over HTTP', async () => {
    const post = (op: string, body?: unknown) =>
      fetch(`${sb.url}/__sandbox/${op}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body ?? {}) });

    expect((await post('fault', { provider: 'fal', on: 'submit', status: 403 })).status).toBe(200);
    const locked = await submit('fal-ai/flux/dev', { prompt: 'x' });
    expect(locked.status).toBe(403);
    expect(((await locked.json()) as { detail: string }).detail).toMatch(/Exhausted balance/);
    expect((await post('fault', { provider: 'fal', on: 'submit' })).status).toBe(400); // no status

    const log = (await (await fetch(`${sb.url}/__sandbox/requests`)).json()) as Array<{ path: string; headers: Record<string, string> }>;
    expect(log).toHaveLength(1);
    expect(log[0]?.headers.authorization).toBe(KEY);

    const timing = (await (await post('timing', { queueMs: 5, runMs: 5 })).json()) as Record<string, number>;
    expect(timing).toMatchObject({ queueMs: 5, runMs: 5 });

    expect((await post('reset')).status).toBe(200);
    expect(sb.requests).toHaveLength(0);
    expect(await (await fetch(`${sb.url}/__sandbox/timing`)).json()).toMatchObject({ queueMs: 80, runMs: 120 });
  });
});

describe('fal sandbox: result files', () => {
  it('expires result URLs after fileTtlMs (404)', async () => {
    sb.setTiming({ fileTtlMs: 60_000 });
    const { res } = await run('fal-ai/flux/dev', { prompt: 'short-lived', image_size: 'square' });
    const url = ((await res.json()) as ResultBody).images[0]?.url ?? '';
    // The file's lifetime runs from when the result was fetched, which is before `fetched`.
    const fetched = Date.now();
    // Only Date is faked (timers and sockets run as usual): the sandbox reads the time from it.
    vi.useFakeTimers({ toFake: ['Date'], now: fetched });
    try {
      expect((await download(url)).res.status).toBe(200);
      vi.setSystemTime(fetched + 60_000);
      expect((await download(url)).res.status).toBe(404);
    } finally {
      vi.useRealTimers();
    }
  });

  it('answers CORS preflights, allowing the Authorization header', async () => {
    const res = await fetch(`${fal}/fal-ai/flux/dev`, {
      method: 'OPTIONS',
      headers: { Origin: 'chrome-extension://abc', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,content-type' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-headers')).toBe('authorization,content-type');
  });
});

describe('sandbox: request delays (for tests that stop the worker mid-request)', () => {
  /** A sandbox whose held replies wait for the test, not for a timer. */
  async function heldSandbox() {
    const holds: Array<{ ms: number; release: () => void }> = [];
    const held = await startSandbox({ port: 0, timing: { queueMs: 0, runMs: 0 }, hold: (ms) => new Promise<void>((release) => holds.push({ ms, release })) });
    return { held, holds };
  }
  /** Tracks whether a request has been answered yet. */
  function tracked<T>(p: Promise<T>) {
    const state = { answered: false, reply: p.finally(() => (state.answered = true)) };
    return state;
  }

  it('holds submit replies and file downloads for the configured time, logging them on arrival', async () => {
    const { held, holds } = await heldSandbox();
    try {
      held.setTiming({ submitDelayMs: 300 });
      const submitting = tracked(
        fetch(`${held.url}/fal/fal-ai/flux/dev`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: KEY }, body: JSON.stringify({ prompt: 'slow submit' }) }),
      );
      await until('the submit reply to be held', () => holds.length === 1);
      expect(holds[0]?.ms).toBe(300);
      // Logged (and accepted by the provider) before the reply goes out.
      expect(held.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
      expect(submitting.answered).toBe(false);
      holds[0]?.release();
      const res = await submitting.reply;
      expect(res.status).toBe(200);
      const sub = (await res.json()) as Submitted;

      // Only POSTs wait: status checks and the result are never held, whatever the submit delay.
      held.setTiming({ submitDelayMs: 2000 });
      await pollUntilDone(sub.status_url);
      const url = ((await (await get(sub.response_url)).json()) as ResultBody).images[0]?.url ?? '';
      expect(holds).toHaveLength(1);

      held.setTiming({ downloadDelayMs: 300 });
      const downloading = tracked(download(url));
      await until('the download to be held', () => holds.length === 2);
      expect(holds[1]?.ms).toBe(300);
      expect(held.requests.filter((r) => r.provider === 'files')).toHaveLength(1);
      expect(downloading.answered).toBe(false);
      holds[1]?.release();
      expect((await downloading.reply).res.status).toBe(200);

      // The controls speak the same fields; reset restores no delay.
      const timing = (await (await fetch(`${held.url}/__sandbox/timing`)).json()) as Record<string, number>;
      expect(timing).toMatchObject({ submitDelayMs: 2000, downloadDelayMs: 300 });
      held.reset();
      expect(await (await fetch(`${held.url}/__sandbox/timing`)).json()).toMatchObject({ submitDelayMs: 0, downloadDelayMs: 0 });
    } finally {
      for (const h of holds) h.release();
      await held.close();
    }
  });
});

describe('fal sandbox: the 2026 endpoints and their published output shapes', () => {
  /** Runs one endpoint to completion and returns the result body (asserting a 200). */
  async function result(model: string, body: Record<string, unknown>) {
    const { res } = await run(model, body);
    const json = (await res.json()) as Record<string, unknown>;
    expect(res.status, JSON.stringify(json).slice(0, 300)).toBe(200);
    return json;
  }

  it('answers each endpoint with exactly the fields of its output type', async () => {
    const ref = await referenceDataUri(120, 80);
    const cases: Array<[string, Record<string, unknown>, string[]]> = [
      ['openai/gpt-image-2/edit', { prompt: 'x', image_urls: [ref] }, ['images']],
      ['fal-ai/nano-banana-pro/edit', { prompt: 'x', image_urls: [ref] }, ['description', 'images']],
      ['fal-ai/bytedance/seedream/v4/edit', { prompt: 'x', image_urls: [ref] }, ['images', 'seed']],
      ['fal-ai/bytedance/seedream/v4.5/edit', { prompt: 'x', image_urls: [ref] }, ['images']],
      ['fal-ai/flux/dev/image-to-image', { prompt: 'x', image_url: ref }, ['has_nsfw_concepts', 'images', 'prompt', 'seed', 'timings']],
      ['fal-ai/flux-pro/v1.1-ultra', { prompt: 'x', image_url: ref }, ['has_nsfw_concepts', 'images', 'prompt', 'seed', 'timings']],
      ['fal-ai/ideogram/v3/remix', { prompt: 'x', image_url: ref }, ['images', 'seed']],
      ['fal-ai/ideogram/character', { prompt: 'x', reference_image_urls: [ref] }, ['images', 'seed']],
      ['fal-ai/minimax/image-01/subject-reference', { prompt: 'x', image_url: ref }, ['images']],
    ];
    for (const [model, body, keys] of cases) {
      const out = await result(model, body);
      expect(Object.keys(out).sort(), model).toEqual(keys);
      const img = (out.images as ImageOut[])[0];
      expect(img?.url.startsWith(`${sb.url}/files/`), model).toBe(true);
      expect((await download(img?.url ?? '')).bytes.subarray(0, 4).toString('latin1'), model).toBe('\u0089PNG');
    }
  });

  it('describes through openrouter/router/vision: { output, usage }, capped by max_tokens', async () => {
    const ref = await referenceDataUri(40, 40);
    const out = await result('openrouter/router/vision', { prompt: 'Describe it', image_urls: [ref], model: 'google/gemini-2.5-flash', max_tokens: 3 });
    expect(Object.keys(out).sort()).toEqual(['output', 'usage']);
    expect((out.output as string).split(' ')).toHaveLength(3);
    expect(out.usage).toMatchObject({ output_tokens: 3 });
  });

  async function detailOf(model: string, body: Record<string, unknown>) {
    const { res } = await run(model, body);
    expect(res.status).toBe(422);
    return ((await res.json()) as { detail: FieldErr[] }).detail;
  }

  it('checks gpt-image-2\u2019s sizes and its 16-image limit', async () => {
    const ref = 'data:image/png;base64,AA';
    const bad = [
      { width: 1000, height: 1000 }, // not multiples of 16
      { width: 3200, height: 1024 }, // wider than 3:1
      { width: 768, height: 768 }, // under 655,360 px
      { width: 3840, height: 2400 }, // over 8,294,400 px
      'auto_2K', // not a value of this endpoint
    ];
    for (const image_size of bad) {
      const detail = await detailOf('openai/gpt-image-2/edit', { prompt: 'x', image_urls: [ref], image_size });
      expect(detail[0]?.loc.slice(0, 2), JSON.stringify(image_size)).toEqual(['body', 'image_size']);
    }
    const many = await detailOf('openai/gpt-image-2/edit', { prompt: 'x', image_urls: Array(17).fill(ref) });
    expect(many[0]).toMatchObject({ loc: ['body', 'image_urls'], type: 'too_long', ctx: { max_length: 16 } });
    const missing = await detailOf('openai/gpt-image-2/edit', { prompt: 'x' });
    expect(missing[0]).toMatchObject({ loc: ['body', 'image_urls'], type: 'missing' });
  });

  it('accepts gpt-image-2\u2019s concrete sizes at the documented limits, keeping their shape', async () => {
    const ref = await referenceDataUri(90, 60);
    for (const image_size of [{ width: 3840, height: 2160 }, { width: 1024, height: 640 }, { width: 2304, height: 768 }, 'auto', 'landscape_4_3']) {
      const out = await result('openai/gpt-image-2/edit', { prompt: 'x', image_urls: [ref], image_size });
      const img = (out.images as ImageOut[])[0]!;
      const want = typeof image_size === 'object' ? image_size.width / image_size.height : image_size === 'auto' ? 90 / 60 : 4 / 3;
      expect(img.width / img.height, JSON.stringify(image_size)).toBeCloseTo(want, 1);
    }
  });

  it('Seedream 4.5 has no plain `auto` and refuses sizes outside both published ranges', async () => {
    const ref = 'data:image/png;base64,AA';
    expect((await detailOf('fal-ai/bytedance/seedream/v4.5/edit', { prompt: 'x', image_urls: [ref], image_size: 'auto' }))[0]).toMatchObject({ loc: ['body', 'image_size'], type: 'literal_error' });
    expect((await detailOf('fal-ai/bytedance/seedream/v4.5/edit', { prompt: 'x', image_urls: [ref], image_size: { width: 1024, height: 1024 } }))[0]).toMatchObject({ loc: ['body', 'image_size'], type: 'value_error' });
    const good = await referenceDataUri(64, 64);
    // 2560x1440 is the pixel floor; 1920x4096 fits the side range.
    for (const image_size of [{ width: 2560, height: 1440 }, { width: 1920, height: 4096 }, 'auto_4K']) {
      expect(((await result('fal-ai/bytedance/seedream/v4.5/edit', { prompt: 'x', image_urls: [good], image_size })).images as ImageOut[]).length).toBe(1);
    }
  });

  it('Seedream 4.0 scales a small size up instead of refusing it, and uses only the last 10 references', async () => {
    const good = await referenceDataUri(64, 48);
    const small = await result('fal-ai/bytedance/seedream/v4/edit', { prompt: 'x', image_urls: [good], image_size: { width: 640, height: 480 }, seed: 5 });
    const img = (small.images as ImageOut[])[0]!;
    expect(img.width / img.height).toBeCloseTo(4 / 3, 1);
    expect(small.seed).toBe(5);
    // The first of eleven cannot be decoded, but only the last ten are used.
    const eleven = ['data:image/png;base64,bm90IGFuIGltYWdl', ...Array(10).fill(good)];
    expect(((await result('fal-ai/bytedance/seedream/v4/edit', { prompt: 'x', image_urls: eleven })).images as ImageOut[]).length).toBe(1);
    const seven = await detailOf('fal-ai/bytedance/seedream/v4/edit', { prompt: 'x', image_urls: [good], num_images: 7 });
    expect(seven[0]).toMatchObject({ loc: ['body', 'num_images'], type: 'less_than_equal', ctx: { le: 6 } });
  });

  it('Nano Banana Pro: aspect ratios, resolution and 1-4 images', async () => {
    const ref = 'data:image/png;base64,AA';
    expect((await detailOf('fal-ai/nano-banana-pro/edit', { prompt: 'x', image_urls: [ref], aspect_ratio: '4:1' }))[0]).toMatchObject({ loc: ['body', 'aspect_ratio'], type: 'literal_error' });
    expect((await detailOf('fal-ai/nano-banana-pro/edit', { prompt: 'x', image_urls: [ref], resolution: '0.5K' }))[0]).toMatchObject({ loc: ['body', 'resolution'] });
    expect((await detailOf('fal-ai/nano-banana-pro/edit', { prompt: 'x', image_urls: [ref], num_images: 5 }))[0]).toMatchObject({ loc: ['body', 'num_images'], ctx: { le: 4 } });
    const good = await referenceDataUri(60, 60);
    const out = await result('fal-ai/nano-banana-pro/edit', { prompt: 'x', image_urls: [good], aspect_ratio: '21:9', resolution: '2K', num_images: 2, seed: 2147483647 });
    expect((out.images as ImageOut[]).map((i) => Math.round((10 * i.width) / i.height))).toEqual([23, 23]);
    expect(typeof out.description).toBe('string');
  });

  it('openrouter/router/vision needs a model and takes an integer max_tokens', async () => {
    const ref = 'data:image/png;base64,AA';
    expect((await detailOf('openrouter/router/vision', { prompt: 'x', image_urls: [ref] }))[0]).toMatchObject({ loc: ['body', 'model'], type: 'missing' });
    expect((await detailOf('openrouter/router/vision', { prompt: 'x', image_urls: [ref], model: 'm', max_tokens: 1.5 }))[0]).toMatchObject({ loc: ['body', 'max_tokens'], type: 'int_from_float' });
  });
});

describe('fal sandbox: the safety checker (has_nsfw_concepts)', () => {
  it('flags the 2nd image for a prompt with nsfw-sandbox and returns it black', async () => {
    const image_url = await referenceDataUri(80, 60);
    const { res } = await run('fal-ai/flux/dev/image-to-image', { prompt: 'a beach nsfw-sandbox', image_url, num_images: 3 });
    const out = (await res.json()) as ResultBody;
    expect(out.has_nsfw_concepts).toEqual([false, true, false]);
    const black = await Jimp.fromBuffer((await download(out.images[1]?.url ?? '')).bytes);
    expect(black.bitmap.data.every((v, i) => (i % 4 === 3 ? v === 255 : v === 0))).toBe(true);
    const kept = await Jimp.fromBuffer((await download(out.images[0]?.url ?? '')).bytes);
    expect(kept.bitmap.data.some((v, i) => i % 4 !== 3 && v > 0)).toBe(true);
  });

  it('flags every image with nsfw-sandbox-all, and none when the checker is off', async () => {
    const all = (await (await run('fal-ai/flux-pro/v1.1-ultra', { prompt: 'nsfw-sandbox-all', num_images: 2 })).res.json()) as ResultBody;
    expect(all.has_nsfw_concepts).toEqual([true, true]);
    const off = (await (await run('fal-ai/flux/dev', { prompt: 'nsfw-sandbox-all', num_images: 2, enable_safety_checker: false })).res.json()) as ResultBody;
    expect(off.has_nsfw_concepts).toEqual([false, false]);
  });

  it('never adds has_nsfw_concepts where fal\u2019s output type has none', async () => {
    const ref = await referenceDataUri(40, 40);
    const out = (await (await run('fal-ai/bytedance/seedream/v4/edit', { prompt: 'nsfw-sandbox-all', image_urls: [ref], num_images: 2 })).res.json()) as Record<string, unknown>;
    expect(out).not.toHaveProperty('has_nsfw_concepts');
    expect(out).not.toHaveProperty('has_nsfw_concept');
  });
});

describe('fal sandbox: model search (GET /fal/v1/models)', () => {
  interface SearchBody {
    models: Array<{ endpoint_id: string; metadata: { display_name: string; category: string; status: string } }>;
    next_cursor: string | null;
    has_more: boolean;
  }
  const search = async (query: string, key: string | null = null) => {
    const res = await fetch(`${fal}/v1/models${query}`, { headers: key ? { Authorization: key } : {} });
    return { res, body: (await res.json()) as SearchBody };
  };

  it('lists the endpoints asked for that fal serves, without a key; retired and unknown ids are absent', async () => {
    const ids = ['openai/gpt-image-2/edit', 'fal-ai/imagen3', 'fal-ai/bytedance/seedream/v4.5/edit', 'fal-ai/no-such-thing'];
    const { res, body } = await search(`?${ids.map((id) => `endpoint_id=${encodeURIComponent(id)}`).join('&')}`);
    expect(res.status).toBe(200);
    expect(body.models.map((m) => m.endpoint_id)).toEqual(['openai/gpt-image-2/edit', 'fal-ai/bytedance/seedream/v4.5/edit']);
    expect(body.models[0]?.metadata).toMatchObject({ status: 'active', category: 'image-to-image', display_name: expect.any(String) });
    expect(body).toMatchObject({ next_cursor: null, has_more: false });
    expect((await search('?endpoint_id=openai/gpt-image-2/edit', KEY)).body.models).toHaveLength(1);
  });

  it('pages with limit and cursor, filters by status and q, and refuses over 50 ids', async () => {
    const first = (await search('?limit=2')).body;
    expect(first.models).toHaveLength(2);
    expect(first.has_more).toBe(true);
    const second = (await search(`?limit=2&cursor=${first.next_cursor}`)).body;
    expect(second.models[0]?.endpoint_id).not.toBe(first.models[0]?.endpoint_id);
    expect((await search('?status=deprecated')).body.models).toEqual([]);
    expect((await search('?q=seedream')).body.models.map((m) => m.endpoint_id).sort()).toEqual(['fal-ai/bytedance/seedream/v4.5/edit', 'fal-ai/bytedance/seedream/v4/edit']);
    const tooMany = await search(`?${Array.from({ length: 51 }, (_v, i) => `endpoint_id=x${i}`).join('&')}`);
    expect(tooMany.res.status).toBe(422);
  });

  it('drops an endpoint retired through the control', async () => {
    sb.retire('fal', 'openai/gpt-image-2/edit');
    expect((await search('?endpoint_id=openai/gpt-image-2/edit')).body.models).toEqual([]);
  });
});

describe('sandbox: retiring a model (POST /__sandbox/retire)', () => {
  const post = (op: string, body?: unknown) =>
    fetch(`${sb.url}/__sandbox/${op}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body ?? {}) });

  it('makes fal answer 404 app-not-found for that endpoint until reset', async () => {
    expect((await submit('fal-ai/flux/dev', { prompt: 'x' })).status).toBe(200);
    const res = await post('retire', { provider: 'fal', model: 'fal-ai/flux/dev' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ retired: [{ provider: 'fal', model: 'fal-ai/flux/dev' }] });
    const gone = await submit('fal-ai/flux/dev', { prompt: 'x' });
    expect(gone.status).toBe(404);
    expect(await gone.json()).toEqual({ detail: 'Application "fal-ai/flux/dev" not found' });
    // Other endpoints of the same app still run.
    expect((await submit('fal-ai/flux/dev/image-to-image', { prompt: 'x', image_url: 'data:image/png;base64,AA' })).status).toBe(200);
    expect(await (await fetch(`${sb.url}/__sandbox/retire`)).json()).toEqual({ retired: [{ provider: 'fal', model: 'fal-ai/flux/dev' }] });

    expect((await post('reset')).status).toBe(200);
    expect(sb.retired()).toEqual([]);
    expect((await submit('fal-ai/flux/dev', { prompt: 'x' })).status).toBe(200);
  });

  it('refuses a malformed request or a provider the sandbox does not have', async () => {
    expect((await post('retire', { provider: 'fal' })).status).toBe(400);
    expect((await post('retire', { provider: 'nope', model: 'x' })).status).toBe(400);
    expect(() => sb.retire('nope', 'x')).toThrow(/Unknown provider/);
    expect(sb.retired()).toEqual([]);
  });
});
