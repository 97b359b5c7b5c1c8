import { useCallback, useEffect, useState } from 'react';
import type { ProviderId } from '@/utils/models';
import { allBaseUrls } from '@/utils/provider-addresses';
import { configuredProviders, getKey, maskKey } from '@/utils/secrets';
import { loadSettings, watchSettings, type Settings } from '@/utils/settings';

export interface OptionsState {
  settings: Settings;
  configured: Set<ProviderId>;
  /** The last characters of each saved key, for recognition; never the key. */
  hints: Partial<Record<ProviderId, string>>;
  addresses: Record<ProviderId, string>;
}

async function readOptionsState(): Promise<OptionsState> {
  const settings = await loadSettings();
  const configured = await configuredProviders();
  const hints: Partial<Record<ProviderId, string>> = {};
  for (const p of configured) {
    const k = await getKey(p);
    if (k) hints[p] = maskKey(k);
  }
  return { settings, configured, hints, addresses: await allBaseUrls() };
}

/** What the options page shows, read once and again after each command; null until read. */
export function useOptionsState(): { state: OptionsState | null; refresh: () => Promise<void> } {
  const [state, setState] = useState<OptionsState | null>(null);
  const refresh = useCallback(async () => setState(await readOptionsState()), []);
  useEffect(() => {
    let alive = true;
    void readOptionsState().then((s) => alive && setState(s));
    // Marks written by the worker (a job that met a retired route) show up here at once.
    const off = watchSettings((settings) => alive && setState((s) => (s ? { ...s, settings } : s)));
    return () => {
      alive = false;
      off();
    };
  }, []);
  return { state, refresh };
}
