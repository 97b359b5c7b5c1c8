// Black Forest Labs API (mirrors https://api.bfl.ai), mounted under /bfl.
//
//   POST /bfl/v1/{model}             submit (op 'submit') -> { id, polling_url, cost, input_mp, output_mp }
//   GET  /bfl/v1/get_result?id=...   poll (op 'status')   -> { id, status, result, progress, details, preview }
//   GET  /bfl/v1/credits             balance (op 'account') -> { credits }
//
// Auth: `x-key: <key>`; any key works. Tasks are Pending over queueMs + runMs (progress goes
// from null to a fraction while "running"), then Ready with `result.sample` (a file URL that
// expires after fileTtlMs). polling_url is on the origin the request came in on: the real
// global endpoint hands out regional hosts instead (see utils/providers/bfl.ts).
// Input errors are FastAPI/pydantic 422s at submit; a reference that cannot be decoded ends
// the task in status Error. Moderation outcomes are injected as faults on 'status', e.g.
// `{ provider: 'bfl', on: 'status', status: 200, body: { id: 'x', status: 'Content Moderated' } }`.
import { randomUUID } from 'node:crypto';
import type { Fault, ProviderHandler, ProviderRequest, ProviderResponse, SandboxServices, Timing } from '../types';
import { deriveFromReference, generateFromPrompt, hashString, ImageInputError, loadReference, MAX_SIDE, sizeForAspect, type Size } from '../image';

interface FieldError {
  type: string;
  loc: Array<string | number>;
  msg: string;
  input?: unknown;
  ctx?: Record<string, unknown>;
}

type Check = (input: Record<string, unknown>) => FieldError | undefined;

interface BflModel {
  checks: Check[];
  cost: number;
  /** 0..1: how far the result may move from the reference. */
  departure(input: Record<string, unknown>): number;
  size(input: Record<string, unknown>): Size;
}

const int =
  (field: string, min: number, max: number, multipleOf?: number): Check =>
  (input) => {
    const v = input[field];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v)) return { type: 'int_type', loc: ['body', field], msg: 'Input should be a valid integer', input: v };
    if (v < min) return { type: 'greater_than_equal', loc: ['body', field], msg: `Input should be greater than or equal to ${min}`, input: v, ctx: { ge: min } };
    if (v > max) return { type: 'less_than_equal', loc: ['body', field], msg: `Input should be less than or equal to ${max}`, input: v, ctx: { le: max } };
    if (multipleOf && v % multipleOf !== 0) return { type: 'multiple_of', loc: ['body', field], msg: `Input should be a multiple of ${multipleOf}`, input: v, ctx: { multiple_of: multipleOf } };
    return undefined;
  };

const float =
  (field: string, min: number, max: number): Check =>
  (input) => {
    const v = input[field];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) return { type: 'float_type', loc: ['body', field], msg: 'Input should be a valid number', input: v };
    if (v < min) return { type: 'greater_than_equal', loc: ['body', field], msg: `Input should be greater than or equal to ${min}`, input: v, ctx: { ge: min } };
    if (v > max) return { type: 'less_than_equal', loc: ['body', field], msg: `Input should be less than or equal to ${max}`, input: v, ctx: { le: max } };
    return undefined;
  };

const str =
  (field: string): Check =>
  (input) => {
    const v = input[field];
    if (v === undefined || v === null || typeof v === 'string') return undefined;
    return { type: 'string_type', loc: ['body', field], msg: 'Input should be a valid string', input: v };
  };

const bool =
  (field: string): Check =>
  (input) => {
    const v = input[field];
    if (v === undefined || typeof v === 'boolean') return undefined;
    return { type: 'bool_type', loc: ['body', field], msg: 'Input should be a valid boolean', input: v };
  };

const outputFormat: Check = (input) => {
  const v = input.output_format;
  if (v === undefined || v === null || v === 'jpeg' || v === 'png') return undefined;
  return { type: 'enum', loc: ['body', 'output_format'], msg: "Input should be 'jpeg' or 'png'", input: v, ctx: { expected: "'jpeg' or 'png'" } };
};

/** "between 21:9 and 9:21". */
const ultraAspect: Check = (input) => {
  const v = input.aspect_ratio;
  if (v === undefined) return undefined;
  const m = typeof v === 'string' ? /^(\d+):(\d+)$/.exec(v) : null;
  const r = m ? Number(m[1]) / Number(m[2]) : NaN;
  if (m && r >= 9 / 21 - 1e-9 && r <= 21 / 9 + 1e-9) return undefined;
  return { type: 'value_error', loc: ['body', 'aspect_ratio'], msg: 'Value error, Aspect ratio must be between 21:9 and 9:21', input: v };
};

