import { useEffect, useRef, type CSSProperties, type ReactNode } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { i18n } from '#i18n';
import type { HistoryEntry, HistoryFilter } from '@/utils/store/history';
import type { JobState } from '@/utils/store/types';
import { fullTime, relativeTime } from './relative-time';

/** Every row is this tall (CSS matches), so the list never measures a row. */
export const ROW_HEIGHT = 72;
/** Rows kept rendered beyond each edge, so fast scrolling and Tab find rows already there. */
export const OVERSCAN = 8;

interface HistoryListProps {
  entries: readonly HistoryEntry[];
  /** A new filter scrolls back to the top; new entries (a reload) keep the place. */
  filter: HistoryFilter;
  /** The time relative dates are counted from. */
  now: number;
  renderThumb: (resultId: string) => ReactNode;
  modelName: (modelId: string) => string;
  onOpen: (entry: HistoryEntry, resultId?: string) => void;
  /** Null: rows have no checkbox. */
  selection: ReadonlySet<string> | null;
  onSelectionChange?: (jobIds: Set<string>) => void;
}

/**
 * The rows, virtualised: only those in view (and a few either side) are in the document, each
 * placed at its offset in a list as tall as all of them. A list of list items, each holding its
 * own controls (a selection checkbox and the button that opens it); aria-setsize and
 * aria-posinset give the full length, which the document alone no longer shows.
 */
export function HistoryList({ entries, filter, now, renderThumb, modelName, onOpen, selection, onSelectionChange }: HistoryListProps) {
  const scroller = useRef<HTMLDivElement>(null);
  // The warning says the React Compiler will not memoise this component, which is right for it:
  // the virtualiser answers new ranges from the same functions. The project does not compile
  // with the React Compiler, and nothing memoised receives the virtualiser.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: entries.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    getItemKey: (index) => entries[index]!.jobId,
    overscan: OVERSCAN,
    // Until the scroller has been measured, assume a screenful, so the first paint has rows.
    initialRect: { width: 360, height: 10 * ROW_HEIGHT },
  });

  // By value, so that a caller building an equal filter object on each render does not pin
  // the list to the top.
  const filterKey = [filter.text, filter.modelId, filter.starredOnly, filter.since, filter.starredFirst].join('\n');
  useEffect(() => {
    if (scroller.current) scroller.current.scrollTop = 0;
  }, [filterKey]);

  function toggle(jobId: string, on: boolean) {
    if (!selection || !onSelectionChange) return;
    const next = new Set(selection);
    if (on) next.add(jobId);
    else next.delete(jobId);
    onSelectionChange(next);
  }

  return (
    <div ref={scroller} className="history-scroll">
      <ul className="history-list" role="list" aria-label={i18n.t('history.listLabel')} style={{ height: virtualizer.getTotalSize() }}>
        {virtualizer.getVirtualItems().map((item) => {
          const entry = entries[item.index]!;
          return (
            <HistoryRow
              key={item.key}
              entry={entry}
              position={item.index + 1}
              count={entries.length}
              style={{ transform: `translateY(${item.start}px)` }}
              now={now}
              thumb={entry.resultIds[0] ? renderThumb(entry.resultIds[0]) : null}
              modelName={modelName(entry.modelId)}
              onOpen={onOpen}
              selected={selection ? selection.has(entry.jobId) : null}
              onToggle={toggle}
            />
          );
        })}
      </ul>
    </div>
  );
}

const STATE_WORDS: Partial<Record<JobState, () => string>> = {
  failed: () => i18n.t('history.failed'),
  canceled: () => i18n.t('history.canceled'),
  timed_out: () => i18n.t('history.timedOut'),
};

function stateWord(state: JobState): string | null {
  if (state === 'done') return null;
  return (STATE_WORDS[state] ?? (() => i18n.t('history.working')))();
}

interface HistoryRowProps {
  entry: HistoryEntry;
  position: number;
  count: number;
  style: CSSProperties;
  now: number;
  /** The first image's thumbnail (unused when the job has none). */
  thumb: ReactNode;
  modelName: string;
  onOpen: (entry: HistoryEntry, resultId?: string) => void;
  /** Null: no checkbox. */
  selected: boolean | null;
  onToggle: (jobId: string, on: boolean) => void;
}

function HistoryRow({ entry, position, count, style, now, thumb, modelName, onOpen, selected, onToggle }: HistoryRowProps) {
  const state = stateWord(entry.state);
  return (
    <li className="history-row" aria-setsize={count} aria-posinset={position} style={style}>
      {selected === null ? null : (
        <input
          type="checkbox"
          className="history-check"
          aria-label={i18n.t('history.select', [entry.prompt])}
          checked={selected}
          onChange={(e) => onToggle(entry.jobId, e.target.checked)}
        />
      )}
      <button type="button" className="history-open" onClick={() => onOpen(entry, entry.resultIds[0])}>
        {/* The button's text names the row; the picture would only repeat it. */}
        <span className="history-thumb" aria-hidden="true">
          {entry.resultIds.length ? thumb : <span className="history-nothumb">{i18n.t('history.noImage')}</span>}
        </span>
        <span className="history-text">
          <span className="history-prompt">{entry.prompt}</span>
          <span className="history-meta">
            {modelName}
            {' \u00b7 '}
            <time dateTime={new Date(entry.createdAt).toISOString()} title={fullTime(entry.createdAt)}>
              {relativeTime(entry.createdAt, now)}
            </time>
            {state ? ` \u00b7 ${state}` : null}
          </span>
        </span>
        {entry.starred ? (
          <span className="history-star">
            <span aria-hidden="true">{'\u2605'}</span>
            <span className="visually-hidden">{i18n.t('history.starred')}</span>
          </span>
        ) : null}
      </button>
    </li>
  );
}
