// zod/mini: these schemas are shared with the panel, which must stay small (issue 13).
import * as z from 'zod/mini';
import { browser, type Browser } from 'wxt/browser';
import { AppError, SerializedError, toAppError } from './errors';
import { JobRequest } from './store/types';
import { ModelId, ProviderId } from './models';
import { ModelCheckRow, ReachableModels } from './model-check';
import { COMPARE_MAX_MODELS, COMPARE_MIN_MODELS } from './compare';
import { i18n } from '#i18n';

/** Read when a message is refused (not at load), in the browser's language. */
const compareRangeText = () => i18n.t('compare.chooseRange', [String(COMPARE_MIN_MODELS), String(COMPARE_MAX_MODELS)]);

/**
 * The one message protocol between extension pages (panel, options) and the worker.
 * Each message has a zod schema for its payload and its reply; the receiver parses both
 * the sender and the payload, and drops anything unknown. Bytes never travel here: images
 * cross contexts by id through IndexedDB.
 */
const PROTOCOL = {
  'job.create': {
    payload: z.object({ request: JobRequest }),
    /**
     * `joined`: the same request was already running (another window): this is that job.
     * `cachedFrom`: with `cached`, the finished job whose images answer it (the panel can show
     * them at once from what it holds).
     */
    reply: z.object({ jobId: z.string(), cached: z.boolean(), joined: z._default(z.boolean(), false), cachedFrom: z.optional(z.string()) }),
  },
  /**
   * Compare: the same request on 2 to 6 different models, one job each, sharing a new run id.
   * A model that cannot run answers its error in its row; the others still start.
   */
  'jobs.compare': {
    payload: z.object({
      request: z.omit(JobRequest, { modelId: true, runId: true, runIndex: true }),
      modelIds: z.array(ModelId).check(
        z.minLength(COMPARE_MIN_MODELS, { error: compareRangeText }),
        z.maxLength(COMPARE_MAX_MODELS, { error: compareRangeText }),
        z.refine((ids) => new Set(ids).size === ids.length, { error: () => i18n.t('compare.chooseOnce') }),
      ),
    }),
    reply: z.object({
      runId: z.string(),
      jobs: z.array(
        z.object({ modelId: ModelId, jobId: z.optional(z.string()), cached: z.boolean(), joined: z.boolean(), error: z.optional(SerializedError) }),
      ),
    }),
  },
  'job.cancel': {
    payload: z.object({ jobId: z.string().check(z.minLength(1)) }),
    reply: z.object({}),
  },
  /** Sent when a panel opens: wakes a stopped worker so unfinished jobs go on at once. */
  'jobs.resume': {
    payload: z.object({}),
    reply: z.object({ resumed: z.int().check(z.nonnegative()) }),
  },
  /**
   * Sent every half second by a panel that shows an unfinished job: a worker the browser stopped
   * mid-job is started again by the message itself (and resumes its jobs on start) instead of
   * waiting up to 30 s for the resume alarm. Answers nothing.
   */
  'worker.ping': {
    payload: z.object({}),
    reply: z.object({}),
  },
  'reference.fromUrl': {
    payload: z.object({
      url: z.string().check(z.minLength(1), z.maxLength(8 * 1024 * 1024)),
      pageUrl: z.optional(z.string().check(z.maxLength(4096))),
      /** Where it goes in the tray (see TrayPlace in utils/intake/ingest.ts); default the image prompt. */
      place: z.optional(z.enum(['prompt', 'add'])),
    }),
    reply: z.object({ referenceId: z.string() }),
  },
  'reference.describe': {
    payload: z.object({ referenceId: z.string().check(z.minLength(1)), modelId: ModelId }),
    reply: z.object({ description: z.string() }),
  },
  /**
   * "Describe" in the panel: the reference in words from any provider with a vision route, and
   * which provider it was. Progress and outcome are also written to the draft (`describe`).
   */
  'reference.describeOnDemand': {
    payload: z.object({ referenceId: z.string().check(z.minLength(1), z.maxLength(200)) }),
    reply: z.object({ description: z.string(), provider: ProviderId }),
  },
  /** "Check my models": free lookups only; marks routes whose model is gone, clears found ones. */
  'models.check': {
    payload: z.object({}),
    reply: z.object({ checkedAt: z.number(), rows: z.array(ModelCheckRow), reachable: z._default(z.array(ReachableModels), []) }),
  },
  'provider.testKey': {
    payload: z.object({ provider: ProviderId }),
    reply: z.object({ ok: z.boolean(), message: z.string() }),
  },
} as const;

export type MessageType = keyof typeof PROTOCOL;
export type Payload<T extends MessageType> = z.input<(typeof PROTOCOL)[T]['payload']>;
export type Reply<T extends MessageType> = z.infer<(typeof PROTOCOL)[T]['reply']>;

const Envelope = z.object({ type: z.enum(Object.keys(PROTOCOL) as [MessageType, ...MessageType[]]), payload: z.unknown() });
const ReplyEnvelope = z.union([
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({ ok: z.literal(false), error: SerializedError }),
]);

/** Sends a message to the worker and returns its parsed reply; failures arrive as AppError. */
export async function send<T extends MessageType>(type: T, payload: Payload<T>): Promise<Reply<T>> {
  let raw: unknown;
  try {
    raw = await browser.runtime.sendMessage({ type, payload });
  } catch (err) {
    throw new AppError('internal', 'The extension\u2019s background worker did not answer. Reload the panel and try again.', { cause: err });
  }
  const env = ReplyEnvelope.safeParse(raw);
  if (!env.success) throw new AppError('internal', 'The background worker sent an unreadable reply.');
  if (!env.data.ok) throw new AppError(env.data.error.kind, env.data.error.message, env.data.error);
  return PROTOCOL[type].reply.parse(env.data.value) as Reply<T>;
}

export type Handlers = { [T in MessageType]: (payload: z.infer<(typeof PROTOCOL)[T]['payload']>) => Promise<Reply<T>> };

/**
 * Only our own extension pages may talk to the worker: same extension id, and a sender URL
 * inside the extension (a content script's sender URL is the web page's).
 */
export function isTrustedSender(sender: Browser.runtime.MessageSender, extensionId: string, extensionOrigin: string): boolean {
  if (sender.id !== extensionId) return false;
  const url = sender.url ?? '';
  return url.startsWith(extensionOrigin);
}

/**
 * Builds a runtime.onMessage listener. Returns undefined (not handled) for anything that is not
 * ours, so other listeners and the browser see no reply.
 */
export function createRouter(handlers: Handlers, trust: (sender: Browser.runtime.MessageSender) => boolean) {
  return (message: unknown, sender: Browser.runtime.MessageSender): Promise<unknown> | undefined => {
    if (!trust(sender)) return undefined;
    const env = Envelope.safeParse(message);
    if (!env.success) return undefined;
    const { type } = env.data;
    const payload = PROTOCOL[type].payload.safeParse(env.data.payload);
    if (!payload.success) {
      const issue = payload.error.issues[0];
      return Promise.resolve({ ok: false, error: new AppError('invalid_input', issue?.message ?? 'Invalid request.').toJSON() });
    }
    const handler = handlers[type] as (p: unknown) => Promise<unknown>;
    return handler(payload.data).then(
      (value) => ({ ok: true, value }),
      (err: unknown) => ({ ok: false, error: toAppError(err).toJSON() }),
    );
  };
}
