import { afterEach, describe, expect, it, vi } from 'vitest';
import { createProgressWatcher, socketUrl } from '../../utils/comfyui/progress-socket';
import { FakeSocket } from './fake-websocket';

const BASE = 'http://127.0.0.1:8188';

afterEach(() => {
  FakeSocket.opened = [];
  vi.useRealTimers();
});

describe('ComfyUI progress socket', () => {
  it('connects to /ws with the job\u2019s client id, on http and https addresses', () => {
    expect(socketUrl('http://127.0.0.1:8188/', 'image-prompt-p1')).toBe('ws://127.0.0.1:8188/ws?clientId=image-prompt-p1');
    expect(socketUrl('https://gpu.example/comfy', 'a b')).toBe('wss://gpu.example/comfy/ws?clientId=a%20b');
    const w = createProgressWatcher(FakeSocket);
    w.follow(BASE, 'image-prompt-p1', 'p1');
    w.follow(BASE, 'image-prompt-p1', 'p1'); // every poll asks again: one socket is enough
    expect(FakeSocket.opened.map((s) => s.url)).toEqual(['ws://127.0.0.1:8188/ws?clientId=image-prompt-p1']);
    w.stop('p1');
  });

  it('keeps the latest step per prompt and ignores other prompts, previews and noise', () => {
    const w = createProgressWatcher(FakeSocket);
    w.follow(BASE, 'c1', 'p1');
    w.follow(BASE, 'c2', 'p2');
    const [one, two] = FakeSocket.opened;
    one!.say('status', { status: { exec_info: { queue_remaining: 1 } }, sid: 'c1' });
    expect(w.step('p1')).toBeUndefined();
    one!.say('progress', { value: 3, max: 20, prompt_id: 'p1', node: '6' });
    one!.say('progress', { value: 4, max: 20, prompt_id: 'p1', node: '6' });
    one!.say('progress', { value: 9, max: 20, prompt_id: 'someone-else', node: '6' });
    two!.say('progress', { value: 1, max: 30, prompt_id: 'p2', node: '3' });
    one!.emit('message', new Uint8Array([0, 0, 0, 1])); // a preview image (binary frame)
    one!.emit('message', '{not json');
    one!.say('progress', { value: 25, max: 20, prompt_id: 'p1' }); // not a count that makes sense
    one!.say('progress', { value: 'x', max: 20, prompt_id: 'p1' });
    expect(w.step('p1')).toEqual({ value: 4, max: 20 });
    expect(w.step('p2')).toEqual({ value: 1, max: 30 });
    expect(w.ended('p1')).toBe(false);
    w.stop('p1');
    w.stop('p2');
  });

  it('closes the socket when ComfyUI says the prompt is over (`executing` with node null)', () => {
    const w = createProgressWatcher(FakeSocket);
    w.follow(BASE, 'c1', 'p1');
    const socket = FakeSocket.opened[0]!;
    socket.say('executing', { node: '6', display_node: '6', prompt_id: 'p1' });
    socket.say('executing', { node: null, prompt_id: 'another' });
    expect(socket.closed).toBe(false);
    socket.say('progress', { value: 20, max: 20, prompt_id: 'p1', node: '6' });
    socket.say('executing', { node: null, prompt_id: 'p1' });
    expect(socket.closed).toBe(true);
    expect(w.ended('p1')).toBe(true);
    // The last step stays known for the poll that finds the result; no socket is opened again.
    expect(w.step('p1')).toEqual({ value: 20, max: 20 });
    w.follow(BASE, 'c1', 'p1');
    expect(FakeSocket.opened).toHaveLength(1);
    w.stop('p1');
    expect(w.step('p1')).toBeUndefined();
  });

  it('also ends on execution_error and execution_interrupted for the prompt', () => {
    const w = createProgressWatcher(FakeSocket);
    for (const [i, event] of ['execution_error', 'execution_interrupted'].entries()) {
      w.follow(BASE, `c${i}`, `p${i}`);
      FakeSocket.opened[i]!.say(event, { prompt_id: `p${i}`, node_id: '6', node_type: 'KSampler' });
      expect(FakeSocket.opened[i]!.closed).toBe(true);
      w.stop(`p${i}`);
    }
  });

  it('swallows every socket failure and reconnects a few times at most', () => {
    const w = createProgressWatcher(FakeSocket);
    w.follow(BASE, 'c1', 'p1');
    FakeSocket.opened[0]!.say('progress', { value: 2, max: 10, prompt_id: 'p1' });
    FakeSocket.opened[0]!.emit('error');
    // Messages on a socket that failed are no longer ours to read.
    FakeSocket.opened[0]!.say('progress', { value: 3, max: 10, prompt_id: 'p1' });
    expect(w.step('p1')).toEqual({ value: 2, max: 10 });
    w.follow(BASE, 'c1', 'p1');
    FakeSocket.opened[1]!.emit('close');
    w.follow(BASE, 'c1', 'p1');
    FakeSocket.opened[2]!.emit('close');
    w.follow(BASE, 'c1', 'p1');
    w.follow(BASE, 'c1', 'p1');
    expect(FakeSocket.opened).toHaveLength(3);
    w.stop('p1');

    // A constructor that throws (a refused URL), a close that throws, or no WebSocket at all.
    const throwing = createProgressWatcher(
      class {
        constructor() {
          throw new SyntaxError('bad url');
        }
      } as unknown as typeof FakeSocket,
    );
    expect(() => throwing.follow('not a url', 'c', 'p')).not.toThrow();
    expect(throwing.step('p')).toBeUndefined();
    throwing.stop('p');
    const closeThrows = createProgressWatcher(
      class extends FakeSocket {
        override close(): void {
          throw new Error('already closed');
        }
      },
    );
    closeThrows.follow(BASE, 'c', 'p');
    expect(() => closeThrows.stop('p')).not.toThrow();
    const none = createProgressWatcher(undefined);
    none.follow(BASE, 'c', 'p');
    expect(none.step('p')).toBeUndefined();
    none.stop('p');
  });

  it('closes the socket of a job nobody polls any more', () => {
    vi.useFakeTimers();
    const w = createProgressWatcher(FakeSocket);
    w.follow(BASE, 'c1', 'p1');
    vi.advanceTimersByTime(59_000);
    w.follow(BASE, 'c1', 'p1');
    vi.advanceTimersByTime(59_000);
    expect(FakeSocket.opened[0]!.closed).toBe(false);
    vi.advanceTimersByTime(2_000);
    expect(FakeSocket.opened[0]!.closed).toBe(true);
    expect(w.step('p1')).toBeUndefined();
  });

  it('tells a waiting poll when the run ends, once per job', async () => {
    const w = createProgressWatcher(FakeSocket);
    expect(w.whenEnded('p1')).toBeUndefined(); // not followed: nothing to wait on
    w.follow(BASE, 'c1', 'p1');
    const first = w.whenEnded('p1')!;
    // Every wait while the run goes on gets the same end.
    expect(w.whenEnded('p1')).toBe(first);
    let woke = false;
    void first.then(() => (woke = true));
    FakeSocket.opened[0]!.say('progress', { value: 5, max: 20, prompt_id: 'p1' });
    await Promise.resolve();
    expect(woke).toBe(false);
    FakeSocket.opened[0]!.say('execution_success', { prompt_id: 'p1', timestamp: 1 });
    await first;
    expect(woke).toBe(true);
    // Given: the next waits take the usual interval (the history may still be being written).
    expect(w.whenEnded('p1')).toBeUndefined();
    w.stop('p1');

    // A job whose end came before anyone waited wakes the first wait, at once, and only that one.
    w.follow(BASE, 'c2', 'p2');
    FakeSocket.opened[1]!.say('executing', { node: null, prompt_id: 'p2' });
    await expect(w.whenEnded('p2')).resolves.toBeUndefined();
    expect(w.whenEnded('p2')).toBeUndefined();
    w.stop('p2');
  });
});
