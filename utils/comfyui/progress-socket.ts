import { z } from 'zod';

/**
 * Follows ComfyUI jobs over its websocket while the worker is alive, so the job card can say
 * "Step 12 of 20". Polling (/queue, /history) stays the source of truth: a job whose socket
 * never opens, drops, or was lost with a stopped worker still finishes by polling. Nothing
 * here can fail a job; every socket failure is swallowed.
 *
 * Wire facts from Comfy-Org/ComfyUI @a125cd8 (2025-10-12):
 *   GET /ws?clientId=<id>   server.py websocket_handler: the socket is stored under `clientId`
 *                           (a second socket with the same id replaces the first); it is sent
 *                           `{ type: 'status', data: { status: { exec_info: { queue_remaining } }, sid } }`
 *                           at once. Text frames are `{ type, data }` (server.py send_json);
 *                           binary frames are previews (server.py send_bytes), ignored here.
 *   Who hears what          execution.py PromptExecutor.execute_async sets server.client_id to
 *                           the running prompt's `client_id` (POST /prompt puts it in extra_data,
 *                           server.py post_prompt); its execution messages go to that id only.
 *   progress                { value, max, prompt_id, node }        (main.py hijack_progress)
 *   executing               { node, display_node, prompt_id } per node (execution.py execute);
 *                           { node: null, prompt_id } once the prompt is over, success or not,
 *                           sent after its history entry is written (main.py prompt_worker)
 *   executed                { node, display_node, output, prompt_id } (execution.py execute)
 *   execution_error         { prompt_id, node_id, node_type, exception_message, ... }
 *   execution_interrupted / execution_success  { prompt_id, ... } (execution.py add_message)
 * Without `--enable-cors-header` the origin check answers 403 to the upgrade as to any request
 * carrying another Origin (server.py origin_only_middleware): the socket then just fails.
 */

/** One sampler step as ComfyUI counts it: `value` of `max` done. */
interface StepProgress {
  value: number;
  max: number;
}

/** The part of the browser's WebSocket this module uses (a fake one in tests). */
export interface SocketLike {
  addEventListener(type: 'message' | 'close' | 'error', listener: (event: { data?: unknown }) => void): void;
  close(): void;
}

export type SocketConstructor = new (url: string) => SocketLike;

export interface ProgressWatcher {
  /**
   * Follows a job: opens a socket for its client id unless one is open. Called on every poll,
   * so a dropped socket is opened again (a few times at most) and a restarted worker picks the
   * job up again; ComfyUI keeps sending to a client id that reconnects.
   */
  follow(baseUrl: string, clientId: string, promptId: string): void;
  /** The latest step ComfyUI reported for the job, if any. */
  step(promptId: string): StepProgress | undefined;
  /** Whether ComfyUI said the job's run is over (the answer is then in /history). */
  ended(promptId: string): boolean;
  /**
   * Resolves when ComfyUI says the job's run is over (at once if it has): the engine then looks
   * at /history without waiting for its next poll. Given once per job: ComfyUI sends
   * execution_success just before it writes the history (main.py prompt_worker: e.execute()
   * ends with execution_success, then q.task_done() stores the history, then `executing` with
   * node None), so the look it triggers can still find the job running, and the next one then
   * comes at the usual interval, not at once again. Undefined for a job not followed, or once
   * given.
   */
  whenEnded(promptId: string): Promise<void> | undefined;
  /** Stops following the job: closes its socket and forgets it. */
  stop(promptId: string): void;
}

/** Sockets opened per job per worker at most (the first and two reconnects). */
const MAX_CONNECTS = 3;
/**
 * A job nobody asked about for this long is no longer polled (ended by the engine's deadline,
 * or canceled elsewhere): its socket is closed. Polls come at least every 4 s (engine.ts).
 */
const IDLE_MS = 60_000;

const Message = z.object({ type: z.string(), data: z.record(z.string(), z.unknown()).nullish() });
const Progress = z.object({ value: z.number().finite().min(0), max: z.number().finite().positive(), prompt_id: z.string().nullish() });
/** Messages after which nothing more comes for the prompt. */
const END_EVENTS = new Set(['execution_success', 'execution_error', 'execution_interrupted']);

