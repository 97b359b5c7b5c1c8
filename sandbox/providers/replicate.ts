// Replicate predictions protocol (mirrors https://api.replicate.com), mounted under /replicate.
//
//   POST /replicate/v1/models/{owner}/{name}/predictions   create (op 'submit'); 201, or 200 when
//                                                         `Prefer: wait[=n]` saw it finish
//   GET  /replicate/v1/predictions/{id}                   prediction (op 'status')
//   POST /replicate/v1/predictions/{id}/cancel            cancel (op 'cancel')
//   POST /replicate/v1/files                              multipart `content` upload (op 'upload')
//   GET  /replicate/v1/files/{id}                         file metadata (op 'upload')
//   GET  /replicate/v1/account                            account (op 'account')
//   GET  /replicate/v1/models/{owner}/{name}              model (op 'models'): the free lookup
//
// Auth: `Authorization: Bearer <token>` (or the older `Token <token>`); any token works.
// Predictions move starting -> processing -> succeeded over the sandbox timing. Input is
// validated at creation (422 problem JSON with `invalid_fields`), as Replicate validates against
// the model's schema; a reference that cannot be loaded makes the prediction `failed`.
// Image inputs may be data: URIs, localhost URLs, or URLs of files uploaded here.
//
// A model Replicate does not have (never had, deleted, or retired through /__sandbox/retire):
// its predictions path answers 404 `{"detail":"The requested resource could not be found.",
// "status":404}` (maintainer answer in replicate/replicate-javascript#347) and its model path
// 404 `{"detail":"Not found.","status":404}` (the legacy body; exact text not verified). The
// model object follows replicate-javascript index.d.ts `Model` (url, owner, name, description,
// visibility, is_official, run_count, latest_version { id, created_at, cog_version,
// openapi_schema }, ...); run counts and version ids are the sandbox's.
import { randomUUID } from 'node:crypto';
import type { Fault, ProviderHandler, ProviderRequest, ProviderResponse, SandboxServices, Timing } from '../types';
import {
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

interface InvalidField {
  type: string;
  field: string;
  description: string;
}

type Check = (input: Record<string, unknown>) => InvalidField | undefined;

interface ReplicateModel {
  /** Input carrying the reference image; null for text-only models. */
  imageField: string | null;
  /** For the model object (GET /v1/models/{owner}/{name}); wording is ours. */
  description: string;
  /** Input with the number of images, if the model makes more than one. */
  countField?: string;
  /** Array of URIs, or one URI. */
  output: 'array' | 'string';
  checks: Check[];
  /** 0..1: how far the result may move from the reference. */
  departure(input: Record<string, unknown>): number;
  /** Output size; undefined = the reference's own shape. */
  size(input: Record<string, unknown>, hasReference: boolean): Size | undefined;
}

const FLUX_DEV_ASPECTS = ['1:1', '16:9', '21:9', '3:2', '2:3', '4:5', '5:4', '3:4', '4:3', '9:16', '9:21'];
const ULTRA_ASPECTS = ['21:9', '16:9', '3:2', '4:3', '5:4', '1:1', '4:5', '3:4', '2:3', '9:16', '9:21'];
const MINIMAX_ASPECTS = ['1:1', '16:9', '4:3', '3:2', '2:3', '3:4', '9:16', '21:9'];

const required =
  (field: string): Check =>
  (input) =>
    typeof input[field] === 'string' && (input[field] as string).length > 0
      ? undefined
      : input[field] === undefined
        ? { type: 'required', field: 'input', description: `${field} is required` }
        : { type: 'invalid_type', field: `input.${field}`, description: 'Invalid type. Expected: string' };

const uri =
  (field: string): Check =>
  (input) => {
    const v = input[field];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') return { type: 'invalid_type', field: `input.${field}`, description: 'Invalid type. Expected: string' };
    return /^(https?:\/\/|data:)/i.test(v) ? undefined : { type: 'format', field: `input.${field}`, description: 'Does not match format \'uri\'' };
  };

const number =
  (field: string, min: number, max: number, integer = false): Check =>
  (input) => {
    const v = input[field];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v) || (integer && !Number.isInteger(v))) {
      return { type: 'invalid_type', field: `input.${field}`, description: `Invalid type. Expected: ${integer ? 'integer' : 'number'}` };
    }
    if (v < min) return { type: 'number_gte', field: `input.${field}`, description: `Must be greater than or equal to ${min}` };
    if (v > max) return { type: 'number_lte', field: `input.${field}`, description: `Must be less than or equal to ${max}` };
    return undefined;
  };

