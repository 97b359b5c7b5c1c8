import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A static server for the demo page (`npm start`) and for end-to-end tests, which add their
 * own routes (hotlink-protected images, redirects, slow answers) through `extraRoutes`.
 */
const DEMO_DIR = fileURLToPath(new URL('./demo/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.svg': 'image/svg+xml',
  '.css': 'text/css',
  '.js': 'text/javascript',
};

export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

export interface PageServer {
  url: string;
  port: number;
  close(): Promise<void>;
  /** Paths requested so far, in order (tests assert who fetched what). */
  hits: Array<{ path: string; referer?: string; cookie?: string; userAgent?: string }>;
}

export async function startPageServer(opts: { port?: number; host?: string; extraRoutes?: RouteHandler[]; root?: string } = {}): Promise<PageServer> {
  const root = opts.root ?? DEMO_DIR;
  const hits: PageServer['hits'] = [];
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    hits.push({ path, referer: req.headers.referer, cookie: req.headers.cookie, userAgent: req.headers['user-agent'] });
    for (const route of opts.extraRoutes ?? []) {
      if (await route(req, res)) return;
    }
    const rel = normalize(path === '/' ? '/index.html' : path).replace(/^(\.\.[/\\])+/, '');
    const file = join(root, rel);
    if (!file.startsWith(root)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'Content-Type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream', 'Cache-Control': 'no-store' });
      res.end(body);
    } catch {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found');
    }
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, host, resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://${host}:${port}`,
    port,
    hits,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
