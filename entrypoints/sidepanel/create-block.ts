import { i18n } from '#i18n';
import { routeNeedsImage } from '@/utils/models';
import type { RouteState } from './hooks';

export interface CreateInputs {
  loaded: boolean;
  prompt: string;
  route: RouteState | null;
  intakeLoading: boolean;
  /** Whether an image prompt is set (some routes cannot run without one). */
  hasReference?: boolean;
  busy: boolean;
  /** In compare mode: how many models are chosen (2 to 6 may run). */
  compareCount?: number;
}

/**
 * Why Create cannot run now, in words the user can act on; null when it can. The button stays
 * visible (sticky) and says this next to it, instead of being silently grey.
 */
export function createBlockReason(inputs: CreateInputs): string | null {
  if (!inputs.loaded || inputs.route === null) return i18n.t('panel.blockLoading');
  if (inputs.busy) return i18n.t('panel.blockSending');
  if (inputs.intakeLoading) return i18n.t('panel.blockIntake');
  if (inputs.prompt.trim().length === 0) return i18n.t('panel.blockPrompt');
  if (inputs.compareCount !== undefined) {
    if (inputs.compareCount < 2 || inputs.compareCount > 6) return i18n.t('panel.blockCompareCount');
    return null;
  }
  if (!inputs.route.ok) return inputs.route.error.message;
  if (!inputs.hasReference && routeNeedsImage(inputs.route.choice.route)) return i18n.t('panel.blockImage');
  return null;
}
