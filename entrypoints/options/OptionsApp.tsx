import { ProviderSettingsRow } from '@/components/ProviderSettingsRow';
import { RouteDetails } from '@/components/RouteDetails';
import { ADAPTED_PROVIDERS, KEYLESS_PROVIDERS, MODELS, PROVIDER_BASE_URLS, PROVIDER_NAMES, ProviderId } from '@/utils/models';
import { ComfyUISettings } from '@/components/ComfyUISettings';
import { useComfyUI } from './use-comfyui';
import { SANDBOX_BUILD } from '@/utils/settings';
import { ModelCheckBar } from './ModelCheckBar';
import { ModelRoutesTable } from './ModelRoutesTable';
import { modelRouteRows, routeDetailViews } from './route-views';
import { useModelCheck } from './use-model-check';
import { useOptionsState } from './use-options-state';
import { useProviderCommands } from './use-provider-commands';
import { useRouteCommands } from './use-route-commands';
import { useCostTotals } from './use-cost-totals';
import { CostTotals } from '@/components/CostTotals';
import { i18n } from '#i18n';

// Keyless providers (ComfyUI) have a section of their own below.
const PROVIDERS = ProviderId.options.filter((p) => ADAPTED_PROVIDERS.has(p) && !KEYLESS_PROVIDERS.has(p));

/** Keys and addresses per provider, and which route each model will use. */
export function OptionsApp() {
  const { state, refresh } = useOptionsState();
  const providerCommands = useProviderCommands(refresh);
  const routeCommands = useRouteCommands(refresh);
  const check = useModelCheck(refresh);
  const comfy = useComfyUI(refresh);
  const costTotals = useCostTotals();

  if (!state) return <main className="options">{i18n.t('options.loading')}</main>;
  const { settings, configured, hints, addresses } = state;

  return (
    <main className="options">
      <h1>{i18n.t('options.title')}</h1>
      <p>
        {i18n.t('options.keysPrivacy')}
        {SANDBOX_BUILD ? ` ${i18n.t('options.sandboxBuild')}` : ''}
      </p>
      <section aria-label={i18n.t('options.providers')}>
        <h2>{i18n.t('options.providers')}</h2>
        {PROVIDERS.map((p) => (
          <ProviderSettingsRow
            key={p}
            id={p}
            name={PROVIDER_NAMES[p]}
            defaultBaseUrl={PROVIDER_BASE_URLS[p]}
            baseUrl={addresses[p]}
            hasKey={configured.has(p)}
            keyHint={hints[p] ?? ''}
            sandbox={SANDBOX_BUILD}
            onSave={(values) => providerCommands.save(p, values)}
            onTest={() => providerCommands.testKey(p)}
            onRemoveKey={() => providerCommands.removeKey(p)}
          />
        ))}
      </section>
      {comfy.state ? (
        <ComfyUISettings
          address={comfy.state.address}
          defaultAddress={PROVIDER_BASE_URLS.comfyui}
          saved={comfy.state.saved}
          onTest={comfy.test}
          onSave={comfy.save}
          onRemove={comfy.remove}
        />
      ) : null}
      <section aria-label={i18n.t('options.models')}>
        <h2>{i18n.t('options.models')}</h2>
        <p className="hint">{i18n.t('options.modelsHint')}</p>
        <ModelCheckBar busy={check.busy} message={check.message} reachable={check.reachable} onCheck={() => void check.run()} />
        <ModelRoutesTable rows={modelRouteRows(settings, configured, SANDBOX_BUILD)} onChoose={(modelId, routeId) => void routeCommands.chooseRoute(modelId, routeId)} />
        {MODELS.map((m) => (
          <RouteDetails
            key={m.id}
            modelName={m.name}
            routes={routeDetailViews(m, settings, check.findings)}
            onClearMark={(routeId) => void routeCommands.markAvailable(routeId)}
            onSaveOverride={routeCommands.saveOverride}
          />
        ))}
      </section>
      <CostTotals totals={costTotals} />
    </main>
  );
}
