import { z } from 'zod';
import { browser } from 'wxt/browser';
import { AppError, isTransient } from '../errors';
import { i18n } from '#i18n';
import { DEFAULT_MAPPING, defaultWorkflow } from '../comfyui/default-workflow';
import { loadComfySetup, type ComfySetup } from '../comfyui/setup-store';
import { nodeLabel, patchWorkflow, WorkflowError, type ComfyWorkflow } from '../comfyui/workflow';
import { createProgressWatcher, type ProgressWatcher, type SocketConstructor } from '../comfyui/progress-socket';
import { limitedFetch, parseReply, readJson, stripEnd } from './http';
import { inputImages, type PollOutcome, type ProviderAdapter, type ProviderContext, type ProviderHandle, type SubmitOutcome } from './types';

/**
 * ComfyUI on the user's own machine or network: no key, the user's own workflow. Wire facts from
 * Comfy-Org/ComfyUI server.py and execution.py @a125cd8 (2025-10-12):
 *   POST /upload/image   multipart `image` (file), `overwrite` ("true"), optional `type`, `subfolder`
 *                        -> { name, subfolder, type }                       (server.py image_upload)
 *   POST /prompt         { prompt: <API workflow>, client_id, prompt_id }  -> { prompt_id, number, node_errors };
 *                        400 { error: { type, message, details }, node_errors: { id: { errors:
 *                        [{ message, details }], class_type } } }. A client-chosen `prompt_id` is
 *                        used as given (`str(json_data.get("prompt_id", uuid4()))`); ComfyUI does
 *                        not refuse a duplicate, so we never post the same id twice.
 *   GET  /history/{id}   {} until finished, then { [id]: { outputs: { node: { images: [{ filename,
 *                        subfolder, type }] } }, status: { status_str, completed, messages } } }
 *                        (execution.py PromptQueue.task_done; messages are [event, data] pairs,
 *                        `execution_error` data has node_id, node_type, exception_message)
 *   GET  /queue          { queue_running: [[number, prompt_id, ...]], queue_pending: [...] }
 *   POST /queue          { delete: [prompt_id] }   removes a pending job
 *   POST /interrupt      { prompt_id }             stops it only if it is the one running
 *   GET  /view?filename=&subfolder=&type=output    the image bytes
 *   GET  /object_info/CheckpointLoaderSimple       { CheckpointLoaderSimple: { input: { required:
 *                        { ckpt_name: [[names], {...}] } } } }
 * Without `--enable-cors-header`, ComfyUI answers 403 to any request whose Origin host differs
 * from its Host when that host is loopback (server.py create_origin_only_middleware): our
 * requests carry the extension's origin, so the user must start it with that flag.
 *
 * The job's `prompt_id` is chosen before anything is sent (reserveHandle) and stored by the
 * engine first: after a worker restart the job is looked up in /history and /queue, and posted
 * again (with a new id) only when ComfyUI has no record of it: it runs on the user's own
 * machine, so sending again costs nothing (resendsUnreceived). Progress comes from /queue (position, running) and, while the worker is alive, from
 * ComfyUI's websocket (the sampler's steps, see ../comfyui/progress-socket.ts); the socket only
 * adds detail: the job finishes by polling with or without it.
 */

const PROVIDER = 'ComfyUI';

const UploadReply = z.object({ name: z.string().min(1), subfolder: z.string().nullish(), type: z.string().nullish() });

const PromptReply = z.object({ prompt_id: z.string().min(1), number: z.number().nullish() });

const NodeErrors = z.record(
  z.string(),
  z.object({ errors: z.array(z.object({ message: z.string(), details: z.string().nullish() })).nullish(), class_type: z.string().nullish() }),
);
const PromptRefusal = z.object({
  error: z.union([z.string(), z.object({ message: z.string().nullish(), details: z.string().nullish() })]).nullish(),
  node_errors: z.union([NodeErrors, z.array(z.unknown())]).nullish(),
});

const ImageRef = z.object({ filename: z.string().min(1), subfolder: z.string().nullish(), type: z.string().nullish() });
const HistoryEntry = z.object({
  outputs: z.record(z.string(), z.object({ images: z.array(ImageRef).nullish() }).loose()).nullish(),
  status: z
    .object({
      status_str: z.string().nullish(),
      completed: z.boolean().nullish(),
      messages: z.array(z.tuple([z.string(), z.record(z.string(), z.unknown())]).or(z.array(z.unknown()))).nullish(),
    })
    .nullish(),
});
const History = z.record(z.string(), HistoryEntry);

/** A queue item is [number, prompt_id, prompt, extra_data, outputs, ...]. */
const QueueItem = z.array(z.unknown()).min(2);
const QueueReply = z.object({ queue_running: z.array(QueueItem), queue_pending: z.array(QueueItem) });

