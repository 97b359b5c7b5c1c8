import { AppError, type ErrorKind } from '../errors';
import { PAGE_READ_MAX_BYTES, type PageReadResult } from './page-read';
import { i18n } from '#i18n';

/** The keyboard shortcut for pick mode, as declared in the manifest's `commands`. */
const PICK_SHORTCUT = 'Alt+Shift+I';

/**
 * The next step after a failed intake, in plain words. Differs from the generic next steps in
 * errors.ts (which speak of providers) because here the user still has other ways in.
 */
export function intakeNextStep(kind: ErrorKind): string {
  switch (kind) {
    // The menu item is named in its own words, so a translation names it the way the menu does.
    case 'not_found':
      return i18n.t('intake.reloadOrOtherWays', [i18n.t('menus.pick'), PICK_SHORTCUT]);
    case 'source_refused':
    case 'timed_out':
    case 'network':
      return i18n.t('intake.otherWays', [i18n.t('menus.pick'), PICK_SHORTCUT]);
    case 'not_an_image':
    case 'unsupported_format':
      return i18n.t('intake.useSupportedFormat');
    case 'too_large':
      return i18n.t('intake.useSmaller');
    default:
      return '';
  }
}

/** Whether "Take a screenshot instead" is worth offering for this failure. */
export function offersScreenshot(kind: ErrorKind): boolean {
  return ['not_found', 'source_refused', 'timed_out', 'network', 'not_an_image', 'unsupported_format', 'too_large'].includes(kind);
}

export function pageReadError(result: Extract<PageReadResult, { ok: false }>): AppError {
  switch (result.reason) {
    case 'tainted':
      return new AppError('source_refused', i18n.t('intake.canvasTainted'));
    case 'too_large':
      return new AppError('too_large', i18n.t('intake.pageImageTooLarge', [PAGE_READ_MAX_BYTES / (1024 * 1024)]));
    case 'not_found':
      return new AppError('not_found', i18n.t('intake.pageImageGone'));
    default:
      return new AppError('source_refused', i18n.t('intake.pageRefused'));
  }
}
