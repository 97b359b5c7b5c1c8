import { ADAPTED_PROVIDERS, findRoute, MODELS, type ModelId, type ModelSpec, type ProviderId, type RouteSpec } from '@/utils/models';
import type { ModelCheckRow } from '@/utils/model-check';
import { chooseRoute, formatDate, routeLabel, withOverride } from '@/utils/routing';
import type { Settings } from '@/utils/settings';
import { toAppError } from '@/utils/errors';
import type { RouteDetailView } from '@/components/RouteDetails';
import { i18n } from '#i18n';

/** One row of the options page's route table: where a model runs, why, and the routes to pick from. */
export interface ModelRouteRow {
  modelId: ModelId;
  modelName: string;
  runsOn: string;
  why: string;
  /** The route chosen in Settings, or '' for automatic. */
  chosen: string;
  choices: Array<{ id: string; label: string }>;
}

export function modelRouteRows(settings: Settings, configured: ReadonlySet<ProviderId>, sandbox: boolean): ModelRouteRow[] {
  return MODELS.map((m) => {
    const [runsOn, why] = describeRoute(m.id, settings, configured, sandbox);
    return {
      modelId: m.id,
      modelName: m.name,
      runsOn,
      why,
      chosen: settings.routes[m.id] ?? '',
      choices: m.routes
        .filter((r) => ADAPTED_PROVIDERS.has(r.provider) && r.lifecycle.status !== 'retired')
        .map((r) => ({ id: r.id, label: routeOptionLabel(r, settings) })),
    };
  });
}

function describeRoute(modelId: ModelId, settings: Settings, configured: ReadonlySet<ProviderId>, sandbox: boolean): [string, string] {
  try {
    const c = chooseRoute(modelId, { settings, configured, sandbox });
    return [routeLabel(c.route), [c.reason, c.successorNote, c.warning].filter(Boolean).join(' ')];
  } catch (err) {
    // A dash, not words: the reason beside it says why nothing runs.
    return ['\u2014', toAppError(err).message];
  }
}

/** Maps a model's catalogue routes and this browser's knowledge onto what the options page shows. */
export function routeDetailViews(model: ModelSpec, settings: Settings, checks: ReadonlyMap<string, ModelCheckRow>): RouteDetailView[] {
  return model.routes.map((catalogued) => {
    const r = withOverride(catalogued, settings);
    const mark = settings.unavailableRoutes[r.id];
    const check = checks.get(r.id);
    return {
      id: r.id,
      label: routeLabel(r),
      defaultModel: catalogued.endpoint,
      override: settings.modelOverrides[r.id] ?? '',
      lifecycle: lifecycleText(r),
      retired: r.lifecycle.status === 'retired',
      ...(mark ? { unavailable: { since: formatDate(mark.since), message: mark.message } } : {}),
      ...(check ? { check: i18n.t('options.checkFinding', [check.detail]) } : {}),
    };
  });
}

export function lifecycleText(r: RouteSpec): string {
  const life = r.lifecycle;
  switch (life.status) {
    case 'live':
      return i18n.t('options.lifeLive', [life.source]);
    case 'deprecated': {
      const text = life.shutdownOn
        ? i18n.t('options.lifeDeprecatedOn', [formatDate(life.shutdownOn), life.note ?? '', life.source])
        : i18n.t('options.lifeDeprecated', [life.note ?? '', life.source]);
      // Without a note the sentence has a gap where it would have been.
      return text.replace(/\s+/g, ' ');
    }
    case 'retired': {
      const successor = life.successor ? findRoute(life.successor)?.route : undefined;
      return successor
        ? i18n.t('options.lifeRetiredReplaced', [formatDate(life.retiredOn), routeLabel(successor), life.source])
        : i18n.t('options.lifeRetired', [formatDate(life.retiredOn), life.source]);
    }
  }
}

/** A route's name in the route picker, with what this browser knows about it. */
export function routeOptionLabel(r: RouteSpec, settings: Settings): string {
  const label = routeLabel(withOverride(r, settings));
  if (settings.unavailableRoutes[r.id]) return i18n.t('options.routeUnavailable', [label]);
  if (r.lifecycle.status === 'deprecated') return i18n.t('options.routeDeprecated', [label]);
  return label;
}

/** What "Check my models" found, in one line. */
export function checkSummary(rows: readonly ModelCheckRow[]): string {
  const gone = rows.filter((r) => r.status === 'missing').length;
  const checked = rows.filter((r) => r.status === 'present' || r.status === 'deprecated' || r.status === 'missing').length;
  return gone ? i18n.t('options.checkedGone', [checked, gone]) : i18n.t('options.checked', [checked]);
}
