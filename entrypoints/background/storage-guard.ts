import { migrateLegacyAddresses } from '@/utils/provider-addresses';
import { providerAddresses } from '@/utils/intake/network-guard-settings';
import { syncProviderAllowRules } from '@/utils/intake/network-guard';

/**
 * Content scripts can read and write storage.local by default (measured in Chromium). Nothing
 * secret lives there any more (keys and provider addresses are in IndexedDB), but route choices,
 * model ids and route marks do: in Chromium, close storage.local to everything but extension
 * pages and the worker. Firefox documents no such switch for storage.local; there the
 * guarantee rests on keeping keys and addresses out of it.
 */
export async function guardStorage(): Promise<void> {
  const local = (globalThis as unknown as { chrome?: { storage?: { local?: { setAccessLevel?: (o: { accessLevel: string }) => Promise<void> } } } }).chrome?.storage?.local;
  await local?.setAccessLevel?.({ accessLevel: 'TRUSTED_CONTEXTS' }).catch(() => {});
  await migrateLegacyAddresses().catch(() => {});
  // The network guard may have read the addresses before they moved: give it the moved ones.
  await syncProviderAllowRules(await providerAddresses()).catch(() => {});
}
