import { i18n } from '#i18n';

export interface ModelCheckBarProps {
  busy: boolean;
  /** The last check's summary or failure; '' before the first. */
  message: string;
  onCheck: () => void;
}

/** The "Check my models" button and what the last check found, announced politely. */
export function ModelCheckBar({ busy, message, onCheck }: ModelCheckBarProps) {
  return (
    <div className="row-actions">
      <button type="button" disabled={busy} onClick={onCheck}>
        {i18n.t('options.checkModels')}
      </button>
      <span role="status">{busy ? i18n.t('options.checking') : message}</span>
    </div>
  );
}