const BFL_MODELS: Readonly<Record<string, BflModel>> = {
  'flux-dev': {
    checks: [str('prompt'), str('image_prompt'), int('width', 256, 1440, 32), int('height', 256, 1440, 32), int('steps', 1, 50), float('guidance', 1.5, 5), int('safety_tolerance', 0, 6), int('seed', -(2 ** 63), 2 ** 63), bool('prompt_upsampling'), outputFormat],
    cost: 2.5,
    // Redux-style: the reference steers composition and style, not pixels.
    departure: () => 0.7,
    size: (i) => fit(typeof i.width === 'number' ? i.width : 1024, typeof i.height === 'number' ? i.height : 768),
  },
  'flux-pro-1.1-ultra': {
    checks: [str('prompt'), str('image_prompt'), float('image_prompt_strength', 0, 1), ultraAspect, int('safety_tolerance', 0, 6), int('seed', -(2 ** 63), 2 ** 63), bool('raw'), bool('prompt_upsampling'), outputFormat],
    cost: 6,
    departure: (i) => 1 - (typeof i.image_prompt_strength === 'number' ? i.image_prompt_strength : 0.1),
    size: (i) => sizeForAspect(typeof i.aspect_ratio === 'string' ? i.aspect_ratio : '16:9') ?? { width: MAX_SIDE, height: 576 },
  },
};

function fit(width: number, height: number): Size {
  const k = Math.min(1, MAX_SIDE / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * k)), height: Math.max(1, Math.round(height * k)) };
}

interface Task {
  id: string;
  input: Record<string, unknown>;
  origin: string;
  submittedAt: number;
  timing: Timing;
  outcome?: { ok: true; sample: string; seed: number } | { ok: false; details: Record<string, unknown> };
}

export function createBflProvider(services: SandboxServices): ProviderHandler {
  const tasks = new Map<string, Task>();
  const completeAt = (t: Task) => t.submittedAt + t.timing.queueMs + t.timing.runMs;

  async function run(t: Task, model: BflModel): Promise<NonNullable<Task['outcome']>> {
    const prompt = typeof t.input.prompt === 'string' ? t.input.prompt : '';
    const seed = Number.isInteger(t.input.seed) ? Number(t.input.seed) : hashString(t.id) % 2 ** 31;
    const size = model.size(t.input);
    let png: Buffer;
    try {
      const ref = typeof t.input.image_prompt === 'string' && t.input.image_prompt.length > 0 ? t.input.image_prompt : undefined;
      const bytes = ref === undefined ? undefined : await referenceBytes(ref);
      png = (bytes ? await deriveFromReference(bytes, { prompt, seed, strength: model.departure(t.input), size }) : await generateFromPrompt(prompt, seed, size)).png;
    } catch (e) {
      if (!(e instanceof ImageInputError)) throw e;
      return { ok: false, details: { 'Input Error': [`image_prompt could not be read: ${e.message}`] } };
    }
    const file = services.storeFile(png, t.origin, Math.max(Date.now(), completeAt(t)), t.timing.fileTtlMs);
    return { ok: true, sample: file.url, seed };
  }

  function submit(req: ProviderRequest, modelName: string): ProviderResponse {
    const model = BFL_MODELS[modelName];
    if (!model) return { status: 404, json: { detail: 'Not Found' } };
    let input: unknown;
    try {
      input = JSON.parse(req.rawBody.toString('utf8'));
    } catch (e) {
      return { status: 422, json: { detail: [{ type: 'json_invalid', loc: ['body', 0], msg: 'JSON decode error', input: {}, ctx: { error: String(e) } }] } };
    }
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      return { status: 422, json: { detail: [{ type: 'model_attributes_type', loc: ['body'], msg: 'Input should be a valid dictionary or object to extract fields from', input }] } };
    }
    const errors = model.checks.map((c) => c(input as Record<string, unknown>)).filter((e): e is FieldError => e !== undefined);
    if (errors.length > 0) return { status: 422, json: { detail: errors } };

    const t: Task = { id: randomUUID(), input: input as Record<string, unknown>, origin: req.origin, submittedAt: services.now(), timing: services.timing() };
    tasks.set(t.id, t);
    void run(t, model).then(
      (o) => {
        t.outcome = o;
      },
      (e: unknown) => {
        console.error('[sandbox bfl]', e);
        t.outcome = { ok: false, details: { 'Internal Error': ['sandbox failure'] } };
      },
    );
    const size = model.size(t.input);
    const mp = Math.round(((size.width * size.height) / 1e6) * 100) / 100;
    return {
      status: 200,
      json: {
        id: t.id,
        polling_url: `${req.origin}${req.mount}/v1/get_result?id=${t.id}`,
        cost: model.cost,
        input_mp: t.input.image_prompt ? 1 : 0,
        output_mp: mp,
      },
    };
  }

  function result(id: string): ProviderResponse {
    const t = tasks.get(id);
    if (!t) return { status: 200, json: { id, status: 'Task not found', result: null, progress: null, details: null, preview: null } };
    const now = services.now();
    const base = { id: t.id, details: null, preview: null };
    if (now < t.submittedAt + t.timing.queueMs) return { status: 200, json: { ...base, status: 'Pending', result: null, progress: null } };
    if (now < completeAt(t) || !t.outcome) {
      const progress = Math.min(0.99, Math.max(0.01, (now - t.submittedAt - t.timing.queueMs) / Math.max(1, t.timing.runMs)));
      return { status: 200, json: { ...base, status: 'Pending', result: null, progress: Math.round(progress * 100) / 100 } };
    }
    if (!t.outcome.ok) return { status: 200, json: { ...base, status: 'Error', result: null, progress: null, details: t.outcome.details } };
    const start = (t.submittedAt + t.timing.queueMs) / 1000;
    return {
      status: 200,
      json: {
        ...base,
        status: 'Ready',
        progress: 1,
        result: {
          sample: t.outcome.sample,
          prompt: typeof t.input.prompt === 'string' ? t.input.prompt : '',
          seed: t.outcome.seed,
          start_time: start,
          end_time: completeAt(t) / 1000,
          duration: t.timing.runMs / 1000,
        },
      },
    };
  }

  return {
    reset() {
      tasks.clear();
    },
    async handle(req) {
      const segs = req.path.split('/').filter(Boolean);
      const op =
        segs[0] === 'v1' && segs.length === 2 && segs[1] === 'get_result' && req.method === 'GET' ? 'status'
        : segs[0] === 'v1' && segs.length === 2 && segs[1] === 'credits' && req.method === 'GET' ? 'account'
        : segs[0] === 'v1' && segs.length === 2 && req.method === 'POST' ? 'submit'
        : undefined;
      if (!op) return { status: 404, json: { detail: 'Not Found' } };

      const fault = services.takeFault('bfl', op);
      if (fault) return faultResponse(fault);
      const key = req.headers['x-key'];
      if (typeof key !== 'string' || key.trim() === '') return { status: 401, json: { detail: 'Not authenticated - Invalid Authentication' } };

      if (op === 'account') return { status: 200, json: { credits: 1000 } };
      if (op === 'submit') return submit(req, segs[1] ?? '');
      const id = req.query.get('id');
      if (!id) return { status: 422, json: { detail: [{ type: 'missing', loc: ['query', 'id'], msg: 'Field required', input: null }] } };
      return result(id);
    },
  };
}

