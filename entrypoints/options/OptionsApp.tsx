import { useCallback, useEffect, useState } from 'react';
import { ProviderSettingsRow } from '@/components/ProviderSettingsRow';
import { MODELS, PROVIDER_BASE_URLS, PROVIDER_NAMES, ProviderId, type ModelId, type RouteSpec } from '@/utils/models';
import { send } from '@/utils/protocol';
import { getAdapter } from '@/utils/providers';
import { chooseRoute } from '@/utils/routing';
import { configuredProviders, getKey, maskKey, setKey } from '@/utils/secrets';
import { isAllowedBaseUrl, loadSettings, normalizeBaseUrl, SANDBOX_BUILD, updateSettings, type Settings } from '@/utils/settings';
import { toAppError } from '@/utils/errors';

/** Keys and addresses per provider, and which route each model will use. */
export function OptionsApp() {
  const [settings, setSettings] = useState<Settings | null>(null);
  const [configured, setConfigured] = useState<Set<ProviderId>>(new Set());
  const [hints, setHints] = useState<Partial<Record<ProviderId, string>>>({});

  const refresh = useCallback(async () => {
    const state = await readState();
    setSettings(state.settings);
    setConfigured(state.configured);
    setHints(state.hints);
  }, []);
  useEffect(() => {
    let alive = true;
    void readState().then((state) => {
      if (!alive) return;
      setSettings(state.settings);
      setConfigured(state.configured);
      setHints(state.hints);
    });
    return () => {
      alive = false;
    };
  }, []);

  if (!settings) return <main className="options">Loading…</main>;
  const providers = ProviderId.options.filter((p) => getAdapter(p));

  return (
    <main className="options">
      <h1>Image Prompt settings</h1>
      <p>
        Keys stay in this browser and are sent only to their own provider&apos;s address.
        {SANDBOX_BUILD ? ' This is the sandbox build: providers without a key are answered by the local sandbox.' : ''}
      </p>
      <section aria-label="Providers">
        <h2>Providers</h2>
        {providers.map((p) => (
          <ProviderSettingsRow
            key={p}
            id={p}
            name={PROVIDER_NAMES[p]}
            defaultBaseUrl={PROVIDER_BASE_URLS[p]}
            baseUrl={settings.providers[p].baseUrl}
            hasKey={configured.has(p)}
            keyHint={hints[p] ?? ''}
            sandbox={SANDBOX_BUILD}
            onSave={async ({ key, baseUrl }) => {
              const url = normalizeBaseUrl(baseUrl);
              if (!isAllowedBaseUrl(url)) return 'The address must start with https:// (plain http only for this computer).';
              try {
                await updateSettings((current) => ({ ...current, providers: { ...current.providers, [p]: { baseUrl: url } } }));
                if (key) await setKey(p, key);
                await refresh();
                return null;
              } catch (err) {
                return toAppError(err).message;
              }
            }}
            onTest={() => send('provider.testKey', { provider: p }).catch((err) => ({ ok: false, message: toAppError(err).message }))}
            onRemoveKey={async () => {
              await setKey(p, '');
              await refresh();
            }}
          />
        ))}
      </section>
      <section aria-label="Models">
        <h2>Models</h2>
        <table>
          <thead>
            <tr>
              <th scope="col">Model</th>
              <th scope="col">Runs on</th>
              <th scope="col">Why</th>
              <th scope="col">Route</th>
            </tr>
          </thead>
          <tbody>
            {MODELS.map((m) => {
              const [runsOn, why] = describeRoute(m.id, settings, configured);
              return (
                <tr key={m.id}>
                  <th scope="row">{m.name}</th>
                  <td>{runsOn}</td>
                  <td>{why}</td>
                  <td>
                    <select
                      aria-label={`${m.name} route`}
                      value={settings.routes[m.id] ?? ''}
                      onChange={async (e) => {
                        // Read the choice now: after an await React has reset the controlled select.
                        const value = e.target.value;
                        await updateSettings((current) => {
                          const routes = { ...current.routes };
                          if (value) routes[m.id] = value;
                          else delete routes[m.id];
                          return { ...current, routes };
                        });
                        await refresh();
                      }}
                    >
                      <option value="">Automatic</option>
                      {m.routes
                        .filter((r) => getAdapter(r.provider))
                        .map((r) => (
                          <option key={r.id} value={r.id}>
                            {routeLabel(r)}
                          </option>
                        ))}
                    </select>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </section>
    </main>
  );
}

async function readState() {
  const settings = await loadSettings();
  const configured = await configuredProviders();
  const hints: Partial<Record<ProviderId, string>> = {};
  for (const p of configured) {
    const k = await getKey(p);
    if (k) hints[p] = maskKey(k);
  }
  return { settings, configured, hints };
}

function routeLabel(r: RouteSpec): string {
  const how = r.imageInput === 'native' ? 'sends the image' : 'describes the image';
  return `${PROVIDER_NAMES[r.provider]}: ${(r as RouteSpec & { label?: string }).label ?? r.endpoint} (${how})`;
}

function describeRoute(modelId: ModelId, settings: Settings, configured: Set<ProviderId>): [string, string] {
  try {
    const c = chooseRoute(modelId, { settings, configured, sandbox: SANDBOX_BUILD });
    return [routeLabel(c.route), c.reason];
  } catch (err) {
    return ['—', toAppError(err).message];
  }
}
