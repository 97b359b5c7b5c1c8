import { i18n } from '#i18n';

export interface CreateBarProps {
  /** Why Create cannot run now; null when it can. */
  blockedBy: string | null;
  /** In compare mode, how many models will run. */
  compareCount?: number;
  onCreate: () => void;
  onVariation: () => void;
}

/**
 * Create, always in reach (sticky at the bottom of the panel), saying why it is disabled
 * when it is, instead of leaving the user to guess at a grey button.
 */
export function CreateBar({ blockedBy, compareCount, onCreate, onVariation }: CreateBarProps) {
  const disabled = blockedBy !== null;
  return (
    <div className="create-bar" role="group" aria-label={i18n.t('panel.create')}>
      <div className="create-buttons">
        <button type="button" className="primary" disabled={disabled} aria-describedby="create-reason" onClick={onCreate}>
          {compareCount ? i18n.t('panel.createCompare', [String(compareCount)]) : i18n.t('panel.create')}
        </button>
        {compareCount ? null : (
          <button type="button" disabled={disabled} title={i18n.t('panel.newVariationHint')} onClick={onVariation}>
            {i18n.t('panel.newVariation')}
          </button>
        )}
      </div>
      <p id="create-reason" className="hint">
        {blockedBy ?? i18n.t('panel.createShortcut')}
      </p>
    </div>
  );
}
