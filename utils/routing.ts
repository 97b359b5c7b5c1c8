import { AppError } from './errors';
import { getModel, PROVIDER_NAMES, type ModelId, type ProviderId, type RouteSpec } from './models';
import { getAdapter } from './providers';
import type { ProviderTarget } from './jobs/engine';
import type { Settings } from './settings';

/**
 * Which route runs a model, and where its requests go. Routing follows the user's keys: the
 * route they chose, else the first route whose provider has a key. In the sandbox build a
 * provider without a key is served by the local sandbox, and the UI says so.
 */

export interface RouteChoice {
  route: RouteSpec;
  /** Where requests will go: the provider, or the local sandbox. */
  via: 'provider' | 'sandbox';
  /** One line for the UI: why this route. */
  reason: string;
}

export interface RoutingEnv {
  settings: Settings;
  configured: ReadonlySet<ProviderId>;
  sandbox: boolean;
}

export function chooseRoute(modelId: ModelId, env: RoutingEnv): RouteChoice {
  const model = getModel(modelId);
  const runnable = model.routes.filter((r) => getAdapter(r.provider));
  const chosenId = env.settings.routes[modelId];
  const chosen = chosenId ? runnable.find((r) => r.id === chosenId) : undefined;
  if (chosen && env.configured.has(chosen.provider)) {
    return { route: chosen, via: 'provider', reason: 'Chosen in Settings.' };
  }
  const keyed = runnable.find((r) => env.configured.has(r.provider));
  if (keyed && !chosen) {
    return { route: keyed, via: 'provider', reason: `Uses your ${PROVIDER_NAMES[keyed.provider]} key.` };
  }
  const fallback = chosen ?? runnable[0];
  if (fallback && env.sandbox) {
    return { route: fallback, via: 'sandbox', reason: `No ${PROVIDER_NAMES[fallback.provider]} key: using the local sandbox.` };
  }
  const wanted = fallback ?? model.routes[0];
  const name = wanted ? PROVIDER_NAMES[wanted.provider] : 'a provider';
  throw new AppError('no_key', `${model.name} needs a ${name} API key. Add it in Settings.`, { provider: wanted?.provider });
}

export function targetFor(provider: ProviderId, env: { settings: Settings; key: string | undefined; sandbox: boolean; sandboxUrl: string; sandboxKey: string }): ProviderTarget {
  if (env.key) return { baseUrl: env.settings.providers[provider].baseUrl, key: env.key };
  if (env.sandbox) return { baseUrl: `${env.sandboxUrl}/${provider}`, key: env.sandboxKey };
  throw new AppError('no_key', `Add your ${PROVIDER_NAMES[provider]} API key in Settings.`, { provider });
}
