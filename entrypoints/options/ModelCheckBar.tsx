import { i18n } from '#i18n';
import type { ReachableModels } from '@/utils/model-check';

export interface ModelCheckBarProps {
  busy: boolean;
  /** The last check's summary or failure; '' before the first. */
  message: string;
  /** From the last check: every model a key can reach, per provider that lists its catalogue. */
  reachable?: readonly ReachableModels[];
  onCheck: () => void;
}

/** The "Check my models" button and what the last check found, announced politely. */
export function ModelCheckBar({ busy, message, reachable = [], onCheck }: ModelCheckBarProps) {
  return (
    <>
      <div className="row-actions">
        <button type="button" disabled={busy} onClick={onCheck}>
          {i18n.t('options.checkModels')}
        </button>
        <span role="status">{busy ? i18n.t('options.checking') : message}</span>
      </div>
      {reachable.map((r) => (
        <details key={r.provider} className="reachable-models">
          <summary>{i18n.t('reachable.summary', r.models.length, [r.provider, String(r.models.length)])}</summary>
          <ul aria-label={i18n.t('reachable.list', [r.provider])}>
            {r.models.map((m) => (
              <li key={m}>
                <code>{m}</code>
              </li>
            ))}
          </ul>
        </details>
      ))}
    </>
  );
}