/** Old servers list the names first (`[[names], {...}]`); newer ones may say `["COMBO", { options }]`. */
const CheckpointInfo = z.object({
  CheckpointLoaderSimple: z.object({ input: z.object({ required: z.object({ ckpt_name: z.array(z.unknown()) }).loose() }).loose() }).loose().optional(),
});

interface ComfyDeps {
  /** The user's saved workflow and mapping; without one, the bundled template. */
  loadSetup: () => Promise<ComfySetup | undefined>;
  /** This extension's origin (`chrome-extension://<id>`), for the start flag ComfyUI needs. */
  extensionOrigin: () => string;
  newId: () => string;
  /** A seed when the job has none (the engine normally chooses and records one). */
  randomSeed: () => number;
  /** Follows running jobs over ComfyUI's websocket for their steps; without it, polling only. */
  progress?: ProgressWatcher;
}

/** The origin our requests carry: `chrome-extension://<id>` or Firefox's `moz-extension://<uuid>`. */
function extensionOrigin(): string {
  return browser.runtime.getURL('/').replace(/\/+$/, '');
}

/** What the user must add to ComfyUI's command line so it accepts this extension's requests. */
export function corsFlag(origin: string): string {
  return `--enable-cors-header ${origin}`;
}

function base(ctx: ProviderContext): string {
  return stripEnd(ctx.baseUrl);
}

/**
 * The `client_id` a job is posted with, and the id its socket connects as: ComfyUI sends a
 * prompt's execution messages to its client_id only (see progress-socket.ts). Derived from the
 * prompt id, so it is the same after a worker restart without storing anything more.
 */
function clientIdFor(promptId: string): string {
  return `image-prompt-${promptId}`;
}

/** Maps a failed reply to what the user should do; a 403 is ComfyUI's origin check. */
async function failure(res: Response, origin: string): Promise<AppError> {
  if (res.status === 403) return new AppError('bad_key', i18n.t('comfyui.forbidden', [corsFlag(origin)]), { provider: PROVIDER });
  const body = await readJson(res).catch(() => null);
  const text = typeof body === 'string' ? body.slice(0, 200) : '';
  if (res.status >= 500) return new AppError('provider_down', i18n.t('comfyui.serverError', [String(res.status), text]).trim(), { provider: PROVIDER });
  return new AppError('invalid_input', i18n.t('comfyui.refused', [String(res.status), text]).trim(), { provider: PROVIDER });
}

async function call(ctx: ProviderContext, origin: string, path: string, init: RequestInit = {}): Promise<Response> {
  const res = await limitedFetch(ctx, PROVIDER, `${base(ctx)}${path}`, init);
  if (!res.ok) throw await failure(res, origin);
  return res;
}

