import { useCallback, useEffect, useMemo, useState } from 'react';
import { getBaseUrl, setBaseUrl } from '@/utils/provider-addresses';
import { clearComfySetup, loadComfySetup, saveComfySetup, type ComfySetup } from '@/utils/comfyui/setup-store';
import { testConnection } from '@/utils/providers/comfyui';
import { providerAddresses } from '@/utils/intake/network-guard-settings';
import { allowOriginFor, syncProviderAllowRules } from '@/utils/intake/network-guard';
import { isAllowedBaseUrl, normalizeBaseUrl } from '@/utils/settings';
import { privateOrigin } from '@/utils/url-policy';
import { toAppError } from '@/utils/errors';
import { i18n } from '#i18n';

interface ComfyTestResult {
  ok: boolean;
  message: string;
  checkpoints?: string[];
}

export interface ComfyUICommands {
  /** Null until read. */
  state: { address: string; saved: ComfySetup | undefined } | null;
  /** Asks the server at the typed address for its checkpoints, without saving anything. */
  test: (address: string) => Promise<ComfyTestResult>;
  /** Saves the address and the setup together; resolves to a refusal, or null when saved. */
  save: (address: string, setup: ComfySetup) => Promise<string | null>;
  remove: () => Promise<void>;
}

async function readComfyState(): Promise<NonNullable<ComfyUICommands['state']>> {
  const [address, saved] = await Promise.all([getBaseUrl('comfyui'), loadComfySetup()]);
  return { address, saved };
}

/** The ComfyUI section's state and commands; `refresh` re-reads the rest of the page (routing). */
export function useComfyUI(refresh: () => Promise<void>): ComfyUICommands {
  const [state, setState] = useState<ComfyUICommands['state']>(null);
  const read = useCallback(async () => setState(await readComfyState()), []);
  useEffect(() => {
    let alive = true;
    void readComfyState().then((s) => alive && setState(s));
    return () => {
      alive = false;
    };
  }, []);

  const commands = useMemo(
    () => ({
      async test(address: string): Promise<ComfyTestResult> {
        const url = normalizeBaseUrl(address);
        if (!isAllowedBaseUrl(url, 'comfyui')) return { ok: false, message: i18n.t('comfyui.badAddress') };
        // The guard keeps the extension out of local addresses it was not told about: open this
        // one origin for the test only (saving the setup keeps it open for jobs).
        const origin = privateOrigin(url);
        const release = origin ? await allowOriginFor(origin).catch(() => undefined) : undefined;
        try {
          const checkpoints = await testConnection({ baseUrl: url, key: '', fetch: (i, init) => fetch(i, init) });
          const message = checkpoints.length ? i18n.t('comfyui.connected', [checkpoints.join(', ')]) : i18n.t('comfyui.connectedNone');
          return { ok: true, message, checkpoints };
        } catch (err) {
          return { ok: false, message: toAppError(err).message };
        } finally {
          await release?.();
        }
      },
      async save(address: string, setup: ComfySetup): Promise<string | null> {
        const url = normalizeBaseUrl(address);
        if (!isAllowedBaseUrl(url, 'comfyui')) return i18n.t('comfyui.badAddress');
        try {
          await setBaseUrl('comfyui', url);
          await saveComfySetup(setup);
          // Jobs run in the worker, which hears of it too; the allow should be in place before "Saved.".
          await syncProviderAllowRules(await providerAddresses()).catch(() => {});
          await Promise.all([read(), refresh()]);
          return null;
        } catch (err) {
          return toAppError(err).message;
        }
      },
      async remove() {
        await clearComfySetup();
        await syncProviderAllowRules(await providerAddresses()).catch(() => {});
        await Promise.all([read(), refresh()]);
      },
    }),
    [read, refresh],
  );
  return { state, ...commands };
}
