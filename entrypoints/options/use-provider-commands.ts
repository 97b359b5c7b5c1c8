import { useMemo } from 'react';
import type { ProviderId } from '@/utils/models';
import { send } from '@/utils/protocol';
import { setBaseUrl } from '@/utils/provider-addresses';
import { providerAddresses } from '@/utils/intake/network-guard-settings';
import { syncProviderAllowRules } from '@/utils/intake/network-guard';
import { setKey } from '@/utils/secrets';
import { isAllowedBaseUrl, normalizeBaseUrl } from '@/utils/settings';
import { toAppError } from '@/utils/errors';
import { i18n } from '#i18n';

export interface ProviderCommands {
  /** Saves the address, and the key when one was typed. Resolves to a refusal, or null when saved. */
  save: (provider: ProviderId, values: { key?: string; baseUrl: string }) => Promise<string | null>;
  /** Asks the worker to try the key; a failure is the provider's own reason. */
  testKey: (provider: ProviderId) => Promise<{ ok: boolean; message: string }>;
  removeKey: (provider: ProviderId) => Promise<void>;
}

/** A provider's key and address commands; each ends by reading the page's state again. */
export function useProviderCommands(refresh: () => Promise<void>): ProviderCommands {
  return useMemo(
    () => ({
      async save(provider, { key, baseUrl }) {
        const url = normalizeBaseUrl(baseUrl);
        if (!isAllowedBaseUrl(url)) return i18n.t('options.badAddress');
        try {
          await setBaseUrl(provider, url);
          // The worker also hears of it, but the rule that keeps a local address reachable
          // should be in place before the user is told "Saved.".
          await syncProviderAllowRules(await providerAddresses()).catch(() => {});
          if (key) await setKey(provider, key);
          await refresh();
          return null;
        } catch (err) {
          return toAppError(err).message;
        }
      },
      testKey: (provider) => send('provider.testKey', { provider }).catch((err: unknown) => ({ ok: false, message: toAppError(err).message })),
      async removeKey(provider) {
        await setKey(provider, '');
        await refresh();
      },
    }),
    [refresh],
  );
}
