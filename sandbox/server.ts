// Local provider sandbox: a plain node:http server that speaks the providers' wire protocols
// closely enough to run the extension end to end without keys, money or network.
//
//   /<provider>/...        provider protocols (see routes.ts)
//   /comfyui/ws            the one websocket (ComfyUI's progress messages; websocket.ts)
//   /files/{id}.png        generated results (no auth, expire after fileTtlMs)
//   /__sandbox/requests    GET   JSON log of every provider request
//   /__sandbox/reset       POST  forget requests, jobs, files, faults, retirements; restore start timing
//   /__sandbox/fault       POST  JSON Fault (see types.ts); `stall` and `streamBytes` shape how the
//                          answer is sent (never answering, a body that never ends, a huge body);
//                          provider 'files', on 'download' faults the result file downloads
//   /__sandbox/timing      GET | POST (partial Timing)
//   /__sandbox/retire      GET (list) | POST { provider, model }: from then on that provider answers
//                          for that model as for an id it no longer has (until reset)
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ROUTES } from './routes';
import { canUpgrade, refuseUpgrade } from './websocket';
import type { Fault, ProviderHandler, ProviderResponse, RecordedRequest, SandboxServices, Timing } from './types';

export type { RecordedRequest } from './types';

export interface SandboxOptions {
  /** 0 picks a free port. Default 0. */
  port?: number;
  /** Loopback only: '127.0.0.1' (default), 'localhost' or '::1'. */
  host?: string;
  timing?: { queueMs?: number; runMs?: number; submitDelayMs?: number; downloadDelayMs?: number };
  /** Lifetime of result file URLs after completion. Default 10 minutes. */
  fileTtlMs?: number;
  /**
   * How a reply is held for `submitDelayMs` / `downloadDelayMs` (only called for a delay over
   * 0). Default: a timer. Tests pass their own to see a reply held and decide when it goes.
   */
  hold?: (ms: number) => Promise<void>;
  /**
   * Start the ComfyUI stand-in as with `--enable-cors-header <origin>` ('*' or an origin): it then
   * skips ComfyUI's Origin check. Default: SANDBOX_COMFYUI_ALLOW_ORIGIN, else the check is on.
   */
  comfyuiAllowOrigin?: string;
}

export interface Sandbox {
  /** `http://127.0.0.1:<port>`; the fal base URL is `${url}/fal`. */
  url: string;
  port: number;
  close(): Promise<void>;
  /** Live log of provider requests (the same array across reset()). */
  requests: RecordedRequest[];
  reset(): void;
  injectFault(f: Fault): void;
  setTiming(t: Partial<Timing>): void;
  /**
   * From now on (until reset()), `provider` answers for `model` exactly as it answers for a
   * retired or unknown id: fal 404 `Application ... not found` at submit, OpenAI 404
   * `model_not_found`, BytePlus 404 `InvalidEndpointOrModel.NotFound`, Replicate 404, Google
   * 404 `NOT_FOUND`, OpenRouter 404 `No endpoints found for <id>.`. The model also drops out of
   * that provider's model listings.
   */
  retire(provider: string, model: string): void;
  /** What retire() has retired so far, in order. */
  retired(): Array<{ provider: string; model: string }>;
}

const DEFAULT_TIMING: Timing = { queueMs: 800, runMs: 1200, fileTtlMs: 10 * 60_000 };
const MAX_BODY_BYTES = 32 * 1024 * 1024;
/** Chunk size of a `streamBytes` answer. */
const STREAM_CHUNK_BYTES = 64 * 1024;
/** The fault a provider handler took while answering the current request (see sendShaped). */
const faultScope = new AsyncLocalStorage<{ fault?: Fault }>();
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

const FaultSchema = z.object({
  provider: z.string().min(1),
  on: z.string().min(1),
  status: z.number().int().min(100).max(599),
  body: z.unknown().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  times: z.number().int().positive().optional(),
  stall: z.enum(['headers', 'body']).optional(),
  streamBytes: z.number().int().nonnegative().optional(),
});
const RetireSchema = z.object({ provider: z.string().min(1), model: z.string().min(1) });
const TimingSchema = z.object({
  queueMs: z.number().min(0).optional(),
  runMs: z.number().min(0).optional(),
  fileTtlMs: z.number().min(0).optional(),
  submitDelayMs: z.number().min(0).optional(),
  downloadDelayMs: z.number().min(0).optional(),
});

interface FileEntry {
  png: Buffer;
  availableAt: number;
  expiresAt: number;
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const host = opts.host ?? '127.0.0.1';
  // The sandbox accepts any key and serves files without auth: never expose it beyond loopback.
  if (!LOOPBACK.has(host)) throw new Error(`Sandbox listens on loopback only, not ${host}`);

