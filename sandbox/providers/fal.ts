// fal queue protocol (mirrors https://queue.fal.run), mounted under /fal.
//
//   POST /fal/{model_id}                         submit (model_id may have sub-paths)
//   GET  /fal/{app_id}/requests/{id}/status      202 while queued/running, 200 when COMPLETED
//   GET  /fal/{app_id}/requests/{id}             result (400 while still running)
//   PUT  /fal/{app_id}/requests/{id}/cancel      202 CANCELLATION_REQUESTED | 400 ALREADY_COMPLETED
//
// Like real fal, status/result/cancel use only the app id (owner/app, e.g. `fal-ai/flux`), not
// the endpoint sub-path (`/dev/image-to-image`): fal's docs say to use the returned URLs rather
// than build them. Using the full model path there answers 404 here, so an adapter that builds
// its own URLs fails in the sandbox instead of only in production.
//
// Model-input validation happens when the job runs, as on fal's queue (the queue stores the
// payload; the app validates it): submit answers 200 and the 422 arrives from the result URL.
// Auth, unknown models and malformed JSON fail at submit.
import { randomUUID } from 'node:crypto';
import type {
  Fault,
  ProviderHandler,
  ProviderRequest,
  ProviderResponse,
  SandboxServices,
  Timing,
} from '../types.ts';
import {
  describeImage,
  deriveFromReference,
  generateFromPrompt,
  hashString,
  ImageInputError,
  loadReference,
  MAX_SIDE,
  sizeForAspect,
  type GeneratedImage,
  type Size,
} from '../image.ts';
import { FAL_MODELS, type FieldError } from './fal-models.ts';

const NO_USER = 'No user found for Key ID and Secret';
// Endpoint ids under these namespaces have one more leading segment (fal clients do the same).
const NAMESPACES = new Set(['workflows', 'comfy']);

interface Failure {
  status: number;
  json: unknown;
  headers?: Record<string, string>;
}

interface Job {
  id: string;
  appId: string;
  modelId: string;
  input: Record<string, unknown>;
  origin: string;
  mount: string;
  submittedAt: number;
  timing: Timing;
  cancelled: boolean;
  /** Set when the simulated run has finished; the job is COMPLETED once timing also allows. */
  outcome?: { ok: true; output: unknown; fileIds: string[]; inferenceS: number } | ({ ok: false } & Failure);
}

/** App id = owner/app (plus namespace): what status/result/cancel URLs are built from. */
export function falAppId(modelId: string): string {
  const parts = modelId.split('/').filter(Boolean);
  const n = NAMESPACES.has(parts[0] ?? '') ? 3 : 2;
  return parts.slice(0, n).join('/');
}