interface Followed {
  socket?: SocketLike;
  connects: number;
  step?: StepProgress;
  ended: boolean;
  idle?: ReturnType<typeof setTimeout>;
  /** What whenEnded hands out while the run goes on: one promise, resolved by the end. */
  end?: { promise: Promise<void>; resolve: () => void };
  /** whenEnded has handed out a promise that the end resolved. */
  endGiven?: boolean;
}

/** `http://host:8188/base` -> `ws://host:8188/base/ws?clientId=...` (https -> wss). */
export function socketUrl(baseUrl: string, clientId: string): string {
  return `${baseUrl.replace(/\/+$/, '').replace(/^http/i, 'ws')}/ws?clientId=${encodeURIComponent(clientId)}`;
}

export function createProgressWatcher(Socket: SocketConstructor | undefined): ProgressWatcher {
  const jobs = new Map<string, Followed>();

  function closeSocket(job: Followed): void {
    const socket = job.socket;
    job.socket = undefined;
    try {
      socket?.close();
    } catch {
      // Already closed or never opened: nothing to do.
    }
  }

  function stop(promptId: string): void {
    const job = jobs.get(promptId);
    if (!job) return;
    jobs.delete(promptId);
    clearTimeout(job.idle);
    closeSocket(job);
  }

  function onMessage(promptId: string, job: Followed, socket: SocketLike, data: unknown): void {
    if (typeof data !== 'string' || job.socket !== socket) return;
    let parsed: z.infer<typeof Message>;
    try {
      const m = Message.safeParse(JSON.parse(data));
      if (!m.success) return;
      parsed = m.data;
    } catch {
      return;
    }
    const d = parsed.data ?? {};
    // Only ever sent to our client id, but the prompt id is checked all the same.
    const ours = d.prompt_id === undefined || d.prompt_id === null || d.prompt_id === promptId;
    if (!ours) return;
    if (parsed.type === 'progress') {
      const p = Progress.safeParse(d);
      if (p.success && p.data.value <= p.data.max) job.step = { value: p.data.value, max: p.data.max };
      return;
    }
    if ((parsed.type === 'executing' && d.node === null && d.prompt_id === promptId) || (END_EVENTS.has(parsed.type) && d.prompt_id === promptId)) {
      job.ended = true;
      closeSocket(job);
      if (job.end) {
        job.endGiven = true;
        job.end.resolve();
      }
    }
  }

  function open(baseUrl: string, clientId: string, promptId: string, job: Followed): void {
    if (!Socket || job.socket || job.ended || job.connects >= MAX_CONNECTS) return;
    job.connects++;
    let socket: SocketLike;
    try {
      socket = new Socket(socketUrl(baseUrl, clientId));
    } catch {
      return; // a URL the browser refuses: polling alone it is
    }
    job.socket = socket;
    const dropped = () => {
      if (job.socket === socket) job.socket = undefined;
    };
    socket.addEventListener('message', (event) => onMessage(promptId, job, socket, event.data));
    socket.addEventListener('close', dropped);
    socket.addEventListener('error', dropped);
  }

  return {
    follow(baseUrl, clientId, promptId) {
      let job = jobs.get(promptId);
      if (!job) {
        job = { connects: 0, ended: false };
        jobs.set(promptId, job);
      }
      clearTimeout(job.idle);
      job.idle = setTimeout(() => stop(promptId), IDLE_MS);
      open(baseUrl, clientId, promptId, job);
    },
    step: (promptId) => jobs.get(promptId)?.step,
    ended: (promptId) => jobs.get(promptId)?.ended ?? false,
    whenEnded(promptId) {
      const job = jobs.get(promptId);
      if (!job) return undefined;
      if (job.ended) {
        if (job.endGiven) return undefined;
        job.endGiven = true;
        return Promise.resolve();
      }
      // Asked before every wait: while the run goes on, each wait gets the same promise.
      if (!job.end) {
        let resolve!: () => void;
        const promise = new Promise<void>((r) => (resolve = r));
        job.end = { promise, resolve };
      }
      return job.end.promise;
    },
    stop,
  };
}
