import { findRoute, type ModelSpec, type RouteSpec } from '@/utils/models';
import type { ModelCheckRow } from '@/utils/model-check';
import { formatDate, routeLabel, withOverride } from '@/utils/routing';
import type { Settings } from '@/utils/settings';
import type { RouteDetailView } from '@/components/RouteDetails';

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
      ...(check ? { check: `Check: ${check.detail}` } : {}),
    };
  });
}

export function lifecycleText(r: RouteSpec): string {
  const life = r.lifecycle;
  switch (life.status) {
    case 'live':
      return `Live (source: ${life.source}).`;
    case 'deprecated':
      return `Deprecated${life.shutdownOn ? `: switched off on ${formatDate(life.shutdownOn)}` : ''}. ${life.note ?? ''} (source: ${life.source})`.replace(/\s+/g, ' ');
    case 'retired': {
      const successor = life.successor ? findRoute(life.successor)?.route : undefined;
      return `Retired on ${formatDate(life.retiredOn)}; never chosen${successor ? `. Replaced by ${routeLabel(successor)}` : ''} (source: ${life.source}).`;
    }
  }
}

/** A route's name in the route picker, with what this browser knows about it. */
export function routeOptionLabel(r: RouteSpec, settings: Settings): string {
  const label = routeLabel(withOverride(r, settings));
  if (settings.unavailableRoutes[r.id]) return `${label}: unavailable`;
  if (r.lifecycle.status === 'deprecated') return `${label}: deprecated`;
  return label;
}
