import { i18n } from '#i18n';
import type { JobView } from '@/components/JobCard';
import { findRoute, getModel, PROVIDER_NAMES, type ModelId } from '@/utils/models';
import { notesFor, routeLabel, type RoutingEnv } from '@/utils/routing';
import { resultFileName } from '@/utils/file-name';
import type { JobRecord, ResultRecord } from '@/utils/store/types';
import { routeState } from './hooks';

/** The route a retry would take now, when it is another one than the job's. */
function alternativeFor(modelId: ModelId, routeId: string, env: RoutingEnv | null): string | null {
  if (!env) return null;
  const state = routeState(modelId, env);
  return state.ok && state.choice.route.id !== routeId ? routeLabel(state.choice.route) : null;
}

/** One job and its stored results as the panel shows them (pure: tested without a browser). */
export function toJobView(job: JobRecord, results: ResultRecord[], env: RoutingEnv | null): JobView {
  const found = findRoute(job.routeId);
  const override = job.model && found && job.model !== found.route.endpoint ? job.model : undefined;
  const modelName = getModel(job.request.modelId).name;
  const ordered = [...results].sort((a, b) => a.index - b.index);
  return {
    id: job.id,
    state: job.state,
    prompt: job.request.prompt,
    modelName,
    routeLabel: found ? routeLabel(found.route) : job.routeId,
    createdAt: job.createdAt,
    cached: !!job.cachedFrom,
    via: found ? PROVIDER_NAMES[found.route.provider] : '',
    progress: job.progress,
    error: job.error,
    description: job.description,
    successorNote: found ? notesFor(found.model, found.route).successorNote : undefined,
    modelOverride: override,
    notice: job.notice,
    alternative: job.error?.kind === 'route_unavailable' ? alternativeFor(job.request.modelId, job.routeId, env) : undefined,
    // Images the user deleted leave resultIds; these are the ones removed to make room.
    removedCount: Math.max(0, job.resultIds.length - results.length),
    runId: job.request.runId,
    runIndex: job.request.runIndex,
    results: ordered.map((r, i) => ({
      id: r.id,
      width: r.width,
      height: r.height,
      starred: r.starred,
      alt: i18n.t('panel.resultAlt', [String(i + 1), job.request.prompt]),
      fileName: resultFileName({ modelName, prompt: job.request.prompt, seed: job.seed ?? job.request.settings.seed ?? undefined, index: r.index, mime: String(r.mime), createdAt: r.createdAt }),
    })),
  };
}