  const initialTiming: Timing = {
    queueMs: opts.timing?.queueMs ?? DEFAULT_TIMING.queueMs,
    runMs: opts.timing?.runMs ?? DEFAULT_TIMING.runMs,
    fileTtlMs: opts.fileTtlMs ?? DEFAULT_TIMING.fileTtlMs,
    submitDelayMs: opts.timing?.submitDelayMs ?? 0,
    downloadDelayMs: opts.timing?.downloadDelayMs ?? 0,
  };
  let timing: Timing = { ...initialTiming };
  const hold = (ms = 0) => (ms > 0 ? (opts.hold ?? delay)(ms) : Promise.resolve());
  const requests: RecordedRequest[] = [];
  const faults: Fault[] = [];
  const files = new Map<string, FileEntry>();
  /** `${provider}\n${model}` for every model retired through the control. */
  const retiredModels = new Set<string>();
  const retiredKey = (provider: string, model: string) => `${provider}\n${model}`;

  const services: SandboxServices = {
    now: () => Date.now(),
    timing: () => ({ ...timing }),
    takeFault(provider, on) {
      const i = faults.findIndex((f) => f.provider === provider && f.on === on);
      const f = faults[i];
      if (!f) return undefined;
      const left = (f.times ?? 1) - 1;
      if (left <= 0) faults.splice(i, 1);
      else faults[i] = { ...f, times: left };
      // The server shapes the answer (stall, streamBytes) once the handler has built it.
      const scope = faultScope.getStore();
      if (scope) scope.fault = f;
      return f;
    },
    storeFile(png, origin, availableAt, ttlMs) {
      const id = randomUUID().replace(/-/g, '');
      files.set(id, { png, availableAt, expiresAt: availableAt + ttlMs });
      return { id, url: `${origin}/files/${id}.png` };
    },
    deleteFile(id) {
      files.delete(id);
    },
    isRetired(provider, model) {
      return retiredModels.has(retiredKey(provider, model));
    },
    comfyuiAllowOrigin: () => opts.comfyuiAllowOrigin ?? (process.env.SANDBOX_COMFYUI_ALLOW_ORIGIN || undefined),
  };

  const handlers = ROUTES.map((r) => ({ route: r, handler: r.create(services) as ProviderHandler }));

  const sandbox: Sandbox = {
    url: '',
    port: 0,
    requests,
    close: () => close(),
    reset() {
      requests.length = 0;
      faults.length = 0;
      files.clear();
      retiredModels.clear();
      timing = { ...initialTiming };
      for (const h of handlers) h.handler.reset();
    },
    injectFault(f) {
      faults.push({ ...FaultSchema.parse(f) });
    },
    setTiming(t) {
      const parsed = TimingSchema.parse(t);
      timing = {
        queueMs: parsed.queueMs ?? timing.queueMs,
        runMs: parsed.runMs ?? timing.runMs,
        fileTtlMs: parsed.fileTtlMs ?? timing.fileTtlMs,
        submitDelayMs: parsed.submitDelayMs ?? timing.submitDelayMs,
        downloadDelayMs: parsed.downloadDelayMs ?? timing.downloadDelayMs,
      };
    },
    retire(provider, model) {
      const names = handlers.map((h) => h.route.name);
      const parsed = RetireSchema.refine((r) => names.includes(r.provider), {
        path: ['provider'],
        message: `Unknown provider (the sandbox has: ${names.join(', ')})`,
      }).parse({ provider, model });
      retiredModels.add(retiredKey(parsed.provider, parsed.model));
    },
    retired() {
      return [...retiredModels].map((k) => {
        const [provider = '', model = ''] = k.split('\n');
        return { provider, model };
      });
    },
  };

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const rawUrl = req.url ?? '/';
    const origin = `http://${req.headers.host ?? `${host}:${sandbox.port}`}`;
    const url = new URL(rawUrl, origin);
    const path = url.pathname;

    setCors(req, res);
    if (method === 'OPTIONS') return send(res, 204);

    if (path.startsWith('/__sandbox/')) return control(method, path.slice('/__sandbox/'.length), req, res);