const oneOf =
  (field: string, values: readonly string[]): Check =>
  (input) => {
    const v = input[field];
    if (v === undefined || (typeof v === 'string' && values.includes(v))) return undefined;
    return { type: 'enum', field: `input.${field}`, description: `${field} must be one of the following: ${values.map((x) => `"${x}"`).join(', ')}` };
  };

const stringField =
  (field: string): Check =>
  (input) =>
    input[field] === undefined || typeof input[field] === 'string' ? undefined : { type: 'invalid_type', field: `input.${field}`, description: 'Invalid type. Expected: string' };

const boolean =
  (field: string): Check =>
  (input) =>
    input[field] === undefined || typeof input[field] === 'boolean' ? undefined : { type: 'invalid_type', field: `input.${field}`, description: 'Invalid type. Expected: boolean' };

/** `aspect_ratio` as "W:H" or "custom" (Dreamina 3.1; its exact enum is unpublished). */
const aspectOrCustom: Check = (input) => {
  const v = input.aspect_ratio;
  if (v === undefined || v === 'custom' || (typeof v === 'string' && /^\d+:\d+$/.test(v))) return undefined;
  return { type: 'enum', field: 'input.aspect_ratio', description: 'aspect_ratio must be a ratio like "16:9" or "custom"' };
};

const num = (input: Record<string, unknown>, field: string, fallback: number) => (typeof input[field] === 'number' ? (input[field] as number) : fallback);
/** The same shape with the long side <= MAX_SIDE (sandbox files stay small). */
const fit = (w: number, h: number): Size => {
  const k = Math.min(1, MAX_SIDE / Math.max(w, h));
  return { width: Math.max(1, Math.round(w * k)), height: Math.max(1, Math.round(h * k)) };
};
const aspectSize = (input: Record<string, unknown>) => sizeForAspect(typeof input.aspect_ratio === 'string' ? input.aspect_ratio : '1:1');

/** The official models the sandbox runs, with the input checks that matter to the extension. */
const REPLICATE_MODELS: Readonly<Record<string, ReplicateModel>> = {
  'black-forest-labs/flux-dev': {
    imageField: 'image',
    description: 'A 12 billion parameter rectified flow transformer capable of generating images from text descriptions',
    countField: 'num_outputs',
    output: 'array',
    checks: [required('prompt'), uri('image'), number('prompt_strength', 0, 1), number('num_outputs', 1, 4, true), number('seed', -2147483648, 2 ** 32, true), oneOf('aspect_ratio', FLUX_DEV_ASPECTS)],
    departure: (i) => num(i, 'prompt_strength', 0.8),
    // img2img keeps the input image's shape; text-to-image follows aspect_ratio.
    size: (i, hasReference) => (hasReference ? undefined : aspectSize(i)),
  },
  'black-forest-labs/flux-1.1-pro-ultra': {
    imageField: 'image_prompt',
    description: 'FLUX1.1 [pro] in ultra and raw modes',
    output: 'string',
    checks: [required('prompt'), uri('image_prompt'), number('image_prompt_strength', 0, 1), number('safety_tolerance', 1, 6, true), number('seed', -2147483648, 2 ** 32, true), oneOf('aspect_ratio', ULTRA_ASPECTS)],
    departure: (i) => 1 - num(i, 'image_prompt_strength', 0.1),
    size: (i) => aspectSize(i),
  },
  'ideogram-ai/ideogram-character': {
    imageField: 'character_reference_image',
    description: 'Generate consistent characters from a single reference image',
    output: 'string',
    checks: [required('prompt'), required('character_reference_image'), uri('character_reference_image'), number('seed', 0, 2147483647, true)],
    departure: () => 0.85,
    size: (i) => aspectSize(i),
  },
  'minimax/image-01': {
    imageField: 'subject_reference',
    description: 'Minimax\'s first image model, with character reference support',
    countField: 'number_of_images',
    output: 'array',
    checks: [required('prompt'), uri('subject_reference'), number('number_of_images', 1, 9, true), oneOf('aspect_ratio', MINIMAX_ASPECTS)],
    departure: () => 0.9,
    size: (i) => aspectSize(i),
  },
  // Text to image only (replicate.com/bytedance/dreamina-3.1, version b5e96172 API page):
  // prompt, aspect_ratio (default 1:1; "custom" uses width/height 512-3024, default 1328),
  // resolution (default 2K), seed, use_pre_llm (default true); output one URI. The enums of
  // aspect_ratio and resolution are not on the page: any W:H ratio and a string are accepted.
  'bytedance/dreamina-3.1': {
    imageField: null,
    description: 'Dreamina 3.1: cinematic text-to-image with strong style control',
    output: 'string',
    checks: [
      required('prompt'),
      aspectOrCustom,
      number('width', 512, 3024, true),
      number('height', 512, 3024, true),
      stringField('resolution'),
      number('seed', -2147483648, 2147483647, true),
      boolean('use_pre_llm'),
    ],
    departure: () => 1,
    size: (i) => (i.aspect_ratio === 'custom' ? fit(num(i, 'width', 1328), num(i, 'height', 1328)) : aspectSize(i)),
  },
};

