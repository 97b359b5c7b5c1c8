// A small stand-in for a ComfyUI server (mirrors http://127.0.0.1:8188), mounted under /comfyui.
// Wire shapes as Comfy-Org/ComfyUI server.py and execution.py answer them (@a125cd8):
//
//   POST /comfyui/upload/image        multipart `image` (+ `overwrite`, `subfolder`, `type`) (op 'upload')
//                                     -> { name, subfolder, type: 'input' }
//   POST /comfyui/prompt              { prompt, client_id?, prompt_id? } (op 'prompt')
//                                     -> { prompt_id, number, node_errors: {} }, or 400
//                                     { error: { type, message, details, extra_info }, node_errors }
//   GET  /comfyui/history/{id}        {} until the run ends, then { [id]: { prompt, outputs, status, meta } } (op 'history')
//   GET  /comfyui/queue               { queue_running, queue_pending }: items [number, id, prompt, extra_data, outputs]
//   POST /comfyui/queue               { delete: [ids] } | { clear: true }
//   POST /comfyui/interrupt           { prompt_id? }: stops that job if it is running (any running job without an id)
//   GET  /comfyui/view?filename=&subfolder=&type=   the image
//   GET  /comfyui/object_info[/{class}]             the node classes this stand-in knows
//   GET  /comfyui/ws?clientId=        websocket (server.py websocket_handler): `status` on connect; for
//                                     each job posted with that client_id: execution_start,
//                                     execution_cached, `executing` per node, `progress` { value, max,
//                                     prompt_id, node } for the sampler (its `steps`, spread over the run), `executed`
//                                     per output node, execution_success | execution_error |
//                                     execution_interrupted, then `executing` { node: null, prompt_id }
//                                     (main.py prompt_worker, hijack_progress; execution.py)
//
// Jobs run one after another: each waits queueMs, then runs runMs after the one before it ends.
// The output is derived from the LoadImage picture, the prompt text and the seed, like every
// sandbox provider's. Like ComfyUI started without `--enable-cors-header`, it answers 403 to a
// request whose Origin host differs from its (loopback) Host, unless the sandbox was started
// with `comfyuiAllowOrigin` (or SANDBOX_COMFYUI_ALLOW_ORIGIN), which turns the check off as that
// flag does. A fault on op 'run' makes the next queued job end with an execution_error (its
// `body.message`, or an out-of-memory message).
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { ProviderHandler, ProviderRequest, ProviderResponse, SandboxServices } from '../types';
import { deriveFromReference, generateFromPrompt, hashString } from '../image';
import { acceptWebSocket, refuseUpgrade, type UpgradeHandler, type UpgradeRequest, type WsConnection } from '../websocket';

const SANDBOX_CHECKPOINTS = ['flux1-dev-fp8.safetensors', 'v1-5-pruned-emaonly-fp16.safetensors'];

type Inputs = Record<string, unknown>;
interface Node {
  class_type: string;
  inputs: Inputs;
}

/** Required inputs per known class; `list` names an input whose value must be in a list. */
const CLASSES: Record<string, { required: string[]; output?: boolean }> = {
  CheckpointLoaderSimple: { required: ['ckpt_name'] },
  LoadImage: { required: ['image'] },
  VAEEncode: { required: ['pixels', 'vae'] },
  VAEDecode: { required: ['samples', 'vae'] },
  CLIPTextEncode: { required: ['text', 'clip'] },
  FluxGuidance: { required: ['conditioning', 'guidance'] },
  EmptyLatentImage: { required: ['width', 'height', 'batch_size'] },
  KSampler: { required: ['model', 'seed', 'steps', 'cfg', 'sampler_name', 'scheduler', 'positive', 'negative', 'latent_image', 'denoise'] },
  KSamplerAdvanced: { required: ['model', 'add_noise', 'noise_seed', 'steps', 'cfg', 'sampler_name', 'scheduler', 'positive', 'negative', 'latent_image', 'start_at_step', 'end_at_step', 'return_with_leftover_noise'] },
  SaveImage: { required: ['images', 'filename_prefix'], output: true },
  PreviewImage: { required: ['images'], output: true },
};