export function createFalProvider(services: SandboxServices): ProviderHandler {
  const jobs = new Map<string, Job>();

  function urls(job: Job) {
    const base = `${job.origin}${job.mount}/${job.appId}/requests/${job.id}`;
    return { response_url: base, status_url: `${base}/status`, cancel_url: `${base}/cancel` };
  }

  function completeAt(job: Job) {
    return job.submittedAt + job.timing.queueMs + job.timing.runMs;
  }

  function state(job: Job, now: number): 'IN_QUEUE' | 'IN_PROGRESS' | 'COMPLETED' {
    if (job.cancelled) return 'COMPLETED';
    const elapsed = now - job.submittedAt;
    if (elapsed < job.timing.queueMs) return 'IN_QUEUE';
    if (now < completeAt(job) || !job.outcome) return 'IN_PROGRESS';
    return 'COMPLETED';
  }

  /** The simulated runner: validate, load the reference, derive images, keep them as files. */
  async function run(job: Job): Promise<NonNullable<Job['outcome']>> {
    const started = Date.now();
    const model = FAL_MODELS[job.modelId];
    if (!model) throw new Error(`unreachable: unknown model ${job.modelId}`);
    const errors = model.validate(job.input);
    if (errors.length > 0) return { ok: false, ...validationFailure(errors) };

    const prompt = String(job.input.prompt);
    const seed = Number.isInteger(job.input.seed) ? Number(job.input.seed) : hashString(`${job.id}`) % 2 ** 31;
    const n = Number.isInteger(job.input.num_images) ? Number(job.input.num_images) : 1;
    const ref = model.reference?.(job.input);
    const size = outputSize(job.input, ref === undefined);

    let images: GeneratedImage[] = [];
    let output: Record<string, unknown>;
    try {
      const bytes = ref === undefined ? undefined : await loadReference(ref.url);
      if (model.kind === 'vision') {
        output = { output: await describeImage(bytes ?? Buffer.alloc(0)), partial: false, error: null };
      } else {
        for (let i = 0; i < n; i++) {
          images.push(
            bytes
              ? await deriveFromReference(bytes, { prompt, seed: seed + i, strength: model.strength?.(job.input), size })
              : await generateFromPrompt(prompt, seed + i, size ?? { width: MAX_SIDE, height: MAX_SIDE }),
          );
        }
        output = {};
      }
    } catch (e) {
      if (!(e instanceof ImageInputError)) throw e;
      return { ok: false, ...imageFailure(e, ref?.loc ?? ['body', 'image_url'], ref?.url) };
    }
    if (job.cancelled) images = []; // a cancelled job never produces files

    const availableAt = Math.max(Date.now(), completeAt(job));
    const stored = images.map((img) => ({ img, file: services.storeFile(img.png, job.origin, availableAt, job.timing.fileTtlMs) }));
    const inferenceS = Math.max(job.timing.runMs, Date.now() - started) / 1000;
    if (model.kind === 'image') {
      output = {
        images: stored.map(({ img, file }) => ({ url: file.url, width: img.width, height: img.height, content_type: 'image/png' })),
        seed,
        has_nsfw_concept: stored.map(() => false),
        prompt,
        timings: { inference: inferenceS },
      };
    }
    return { ok: true, output, fileIds: stored.map((s) => s.file.id), inferenceS };
  }

  function submit(req: ProviderRequest): ProviderResponse {
    const modelId = req.path.split('/').filter(Boolean).join('/');
    if (!FAL_MODELS[modelId]) {
      return { status: 404, json: { detail: `Application '${modelId}' not found (sandbox knows: ${Object.keys(FAL_MODELS).join(', ')})` } };
    }
    let input: unknown = {};
    if (req.rawBody.length > 0) {
      try {
        input = JSON.parse(req.rawBody.toString('utf8'));
      } catch (e) {
        return validationFailure([{ loc: ['body', 0], msg: 'JSON decode error', type: 'json_invalid', ctx: { error: String(e) } }]);
      }
    }
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      return validationFailure([{ loc: ['body'], msg: 'Input should be a valid dictionary', type: 'dict_type', input }]);
    }
    const job: Job = {
      id: randomUUID(),
      appId: falAppId(modelId),
      modelId,
      input: input as Record<string, unknown>,
      origin: req.origin,
      mount: req.mount,
      submittedAt: services.now(),
      timing: services.timing(),
      cancelled: false,
    };
    jobs.set(job.id, job);
    // Start "running" right away; the clock decides when the world may see the outcome.
    void run(job).then(
      (outcome) => {
        job.outcome = outcome;
      },
      (e: unknown) => {
        console.error('[sandbox fal]', e);
        job.outcome = { ok: false, ...requestError(500, 'Internal server error', 'internal_error') };
      },
    );
    return {
      status: 200,
      json: { status: 'IN_QUEUE', request_id: job.id, ...urls(job), queue_position: queuePosition(job, job.submittedAt) },
    };
  }

  function queuePosition(job: Job, now: number) {
    let ahead = 0;
    for (const other of jobs.values()) {
      if (other !== job && other.submittedAt < job.submittedAt && state(other, now) === 'IN_QUEUE') ahead++;
    }
    return ahead;
  }

  function status(job: Job, withLogs: boolean): ProviderResponse {
    const now = services.now();
    const s = state(job, now);
    const base = { request_id: job.id, ...urls(job) };
    const logs = withLogs ? logLines(job, now) : null;
    if (s === 'IN_QUEUE') return { status: 202, json: { status: s, queue_position: queuePosition(job, now), ...base, logs } };
    if (s === 'IN_PROGRESS') return { status: 202, json: { status: s, ...base, logs } };
    const failure = job.cancelled ? cancelledFailure() : job.outcome && !job.outcome.ok ? job.outcome : undefined;
    const inference = job.outcome?.ok ? job.outcome.inferenceS : null;
    return {
      status: 200,
      json: {
        status: s,
        ...base,
        logs,
        metrics: { inference_time: inference },
        // Failed runs still end COMPLETED; the error itself comes from the result URL.
        ...(failure ? { error: errorText(failure.json), error_type: failure.headers?.['X-Fal-Error-Type'] ?? null } : {}),
      },
    };
  }

  function result(job: Job): ProviderResponse {
    if (state(job, services.now()) !== 'COMPLETED') {
      return { status: 400, json: { detail: 'Request is still in progress' } };
    }
    if (job.cancelled) return cancelledFailure();
    const outcome = job.outcome;
    if (!outcome) return { status: 400, json: { detail: 'Request is still in progress' } };
    if (!outcome.ok) return { status: outcome.status, json: outcome.json, headers: outcome.headers };
    return { status: 200, json: outcome.output, headers: { 'X-Fal-Request-Id': job.id } };
  }

  function cancel(job: Job): ProviderResponse {
    if (state(job, services.now()) === 'COMPLETED') return { status: 400, json: { status: 'ALREADY_COMPLETED' } };
    job.cancelled = true;
    if (job.outcome?.ok) for (const id of job.outcome.fileIds) services.deleteFile(id);
    return { status: 202, json: { status: 'CANCELLATION_REQUESTED' } };
  }

  return {
    reset() {
      jobs.clear();
    },
    async handle(req) {
      const segs = req.path.split('/').filter(Boolean);
      // {app_id...}/requests/{id}[/status|/cancel]
      const r = segs.lastIndexOf('requests');
      const tail = r >= 2 ? segs.slice(r + 1) : [];
      const isQueueOp = req.method !== 'POST' && tail.length >= 1 && tail.length <= 2;
      const op =
        req.method === 'POST' ? 'submit'
        : isQueueOp && tail.length === 1 && req.method === 'GET' ? 'result'
        : isQueueOp && tail[1] === 'status' && req.method === 'GET' ? 'status'
        : isQueueOp && tail[1] === 'cancel' && req.method === 'PUT' ? 'cancel'
        : undefined;
      if (!op) return { status: 405, json: { detail: 'Method Not Allowed' } };

      const fault = services.takeFault('fal', op);
      if (fault) return faultResponse(fault);
      if (!hasKey(req)) return { status: 401, json: { detail: NO_USER } };
      if (op === 'submit') return submit(req);

      const job = jobs.get(tail[0] ?? '');
      // A request id asked for under another path (e.g. the full model id) is not found.
      if (!job || job.appId !== segs.slice(0, r).join('/')) {
        return op === 'cancel' ? { status: 404, json: { status: 'NOT_FOUND' } } : { status: 404, json: { detail: 'Request not found' } };
      }
      if (op === 'status') return status(job, req.query.get('logs') === '1' || req.query.get('logs') === 'true');
      if (op === 'result') return result(job);
      return cancel(job);
    },
  };
}