    const file = /^\/files\/([0-9a-f]+)\.png$/.exec(path);
    if (file && (method === 'GET' || method === 'HEAD')) {
      const rec = record(req, method, rawUrl, null, 'files');
      requests.push(rec);
      await hold(timing.downloadDelayMs);
      const entry = files.get(file[1] ?? '');
      const now = Date.now();
      const fault = services.takeFault('files', 'download');
      if (fault) {
        // The fault's status and headers; its body (a string as is, anything else as JSON), or the file itself.
        const body =
          typeof fault.body === 'string' ? Buffer.from(fault.body)
          : fault.body !== undefined ? Buffer.from(JSON.stringify(fault.body))
          : (entry?.png ?? Buffer.alloc(0));
        return sendShaped(res, rec, { status: fault.status, headers: { 'Content-Type': 'image/png', ...fault.headers }, body }, fault);
      }
      if (!entry || now < entry.availableAt || now >= entry.expiresAt) {
        if (entry && now >= entry.expiresAt) files.delete(file[1] ?? '');
        return sendJson(res, 404, { detail: 'File not found or expired' });
      }
      res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': entry.png.length });
      res.end(method === 'HEAD' ? undefined : entry.png);
      return;
    }

    const hit = handlers.find(({ route: r }) => path === r.mount || path.startsWith(`${r.mount}/`));
    if (!hit) return sendJson(res, 404, { detail: 'Not Found' });

    const rawBody = await readBody(req);
    if (rawBody === null) return sendJson(res, 413, { detail: 'Request body too large' });
    const rec = record(req, method, rawUrl, await recordedBody(req, rawBody), hit.route.name);
    requests.push(rec);

    const scope: { fault?: Fault } = {};
    const out = await faultScope.run(scope, () =>
      hit.handler.handle({
        method,
        path: path.slice(hit.route.mount.length) || '/',
        query: url.searchParams,
        headers: req.headers,
        rawBody,
        origin,
        mount: hit.route.mount,
      }),
    );
    if (out.referencesReceived) rec.referencesReceived = out.referencesReceived;
    if (method === 'POST') await hold(timing.submitDelayMs);
    if (scope.fault && (scope.fault.stall || scope.fault.streamBytes !== undefined)) return sendShaped(res, rec, out, scope.fault);
    if (out.json === undefined && out.body) {
      res.writeHead(out.status, { ...out.headers, 'Content-Length': out.body.length });
      res.end(out.body);
      return;
    }
    if (out.json === undefined) return send(res, out.status, out.headers);
    return sendJson(res, out.status, out.json, out.headers);
  }

  async function control(method: string, op: string, req: IncomingMessage, res: ServerResponse) {
    const body = method === 'POST' ? await readBody(req) : Buffer.alloc(0);
    if (body === null) return sendJson(res, 413, { detail: 'Request body too large' });
    const json = parseJsonOrNull(body);
    try {
      if (op === 'requests' && method === 'GET') return sendJson(res, 200, requests);
      if (op === 'reset' && method === 'POST') {
        sandbox.reset();
        return sendJson(res, 200, { ok: true });
      }
      if (op === 'fault' && method === 'POST') {
        sandbox.injectFault(json as Fault);
        return sendJson(res, 200, { ok: true });
      }
      if (op === 'retire' && (method === 'GET' || method === 'POST')) {
        if (method === 'POST') {
          const r = RetireSchema.parse(json);
          sandbox.retire(r.provider, r.model);
        }
        return sendJson(res, 200, { retired: sandbox.retired() });
      }
      if (op === 'timing' && (method === 'GET' || method === 'POST')) {
        if (method === 'POST') sandbox.setTiming((json ?? {}) as Partial<Timing>);
        return sendJson(res, 200, timing);
      }
    } catch (e) {
      if (e instanceof z.ZodError) return sendJson(res, 400, { detail: e.issues });
      throw e;
    }
    return sendJson(res, 404, { detail: 'Unknown sandbox control operation' });
  }

  const server = createServer((req, res) => {
    route(req, res).catch((e: unknown) => {
      console.error('[sandbox]', e);
      if (!res.headersSent) sendJson(res, 500, { detail: 'Sandbox internal error' });
      else res.destroy();
    });
  });

  // Websockets: only ComfyUI's /comfyui/ws (see websocket.ts). Upgraded sockets leave the http
  // server's bookkeeping, so close() ends them itself.
  const upgraded = new Set<Duplex>();
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    upgraded.add(socket);
    socket.once('close', () => upgraded.delete(socket));
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? `${host}:${sandbox.port}`}`);
    const hit = handlers.find(({ route: r }) => r.name === 'comfyui' && url.pathname.startsWith(`${r.mount}/`));
    if (!hit || !canUpgrade(hit.handler)) return refuseUpgrade(socket, 404, 'Not Found');
    requests.push(record(req, 'GET', req.url ?? '/', null, hit.route.name));
    hit.handler.upgrade({ path: url.pathname.slice(hit.route.mount.length), query: url.searchParams, headers: req.headers, req, socket, head });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  sandbox.port = addr.port;
  sandbox.url = `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;

  function close(): Promise<void> {
    return new Promise((resolve, reject) => {
      server.close((err) => (err ? reject(err) : resolve()));
      // Pollers keep connections alive; do not wait for them to go idle.
      server.closeAllConnections();
      for (const socket of upgraded) socket.destroy();
    });
  }

  return sandbox;
}

