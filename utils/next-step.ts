import { i18n } from '#i18n';
import type { ErrorKind } from './errors';

/**
 * The next step we suggest for each kind of error, shown under its message. Kept apart from
 * errors.ts, which Node-side tools import without WXT's texts module; read when shown (not at
 * load), in the browser's language. A canceled job needs no advice.
 */
export function nextStep(kind: ErrorKind): string {
  switch (kind) {
    case 'no_key':
      return i18n.t('errors.noKey');
    case 'bad_key':
      return i18n.t('errors.badKey');
    case 'out_of_credit':
      return i18n.t('errors.outOfCredit');
    case 'rate_limited':
      return i18n.t('errors.rateLimited');
    case 'invalid_input':
      return i18n.t('errors.invalidInput');
    case 'moderated':
      return i18n.t('errors.moderated');
    case 'provider_down':
      return i18n.t('errors.providerDown');
    case 'timed_out':
      return i18n.t('errors.timedOut');
    case 'network':
      return i18n.t('errors.network');
    case 'bad_reply':
      return i18n.t('errors.badReply');
    case 'may_have_been_charged':
      return i18n.t('errors.mayHaveBeenCharged');
    case 'route_unavailable':
      return i18n.t('errors.routeUnavailable');
    case 'canceled':
      return '';
    case 'not_found':
      return i18n.t('errors.notFound');
    case 'not_an_image':
      return i18n.t('errors.notAnImage');
    case 'unsupported_format':
      return i18n.t('errors.unsupportedFormat');
    case 'too_large':
      return i18n.t('errors.tooLarge');
    case 'source_refused':
      return i18n.t('errors.sourceRefused');
    case 'storage_full':
      return i18n.t('errors.storageFull');
    case 'internal':
      return i18n.t('errors.internal');
  }
}
