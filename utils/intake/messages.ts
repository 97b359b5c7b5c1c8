import { AppError, type ErrorKind } from '../errors';
import type { PageReadResult } from './page-read';

/** The keyboard shortcut for pick mode, as declared in the manifest's `commands`. */
export const PICK_SHORTCUT = 'Alt+Shift+I';

const OTHER_WAYS = `drag it into the panel, choose \u201cPick an image on this page\u201d (${PICK_SHORTCUT}), or take a screenshot instead`;

/**
 * The next step after a failed intake, in plain words. Differs from the generic next steps in
 * errors.ts (which speak of providers) because here the user still has other ways in.
 */
export function intakeNextStep(kind: ErrorKind): string {
  switch (kind) {
    case 'not_found':
      return `Reload the page and try again, or ${OTHER_WAYS}.`;
    case 'source_refused':
    case 'timed_out':
    case 'network':
      return capitalise(`${OTHER_WAYS}.`);
    case 'not_an_image':
    case 'unsupported_format':
      return 'Use a JPEG, PNG or WEBP image, or take a screenshot instead.';
    case 'too_large':
      return 'Use a smaller image, or take a screenshot instead.';
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
      return new AppError('source_refused', 'This canvas shows pictures from another site, and the browser doesn\u2019t let extensions read them.');
    case 'too_large':
      return new AppError('too_large', 'The image in the page is larger than 40 MB.');
    case 'not_found':
      return new AppError('not_found', 'The image is no longer in the page.');
    default:
      return new AppError('source_refused', 'The page didn\u2019t let the extension read this image.');
  }
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