function hasKey(req: ProviderRequest): boolean {
  const h = req.headers.authorization;
  return typeof h === 'string' && /^Key\s+\S+/.test(h);
}

function outputSize(input: Record<string, unknown>, textOnly: boolean): Size | undefined {
  if (typeof input.aspect_ratio === 'string') return sizeForAspect(input.aspect_ratio);
  const s = input.image_size;
  if (s && typeof s === 'object') {
    const { width, height } = s as { width?: unknown; height?: unknown };
    if (typeof width === 'number' && typeof height === 'number' && width > 0 && height > 0) {
      const k = Math.min(1, MAX_SIDE / Math.max(width, height));
      return { width: Math.round(width * k), height: Math.round(height * k) };
    }
  }
  if (typeof s === 'string') {
    const presets: Record<string, string> = {
      square_hd: '1:1', square: '1:1', portrait_4_3: '3:4', portrait_16_9: '9:16', landscape_4_3: '4:3', landscape_16_9: '16:9',
      '1024x1024': '1:1', '1536x1024': '3:2', '1024x1536': '2:3',
    };
    const ratio = presets[s];
    if (ratio) return sizeForAspect(ratio);
  }
  return textOnly ? { width: MAX_SIDE, height: MAX_SIDE } : undefined;
}

function logLines(job: Job, now: number) {
  const at = (ms: number) => new Date(job.submittedAt + ms).toISOString();
  const elapsed = now - job.submittedAt;
  const { queueMs, runMs } = job.timing;
  const lines = [];
  if (elapsed >= queueMs) lines.push({ message: 'Runner picked up the request (sandbox)', level: 'INFO', source: 'USER', timestamp: at(queueMs) });
  if (elapsed >= queueMs + runMs && job.outcome) {
    lines.push({ message: 'Generation finished (sandbox)', level: 'INFO', source: 'USER', timestamp: at(Math.max(elapsed, queueMs + runMs)) });
  }
  return lines;
}