/** image_prompt: plain base64 (as documented); data: URIs and localhost URLs are also taken. */
async function referenceBytes(ref: string): Promise<Buffer> {
  if (/^(data:|https?:\/\/)/i.test(ref)) return loadReference(ref);
  if (!/^[A-Za-z0-9+/=\s_-]+$/.test(ref)) throw new ImageInputError('decode', 'image_prompt is not base64');
  const bytes = Buffer.from(ref, 'base64');
  if (bytes.length === 0) throw new ImageInputError('decode', 'image_prompt is empty');
  return bytes;
}

/** Default bodies: BFL's FastAPI `{ detail }` (see sandbox/README.md for what is verified). */
function faultResponse(f: Fault): ProviderResponse {
  const byStatus: Record<number, ProviderResponse> = {
    401: { status: 401, json: { detail: 'Not authenticated - Invalid Authentication' } },
    402: { status: 402, json: { detail: 'Insufficient credits. Add credits at https://dashboard.bfl.ai to continue.' } },
    403: { status: 403, json: { detail: 'Not authenticated - Invalid Authentication' } },
    422: { status: 422, json: { detail: [{ type: 'less_than_equal', loc: ['body', 'image_prompt_strength'], msg: 'Input should be less than or equal to 1', input: 2, ctx: { le: 1 } }] } },
    429: { status: 429, json: { detail: 'You have reached the maximum number of active tasks. Please wait for some of them to finish.' }, headers: { 'Retry-After': '5' } },
    500: { status: 500, json: { detail: 'Internal Server Error' } },
    503: { status: 503, json: { detail: 'Service Unavailable' } },
  };
  const d = byStatus[f.status] ?? { status: f.status, json: { detail: `Injected sandbox fault (${f.status})` } };
  return { status: f.status, json: f.body !== undefined ? f.body : d.json, headers: { ...d.headers, ...f.headers } };
}