function postJson(body: unknown): RequestInit {
  return { method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' }, body: JSON.stringify(body) };
}

/** Why ComfyUI refused a workflow, in one line per node (validate_prompt's node_errors). */
function refusalMessage(body: unknown, workflow: ComfyWorkflow): string {
  const parsed = PromptRefusal.safeParse(body);
  if (!parsed.success) return i18n.t('comfyui.workflowRefused', ['']);
  const parts: string[] = [];
  const nodes = parsed.data.node_errors;
  if (nodes && !Array.isArray(nodes)) {
    for (const [id, e] of Object.entries(nodes)) {
      const why = (e.errors ?? []).map((x) => (x.details ? `${x.message}: ${x.details}` : x.message)).join('; ');
      parts.push(`${nodeLabel(workflow, id)}: ${why}`);
    }
  }
  if (parts.length === 0 && parsed.data.error) {
    const e = parsed.data.error;
    parts.push(typeof e === 'string' ? e : [e.message, e.details].filter(Boolean).join(': '));
  }
  return i18n.t('comfyui.workflowRefused', [parts.join(' \u2022 ').slice(0, 600)]);
}

const EXTENSIONS: Readonly<Record<string, string>> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp' };

/** The images a finished job saved: `output` ones (SaveImage), else previews (`temp`). */
function imagesOf(entry: z.infer<typeof HistoryEntry>): Array<z.infer<typeof ImageRef>> {
  const all = Object.values(entry.outputs ?? {}).flatMap((o) => o.images ?? []);
  const saved = all.filter((i) => (i.type ?? 'output') === 'output');
  return saved.length > 0 ? saved : all;
}

/** The execution_error message a failed job recorded, if any. */
function executionError(entry: z.infer<typeof HistoryEntry>): { interrupted: boolean; message?: string; node?: string } {
  for (const m of entry.status?.messages ?? []) {
    const [event, data] = m as [unknown, unknown];
    if (event === 'execution_interrupted') return { interrupted: true };
    if (event === 'execution_error' && data && typeof data === 'object') {
      const d = data as Record<string, unknown>;
      const message = typeof d.exception_message === 'string' ? d.exception_message.trim().slice(0, 400) : undefined;
      const node = typeof d.node_id === 'string' ? `${d.node_id}${typeof d.node_type === 'string' ? ` (${d.node_type})` : ''}` : undefined;
      return { interrupted: false, message, node };
    }
  }
  return { interrupted: false };
}

async function readHistory(ctx: ProviderContext, origin: string, promptId: string): Promise<z.infer<typeof HistoryEntry> | undefined> {
  const res = await call(ctx, origin, `/history/${encodeURIComponent(promptId)}`, { headers: { Accept: 'application/json' } });
  return parseReply(PROVIDER, History, await readJson(res))[promptId];
}

/** Where a job stands in ComfyUI's queue, or undefined when it is not there. */
async function queueState(ctx: ProviderContext, origin: string, promptId: string): Promise<PollOutcome | undefined> {
  const res = await call(ctx, origin, '/queue', { headers: { Accept: 'application/json' } });
  const q = parseReply(PROVIDER, QueueReply, await readJson(res));
  if (q.queue_running.some((item) => item[1] === promptId)) return { kind: 'pending', stage: 'running' };
  const mine = q.queue_pending.find((item) => item[1] === promptId);
  if (!mine) return undefined;
  // The pending list is a heap, not in order: count the jobs that go first (lower number).
  const number = typeof mine[0] === 'number' ? mine[0] : Infinity;
  const ahead = q.queue_pending.filter((item) => typeof item[0] === 'number' && item[0] < number).length + q.queue_running.length;
  return { kind: 'pending', stage: 'queued', queuePosition: ahead };
}

/**
 * "Test connection": the checkpoints ComfyUI can load, after making sure it will take the
 * extension's POSTs. Browsers send no Origin on the extension's GETs, so a listing alone can
 * succeed on a server that refuses every job (its origin check answers 403 to POSTs only).
 * `POST /queue {}` asks nothing: it only clears or deletes when told to
 * (Comfy-Org/ComfyUI server.py @a125cd8, post_queue; origin_only_middleware).
 */
export async function testConnection(ctx: ProviderContext, origin: string = extensionOrigin()): Promise<string[]> {
  const checkpoints = await listCheckpoints(ctx, origin);
  await call(ctx, origin, '/queue', postJson({}));
  return checkpoints;
}

/** The checkpoints ComfyUI can load, for the settings page ("Test connection"). */
export async function listCheckpoints(ctx: ProviderContext, origin: string = extensionOrigin()): Promise<string[]> {
  const res = await call(ctx, origin, '/object_info/CheckpointLoaderSimple', { headers: { Accept: 'application/json' } });
  const info = parseReply(PROVIDER, CheckpointInfo, await readJson(res));
  const spec = info.CheckpointLoaderSimple?.input.required.ckpt_name ?? [];
  const [first, second] = spec;
  if (Array.isArray(first)) return first.filter((n): n is string => typeof n === 'string');
  if (first === 'COMBO' && second && typeof second === 'object' && Array.isArray((second as { options?: unknown }).options)) {
    return ((second as { options: unknown[] }).options).filter((n): n is string => typeof n === 'string');
  }
  return [];
}

export function createComfyuiAdapter(deps: ComfyDeps): ProviderAdapter {
  return {
    id: 'comfyui',
    mode: 'queue',

    reserveHandle(): ProviderHandle {
      return { promptId: deps.newId() };
    },
    resendsUnreceived: true,
    nextChange: (handle) => (handle.promptId ? deps.progress?.whenEnded(handle.promptId) : undefined),

    async submit(_route, input, ctx, reserved): Promise<SubmitOutcome> {
      const origin = deps.extensionOrigin();
      const image = inputImages(input)[0];
      if (!image) throw new AppError('invalid_input', i18n.t('comfyui.needsImage'), { provider: PROVIDER });
      const setup = (await deps.loadSetup()) ?? { workflow: defaultWorkflow(), mapping: DEFAULT_MAPPING, source: 'template' as const };
      const promptId = reserved?.promptId ?? deps.newId();

      // The reference under a name of its own per job; `overwrite` so a resent upload replaces it.
      const form = new FormData();
      form.append('image', image.blob, `image-prompt-${promptId}.${EXTENSIONS[image.mime] ?? 'png'}`);
      form.append('overwrite', 'true');
      const uploaded = parseReply(PROVIDER, UploadReply, await readJson(await call(ctx, origin, '/upload/image', { method: 'POST', body: form })));
      const imageName = uploaded.subfolder ? `${uploaded.subfolder}/${uploaded.name}` : uploaded.name;

      let workflow: ComfyWorkflow;
      try {
        workflow = patchWorkflow(setup.workflow, setup.mapping, { imageName, prompt: input.prompt, seed: input.seed ?? deps.randomSeed(), strength: input.strength });
      } catch (err) {
        if (err instanceof WorkflowError) throw new AppError('invalid_input', i18n.t('comfyui.setupBroken', [err.message]), { provider: PROVIDER });
        throw err;
      }

      // The socket opens before the post: ComfyUI only tells the sockets connected when it runs the job.
      deps.progress?.follow(base(ctx), clientIdFor(promptId), promptId);
      try {
        const res = await limitedFetch(ctx, PROVIDER, `${base(ctx)}/prompt`, postJson({ prompt: workflow, client_id: clientIdFor(promptId), prompt_id: promptId }));
        if (res.status === 400) throw new AppError('invalid_input', refusalMessage(await readJson(res), workflow), { provider: PROVIDER });
        if (!res.ok) throw await failure(res, origin);
        const reply = parseReply(PROVIDER, PromptReply, await readJson(res));
        return { kind: 'submitted', handle: { promptId: reply.prompt_id } };
      } catch (err) {
        deps.progress?.stop(promptId);
        throw err;
      }
    },

    async poll(_route, handle, ctx): Promise<PollOutcome> {
      const promptId = handle.promptId;
      if (!promptId) throw new AppError('internal', i18n.t('comfyui.lostId'), { provider: PROVIDER });
      const watcher = deps.progress;
      watcher?.follow(base(ctx), clientIdFor(promptId), promptId);
      let outcome: PollOutcome;
      try {
        outcome = await pollOnce(ctx, promptId);
      } catch (err) {
        // The job ended at ComfyUI (failed, interrupted, never received): nothing more to hear.
        // A network failure is retried by the engine, and the socket may still be useful.
        if (!(err instanceof AppError) || !isTransient(err.kind)) watcher?.stop(promptId);
        throw err;
      }
      if (outcome.kind === 'done') {
        watcher?.stop(promptId);
        return outcome;
      }
      const step = outcome.stage === 'running' ? watcher?.step(promptId) : undefined;
      return step ? { ...outcome, step } : outcome;
    },

    async cancel(_route, handle, ctx): Promise<void> {
      const origin = deps.extensionOrigin();
      const promptId = handle.promptId;
      if (!promptId) return;
      deps.progress?.stop(promptId);
      // Both are harmless when they do not apply: /interrupt with a prompt_id stops only that
      // job if it is the one running; /queue delete removes it only if it is still waiting.
      await call(ctx, origin, '/queue', postJson({ delete: [promptId] }));
      await call(ctx, origin, '/interrupt', postJson({ prompt_id: promptId }));
    },

    async testKey(ctx): Promise<void> {
      await testConnection(ctx, deps.extensionOrigin());
    },
  };

  /** One look at the job: the history first, else its place in the queue. */
  async function pollOnce(ctx: ProviderContext, promptId: string): Promise<PollOutcome> {
    const origin = deps.extensionOrigin();
    let entry = await readHistory(ctx, origin, promptId);
    if (!entry) {
      const queued = await queueState(ctx, origin, promptId);
      if (queued) return queued;
      // It may have finished between the two questions: ask the history once more.
      entry = await readHistory(ctx, origin, promptId);
      if (!entry) throw new AppError('not_found', i18n.t('comfyui.neverReceived'), { provider: PROVIDER });
    }
    if (entry.status?.status_str === 'error') {
      const e = executionError(entry);
      if (e.interrupted) throw new AppError('canceled', i18n.t('comfyui.interrupted'), { provider: PROVIDER });
      throw new AppError('invalid_input', i18n.t('comfyui.runFailed', [e.node ?? '?', e.message ?? '']).trim(), { provider: PROVIDER });
    }
    const images = imagesOf(entry);
    if (images.length === 0) {
      // Written once the run ended; without images the workflow saved nothing we can fetch.
      if (entry.status?.completed || entry.status?.status_str === 'success') throw new AppError('bad_reply', i18n.t('comfyui.noImages'), { provider: PROVIDER });
      return { kind: 'pending', stage: 'running' };
    }
    return {
      kind: 'done',
      outputs: images.map((img) => {
        const q = new URLSearchParams({ filename: img.filename, subfolder: img.subfolder ?? '', type: img.type ?? 'output' });
        return { kind: 'url' as const, url: `${base(ctx)}/view?${q.toString()}` };
      }),
    };
  }
}

/** The browser's WebSocket where there is one (service workers have it; Node 20 does not). */
const browserSocket: SocketConstructor | undefined = typeof WebSocket === 'function' ? WebSocket : undefined;

export const comfyuiAdapter: ProviderAdapter = createComfyuiAdapter({
  loadSetup: loadComfySetup,
  extensionOrigin,
  newId: () => crypto.randomUUID(),
  randomSeed: () => crypto.getRandomValues(new Uint32Array(1))[0]! % 2 ** 31,
  progress: createProgressWatcher(browserSocket),
});