interface Job {
  number: number;
  id: string;
  workflow: Record<string, Node>;
  extra: Record<string, unknown>;
  outputs: string[];
  startAt: number;
  endAt: number;
  failWith?: string;
  interruptedAt?: number;
  history?: Record<string, unknown>;
  /** What its client's socket was told so far (see advance()). */
  told?: { started: boolean; step: number; ended: boolean };
}

/** Sampler steps reported per run (spread evenly over runMs) when the sampler's `steps` is not a count. */
const DEFAULT_STEPS = 20;
/** How often running jobs are looked at while a socket is connected. */
const TICK_MS = 40;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isLink = (v: unknown) => Array.isArray(v) && v.length === 2 && typeof v[1] === 'number';
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** The nodes in the order they run: each after the nodes it takes input from. */
function executionOrder(workflow: Record<string, Node>, outputs: string[]): string[] {
  const order: string[] = [];
  const seen = new Set<string>();
  const visit = (id: string) => {
    if (seen.has(id) || !workflow[id]) return;
    seen.add(id);
    for (const v of Object.values(workflow[id].inputs ?? {})) if (isLink(v)) visit(String((v as unknown[])[0]));
    order.push(id);
  };
  for (const id of outputs) visit(id);
  return order;
}

export function createComfyuiProvider(services: SandboxServices): ProviderHandler & UpgradeHandler {
  const uploads = new Map<string, Buffer>();
  const outputs = new Map<string, Buffer>();
  const jobs = new Map<string, Job>();
  /** Open sockets by client id; a new socket with the same id replaces the old, as in ComfyUI. */
  const clients = new Map<string, WsConnection>();
  let ticker: ReturnType<typeof setInterval> | undefined;
  let ticking = false;
  let number = 0;
  let lastEnd = 0;

  /** ComfyUI's origin_only_middleware, or nothing when started with an allowed origin. */
  function forbidden(req: { headers: IncomingHttpHeaders }): boolean {
    if (services.comfyuiAllowOrigin?.()) return false;
    const origin = req.headers.origin;
    const host = req.headers.host;
    if (typeof origin !== 'string' || typeof host !== 'string' || !origin || origin === 'null') return false;
    let o: URL;
    try {
      o = new URL(origin);
    } catch {
      return true;
    }
    const h = new URL(`http://${host}`);
    if (!LOOPBACK.has(h.hostname)) return false;
    // Compared with ports when both carry one, as the middleware does.
    const originHost = o.port && h.port ? o.host : o.hostname;
    const hostHost = o.port && h.port ? h.host : h.hostname;
    return originHost.toLowerCase() !== hostHost.toLowerCase();
  }

  function validate(prompt: unknown): { error: Record<string, unknown>; node_errors: Record<string, unknown> } | { outputs: string[] } {
    if (!isRecord(prompt)) return { error: { type: 'invalid_prompt', message: 'Cannot execute because the prompt is not an object.', details: '', extra_info: {} }, node_errors: {} };
    for (const [id, node] of Object.entries(prompt)) {
      if (!isRecord(node) || typeof node.class_type !== 'string') {
        return { error: { type: 'invalid_prompt', message: 'Cannot execute because a node is missing the class_type property.', details: `Node ID '#${id}'`, extra_info: {} }, node_errors: {} };
      }
      if (!CLASSES[node.class_type]) {
        return { error: { type: 'invalid_prompt', message: `Cannot execute because node ${node.class_type} does not exist.`, details: `Node ID '#${id}'`, extra_info: {} }, node_errors: {} };
      }
    }
    const nodes = prompt as Record<string, Node>;
    const outs = Object.keys(nodes).filter((id) => CLASSES[nodes[id]!.class_type]!.output);
    if (outs.length === 0) return { error: { type: 'prompt_no_outputs', message: 'Prompt has no outputs', details: '', extra_info: {} }, node_errors: {} };
    const nodeErrors: Record<string, unknown> = {};
    for (const [id, node] of Object.entries(nodes)) {
      const errors: Array<Record<string, unknown>> = [];
      for (const name of CLASSES[node.class_type]!.required) {
        const v = isRecord(node.inputs) ? node.inputs[name] : undefined;
        if (v === undefined) errors.push({ type: 'required_input_missing', message: 'Required input is missing', details: name, extra_info: { input_name: name } });
        else if (isLink(v) && !nodes[String((v as unknown[])[0])]) errors.push({ type: 'bad_linked_input', message: 'Bad linked input, must be a length-2 list of [string, int]', details: `${name}, ${JSON.stringify(v)}`, extra_info: {} });
      }
      const listed = (name: string, list: string[]) => {
        const v = node.inputs?.[name];
        if (typeof v === 'string' && !list.includes(v)) errors.push({ type: 'value_not_in_list', message: 'Value not in list', details: `${name}: '${v}' not in ${JSON.stringify(list)}`, extra_info: { input_name: name } });
      };
      if (node.class_type === 'CheckpointLoaderSimple') listed('ckpt_name', SANDBOX_CHECKPOINTS);
      if (node.class_type === 'LoadImage') listed('image', [...uploads.keys()]);
      if (errors.length) nodeErrors[id] = { errors, dependent_outputs: outs, class_type: node.class_type };
    }
    if (Object.keys(nodeErrors).length) {
      return { error: { type: 'prompt_outputs_failed_validation', message: 'Prompt outputs failed validation', details: '', extra_info: {} }, node_errors: nodeErrors };
    }
    return { outputs: outs };
  }

  /** Ends a job whose time has come: its history entry, with images or the error. */
  async function settle(job: Job, now: number): Promise<void> {
    if (job.history) return;
    const ended = job.interruptedAt ?? (now >= job.endAt ? job.endAt : undefined);
    if (ended === undefined) return;
    const started = { prompt_id: job.id, timestamp: job.startAt };
    const base = { prompt: [job.number, job.id, job.workflow, job.extra, job.outputs], meta: {} };
    if (job.interruptedAt !== undefined) {
      job.history = { ...base, outputs: {}, status: { status_str: 'error', completed: false, messages: [['execution_start', started], ['execution_interrupted', { prompt_id: job.id, node_id: job.outputs[0], node_type: 'KSampler', executed: [], timestamp: ended }]] } };
      return;
    }
    if (job.failWith) {
      const sampler = Object.entries(job.workflow).find(([, n]) => n.class_type.startsWith('KSampler'));
      job.history = {
        ...base,
        outputs: {},
        status: {
          status_str: 'error',
          completed: false,
          messages: [['execution_start', started], ['execution_error', { prompt_id: job.id, node_id: sampler?.[0] ?? '1', node_type: sampler?.[1].class_type ?? 'KSampler', executed: [], exception_message: job.failWith, exception_type: 'torch.OutOfMemoryError', traceback: [], current_inputs: {}, current_outputs: [], timestamp: ended }]],
        },
      };
      return;
    }
    const nodes = Object.values(job.workflow);
    const text = nodes.find((n) => n.class_type === 'CLIPTextEncode' && typeof n.inputs.text === 'string' && n.inputs.text);
    const sampler = nodes.find((n) => n.class_type.startsWith('KSampler'));
    const load = nodes.find((n) => n.class_type === 'LoadImage');
    const prompt = String(text?.inputs.text ?? '');
    const seed = Number(sampler?.inputs.seed ?? sampler?.inputs.noise_seed ?? 0);
    const denoise = typeof sampler?.inputs.denoise === 'number' ? sampler.inputs.denoise : 1;
    const reference = load ? uploads.get(String(load.inputs.image)) : undefined;
    const image = reference ? await deriveFromReference(reference, { prompt, seed, strength: denoise }) : await generateFromPrompt(prompt, seed, { width: 512, height: 512 });
    const outs: Record<string, unknown> = {};
    for (const id of job.outputs) {
      const save = job.workflow[id]!;
      const type = save.class_type === 'SaveImage' ? 'output' : 'temp';
      const prefix = typeof save.inputs.filename_prefix === 'string' ? save.inputs.filename_prefix : 'ComfyUI';
      const filename = `${prefix}_${String(job.number + 1).padStart(5, '0')}_${(hashString(job.id) % 1000).toString().padStart(3, '0')}_.png`;
      outputs.set(`${type}/${filename}`, image.png);
      outs[id] = { images: [{ filename, subfolder: '', type }] };
    }
    job.history = { ...base, outputs: outs, status: { status_str: 'success', completed: true, messages: [['execution_start', started], ['execution_success', { prompt_id: job.id, timestamp: ended }]] } };
  }

  function queueItems(now: number): { running: Job[]; pending: Job[] } {
    const open = [...jobs.values()].filter((j) => !j.history && j.interruptedAt === undefined && now < j.endAt);
    return { running: open.filter((j) => now >= j.startAt), pending: open.filter((j) => now < j.startAt) };
  }
  const item = (j: Job) => [j.number, j.id, j.workflow, j.extra, j.outputs];

  async function handle(req: ProviderRequest): Promise<ProviderResponse> {
    if (forbidden(req)) return { status: 403 };
    const now = services.now();
    const { method, path } = req;
    const json = (): unknown => {
      try {
        return req.rawBody.length ? (JSON.parse(req.rawBody.toString('utf8')) as unknown) : {};
      } catch {
        return undefined;
      }
    };

    if (method === 'POST' && path === '/upload/image') {
      const fault = services.takeFault('comfyui', 'upload');
      if (fault) return { status: fault.status, json: fault.body };
      let form: FormData;
      try {
        form = await new Request('http://sandbox.invalid/', { method: 'POST', headers: { 'content-type': String(req.headers['content-type'] ?? '') }, body: new Uint8Array(req.rawBody) }).formData();
      } catch {
        return { status: 400 };
      }
      const image = form.get('image');
      if (!image || typeof image === 'string' || !image.name) return { status: 400 };
      const subfolder = typeof form.get('subfolder') === 'string' ? String(form.get('subfolder')) : '';
      const overwrite = form.get('overwrite') === 'true' || form.get('overwrite') === '1';
      let name = image.name;
      const key = (n: string) => (subfolder ? `${subfolder}/${n}` : n);
      if (!overwrite) for (let i = 1; uploads.has(key(name)); i++) name = image.name.replace(/(\.[^.]*)?$/, ` (${i})$1`);
      uploads.set(key(name), Buffer.from(await image.arrayBuffer()));
      return { status: 200, json: { name, subfolder, type: 'input' }, referencesReceived: { reference: 1 } };
    }

    if (method === 'POST' && path === '/prompt') {
      const fault = services.takeFault('comfyui', 'prompt');
      if (fault) return { status: fault.status, json: fault.body };
      const body = json();
      if (!isRecord(body) || !('prompt' in body)) {
        return { status: 400, json: { error: { type: 'no_prompt', message: 'No prompt provided', details: 'No prompt provided', extra_info: {} }, node_errors: {} } };
      }
      const checked = validate(body.prompt);
      if ('error' in checked) return { status: 400, json: checked };
      const id = body.prompt_id === undefined ? randomUUID() : String(body.prompt_id);
      const t = services.timing();
      const startAt = Math.max(now + t.queueMs, lastEnd);
      lastEnd = startAt + t.runMs;
      const run = services.takeFault('comfyui', 'run');
      const failWith = run ? (isRecord(run.body) && typeof run.body.message === 'string' ? run.body.message : 'Allocation on device') : undefined;
      const extra = { ...(isRecord(body.extra_data) ? body.extra_data : {}), ...(typeof body.client_id === 'string' ? { client_id: body.client_id } : {}) };
      const job: Job = { number: number++, id, workflow: body.prompt as Record<string, Node>, extra, outputs: checked.outputs, startAt, endAt: lastEnd, ...(failWith ? { failWith } : {}) };
      // Like ComfyUI, a second post with the same id is queued again (and replaces what we know of it).
      jobs.set(id, job);
      broadcast('status', { status: queueInfo(now) });
      return { status: 200, json: { prompt_id: id, number: job.number, node_errors: {} } };
    }

    const hist = /^\/history\/([^/]+)$/.exec(path);
    if (method === 'GET' && hist) {
      const fault = services.takeFault('comfyui', 'history');
      if (fault) return { status: fault.status, json: fault.body };
      const job = jobs.get(decodeURIComponent(hist[1]!));
      if (job) await settle(job, now);
      return { status: 200, json: job?.history ? { [job.id]: job.history } : {} };
    }

    if (path === '/queue') {
      if (method === 'GET') {
        const { running, pending } = queueItems(now);
        return { status: 200, json: { queue_running: running.map(item), queue_pending: pending.map(item) } };
      }
      if (method === 'POST') {
        const body = json();
        const { pending } = queueItems(now);
        if (isRecord(body) && body.clear === true) for (const j of pending) jobs.delete(j.id);
        if (isRecord(body) && Array.isArray(body.delete)) for (const id of body.delete) if (pending.some((j) => j.id === id)) jobs.delete(String(id));
        return { status: 200 };
      }
    }

    if (method === 'POST' && path === '/interrupt') {
      const body = json();
      const wanted = isRecord(body) && typeof body.prompt_id === 'string' ? body.prompt_id : undefined;
      for (const j of queueItems(now).running) if (!wanted || j.id === wanted) j.interruptedAt = now;
      return { status: 200 };
    }

    if (method === 'GET' && path === '/view') {
      const filename = req.query.get('filename') ?? '';
      const type = req.query.get('type') ?? 'output';
      const subfolder = req.query.get('subfolder') ?? '';
      if (!filename || filename.startsWith('/') || filename.includes('..')) return { status: 400 };
      const bytes = type === 'input' ? uploads.get(subfolder ? `${subfolder}/${filename}` : filename) : outputs.get(`${type}/${subfolder ? `${subfolder}/` : ''}${filename}`);
      if (!bytes) return { status: 404 };
      return { status: 200, headers: { 'Content-Type': 'image/png' }, body: bytes };
    }

    const info = /^\/object_info(?:\/([^/]+))?$/.exec(path);
    if (method === 'GET' && info) {
      const describe = (name: string) => ({
        input: { required: Object.fromEntries(CLASSES[name]!.required.map((i) => [i, name === 'CheckpointLoaderSimple' ? [SANDBOX_CHECKPOINTS, {}] : name === 'LoadImage' ? [[...uploads.keys()], { image_upload: true }] : ['*']])) },
        name,
        display_name: name,
        output_node: !!CLASSES[name]!.output,
      });
      const names = info[1] ? [decodeURIComponent(info[1])].filter((n) => CLASSES[n]) : Object.keys(CLASSES);
      return { status: 200, json: Object.fromEntries(names.map((n) => [n, describe(n)])) };
    }

    if (method === 'GET' && path === '/system_stats') {
      return { status: 200, json: { system: { os: 'posix', comfyui_version: 'sandbox' }, devices: [] } };
    }
    return { status: 404 };
  }

  function send(sid: string | undefined, type: string, data: Record<string, unknown>): void {
    if (sid !== undefined) clients.get(sid)?.send(JSON.stringify({ type, data }));
  }
  function broadcast(type: string, data: Record<string, unknown>): void {
    for (const c of clients.values()) c.send(JSON.stringify({ type, data }));
  }
  /** server.py get_queue_info. */
  function queueInfo(now: number) {
    const { running, pending } = queueItems(now);
    return { exec_info: { queue_remaining: running.length + pending.length } };
  }
  const clientOf = (job: Job) => (typeof job.extra.client_id === 'string' ? job.extra.client_id : undefined);
  const samplerOf = (job: Job) => Object.keys(job.workflow).find((id) => job.workflow[id]!.class_type.startsWith('KSampler'));
  /** The sampler's own `steps`, which is what ComfyUI's progress counts to. */
  const stepsOf = (job: Job) => {
    const steps = job.workflow[samplerOf(job) ?? '']?.inputs.steps;
    return typeof steps === 'number' && Number.isInteger(steps) && steps > 0 && steps <= 10_000 ? steps : DEFAULT_STEPS;
  };
  /** Steps done at `now`, 0 to stepsOf(job). */
  const stepAt = (job: Job, now: number) => Math.max(0, Math.min(stepsOf(job), Math.floor(((now - job.startAt) / Math.max(1, job.endAt - job.startAt)) * stepsOf(job))));

  /**
   * Tells the job's client what happened since the last look, in ComfyUI's order: the nodes up
   * to the sampler when the run starts, a `progress` per sampler step, and at the end the rest
   * of the nodes, `executed` per output, the history's closing message and `executing` null.
   */
  async function advance(job: Job, now: number): Promise<void> {
    const told = (job.told ??= { started: false, step: 0, ended: false });
    if (told.ended || now < job.startAt) return;
    const sid = clientOf(job);
    const order = executionOrder(job.workflow, job.outputs);
    const sampler = samplerOf(job);
    const split = sampler ? order.indexOf(sampler) + 1 : order.length;
    const executing = (ids: string[]) => {
      for (const node of ids) send(sid, 'executing', { node, display_node: node, prompt_id: job.id });
    };
    if (!told.started) {
      told.started = true;
      send(sid, 'execution_start', { prompt_id: job.id, timestamp: job.startAt });
      send(sid, 'execution_cached', { nodes: [], prompt_id: job.id, timestamp: job.startAt });
      executing(order.slice(0, split));
    }
    const over = job.interruptedAt !== undefined || now >= job.endAt;
    const max = stepsOf(job);
    const target = over && job.interruptedAt === undefined && !job.failWith ? max : stepAt(job, Math.min(now, job.interruptedAt ?? now));
    for (let value = told.step + 1; sampler && value <= target; value++) send(sid, 'progress', { value, max, prompt_id: job.id, node: sampler });
    told.step = Math.max(told.step, target);
    if (!over) return;
    told.ended = true;
    await settle(job, now);
    const status = (job.history?.status ?? {}) as { status_str?: string; messages?: Array<[string, Record<string, unknown>]> };
    if (status.status_str === 'success') {
      executing(order.slice(split));
      const outs = (job.history?.outputs ?? {}) as Record<string, unknown>;
      for (const node of job.outputs) send(sid, 'executed', { node, display_node: node, output: outs[node] ?? {}, prompt_id: job.id });
    }
    for (const [event, data] of status.messages ?? []) {
      if (event === 'execution_start') continue;
      // execution.py handle_execution_error: an interruption goes to every client.
      if (event === 'execution_interrupted') broadcast(event, data);
      else send(sid, event, data);
    }
    send(sid, 'executing', { node: null, prompt_id: job.id });
    broadcast('status', { status: queueInfo(now) });
  }

  async function tick(): Promise<void> {
    if (ticking) return;
    ticking = true;
    try {
      const now = services.now();
      for (const job of [...jobs.values()]) await advance(job, now);
    } finally {
      ticking = false;
    }
  }

  function stopTicker(): void {
    clearInterval(ticker);
    ticker = undefined;
  }

  function upgrade(request: UpgradeRequest): void {
    const { req, socket, head } = request;
    if (request.path !== '/ws') return refuseUpgrade(socket, 404, 'Not Found');
    if (forbidden(request)) return refuseUpgrade(socket, 403, 'Forbidden');
    const conn = acceptWebSocket(req, socket, head);
    if (!conn) return;
    const sid = request.query.get('clientId') || randomUUID().replace(/-/g, '');
    clients.set(sid, conn);
    conn.onClose(() => {
      if (clients.get(sid) === conn) clients.delete(sid);
      if (clients.size === 0) stopTicker();
    });
    const now = services.now();
    conn.send(JSON.stringify({ type: 'status', data: { status: queueInfo(now), sid } }));
    if (!ticker) {
      // Nobody was listening: what happened meanwhile was sent to no one, as in ComfyUI.
      for (const job of jobs.values()) {
        if (now < job.startAt || job.told?.ended) continue;
        const over = job.interruptedAt !== undefined || now >= job.endAt;
        job.told = { started: true, step: over ? stepsOf(job) : stepAt(job, now), ended: over };
      }
      ticker = setInterval(() => void tick().catch(() => {}), TICK_MS);
      ticker.unref();
    }
    // A client that comes back hears which node runs now (server.py websocket_handler), not what it missed.
    for (const job of jobs.values()) {
      const sampler = samplerOf(job);
      if (clientOf(job) === sid && job.told?.started && !job.told.ended && sampler) conn.send(JSON.stringify({ type: 'executing', data: { node: sampler } }));
    }
  }

  return {
    handle,
    upgrade,
    reset() {
      for (const c of clients.values()) c.close();
      clients.clear();
      stopTicker();
      uploads.clear();
      outputs.clear();
      jobs.clear();
      number = 0;
      lastEnd = 0;
    },
  };
}
