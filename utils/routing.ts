import { AppError } from './errors';
import { ADAPTED_PROVIDERS, findRoute, KEYLESS_PROVIDERS, PROVIDER_BASE_URLS, getModel, PROVIDER_NAMES, wireModel, type ModelId, type ModelSpec, type ProviderId, type RouteSpec } from './models';
import type { ProviderTarget } from './providers/types';
import type { Settings } from './settings';
import { i18n } from '#i18n';

/**
 * Which route runs a model, and where its requests go. Routing follows the route lifecycles in
 * the catalogue, what the providers told this browser, and the user's keys:
 *   1. never a retired route, nor one a provider said no longer exists (marked unavailable);
 *   2. the route the user chose in Settings, if it is still usable;
 *   3. else the first live route whose provider has a key, then the first deprecated one;
 *   4. in the sandbox build, a provider without a key is served by the local sandbox.
 * Deliberately free of adapter code: the panel imports this, and must stay light.
 */

export interface RouteChoice {
  route: RouteSpec;
  /** Where requests will go: the provider, or the local sandbox. */
  via: 'provider' | 'sandbox';
  /** One line for the UI: why this route. */
  reason: string;
  /** Said plainly when the row runs on a successor: what was retired, when, and what runs now. */
  successorNote?: string;
  /** A deprecated route's announced shutdown, or a doubt about it. */
  warning?: string;
}

export interface RoutingEnv {
  settings: Settings;
  configured: ReadonlySet<ProviderId>;
  sandbox: boolean;
}

/** Why a route cannot be used on this browser now, or null when it can. */
function unusableReason(route: RouteSpec, settings: Settings): string | null {
  if (!ADAPTED_PROVIDERS.has(route.provider)) return i18n.t('routing.notSupported', [PROVIDER_NAMES[route.provider]]);
  if (route.lifecycle.status === 'retired') return i18n.t('routing.retiredOn', [formatDate(route.lifecycle.retiredOn)]);
  const mark = settings.unavailableRoutes[route.id];
  if (mark) return i18n.t('routing.providerDropped', [PROVIDER_NAMES[route.provider], formatDate(mark.since)]);
  return null;
}

/** The catalogue route with the user's model id applied, if they set one. */
export function withOverride(route: RouteSpec, settings: Settings): RouteSpec {
  const model = settings.modelOverrides[route.id];
  return model && model !== route.endpoint ? { ...route, modelOverride: model } : route;
}

/** Routes of a model that may run, best first: live before deprecated, catalogue order within. */
export function usableRoutes(model: ModelSpec, settings: Settings): RouteSpec[] {
  const usable = model.routes.filter((r) => unusableReason(r, settings) === null);
  const rank = (r: RouteSpec) => (r.lifecycle.status === 'live' ? 0 : 1);
  return usable.map((r, i) => ({ r, i })).sort((a, b) => rank(a.r) - rank(b.r) || a.i - b.i).map(({ r }) => r);
}

export function chooseRoute(modelId: ModelId, env: RoutingEnv): RouteChoice {
  const model = getModel(modelId);
  const candidates = usableRoutes(model, env.settings);
  const chosenId = env.settings.routes[modelId];
  const chosenSpec = chosenId ? findRoute(chosenId)?.route : undefined;
  const chosenProblem = chosenSpec ? unusableReason(chosenSpec, env.settings) : null;
  const chosen = chosenSpec && !chosenProblem ? chosenSpec : undefined;
  // The user's choice no longer works: say why, then route as if they had left it automatic.
  const explain = (text: string) =>
    chosenSpec && chosenProblem ? i18n.t('routing.chosenUnavailable', [chosenProblem.replace(/\.$/, ''), text]) : text;

  const pick = (route: RouteSpec, via: RouteChoice['via'], reason: string): RouteChoice => ({
    route: withOverride(route, env.settings),
    via,
    reason: explain(reason),
    ...notesFor(model, route),
  });

  if (chosen && env.configured.has(chosen.provider)) return pick(chosen, 'provider', i18n.t('routing.chosen'));
  if (!chosen) {
    const keyed = candidates.find((r) => env.configured.has(r.provider));
    if (keyed) return pick(keyed, 'provider', i18n.t('routing.usesKey', [PROVIDER_NAMES[keyed.provider]]));
  }
  const fallback = chosen ?? candidates[0];
  if (fallback && env.sandbox) {
    return pick(fallback, 'sandbox', i18n.t('routing.sandbox', [PROVIDER_NAMES[fallback.provider]]));
  }
  if (!fallback) throw new AppError('route_unavailable', explain(i18n.t('routing.noRoute', [model.name])));
  // Name every provider that could run it, so one key is enough to find.
  // Providers without keys (the user's own ComfyUI) are set up in their own section, not named here.
  const keyed = (chosen ? [chosen] : candidates).filter((r) => !KEYLESS_PROVIDERS.has(r.provider));
  const providers = [...new Set((keyed.length > 0 ? keyed : candidates).map((r) => PROVIDER_NAMES[r.provider]))];
  throw new AppError('no_key', explain(i18n.t('routing.needsKey', [model.name, formatOrList(providers)])), { provider: fallback.provider });
}

