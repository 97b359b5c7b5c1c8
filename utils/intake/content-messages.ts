import { z } from 'zod';
import type { Browser } from 'wxt/browser';

/**
 * The only messages a content script (the picker) may send, kept apart from the extension-page
 * protocol in protocol.ts: a page can't reach the worker through them beyond "the user picked
 * this", and only while a pick it was asked for is open in that tab.
 */
export const PickerMessage = z.object({
  type: z.literal('picker.result'),
  result: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('url'), url: z.string().min(1).max(8192) }),
    // Bytes read in the page (canvas, inline SVG, blob:) wait in the picker's world; the worker
    // collects them with executeScript (page-read.ts), so no bytes travel in this message.
    z.object({ kind: z.literal('bytes') }),
    z.object({ kind: z.literal('failed'), reason: z.enum(['tainted', 'unreadable', 'too_large', 'not_found', 'nothing']) }),
    z.object({ kind: z.literal('canceled') }),
  ]),
});
export type PickerMessage = z.infer<typeof PickerMessage>;
export type PickerResult = PickerMessage['result'];

/** A content script of this extension, in a tab, in a web page (not an extension page). */
export function isOwnContentScript(sender: Browser.runtime.MessageSender, extensionId: string, extensionOrigin: string): sender is Browser.runtime.MessageSender & { tab: Browser.tabs.Tab & { id: number } } {
  if (sender.id !== extensionId) return false;
  if (!sender.tab || typeof sender.tab.id !== 'number' || sender.tab.id < 0) return false;
  const url = sender.url ?? '';
  return !url.startsWith(extensionOrigin);
}
