import { PROVIDER_NAMES, type ModelId } from '@/utils/models';
import { estimateRoute, sumEstimates, type EstimateView, type RouteEstimate } from '@/utils/pricing';
import type { RoutingEnv } from '@/utils/routing';
import type { GenerationSettings } from '@/utils/store/types';
import { routeState } from './hooks';

/**
 * What pressing Create would cost by the providers' published prices: the chosen model's route,
 * or every model of a compare run (summed), with the draft's settings. Null until routing is known.
 * Pure apart from the route choice (tested through the Create bar and utils/pricing.ts).
 */
export function createEstimate(modelId: ModelId, settings: GenerationSettings, compareModels: readonly ModelId[] | null, env: RoutingEnv | null): EstimateView | null {
  if (!env) return null;
  const models = compareModels ?? [modelId];
  const routes = models.map((m) => routeState(m, env));
  const parts: RouteEstimate[] = routes.map((s) => (s.ok ? estimateRoute(s.choice.route, settings) : { priced: false }));
  const sum = sumEstimates(parts);
  const only = routes.length === 1 && routes[0]!.ok ? routes[0]!.choice.route.provider : undefined;
  return only ? { ...sum, providerName: PROVIDER_NAMES[only] } : sum;
}
