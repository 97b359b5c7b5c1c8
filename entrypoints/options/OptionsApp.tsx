import { useCallback, useEffect, useState } from 'react';
import { ProviderSettingsRow } from '@/components/ProviderSettingsRow';
import { RouteDetails } from '@/components/RouteDetails';
import { ADAPTED_PROVIDERS, MODELS, PROVIDER_BASE_URLS, PROVIDER_NAMES, ProviderId, type ModelId } from '@/utils/models';
import type { ModelCheckRow } from '@/utils/model-check';
import { send } from '@/utils/protocol';
import { clearRouteMark, setModelOverride } from '@/utils/route-health';
import { allBaseUrls, setBaseUrl } from '@/utils/provider-addresses';
import { providerAddresses } from '@/utils/intake/network-guard-settings';
import { syncProviderAllowRules } from '@/utils/intake/network-guard';
import { chooseRoute, routeLabel } from '@/utils/routing';
import { configuredProviders, getKey, maskKey, setKey } from '@/utils/secrets';
import { isAllowedBaseUrl, loadSettings, ModelIdOverride, normalizeBaseUrl, SANDBOX_BUILD, updateSettings, watchSettings, type Settings } from '@/utils/settings';
import { toAppError } from '@/utils/errors';
import { routeDetailViews, routeOptionLabel } from './route-views';

/** Keys and addresses per provider, and which route each model will use. */
export function OptionsApp() {
  const [state, setState] = useState<OptionsState | null>(null);
  const [checks, setChecks] = useState<Map<string, ModelCheckRow>>(new Map());
  const [checking, setChecking] = useState<{ busy: boolean; message?: string }>({ busy: false });

  const refresh = useCallback(async () => setState(await readState()), []);
  useEffect(() => {
    let alive = true;
    void readState().then((s) => alive && setState(s));
    // Marks written by the worker (a job that met a retired route) show up here at once.
    const off = watchSettings((settings) => alive && setState((s) => (s ? { ...s, settings } : s)));
    return () => {
      alive = false;
      off();
    };
  }, []);

  if (!state) return <main className="options">Loading…</main>;
  const { settings, configured, hints, addresses } = state;
  const providers = ProviderId.options.filter((p) => ADAPTED_PROVIDERS.has(p));

  async function checkMyModels() {
    setChecking({ busy: true });
    try {
      const { rows } = await send('models.check', {});
      setChecks(new Map(rows.map((r) => [r.routeId, r])));
      const gone = rows.filter((r) => r.status === 'missing').length;
      const checked = rows.filter((r) => r.status === 'present' || r.status === 'deprecated' || r.status === 'missing').length;
      setChecking({ busy: false, message: `Checked ${checked} routes with free lookups${gone ? `; ${gone} no longer offered, now marked unavailable` : ''}.` });
      await refresh();
    } catch (err) {
      setChecking({ busy: false, message: toAppError(err).message });
    }
  }

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
            baseUrl={addresses[p]}
            hasKey={configured.has(p)}
            keyHint={hints[p] ?? ''}
            sandbox={SANDBOX_BUILD}
            onSave={async ({ key, baseUrl }) => {
              const url = normalizeBaseUrl(baseUrl);
              if (!isAllowedBaseUrl(url)) return 'The address must start with https:// (plain http only for this computer).';
              try {
                await setBaseUrl(p, url);
                // The worker also hears of it, but the rule that keeps a local address reachable
                // should be in place before the user is told "Saved.".
                await syncProviderAllowRules(await providerAddresses()).catch(() => {});
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
        <p className="hint">
          Providers retire models every few months. Retired routes are never used; a route whose provider says the model no longer exists is
          marked unavailable here and skipped until you mark it available again.
        </p>
        <div className="row-actions">
          <button type="button" disabled={checking.busy} onClick={() => void checkMyModels()}>
            Check my models
          </button>
          <span role="status">{checking.busy ? 'Checking with free model lookups\u2026' : (checking.message ?? '')}</span>
        </div>
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
                        .filter((r) => ADAPTED_PROVIDERS.has(r.provider) && r.lifecycle.status !== 'retired')
                        .map((r) => (
                          <option key={r.id} value={r.id}>
                            {routeOptionLabel(r, settings)}
                          </option>
                        ))}
                    </select>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {MODELS.map((m) => (
          <RouteDetails
            key={m.id}
            modelName={m.name}
            routes={routeDetailViews(m, settings, checks)}
            onClearMark={(routeId) => void clearRouteMark(routeId).then(refresh)}
            onSaveOverride={async (routeId, model) => {
              const parsed = model.trim() ? ModelIdOverride.safeParse(model) : null;
              if (parsed && !parsed.success) return parsed.error.issues[0]?.message ?? 'That is not a model id.';
              await setModelOverride(routeId, parsed ? parsed.data : '');
              await refresh();
              return null;
            }}
          />
        ))}
      </section>
    </main>
  );
}

interface OptionsState {
  settings: Settings;
  configured: Set<ProviderId>;
  /** The last characters of each saved key, for recognition; never the key. */
  hints: Partial<Record<ProviderId, string>>;
  addresses: Record<ProviderId, string>;
}

async function readState(): Promise<OptionsState> {
  const settings = await loadSettings();
  const configured = await configuredProviders();
  const hints: Partial<Record<ProviderId, string>> = {};
  for (const p of configured) {
    const k = await getKey(p);
    if (k) hints[p] = maskKey(k);
  }
  return { settings, configured, hints, addresses: await allBaseUrls() };
}

function describeRoute(modelId: ModelId, settings: Settings, configured: Set<ProviderId>): [string, string] {
  try {
    const c = chooseRoute(modelId, { settings, configured, sandbox: SANDBOX_BUILD });
    return [routeLabel(c.route), [c.reason, c.successorNote, c.warning].filter(Boolean).join(' ')];
  } catch (err) {
    return ['\u2014', toAppError(err).message];
  }
}
