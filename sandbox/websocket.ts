// The least of RFC 6455 a sandbox provider needs to push messages over a websocket: the server
// handshake, unmasked text frames out, and a close (or a ping) understood when the client sends
// one. Everything else a client sends is read and dropped. No dependency: node:crypto and the
// raw socket the http server hands over on its `upgrade` event.
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

/** RFC 6455 section 1.3 (and section 4.2.2 step 5.4): the GUID appended to Sec-WebSocket-Key before hashing. */
const HANDSHAKE_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const OP_TEXT = 0x1;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;
const OP_PONG = 0xa;

/** An open websocket, server side. */
export interface WsConnection {
  send(text: string): void;
  /** Sends a close frame (1000) and ends the socket. */
  close(): void;
  readonly closed: boolean;
  onClose(listener: () => void): void;
}

/** An upgrade request as a provider handler sees it (path below the mount, like ProviderRequest). */
export interface UpgradeRequest {
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  req: IncomingMessage;
  socket: Duplex;
  head: Buffer;
}

/** A provider handler that also answers websocket upgrades under its mount. */
export interface UpgradeHandler {
  upgrade(request: UpgradeRequest): void;
}

export function canUpgrade<T extends object>(handler: T): handler is T & UpgradeHandler {
  return typeof (handler as Partial<UpgradeHandler>).upgrade === 'function';
}

/** Sec-WebSocket-Accept for a client's key: base64(sha1(key + GUID)) (RFC 6455 section 4.2.2). */
export function acceptKey(key: string): string {
  return createHash('sha1').update(`${key}${HANDSHAKE_GUID}`).digest('base64');
}

/** Answers an upgrade with a plain HTTP status instead, and drops the socket. */
export function refuseUpgrade(socket: Duplex, status: number, reason = 'Refused'): void {
  if (socket.writable) socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  else socket.destroy();
}

function frame(opcode: number, payload: Buffer): Buffer {
  const n = payload.length;
  const head = n < 126 ? Buffer.from([0x80 | opcode, n]) : n < 65_536 ? Buffer.alloc(4) : Buffer.alloc(10);
  if (n >= 126 && n < 65_536) {
    head[0] = 0x80 | opcode;
    head[1] = 126;
    head.writeUInt16BE(n, 2);
  } else if (n >= 65_536) {
    head[0] = 0x80 | opcode;
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(n), 2);
  }
  return Buffer.concat([head, payload]);
}

/**
 * Completes the handshake for a valid websocket upgrade (version 13, with a key) and returns the
 * connection; answers 400 and returns undefined otherwise.
 */
export function acceptWebSocket(req: IncomingMessage, socket: Duplex, head: Buffer): WsConnection | undefined {
  const key = req.headers['sec-websocket-key'];
  const upgrade = String(req.headers.upgrade ?? '').toLowerCase();
  if (typeof key !== 'string' || !key || upgrade !== 'websocket' || req.headers['sec-websocket-version'] !== '13') {
    refuseUpgrade(socket, 400, 'Bad Request');
    return undefined;
  }
  socket.write(['HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Accept: ${acceptKey(key)}`, '', ''].join('\r\n'));

  let closed = false;
  let closeSent = false;
  const listeners: Array<() => void> = [];
  const ended = () => {
    if (closed) return;
    closed = true;
    for (const l of listeners) l();
  };
  socket.on('close', ended);
  socket.on('error', () => socket.destroy());

  const conn: WsConnection = {
    send(text) {
      if (!closed && !closeSent) socket.write(frame(OP_TEXT, Buffer.from(text, 'utf8')));
    },
    close() {
      if (closed) return;
      if (!closeSent) {
        closeSent = true;
        const code = Buffer.alloc(2);
        code.writeUInt16BE(1000, 0);
        socket.end(frame(OP_CLOSE, code));
      }
      ended();
    },
    get closed() {
      return closed;
    },
    onClose(listener) {
      listeners.push(listener);
    },
  };

  // Client frames are always masked (RFC 6455 section 5.3); only close and ping matter here.
  let pending: Buffer = Buffer.alloc(0);
  const read = (chunk: Buffer) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    for (;;) {
      if (pending.length < 2) return;
      const opcode = pending[0]! & 0x0f;
      const masked = (pending[1]! & 0x80) !== 0;
      let length = pending[1]! & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (pending.length < 4) return;
        length = pending.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (pending.length < 10) return;
        length = Number(pending.readBigUInt64BE(2));
        offset = 10;
      }
      const mask = masked ? pending.subarray(offset, offset + 4) : undefined;
      if (masked) offset += 4;
      if (pending.length < offset + length) return;
      const payload = Buffer.from(pending.subarray(offset, offset + length));
      if (mask) for (let i = 0; i < payload.length; i++) payload[i] = payload[i]! ^ mask[i % 4]!;
      pending = pending.subarray(offset + length);
      if (opcode === OP_CLOSE) {
        conn.close();
        return;
      }
      if (opcode === OP_PING && !closeSent) socket.write(frame(OP_PONG, payload));
    }
  };
  socket.on('data', read);
  if (head.length) read(head);
  return conn;
}
