// zod/mini: these schemas are shared with the panel, which must stay small (issue 13).
import * as z from 'zod/mini';

/**
 * Change notifications between the worker and extension pages. BroadcastChannel reaches only
 * same-origin contexts (never web pages or content scripts) and does not wake the worker;
 * the message is only a hint to re-read IndexedDB, which holds the truth.
 */
export const AppEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('job.changed'), jobId: z.string(), state: z.string() }),
  z.object({ type: z.literal('draft.changed') }),
  // The exception to "only a hint": an image being taken in, shown before it is stored. The
  // draft's intake.startedAt says which intake it belongs to; missing it costs only that preview.
  z.object({ type: z.literal('intake.preview'), startedAt: z.number(), thumb: z.instanceof(Blob) }),
  z.object({ type: z.literal('results.changed') }),
  z.object({ type: z.literal('keys.changed') }),
  z.object({ type: z.literal('presets.changed') }),
]);
export type AppEvent = z.infer<typeof AppEvent>;

const CHANNEL = 'image-prompt-events';
let channel: BroadcastChannel | undefined;

function getChannel(): BroadcastChannel | undefined {
  if (typeof BroadcastChannel === 'undefined') return undefined;
  channel ??= new BroadcastChannel(CHANNEL);
  return channel;
}

export function publish(event: AppEvent): void {
  getChannel()?.postMessage(event);
}

export function subscribe(onEvent: (e: AppEvent) => void): () => void {
  if (typeof BroadcastChannel === 'undefined') return () => {};
  // A channel of its own: a BroadcastChannel does not receive its own posts, and the
  // same page both publishes and listens.
  const listener = new BroadcastChannel(CHANNEL);
  listener.onmessage = (msg: MessageEvent) => {
    const parsed = AppEvent.safeParse(msg.data);
    if (parsed.success) onEvent(parsed.data);
  };
  return () => listener.close();
}
