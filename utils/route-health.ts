import { updateSettings, type Settings } from './settings';

/**
 * What providers told this browser about routes: a route whose provider said the model does not
 * exist is marked unavailable (with the date and the provider's words) so it is neither chosen
 * nor paid attention to again. Only the provider's explicit answer marks a route; timeouts,
 * 5xx and 429 never do. The user can clear a mark in Settings, and a check that finds the model
 * again clears it.
 */

export function markRouteUnavailable(routeId: string, message: string, model: string | undefined, now = Date.now()): Promise<Settings> {
  return updateSettings((s) => ({
    ...s,
    unavailableRoutes: { ...s.unavailableRoutes, [routeId]: { since: now, message: message.slice(0, 500), ...(model ? { model } : {}) } },
  }));
}

export function clearRouteMark(routeId: string): Promise<Settings> {
  return updateSettings((s) => {
    if (!(routeId in s.unavailableRoutes)) return s;
    const { [routeId]: _gone, ...rest } = s.unavailableRoutes;
    return { ...s, unavailableRoutes: rest };
  });
}

/** Sets (or with an empty value removes) the user's model id for a route; a new id deserves a fresh chance. */
export function setModelOverride(routeId: string, model: string): Promise<Settings> {
  return updateSettings((s) => {
    const modelOverrides = { ...s.modelOverrides };
    if (model.trim()) modelOverrides[routeId] = model.trim();
    else delete modelOverrides[routeId];
    const { [routeId]: _cleared, ...unavailableRoutes } = s.unavailableRoutes;
    return { ...s, modelOverrides, unavailableRoutes };
  });
}

/**
 * What a model check found, applied in one settings write: routes whose model the provider no
 * longer lists are marked, routes it lists again are cleared.
 */
export function applyModelFindings(findings: { missing: ReadonlyArray<{ routeId: string; message: string; model: string }>; present: readonly string[] }, now = Date.now()): Promise<Settings> {
  return updateSettings((s) => {
    const unavailableRoutes = { ...s.unavailableRoutes };
    for (const id of findings.present) delete unavailableRoutes[id];
    for (const m of findings.missing) unavailableRoutes[m.routeId] = { since: now, message: m.message.slice(0, 500), model: m.model };
    return { ...s, unavailableRoutes };
  });
}
