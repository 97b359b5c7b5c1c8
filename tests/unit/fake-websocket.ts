import type { SocketLike } from '../../utils/comfyui/progress-socket';

type Listener = (event: { data?: unknown }) => void;

/** A stand-in for the browser's WebSocket: records what was opened and lets a test speak for ComfyUI. */
export class FakeSocket implements SocketLike {
  static opened: FakeSocket[] = [];
  readonly url: string;
  closed = false;
  private listeners = new Map<string, Listener[]>();

  constructor(url: string) {
    this.url = url;
    FakeSocket.opened.push(this);
  }
  addEventListener(type: 'message' | 'close' | 'error', listener: Listener): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  close(): void {
    this.closed = true;
  }
  emit(type: string, data?: unknown): void {
    for (const l of this.listeners.get(type) ?? []) l({ data });
  }
  /** A text frame as ComfyUI's send_json writes it. */
  say(type: string, data: Record<string, unknown>): void {
    this.emit('message', JSON.stringify({ type, data }));
  }
}