/** Sandbox values for the model object, per model. */
const MODEL_FACTS: Readonly<Record<string, { runCount: number; version: string; versionDate: string }>> = {
  'black-forest-labs/flux-dev': { runCount: 31_000_000, version: 'sandbox-flux-dev', versionDate: '2025-06-10T00:00:00.000Z' },
  'black-forest-labs/flux-1.1-pro-ultra': { runCount: 12_000_000, version: 'sandbox-flux-ultra', versionDate: '2025-03-04T00:00:00.000Z' },
  'ideogram-ai/ideogram-character': { runCount: 400_000, version: 'sandbox-ideogram-character', versionDate: '2025-08-01T00:00:00.000Z' },
  'minimax/image-01': { runCount: 3_000_000, version: 'sandbox-minimax-image-01', versionDate: '2025-03-01T00:00:00.000Z' },
  'bytedance/dreamina-3.1': { runCount: 150_000, version: 'b5e96172', versionDate: '2025-09-01T00:00:00.000Z' },
};

type Status = 'starting' | 'processing' | 'succeeded' | 'failed' | 'canceled';

interface Prediction {
  id: string;
  model: string;
  input: Record<string, unknown>;
  origin: string;
  mount: string;
  createdAt: number;
  timing: Timing;
  canceled?: number;
  /** Set when the simulated run has finished; visible once the clock allows. */
  outcome?: { ok: true; output: string | string[]; fileIds: string[] } | { ok: false; error: string };
}

interface StoredUpload {
  id: string;
  bytes: Buffer;
  name: string;
  contentType: string;
  createdAt: number;
}

const UNAUTHENTICATED = { title: 'Unauthenticated', detail: 'You did not pass an authentication token', status: 401 };
const BAD_TOKEN = { title: 'Unauthenticated', detail: 'You did not pass a valid authentication token', status: 401 };
const FILE_TTL_MS = 24 * 60 * 60_000;

