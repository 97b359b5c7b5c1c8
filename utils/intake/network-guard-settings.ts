import { subscribe } from '../events';
import { allBaseUrls } from '../provider-addresses';
import { SANDBOX_BUILD, SANDBOX_URL } from '../settings';
import { installNetworkGuard, syncProviderAllowRules } from './network-guard';

/**
 * Where the network guard learns the provider addresses to keep reachable: the addresses saved
 * beside the keys (utils/provider-addresses.ts), plus the local sandbox in the `npm start`
 * build. The guard itself only needs the list; if the addresses move, only this file changes.
 */
export async function providerAddresses(sandbox: boolean = SANDBOX_BUILD, sandboxUrl: string = SANDBOX_URL): Promise<string[]> {
  const addresses: string[] = Object.values(await allBaseUrls());
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
