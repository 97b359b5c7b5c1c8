import WebSocket from 'ws';

/**
 * A minimal WebDriver BiDi client: one WebSocket, commands matched to answers by id, events to
 * listeners. Only what the Firefox smoke needs; the protocol is described at
 * https://w3c.github.io/webdriver-bidi/ and Firefox speaks it natively (no driver binary).
 */

export interface BidiEvent {
  method: string;
  params: Record<string, unknown>;
}

/** A node as BiDi returns it (`browsingContext.locateNodes`, `script.*` results). */
export interface RemoteNode {
  type: 'node';
  sharedId: string;
  value?: { localName?: string; attributes?: Record<string, string> };
}

/** A `script.*` result value (a subset of BiDi's RemoteValue). */
export type RemoteValue =
  | { type: 'undefined' | 'null' }
  | { type: 'string'; value: string }
  | { type: 'number'; value: number | 'NaN' | '-0' | 'Infinity' | '-Infinity' }
  | { type: 'boolean'; value: boolean }
  | RemoteNode
  | { type: string; value?: unknown };

class BidiError extends Error {
  constructor(
    readonly method: string,
    readonly error: string,
    message: string,
  ) {
    super(`${method}: ${error}: ${message}`);
  }
}

export class BidiConnection {
  private nextId = 1;
  private readonly pending = new Map<number, { method: string; resolve(v: unknown): void; reject(e: Error): void; timer: NodeJS.Timeout }>();
  private readonly listeners = new Set<(e: BidiEvent) => void>();
  private closedReason: string | undefined;

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => this.onMessage(String(data)));
    ws.on('close', () => this.failAll('the BiDi connection closed'));
    ws.on('error', (err) => this.failAll(`the BiDi connection failed: ${err.message}`));
  }

  /** Connects to `ws://host:port/session` (a new session must then be started with `session.new`). */
  static connect(url: string, timeoutMs = 10_000): Promise<BidiConnection> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: timeoutMs });
      ws.once('open', () => resolve(new BidiConnection(ws)));
      ws.once('error', reject);
    });
  }

  /** Sends a command and resolves with its result; rejects with a BidiError or after `timeoutMs`. */
  send<T = Record<string, unknown>>(method: string, params: Record<string, unknown> = {}, timeoutMs = 30_000): Promise<T> {
    if (this.closedReason) return Promise.reject(new Error(`${method}: ${this.closedReason}`));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method}: no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { method, resolve: resolve as (v: unknown) => void, reject, timer });
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }

  onEvent(listener: (e: BidiEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.failAll('the BiDi connection was closed by the test');
    this.ws.terminate();
  }

  private onMessage(text: string) {
    const msg = JSON.parse(text) as { type: string; id?: number; result?: unknown; error?: string; message?: string; method?: string; params?: Record<string, unknown> };
    if (msg.type === 'event' && msg.method) {
      for (const l of this.listeners) l({ method: msg.method, params: msg.params ?? {} });
      return;
    }
    if (msg.id === undefined) return;
    const waiting = this.pending.get(msg.id);
    if (!waiting) return;
    this.pending.delete(msg.id);
    clearTimeout(waiting.timer);
    if (msg.type === 'success') waiting.resolve(msg.result);
    else waiting.reject(new BidiError(waiting.method, msg.error ?? 'error', msg.message ?? ''));
  }

  private failAll(reason: string) {
    this.closedReason ??= reason;
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new Error(`${p.method}: ${reason}`));
      this.pending.delete(id);
    }
  }
}

/** Turns a primitive RemoteValue into a JS value (nodes and objects come back as they are). */
export function fromRemote(v: RemoteValue): unknown {
  switch (v.type) {
    case 'undefined':
      return undefined;
    case 'null':
      return null;
    case 'number':
      return typeof v.value === 'number' ? v.value : Number(v.value);
    case 'string':
    case 'boolean':
      return v.value;
    default:
      return v;
  }
}