export function createReplicateProvider(services: SandboxServices): ProviderHandler {
  const predictions = new Map<string, Prediction>();
  const uploads = new Map<string, StoredUpload>();

  const completeAt = (p: Prediction) => p.createdAt + p.timing.queueMs + p.timing.runMs;

  function status(p: Prediction, now: number): Status {
    if (p.canceled !== undefined) return 'canceled';
    if (now < p.createdAt + p.timing.queueMs) return 'starting';
    if (now < completeAt(p) || !p.outcome) return 'processing';
    return p.outcome.ok ? 'succeeded' : 'failed';
  }

  function view(p: Prediction): Record<string, unknown> {
    const now = services.now();
    const s = status(p, now);
    const base = `${p.origin}${p.mount}/v1/predictions/${p.id}`;
    const iso = (t: number) => new Date(t).toISOString();
    const done = s === 'succeeded' || s === 'failed' || s === 'canceled';
    return {
      id: p.id,
      model: p.model,
      version: 'hidden',
      input: p.input,
      logs: s === 'starting' ? '' : 'Running sandbox prediction...\n',
      output: s === 'succeeded' && p.outcome?.ok ? p.outcome.output : null,
      data_removed: false,
      error: s === 'failed' && p.outcome && !p.outcome.ok ? p.outcome.error : null,
      status: s,
      source: 'api',
      created_at: iso(p.createdAt),
      ...(s !== 'starting' ? { started_at: iso(p.createdAt + p.timing.queueMs) } : {}),
      ...(done ? { completed_at: iso(p.canceled ?? completeAt(p)), metrics: { predict_time: p.timing.runMs / 1000, total_time: (p.timing.queueMs + p.timing.runMs) / 1000 } } : {}),
      urls: { get: base, cancel: `${base}/cancel`, stream: `${base}/stream`, web: `https://replicate.com/p/${p.id}` },
    };
  }

  /** Bytes of an image input: one of our uploads, a data: URI, or a localhost URL. */
  async function imageBytes(ref: string, mount: string): Promise<Buffer> {
    const m = /^https?:\/\/[^/]+(\/[^?#]*)$/.exec(ref);
    const filePath = m?.[1] ? new RegExp(`^${mount}/v1/files/([a-z0-9]+)$`).exec(m[1]) : null;
    if (filePath) {
      const up = uploads.get(filePath[1] ?? '');
      if (!up) throw new ImageInputError('download', `File ${ref} not found`);
      return up.bytes;
    }
    return loadReference(ref);
  }

  async function run(p: Prediction, model: ReplicateModel): Promise<NonNullable<Prediction['outcome']>> {
    const prompt = String(p.input.prompt);
    const seed = Number.isInteger(p.input.seed) ? Number(p.input.seed) : hashString(p.id) % 2 ** 31;
    const n = model.countField && Number.isInteger(p.input[model.countField]) ? Number(p.input[model.countField]) : 1;
    const ref = model.imageField && typeof p.input[model.imageField] === 'string' ? (p.input[model.imageField] as string) : undefined;
    const images: GeneratedImage[] = [];
    try {
      const bytes = ref === undefined ? undefined : await imageBytes(ref, p.mount);
      const size = model.size(p.input, bytes !== undefined);
      for (let i = 0; i < n; i++) {
        images.push(
          bytes
            ? await deriveFromReference(bytes, { prompt, seed: seed + i, strength: model.departure(p.input), size })
            : await generateFromPrompt(prompt, seed + i, size ?? { width: MAX_SIDE, height: MAX_SIDE }),
        );
      }
    } catch (e) {
      if (!(e instanceof ImageInputError)) throw e;
      return { ok: false, error: `Could not load ${model.imageField ?? 'the image'}: ${e.message}` };
    }
    if (p.canceled !== undefined) return { ok: true, output: [], fileIds: [] };
    const availableAt = Math.max(Date.now(), completeAt(p));
    const files = images.map((img) => services.storeFile(img.png, p.origin, availableAt, p.timing.fileTtlMs));
    const urls = files.map((f) => f.url);
    return { ok: true, output: model.output === 'array' ? urls : (urls[0] ?? ''), fileIds: files.map((f) => f.id) };
  }

  /** A model the sandbox runs and has not had retired. */
  const known = (modelId: string) => (services.isRetired('replicate', modelId) ? undefined : REPLICATE_MODELS[modelId]);

  /** GET /v1/models/{owner}/{name}: the model object, or 404 for a model Replicate does not have. */
  function modelView(modelId: string): ProviderResponse {
    const model = known(modelId);
    const facts = MODEL_FACTS[modelId];
    if (!model || !facts) return { status: 404, json: { detail: 'Not found.', status: 404 } };
    const [owner, name] = modelId.split('/');
    return {
      status: 200,
      json: {
        url: `https://replicate.com/${modelId}`,
        owner,
        name,
        description: model.description,
        visibility: 'public',
        is_official: true,
        github_url: null,
        paper_url: null,
        license_url: null,
        run_count: facts.runCount,
        cover_image_url: null,
        default_example: null,
        latest_version: { id: facts.version, created_at: facts.versionDate, cog_version: null, openapi_schema: null },
      },
    };
  }

  async function create(req: ProviderRequest, modelId: string): Promise<ProviderResponse> {
    const model = known(modelId);
    if (!model) return { status: 404, json: { detail: 'The requested resource could not be found.', status: 404 } };
    let body: unknown;
    try {
      body = JSON.parse(req.rawBody.toString('utf8'));
    } catch {
      return problem(400, 'Invalid JSON', 'The request body is not valid JSON.');
    }
    const input = (body as { input?: unknown } | null)?.input;
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      return problem(422, 'Input validation failed', '- input: Invalid type. Expected: object\n', [{ type: 'invalid_type', field: 'input', description: 'Invalid type. Expected: object' }]);
    }
    const fields = model.checks.map((c) => c(input as Record<string, unknown>)).filter((f): f is InvalidField => f !== undefined);
    if (fields.length > 0) {
      return problem(422, 'Input validation failed', fields.map((f) => `- ${f.field}: ${f.description}\n`).join(''), fields);
    }
    const p: Prediction = {
      id: randomUUID().replace(/-/g, '').slice(0, 26),
      model: modelId,
      input: input as Record<string, unknown>,
      origin: req.origin,
      mount: req.mount,
      createdAt: services.now(),
      timing: services.timing(),
    };
    predictions.set(p.id, p);
    void run(p, model).then(
      (o) => {
        p.outcome = o;
      },
      (e: unknown) => {
        console.error('[sandbox replicate]', e);
        p.outcome = { ok: false, error: 'Internal error in the sandbox model' };
      },
    );
    // `Prefer: wait`: hold the request until the prediction ends or the wait runs out.
    const waitUntil = p.createdAt + preferWaitMs(req.headers.prefer);
    while (services.now() < waitUntil && ['starting', 'processing'].includes(status(p, services.now()))) {
      await new Promise((r) => setTimeout(r, 10));
    }
    const s = status(p, services.now());
    return { status: s === 'starting' || s === 'processing' ? 201 : 200, json: view(p) };
  }

  async function upload(req: ProviderRequest): Promise<ProviderResponse> {
    const form = await parseMultipart(req);
    if (!form) return problem(400, 'Invalid request', 'Expected a multipart/form-data body.');
    const content = form.get('content');
    if (!content || typeof content === 'string') return problem(422, 'Invalid request', 'The `content` field (a file) is required.');
    if (content.size > 100 * 1024 * 1024) return problem(413, 'Content Too Large', 'Files must be less than 100MB in size');
    const typeField = form.get('type');
    const filename = form.get('filename');
    const up: StoredUpload = {
      id: randomUUID().replace(/-/g, '').slice(0, 26),
      bytes: Buffer.from(await content.arrayBuffer()),
      name: typeof filename === 'string' ? filename : content.name || 'file',
      contentType: typeof typeField === 'string' ? typeField : content.type || 'application/octet-stream',
      createdAt: services.now(),
    };
    uploads.set(up.id, up);
    return { status: 201, json: fileView(up, req) };
  }

  function fileView(up: StoredUpload, req: ProviderRequest) {
    return {
      id: up.id,
      name: up.name,
      content_type: up.contentType,
      size: up.bytes.length,
      etag: hashString(up.id).toString(16),
      checksums: { sha256: '' },
      metadata: {},
      created_at: new Date(up.createdAt).toISOString(),
      expires_at: new Date(up.createdAt + FILE_TTL_MS).toISOString(),
      urls: { get: `${req.origin}${req.mount}/v1/files/${up.id}` },
    };
  }

  function cancel(p: Prediction): ProviderResponse {
    const s = status(p, services.now());
    if (s === 'starting' || s === 'processing') {
      p.canceled = services.now();
      if (p.outcome?.ok) for (const id of p.outcome.fileIds) services.deleteFile(id);
    }
    return { status: 200, json: view(p) };
  }

  return {
    reset() {
      predictions.clear();
      uploads.clear();
    },
    async handle(req) {
      const segs = req.path.split('/').filter(Boolean);
      const [v1, kind, a, b, c] = segs;
      let op: string | undefined;
      if (v1 === 'v1') {
        if (kind === 'models' && segs.length === 5 && c === 'predictions' && req.method === 'POST') op = 'submit';
        else if (kind === 'predictions' && segs.length === 3 && req.method === 'GET') op = 'status';
        else if (kind === 'predictions' && segs.length === 4 && b === 'cancel' && req.method === 'POST') op = 'cancel';
        else if (kind === 'files' && segs.length === 2 && req.method === 'POST') op = 'upload';
        else if (kind === 'files' && segs.length === 3 && req.method === 'GET') op = 'upload';
        else if (kind === 'account' && segs.length === 2 && req.method === 'GET') op = 'account';
        else if (kind === 'models' && segs.length === 4 && req.method === 'GET') op = 'models';
      }
      if (!op) return problem(404, 'Not found', 'The requested resource does not exist.');

      const fault = services.takeFault('replicate', op);
      if (fault) return faultResponse(fault);
      const authErr = checkAuth(req);
      if (authErr) return { status: 401, json: authErr };

      if (op === 'submit') return create(req, `${a}/${b}`);
      if (op === 'models') return modelView(`${a}/${b}`);
      if (op === 'account') return { status: 200, json: { type: 'user', username: 'sandbox', name: 'Sandbox User', github_url: 'https://github.com/sandbox' } };
      if (op === 'upload') {
        if (req.method === 'POST') return upload(req);
        const up = uploads.get(a ?? '');
        return up ? { status: 200, json: fileView(up, req) } : problem(404, 'Not found', 'File not found.');
      }
      const p = predictions.get(a ?? '');
      if (!p) return problem(404, 'Not found', 'Prediction not found.');
      return op === 'status' ? { status: 200, json: view(p) } : cancel(p);
    },
  };
}

function checkAuth(req: ProviderRequest) {
  const h = req.headers.authorization;
  if (typeof h !== 'string' || h.trim() === '') return UNAUTHENTICATED;
  return /^(Bearer|Token)\s+\S+$/.test(h.trim()) ? undefined : BAD_TOKEN;
}

/** `Prefer: wait` = 60 s, `wait=n` = n s (1-60); anything else: no waiting. */
function preferWaitMs(h: string | string[] | undefined): number {
  const v = Array.isArray(h) ? h.join(',') : (h ?? '');
  const m = /(?:^|[,;\s])wait(?:=(\d+))?(?=$|[,;\s])/.exec(v);
  if (!m) return 0;
  const s = m[1] === undefined ? 60 : Number(m[1]);
  return Math.min(60, Math.max(1, s)) * 1000;
}

async function parseMultipart(req: ProviderRequest): Promise<FormData | null> {
  const ct = req.headers['content-type'];
  if (typeof ct !== 'string' || !ct.toLowerCase().startsWith('multipart/form-data')) return null;
  try {
    return await new Request('http://sandbox.invalid/', { method: 'POST', headers: { 'content-type': ct }, body: new Uint8Array(req.rawBody) }).formData();
  } catch {
    return null;
  }
}

function problem(status: number, title: string, detail: string, invalid_fields?: InvalidField[]): ProviderResponse {
  return { status, json: { title, detail, status, ...(invalid_fields ? { invalid_fields } : {}) } };
}

/** Default bodies follow Replicate's problem JSON (see sandbox/README.md for what is verified). */
function faultResponse(f: Fault): ProviderResponse {
  const byStatus: Record<number, ProviderResponse> = {
    401: { status: 401, json: BAD_TOKEN },
    402: problem(402, 'Billing required', 'You need to set up billing to run this model. Go to https://replicate.com/account/billing#billing to set it up.'),
    403: problem(403, 'Forbidden', 'You do not have permission to perform this action.'),
    404: { status: 404, json: { detail: 'The requested resource could not be found.', status: 404 } },
    413: problem(413, 'Content Too Large', 'Files must be less than 100MB in size'),
    422: problem(422, 'Input validation failed', '- input.prompt: Invalid type. Expected: string\n', [{ type: 'invalid_type', field: 'input.prompt', description: 'Invalid type. Expected: string' }]),
    429: problem(429, 'Request was throttled', 'Request was throttled. Your rate limit resets in ~30s.'),
    500: problem(500, 'Internal Server Error', 'An unexpected error occurred.'),
    503: problem(503, 'Service Unavailable', 'Replicate is temporarily unavailable.'),
  };
  const d = byStatus[f.status] ?? problem(f.status, 'Sandbox fault', `Injected sandbox fault (${f.status})`);
  return { status: f.status, json: f.body !== undefined ? f.body : d.json, headers: { ...d.headers, ...f.headers } };
}
