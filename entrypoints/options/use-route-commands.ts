import { useMemo } from 'react';
import type { ModelId } from '@/utils/models';
import { clearRouteMark, setModelOverride } from '@/utils/route-health';
import { ModelIdOverride, updateSettings } from '@/utils/settings';
import { i18n } from '#i18n';

export interface RouteCommands {
  /** '' goes back to automatic. */
  chooseRoute: (modelId: ModelId, routeId: string) => Promise<void>;
  markAvailable: (routeId: string) => Promise<void>;
  /** Resolves to why the model id was refused, or null when saved ('' goes back to the catalogue's). */
  saveOverride: (routeId: string, model: string) => Promise<string | null>;
}

/** The route table's and route details' commands; each ends by reading the page's state again. */
export function useRouteCommands(refresh: () => Promise<void>): RouteCommands {
  return useMemo(
    () => ({
      async chooseRoute(modelId, routeId) {
        await updateSettings((current) => {
          const routes = { ...current.routes };
          if (routeId) routes[modelId] = routeId;
          else delete routes[modelId];
          return { ...current, routes };
        });
        await refresh();
      },
      async markAvailable(routeId) {
        await clearRouteMark(routeId);
        await refresh();
      },
      async saveOverride(routeId, model) {
        const parsed = model.trim() ? ModelIdOverride.safeParse(model) : null;
        if (parsed && !parsed.success) {
          // The schema's own messages are English; say it in the page's language instead.
          return parsed.error.issues[0]?.code === 'invalid_format' ? i18n.t('options.modelIdCharacters') : i18n.t('options.notModelId');
        }
        await setModelOverride(routeId, parsed ? parsed.data : '');
        await refresh();
        return null;
      },
    }),
    [refresh],
  );
}