/** The successor note and deprecation warning for a model running on a route. */
export function notesFor(model: ModelSpec, route: RouteSpec): Pick<RouteChoice, 'successorNote' | 'warning'> {
  const out: Pick<RouteChoice, 'successorNote' | 'warning'> = {};
  if (model.retired && route.runs) {
    out.successorNote = i18n.t('routing.successorRetired', [model.retired.what, model.retired.by, formatDate(model.retired.on), route.runs]);
  } else if (route.runs) {
    out.successorNote = i18n.t('routing.successor', [route.runs]);
  }
  const life = route.lifecycle;
  if (life.status === 'deprecated') {
    // A catalogue note is the provider's own words, in English: it is quoted, not translated.
    out.warning = life.shutdownOn
      ? i18n.t('routing.switchOffOn', [PROVIDER_NAMES[route.provider], formatDate(life.shutdownOn)])
      : (life.note ?? i18n.t('routing.maySwitchOff', [PROVIDER_NAMES[route.provider]]));
  }
  return out;
}

/**
 * The locale of the texts themselves (routing.textLocale), not the browser's: a date or list
 * sits inside a sentence, and must read the way that sentence's language writes it.
 */
function textLocale(): string {
  return i18n.t('routing.textLocale');
}

/** "30 June 2026" in English texts, the same in every time zone. */
export function formatDate(when: string | number): string {
  const date = typeof when === 'number' ? new Date(when) : new Date(`${when}T00:00:00Z`);
  return new Intl.DateTimeFormat(textLocale(), { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(date);
}

/** "fal, Replicate or Black Forest Labs" in English texts. */
function formatOrList(items: readonly string[]): string {
  return new Intl.ListFormat(textLocale(), { type: 'disjunction' }).format(items);
}

/** A route's name for people: provider and model, and what happens to the image. */
export function routeLabel(r: RouteSpec): string {
  const how = r.imageInput === 'native' ? i18n.t('routing.sendsImage') : i18n.t('routing.describesImage');
  const what = r.label ?? (r.runs ? `${r.runs} (${wireModel(r)})` : wireModel(r));
  return i18n.t('routing.routeLabel', [PROVIDER_NAMES[r.provider], what, how]);
}

export function targetFor(provider: ProviderId, env: { baseUrl: string; key: string | undefined; sandbox: boolean; sandboxUrl: string; sandboxKey: string }): ProviderTarget {
  if (env.key) return { baseUrl: env.baseUrl, key: env.key };
  if (KEYLESS_PROVIDERS.has(provider)) {
    // The user's own server takes no key. In the sandbox build, its default address stands for
    // the sandbox's stand-in; an address the user typed is used as it is.
    const viaSandbox = env.sandbox && env.baseUrl === PROVIDER_BASE_URLS[provider];
    return viaSandbox ? { baseUrl: `${env.sandboxUrl}/${provider}`, key: '' } : { baseUrl: env.baseUrl, key: '' };
  }
  if (env.sandbox) return { baseUrl: `${env.sandboxUrl}/${provider}`, key: env.sandboxKey };
  throw new AppError('no_key', i18n.t('routing.addKey', [PROVIDER_NAMES[provider]]), { provider });
}
