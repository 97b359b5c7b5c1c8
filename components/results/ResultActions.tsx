import { useState } from 'react';
import { i18n } from '#i18n';
import { toAppError } from '@/utils/errors';

export interface ResultActionsProps {
  resultId: string;
  /** Object URL of the full image, for Download; null while it loads. */
  url: string | null;
  /** From resultFileName(). */
  fileName: string;
  starred: boolean;
  /** Copies the image (copyImageToClipboard); a rejection's message is shown to the user. */
  onCopy: (resultId: string) => Promise<void>;
  onUseAsPrompt: (resultId: string) => void;
  /** "Add to image prompt": the result joins the tray after the image prompt; absent, no such button. */
  onAddToPrompt?: (resultId: string) => void;
  onToggleStar: (resultId: string, starred: boolean) => void;
  onDelete: (resultId: string) => void;
  /** Shows or hides the settings the image was made with; without it there is no such button. */
  onToggleSettings?: () => void;
  settingsShown?: boolean;
  /** Id of the element the settings appear in (aria-controls). */
  settingsId?: string;
}

type CopyState = { resultId: string; copied: true } | { resultId: string; copied: false; message: string };

/** Everything one can do with a result, in one compact row. */
export function ResultActions(props: ResultActionsProps) {
  const { resultId, url, fileName, starred, onCopy, onUseAsPrompt, onAddToPrompt, onToggleStar, onDelete, onToggleSettings, settingsShown = false, settingsId } = props;
  const [copy, setCopy] = useState<CopyState | null>(null);
  const [copying, setCopying] = useState(false);
  // The outcome belongs to the image it was for: moving to the next image clears it.
  const shown = copy?.resultId === resultId ? copy : null;

  async function copyImage() {
    setCopying(true);
    setCopy(null);
    try {
      await onCopy(resultId);
      setCopy({ resultId, copied: true });
    } catch (err) {
      setCopy({ resultId, copied: false, message: toAppError(err).message });
    } finally {
      setCopying(false);
    }
  }

  return (
    <div className="result-actions-bar">
      <div role="group" aria-label={i18n.t('results.actionsLabel')} className="result-actions-row">
        {url ? (
          <a className="button-like" href={url} download={fileName}>
            {i18n.t('results.download')}
          </a>
        ) : (
          <button type="button" disabled>
            {i18n.t('results.download')}
          </button>
        )}
        {/* aria-disabled, not disabled: a button disabled under the focus drops it out of the viewer (Esc and Tab then stop working). */}
        <button type="button" aria-disabled={copying} onClick={() => !copying && void copyImage()}>
          {i18n.t('results.copy')}
        </button>
        <button type="button" onClick={() => onUseAsPrompt(resultId)}>
          {i18n.t('results.useAsPrompt')}
        </button>
        {onAddToPrompt ? (
          <button type="button" onClick={() => onAddToPrompt(resultId)}>
            {i18n.t('tray.add')}
          </button>
        ) : null}
        <button
          type="button"
          className="star"
          aria-pressed={starred}
          title={i18n.t(starred ? 'results.starredHint' : 'results.starHint')}
          onClick={() => onToggleStar(resultId, !starred)}
        >
          <span aria-hidden="true">{starred ? '\u2605 ' : '\u2606 '}</span>
          {i18n.t('results.star')}
        </button>
        <button type="button" onClick={() => onDelete(resultId)}>
          {i18n.t('results.delete')}
        </button>
        {onToggleSettings ? (
          <button type="button" aria-expanded={settingsShown} aria-controls={settingsId} onClick={onToggleSettings}>
            {i18n.t(settingsShown ? 'results.hideSettings' : 'results.showSettings')}
          </button>
        ) : null}
      </div>
      <p role="status" className={shown && !shown.copied ? 'result-actions-status error-text' : 'result-actions-status'}>
        {shown ? (shown.copied ? i18n.t('results.copied') : shown.message) : ''}
      </p>
    </div>
  );
}