/**
 * Sends an answer the way a fault's `stall` / `streamBytes` says (see Fault in types.ts),
 * noting on the request's record how many body bytes were written.
 */
async function sendShaped(res: ServerResponse, rec: RecordedRequest, out: ProviderResponse, fault: Fault): Promise<void> {
  const isJson = out.json !== undefined;
  const body = isJson ? Buffer.from(JSON.stringify(out.json)) : (out.body ?? Buffer.alloc(0));
  rec.streamedBytes = 0;
  // Never answering: the request stays open until the client (or close()) ends it.
  if (fault.stall === 'headers') return;
  // No Content-Length: the body is chunked, and its end is only known when it comes.
  res.writeHead(out.status, { ...out.headers, ...(isJson ? { 'Content-Type': 'application/json' } : {}) });
  if (fault.stall === 'body') {
    const part = body.subarray(0, Math.max(1, Math.floor(body.length / 2)));
    res.write(part);
    rec.streamedBytes = part.length;
    return; // and nothing more, ever
  }
  const total = fault.streamBytes ?? body.length;
  const filler = Buffer.alloc(STREAM_CHUNK_BYTES, isJson ? 0x20 : 0);
  let closed = false;
  res.once('close', () => {
    closed = true;
  });
  let sent = 0;
  while (sent < total && !closed) {
    const end = Math.min(total, sent + STREAM_CHUNK_BYTES);
    const chunk = sent < body.length ? body.subarray(sent, Math.min(end, body.length)) : filler.subarray(0, end - sent);
    sent += chunk.length;
    rec.streamedBytes = sent;
    if (!res.write(chunk)) await drainOrClose(res);
  }
  if (!closed) res.end();
  rec.streamEnded = true;
}

function drainOrClose(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function setCors(req: IncomingMessage, res: ServerResponse) {
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Access-Control-Allow-Methods', 'GET, HEAD, POST, PUT, DELETE, OPTIONS');
  // A literal `*` would not cover Authorization (Fetch spec), so echo what was asked for.
  res.setHeader(
    'Access-Control-Allow-Headers',
    req.headers['access-control-request-headers'] ?? 'Authorization, Content-Type',
  );
  res.setHeader('Access-Control-Expose-Headers', 'Retry-After, X-Fal-Error-Type, X-Fal-Retryable, X-Fal-Request-Id');
  res.setHeader('Access-Control-Max-Age', '600');
}

function send(res: ServerResponse, status: number, headers?: Record<string, string>) {
  res.writeHead(status, headers);
  res.end();
}

function sendJson(res: ServerResponse, status: number, json: unknown, headers?: Record<string, string>) {
  const buf = Buffer.from(JSON.stringify(json));
  res.writeHead(status, { ...headers, 'Content-Type': 'application/json', 'Content-Length': buf.length });
  res.end(buf);
}

/** The whole body, or null when it exceeds MAX_BODY_BYTES. */
async function readBody(req: IncomingMessage): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

/**
 * What the request log keeps of a body: parsed JSON, or for multipart forms the text fields
 * and, per file, its name, type and size (tests assert on what a provider really received).
 */
async function recordedBody(req: IncomingMessage, rawBody: Buffer): Promise<unknown> {
  const type = String(req.headers['content-type'] ?? '');
  if (!type.startsWith('multipart/form-data')) return parseJsonOrNull(rawBody);
  try {
    const form = await new Request('http://sandbox.invalid/', { method: 'POST', headers: { 'content-type': type }, body: new Uint8Array(rawBody) }).formData();
    const fields: Record<string, unknown> = {};
    for (const [name, value] of form.entries()) {
      const entry = typeof value === 'string' ? value : { file: value.name, type: value.type, size: value.size };
      const prev = fields[name];
      fields[name] = prev === undefined ? entry : Array.isArray(prev) ? [...prev, entry] : [prev, entry];
    }
    return { multipart: fields };
  } catch {
    return null;
  }
}

function parseJsonOrNull(body: Buffer): unknown {
  if (body.length === 0) return null;
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return null;
  }
}

function record(req: IncomingMessage, method: string, path: string, body: unknown, provider: string): RecordedRequest {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return { at: Date.now(), method, path, headers, body, provider };
}
