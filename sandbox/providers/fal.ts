// fal queue protocol (mirrors https://queue.fal.run), mounted under /fal.
//
//   POST /fal/{model_id}                         submit (model_id may have sub-paths)
//   GET  /fal/{app_id}/requests/{id}/status      202 while queued/running, 200 when COMPLETED
//   GET  /fal/{app_id}/requests/{id}             result (400 while still running)
//   PUT  /fal/{app_id}/requests/{id}/cancel      202 CANCELLATION_REQUESTED | 400 ALREADY_COMPLETED
//   GET  /fal/v1/models?endpoint_id=a&endpoint_id=b
//                                                fal's free model search (mirrors
//                                                https://api.fal.ai/v1/models; fault op 'models')
//
// An id fal does not have (retired, renamed or never existed; see the retired list in fal-models.ts,
// and ids retired through /__sandbox/retire) answers 404 at submit with
// `{"detail": "Application \"<id>\" not found"}`: the shape observed from queue.fal.run
// (decolua/9router#993, 2026-05). Which name fal puts in the quotes for a multi-segment id is a
// guess (the whole id here).
//
// Results carry exactly the fields of each endpoint's published output type (fal-models.ts):
// `has_nsfw_concepts` (one flag per image, plural) only on the Flux endpoints. A prompt with
// `nsfw-sandbox` makes those flag their 2nd image, `nsfw-sandbox-all` every image; a flagged
// image comes back black, as fal's safety checker returns it.
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
} from '../types';
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
} from '../image';
import { Jimp, JimpMime } from 'jimp';
import { FAL_MODELS, NSFW_ALL_MARKER, NSFW_MARKER, referencesIn, type FalModel, type FieldError } from './fal-models';

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
function falAppId(modelId: string): string {
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
        output = visionOutput(await describeImage(bytes ?? Buffer.alloc(0)), job.input);
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
    // fal's safety checker returns a flagged image black and says so per image.
    const flags = images.map((_img, i) => (model.safetyChecker?.(job.input) ? flagged(prompt, i) : false));
    images = await Promise.all(images.map((img, i) => (flags[i] ? blackImage(img) : img)));

    const availableAt = Math.max(Date.now(), completeAt(job));
    const stored = images.map((img) => ({ img, file: services.storeFile(img.png, job.origin, availableAt, job.timing.fileTtlMs) }));
    const inferenceS = Math.max(job.timing.runMs, Date.now() - started) / 1000;
    if (model.kind === 'image') {
      output = {
        images: stored.map(({ img, file }) => ({ url: file.url, width: img.width, height: img.height, content_type: 'image/png' })),
        ...imageExtras(model, { seed, prompt, flags, inferenceS }),
      };
    }
    return { ok: true, output, fileIds: stored.map((s) => s.file.id), inferenceS };
  }

  function submit(req: ProviderRequest): ProviderResponse {
    const modelId = req.path.split('/').filter(Boolean).join('/');
    if (!FAL_MODELS[modelId] || services.isRetired('fal', modelId)) return appNotFound(modelId);
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
    const received = referencesIn(FAL_MODELS[modelId], job.input);
    return {
      status: 200,
      json: { status: 'IN_QUEUE', request_id: job.id, ...urls(job), queue_position: queuePosition(job, job.submittedAt) },
      ...(received ? { referencesReceived: received } : {}),
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

  /**
   * fal's model search (https://fal.ai/docs/platform-apis/v1/models): the key is optional;
   * `endpoint_id` (repeatable, 1-50), `q`, `category`, `status` (active | deprecated), `limit`,
   * `cursor`. Lists only the endpoints this sandbox serves and has not had retired; every one
   * is `active`. [guess] the default page size (50), the cursor format, the 422 wording, and
   * that unknown ids are simply absent (fal's docs do not say).
   */
  function modelSearch(req: ProviderRequest): ProviderResponse {
    const ids = req.query.getAll('endpoint_id');
    const status = req.query.get('status');
    const limitText = req.query.get('limit');
    const limit = limitText === null ? 50 : Number(limitText);
    const errors: FieldError[] = [];
    if (ids.length > 50) errors.push({ loc: ['query', 'endpoint_id'], msg: `List should have at most 50 items after validation, not ${ids.length}`, type: 'too_long' });
    if (status !== null && status !== 'active' && status !== 'deprecated') errors.push({ loc: ['query', 'status'], msg: "Input should be 'active' or 'deprecated'", type: 'literal_error', input: status });
    if (!Number.isInteger(limit) || limit < 1) errors.push({ loc: ['query', 'limit'], msg: 'Input should be greater than or equal to 1', type: 'greater_than_equal', input: limitText });
    if (errors.length > 0) return validationFailure(errors);

    const q = req.query.get('q')?.toLowerCase();
    const category = req.query.get('category');
    const live = Object.entries(FAL_MODELS).filter(([id]) => !services.isRetired('fal', id));
    const found = live
      .filter(([id]) => ids.length === 0 || ids.includes(id))
      .filter(([id, m]) => !q || `${id} ${m.meta.displayName} ${m.meta.description}`.toLowerCase().includes(q))
      .filter(([, m]) => !category || m.meta.category === category)
      .filter(() => status !== 'deprecated');
    const offset = Math.max(0, Number.parseInt(req.query.get('cursor') ?? '0', 10) || 0);
    const page = found.slice(offset, offset + limit);
    const more = offset + limit < found.length;
    return {
      status: 200,
      json: {
        models: page.map(([id, m]) => ({
          endpoint_id: id,
          metadata: {
            display_name: m.meta.displayName,
            category: m.meta.category,
            description: m.meta.description,
            status: 'active',
            tags: [],
            updated_at: '2026-08-02T00:00:00Z',
            is_favorited: false,
            thumbnail_url: `https://fal.ai/models/${id}/thumbnail.png`,
            model_url: `https://fal.ai/models/${id}`,
            date: '2026-08-02T00:00:00Z',
            highlighted: false,
            pinned: false,
          },
        })),
        next_cursor: more ? String(offset + limit) : null,
        has_more: more,
      },
    };
  }

  return {
    reset() {
      jobs.clear();
    },
    async handle(req) {
      const segs = req.path.split('/').filter(Boolean);
      if (req.method === 'GET' && segs.length === 2 && segs[0] === 'v1' && segs[1] === 'models') {
        const fault = services.takeFault('fal', 'models');
        return fault ? faultResponse(fault) : modelSearch(req);
      }
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
    // `auto`, `auto_2K`, `auto_4K` follow the reference's shape.
    const presets: Record<string, string> = {
      square_hd: '1:1', square: '1:1', portrait_4_3: '3:4', portrait_16_9: '9:16', landscape_4_3: '4:3', landscape_16_9: '16:9',
    };
    const ratio = presets[s];
    if (ratio) return sizeForAspect(ratio);
  }
  return textOnly ? { width: MAX_SIDE, height: MAX_SIDE } : undefined;
}

/** Whether the sandbox's safety checker flags image `i` of a result for this prompt. */
function flagged(prompt: string, i: number): boolean {
  if (prompt.includes(NSFW_ALL_MARKER)) return true;
  return prompt.includes(NSFW_MARKER) && i === 1;
}

/** What fal's checker returns in place of a flagged image: a black one of the same size. */
async function blackImage(img: GeneratedImage): Promise<GeneratedImage> {
  const black = new Jimp({ width: img.width, height: img.height, color: 0x000000ff });
  return { png: await black.getBuffer(JimpMime.png), width: img.width, height: img.height };
}

/** The published output fields besides `images`, in the endpoint's own set. */
function imageExtras(model: FalModel, r: { seed: number; prompt: string; flags: boolean[]; inferenceS: number }): Record<string, unknown> {
  const all: Record<string, unknown> = {
    seed: r.seed,
    has_nsfw_concepts: r.flags,
    prompt: r.prompt,
    timings: { inference: r.inferenceS },
    description: `Here is the edited image: ${r.prompt} (sandbox).`,
  };
  return Object.fromEntries(model.outputs.filter((f) => f in all).map((f) => [f, all[f]]));
}

/** RouterVisionOutput: `{ output, usage }`; `max_tokens` caps the answer (a token is a word here). */
function visionOutput(text: string, input: Record<string, unknown>): Record<string, unknown> {
  const words = text.split(/\s+/).filter(Boolean);
  const max = typeof input.max_tokens === 'number' ? input.max_tokens : Infinity;
  const kept = words.slice(0, max);
  const prompt = typeof input.prompt === 'string' ? input.prompt : '';
  return {
    output: kept.join(' '),
    usage: { decode_time_ms: 40, input_tokens: 258 + prompt.split(/\s+/).length, output_tokens: kept.length, prefill_time_ms: 20, ttft_ms: 60 },
  };
}

/** fal's answer for an application it does not have (see the header). */
function appNotFound(modelId: string): ProviderResponse {
  return { status: 404, json: { detail: `Application "${modelId}" not found` } };
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
function faultResponse(f: Fault): ProviderResponse {
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
