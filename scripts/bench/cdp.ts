import WebSocket from 'ws';

/**
 * A small client for the browser-level DevTools endpoint (Chromium started with
 * --remote-debugging-port next to Playwright's pipe). Playwright's CDPSession only attaches
 * to pages; the extension's service worker needs a flat session of its own, which this gives.
 */
interface TargetInfo {
  targetId: string;
  type: string;
  url: string;
}

export interface BrowserCdp {
  send<T = Record<string, unknown>>(method: string, params?: object, sessionId?: string): Promise<T>;
  targets(): Promise<TargetInfo[]>;
  /** A flat session on a target (cached per target id). */
  attach(targetId: string): Promise<string>;
  close(): void;
}

export async function connectBrowserCdp(port: number): Promise<BrowserCdp> {
  let wsUrl: string | undefined;
  for (let i = 0; i < 50 && !wsUrl; i++) {
    try {
      const v = (await (await fetch(`http://127.0.0.1:${port}/json/version`)).json()) as { webSocketDebuggerUrl: string };
      wsUrl = v.webSocketDebuggerUrl;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  if (!wsUrl) throw new Error(`No DevTools endpoint on port ${port}`);
  const ws = new WebSocket(wsUrl, { perMessageDeflate: false, maxPayload: 256 * 1024 * 1024 });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let nextId = 0;
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  ws.on('message', (data) => {
    const msg = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: { message: string } };
    if (msg.id === undefined) return;
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if (msg.error) p.reject(new Error(msg.error.message));
    else p.resolve(msg.result);
  });
  const sessions = new Map<string, string>();
  const send = <T>(method: string, params: object = {}, sessionId?: string) =>
    new Promise<T>((resolve, reject) => {
      const id = ++nextId;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });
  return {
    send,
    async targets() {
      const r = await send<{ targetInfos: TargetInfo[] }>('Target.getTargets');
      return r.targetInfos;
    },
    async attach(targetId) {
      const known = sessions.get(targetId);
      if (known) return known;
      const r = await send<{ sessionId: string }>('Target.attachToTarget', { targetId, flatten: true });
      sessions.set(targetId, r.sessionId);
      return r.sessionId;
    },
    close() {
      ws.close();
    },
  };
}

/** JS heap of one target after a forced garbage collection. */
export async function heapAfterGc(cdp: BrowserCdp, targetId: string): Promise<{ usedBytes: number; totalBytes: number; embedderBytes: number }> {
  const sid = await cdp.attach(targetId);
  await cdp.send('HeapProfiler.collectGarbage', {}, sid);
  await cdp.send('HeapProfiler.collectGarbage', {}, sid);
  const h = await cdp.send<{ usedSize: number; totalSize: number; embedderHeapUsedSize?: number }>('Runtime.getHeapUsage', {}, sid);
  return { usedBytes: h.usedSize, totalBytes: h.totalSize, embedderBytes: h.embedderHeapUsedSize ?? 0 };
}