/** fal model errors: `{ detail: [{ loc, msg, type, ... }] }` with status 422. */
function validationFailure(errors: FieldError[]): Failure {
  return { status: 422, json: { detail: errors } };
}

/** fal request errors: `{ detail, error_type }` plus the same value in X-Fal-Error-Type. */
function requestError(status: number, detail: string, errorType: string, extra?: Record<string, string>): Failure {
  return { status, json: { detail, error_type: errorType }, headers: { 'X-Fal-Error-Type': errorType, ...extra } };
}

function cancelledFailure(): Failure {
  return requestError(499, 'Request was cancelled by the client', 'client_cancelled');
}

function imageFailure(e: ImageInputError, loc: Array<string | number>, url: string | undefined): Failure {
  const type = e.kind === 'download' ? 'file_download_error' : 'image_load_error';
  const msg =
    e.kind === 'download'
      ? 'Failed to download the file. Please check if the URL is accessible.'
      : 'Failed to load the image. Please ensure the image file is not corrupted and is in a supported format.';
  return validationFailure([
    { loc, msg, type, url: `https://docs.fal.ai/errors#${type}`, input: truncate(url), ctx: { reason: e.message } },
  ]);
}

function truncate(s: string | undefined) {
  return s && s.length > 120 ? `${s.slice(0, 117)}...` : s;
}

function errorText(json: unknown): string {
  const d = (json as { detail?: unknown } | null)?.detail;
  if (typeof d === 'string') return d;
  if (Array.isArray(d)) return d.map((e) => String((e as { msg?: unknown }).msg ?? '')).join('; ');
  return 'Request failed';
}

/** Default bodies follow fal's documented (or observed, see sandbox/README.md) shapes per status. */
export function faultResponse(f: Fault): ProviderResponse {
  const byStatus: Record<number, Failure> = {
    400: requestError(400, 'Bad request', 'bad_request'),
    401: { status: 401, json: { detail: NO_USER } },
    // fal signals exhausted credit with 403 and this text; 402 gets the same body.
    402: { status: 402, json: { detail: 'User is locked. Reason: Exhausted balance. Top up your balance at fal.ai/dashboard/billing.' } },
    403: { status: 403, json: { detail: 'User is locked. Reason: Exhausted balance. Top up your balance at fal.ai/dashboard/billing.' } },
    422: validationFailure([
      {
        loc: ['body', 'prompt'],
        msg: 'The content was flagged by a content checker.',
        type: 'content_policy_violation',
        url: 'https://docs.fal.ai/errors#content_policy_violation',
      },
    ]),
    429: { status: 429, json: { detail: 'Too many requests (sandbox rate limit)' }, headers: { 'Retry-After': '2' } },
    500: requestError(500, 'An unexpected internal error occurred.', 'internal_error'),
    502: requestError(502, 'The runner sent an incomplete response payload.', 'runner_incomplete_response'),
    503: requestError(503, 'No runner could be allocated to handle the request.', 'runner_scheduling_failure'),
    504: requestError(504, 'Request timed out', 'request_timeout'),
  };
  const d = byStatus[f.status] ?? { status: f.status, json: { detail: `Injected sandbox fault (${f.status})` } };
  return { status: f.status, json: f.body !== undefined ? f.body : d.json, headers: { ...d.headers, ...f.headers } };
}
