import { db } from './store/schema';
import { publish } from './events';
import { ProviderId } from './models';

/**
 * API keys live in the extension's own IndexedDB: only the worker and extension pages can
 * open it. Content scripts can read storage.local by default (measured), and Firefox has no
 * documented way to stop that, so keys never go there. Keys are never logged.
 */

export async function getKey(provider: ProviderId): Promise<string | undefined> {
  const rec = await (await db()).get('secrets', provider);
  return rec?.key || undefined;
}

export async function setKey(provider: ProviderId, key: string): Promise<void> {
  const trimmed = key.trim();
  const d = await db();
  if (!trimmed) await d.delete('secrets', provider);
  else await d.put('secrets', { provider, key: trimmed });
  publish({ type: 'keys.changed' });
}

/**
 * Which providers can be used: those with a key, and ComfyUI once its setup (address and
 * workflow) is saved, since it takes no key. The keys themselves stay put.
 */
export async function configuredProviders(): Promise<Set<ProviderId>> {
  const d = await db();
  const [all, comfy] = await Promise.all([d.getAllKeys('secrets'), d.getKey('comfyui', 'setup')]);
  const out = new Set(all.filter((k): k is ProviderId => ProviderId.safeParse(k).success));
  if (comfy !== undefined) out.add('comfyui');
  return out;
}

/** For display: the last four characters only. */
export function maskKey(key: string): string {
  return key.length <= 4 ? '\u2022\u2022\u2022\u2022' : `\u2022\u2022\u2022\u2022${key.slice(-4)}`;
}
