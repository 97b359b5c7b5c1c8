import { useId } from 'react';
import { i18n } from '#i18n';
import { isTerminal, type JobState } from '@/utils/store/types';

export interface CompareItem {
  /** Absent for a model that could not start (its error says why). */
  jobId?: string;
  modelName: string;
  routeLabel: string;
  state: JobState;
  /** The first image's thumbnail, once there is one. */
  thumbUrl: string | null;
  resultId?: string;
  error?: { message: string };
}

export interface CompareRowProps {
  /** What was asked: the run's prompt. */
  runLabel: string;
  items: CompareItem[];
  /** Iterate on this result (it becomes the image prompt). */
  onPick: (resultId: string) => void;
  onOpen: (resultId: string) => void;
}

/** One compare run: its results side by side, each named by model and route, any one ready to iterate on. */
export function CompareRow({ runLabel, items, onPick, onOpen }: CompareRowProps) {
  return (
    <section className="compare-row" aria-label={i18n.t('compare.rowLabel', [shorten(runLabel)])}>
      <p className="compare-run-label" title={runLabel}>
        {runLabel}
      </p>
      {/* Scrolls sideways at panel width; focusable so the keyboard can scroll it too. */}
      <ul className="compare-items" aria-label={i18n.t('compare.resultsLabel')} tabIndex={0}>
        {items.map((item, i) => (
          <CompareCell key={item.jobId ?? `${item.modelName}-${i}`} item={item} onPick={onPick} onOpen={onOpen} />
        ))}
      </ul>
    </section>
  );
}

function CompareCell({ item, onPick, onOpen }: { item: CompareItem } & Pick<CompareRowProps, 'onPick' | 'onOpen'>) {
  const captionId = useId();
  const { resultId } = item;
  const running = !isTerminal(item.state);
  return (
    <li className={`compare-item ${item.state}`}>
      <figure aria-labelledby={captionId}>
        <div className="compare-thumb">
          {resultId ? (
            <button type="button" className="compare-open" aria-label={i18n.t('compare.open', [item.modelName])} onClick={() => onOpen(resultId)}>
              {item.thumbUrl ? <img src={item.thumbUrl} alt="" /> : null}
            </button>
          ) : running ? (
            <>
              <progress aria-label={i18n.t('compare.progress', [item.modelName])} />
              <span className="muted">{i18n.t('compare.working')}</span>
            </>
          ) : (
            <span className="compare-state">{stateText(item)}</span>
          )}
        </div>
        <figcaption id={captionId}>{i18n.t('compare.itemLabel', [item.modelName, item.routeLabel])}</figcaption>
        {resultId ? (
          <button type="button" className="compare-pick" aria-describedby={captionId} onClick={() => onPick(resultId)}>
            {i18n.t('compare.useThis')}
          </button>
        ) : null}
      </figure>
    </li>
  );
}

function shorten(text: string, max = 80): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}\u2026` : flat;
}

function stateText(item: CompareItem): string {
  if (item.state === 'canceled') return i18n.t('compare.canceled');
  // Done, yet no image to show: it was removed to free space.
  if (item.state === 'done') return i18n.t('compare.gone');
  return item.error?.message ?? i18n.t('compare.failed');
}
