// zod/mini: these schemas are shared with the panel, which must stay small (issue 13).
import * as z from 'zod/mini';
import { toAppError } from './errors';
import { MODELS, PROVIDER_NAMES, wireModel, type ProviderId, type RouteSpec } from './models';
import { withOverride } from './routing';
import type { ProviderAdapter, ProviderTarget } from './providers/types';
import type { Settings } from './settings';

/**
 * "Check my models": asks each provider the user has a key for whether the model behind each of
 * its routes still exists, using only free listing or lookup endpoints. Providers without one
 * are reported as not checkable (a retired model there is noticed at the first job instead).
 * No paid call is ever made here.
 */

export const ModelCheckRow = z.object({
  routeId: z.string(),
  /** The model id that was checked (the user's override, if any). */
  model: z.string(),
  status: z.enum(['present', 'deprecated', 'missing', 'retired', 'unchecked', 'error']),
  detail: z.string(),
});
export type ModelCheckRow = z.infer<typeof ModelCheckRow>;

/** What a provider's discovery endpoint says the key can reach (OpenRouter's image models). */
export const ReachableModels = z.object({ provider: z.string(), models: z.array(z.string()) });
export type ReachableModels = z.infer<typeof ReachableModels>;

export interface ModelCheckDeps {
  settings: Settings;
  adapterFor: (provider: ProviderId) => ProviderAdapter | undefined;
  /** Where the provider's requests go; throws AppError 'no_key' when it has no key. */
  targetFor: (provider: ProviderId) => Promise<ProviderTarget>;
  fetch: typeof fetch;
}

export async function checkModels(deps: ModelCheckDeps): Promise<ModelCheckRow[]> {
  const routes = MODELS.flatMap((m) => m.routes).map((r) => withOverride(r, deps.settings));
  const byProvider = new Map<ProviderId, RouteSpec[]>();
  const rows: ModelCheckRow[] = [];
  for (const r of routes) {
    const model = wireModel(r);
    if (r.lifecycle.status === 'retired' && !r.modelOverride) {
      rows.push({ routeId: r.id, model, status: 'retired', detail: `Retired on ${r.lifecycle.retiredOn}; never used.` });
      continue;
    }
    byProvider.set(r.provider, [...(byProvider.get(r.provider) ?? []), r]);
  }
  for (const [provider, provRoutes] of byProvider) {
    const name = PROVIDER_NAMES[provider];
    const models = provRoutes.map(wireModel);
    const all = (status: ModelCheckRow['status'], detail: string) =>
      provRoutes.forEach((r, i) => rows.push({ routeId: r.id, model: models[i]!, status, detail }));
    const adapter = deps.adapterFor(provider);
    if (!adapter?.checkModels) {
      all('unchecked', `${name} has no free way to list its models; a retired model is noticed at the first job.`);
      continue;
    }
    let target: ProviderTarget;
    try {
      target = await deps.targetFor(provider);
    } catch {
      all('unchecked', `Add your ${name} key to check.`);
      continue;
    }
    try {
      const found = await adapter.checkModels([...new Set(models)], { ...target, fetch: deps.fetch });
      provRoutes.forEach((r, i) => {
        const model = models[i]!;
        const status = found[model] ?? 'missing';
        const detail =
          status === 'present'
            ? `${name} lists ${model}.`
            : status === 'deprecated'
              ? `${name} lists ${model} as deprecated: expect it to be switched off.`
              : `${name} does not list ${model} for your key.`;
        rows.push({ routeId: r.id, model, status, detail });
      });
    } catch (err) {
      all('error', `Could not check ${name}: ${toAppError(err).message}`);
    }
  }
  const order = new Map(routes.map((r, i) => [r.id, i]));
  return rows.sort((a, b) => (order.get(a.routeId) ?? 0) - (order.get(b.routeId) ?? 0));
}

/**
 * For providers that list their whole catalogue for free (an adapter with listModels), every
 * model the user's key can reach, so the options page can show what else is on offer. A
 * provider without a key, or whose listing fails, is left out: the rows above say why.
 */
export async function reachableModels(deps: ModelCheckDeps): Promise<ReachableModels[]> {
  const providers = [...new Set(MODELS.flatMap((m) => m.routes).map((r) => r.provider))];
  const out: ReachableModels[] = [];
  for (const provider of providers) {
    const adapter = deps.adapterFor(provider);
    if (!adapter?.listModels) continue;
    try {
      const target = await deps.targetFor(provider);
      out.push({ provider: PROVIDER_NAMES[provider], models: await adapter.listModels({ ...target, fetch: deps.fetch }) });
    } catch {
      // No key, or the listing failed: the per-route rows already say so.
    }
  }
  return out;
}
