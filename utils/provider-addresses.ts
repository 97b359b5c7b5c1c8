import { db } from './store/schema';
import { publish } from './events';
import { PROVIDER_BASE_URLS, ProviderId } from './models';
import { isAllowedBaseUrl, normalizeBaseUrl, takeLegacyProviderAddresses } from './settings';

/**
 * Where each provider's requests (and so its key) go. Kept in the extension's IndexedDB beside
 * the keys: content scripts can write storage.local, and an address there could redirect a key.
 */

export async function getBaseUrl(provider: ProviderId): Promise<string> {
  const rec = await (await db()).get('addresses', provider);
  return rec && isAllowedBaseUrl(rec.baseUrl, provider) ? rec.baseUrl : PROVIDER_BASE_URLS[provider];
}

export async function allBaseUrls(): Promise<Record<ProviderId, string>> {
  const entries = await Promise.all(ProviderId.options.map(async (p) => [p, await getBaseUrl(p)] as const));
  return Object.fromEntries(entries) as Record<ProviderId, string>;
}

/** Saves an address (the default when empty); refuses anything but https, or http on this computer. */
export async function setBaseUrl(provider: ProviderId, value: string): Promise<void> {
  const url = normalizeBaseUrl(value) || PROVIDER_BASE_URLS[provider];
  if (!isAllowedBaseUrl(url, provider)) throw new Error('The address must start with https:// (plain http only for this computer).');
  const d = await db();
  if (url === PROVIDER_BASE_URLS[provider]) await d.delete('addresses', provider);
  else await d.put('addresses', { provider, baseUrl: url });
  publish({ type: 'keys.changed' });
}

/**
 * Version 0.1 kept addresses in storage.local settings: move any there into IndexedDB once
 * (unless one is already set here) and remove them from storage.local.
 */
export async function migrateLegacyAddresses(): Promise<void> {
  const legacy = await takeLegacyProviderAddresses();
  const d = await db();
  let moved = false;
  for (const [provider, baseUrl] of Object.entries(legacy)) {
    const id = ProviderId.safeParse(provider);
    if (!id.success || !isAllowedBaseUrl(baseUrl, id.data) || baseUrl === PROVIDER_BASE_URLS[id.data]) continue;
    if (await d.get('addresses', id.data)) continue;
    await d.put('addresses', { provider: id.data, baseUrl });
    moved = true;
  }
  // The worker caches addresses with the keys; a moved address must reach that cache too.
  if (moved) publish({ type: 'keys.changed' });
}
