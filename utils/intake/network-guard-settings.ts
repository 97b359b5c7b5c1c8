import { subscribe } from '../events';
import { allBaseUrls } from '../provider-addresses';
import { KEYLESS_PROVIDERS, PROVIDER_BASE_URLS, type ProviderId } from '../models';
import { configuredProviders } from '../secrets';
import { SANDBOX_BUILD, SANDBOX_URL } from '../settings';
import { installNetworkGuard, syncProviderAllowRules } from './network-guard';

/**
 * Where the network guard learns the provider addresses to keep reachable: the addresses saved
 * beside the keys (utils/provider-addresses.ts), plus the local sandbox in the `npm start`
 * build. The guard itself only needs the list; if the addresses move, only this file changes.
 */
export async function providerAddresses(sandbox: boolean = SANDBOX_BUILD, sandboxUrl: string = SANDBOX_URL): Promise<string[]> {
  const [urls, configured] = await Promise.all([allBaseUrls(), configuredProviders()]);
  // A keyless provider's default address (ComfyUI on this computer) stays blocked until the user
  // saved an address or a setup for it: nobody asked the extension to reach it before that.
  const addresses: string[] = (Object.entries(urls) as Array<[ProviderId, string]>)
    .filter(([p, url]) => !KEYLESS_PROVIDERS.has(p) || configured.has(p) || url !== PROVIDER_BASE_URLS[p])
    .map(([, url]) => url);
  // The `npm start` build sends keyless providers to the local sandbox.
  if (sandbox) addresses.push(sandboxUrl);
  return addresses;
}

/**
 * Called once when the worker starts: installs the rules with the current addresses, and
 * rebuilds the allows when an address is saved ('keys.changed', published by setBaseUrl). A
 * change made while the worker is stopped is read by the next start.
 */
export function startNetworkGuard(): void {
  void installNetworkGuard(() => providerAddresses()).catch(() => {});
  subscribe((event) => {
    if (event.type === 'keys.changed') void providerAddresses().then((addresses) => syncProviderAllowRules(addresses)).catch(() => {});
  });
}
