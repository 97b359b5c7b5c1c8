import { useEffect, useMemo, useRef, type ReactNode } from 'react';
import { i18n } from '#i18n';
import { MODELS, type ModelId } from '@/utils/models';
import {
  clearHistoryFilter,
  filterHistory,
  isFiltering,
  type HistoryEntry,
  type HistoryFilter,
  type HistorySince,
} from '@/utils/store/history';
import { HistoryList } from './HistoryList';
import { useNow } from './use-now';

export interface HistoryViewProps {
  /** Every generation, newest first; null while loading. */
  entries: HistoryEntry[] | null;
  /** False while `entries` holds only the first page (the count waits for the rest). */
  complete?: boolean;
  filter: HistoryFilter;
  onFilterChange: (filter: HistoryFilter) => void;
  renderThumb: (resultId: string) => ReactNode;
  modelName: (modelId: string) => string;
  /** A row was opened; `resultId` is the image its thumbnail shows (absent when it has none). */
  onOpen: (entry: HistoryEntry, resultId?: string) => void;
  /** Selected job ids; rows get a checkbox when `onSelectionChange` is given. */
  selection?: ReadonlySet<string>;
  onSelectionChange?: (jobIds: Set<string>) => void;
  /** Actions on the history (export, import), shown beside the count. */
  toolbar?: ReactNode;
}

const NO_SELECTION: ReadonlySet<string> = new Set();

const SINCE_LABELS: Record<HistorySince, () => string> = {
  all: () => i18n.t('history.anyTime'),
  today: () => i18n.t('history.today'),
  '7d': () => i18n.t('history.last7'),
  '30d': () => i18n.t('history.last30'),
};

/**
 * Every generation ever made: search, filters and a virtualised list, so that thousands of
 * entries scroll smoothly. The filter lives with the caller, so it survives tab switches.
 */
export function HistoryView({
  entries,
  complete = true,
  filter,
  onFilterChange,
  renderThumb,
  modelName,
  onOpen,
  selection = NO_SELECTION,
  onSelectionChange,
  toolbar,
}: HistoryViewProps) {
  const now = useNow();
  const shown = useMemo(() => (entries ? filterHistory(entries, filter, now) : []), [entries, filter, now]);
  const filtering = isFiltering(filter);
  const set = (patch: Partial<HistoryFilter>) => onFilterChange({ ...filter, ...patch });

  return (
    <section className="history">
      <div className="history-filters" role="search" aria-label={i18n.t('history.filtersLabel')}>
        <input
          type="search"
          className="history-search"
          aria-label={i18n.t('history.search')}
          placeholder={i18n.t('history.search')}
          value={filter.text}
          onChange={(e) => set({ text: e.target.value })}
        />
        <div className="history-filter-row">
          <select aria-label={i18n.t('history.model')} value={filter.modelId} onChange={(e) => set({ modelId: e.target.value as ModelId | 'all' })}>
            <option value="all">{i18n.t('history.allModels')}</option>
            {MODELS.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name}
              </option>
            ))}
          </select>
          <select aria-label={i18n.t('history.date')} value={filter.since} onChange={(e) => set({ since: e.target.value as HistorySince })}>
            {(Object.keys(SINCE_LABELS) as HistorySince[]).map((since) => (
              <option key={since} value={since}>
                {SINCE_LABELS[since]()}
              </option>
            ))}
          </select>
        </div>
        <div className="history-filter-row">
          <label>
            <input type="checkbox" checked={filter.starredOnly} onChange={(e) => set({ starredOnly: e.target.checked })} />
            {i18n.t('history.starredOnly')}
          </label>
          <label>
            <input type="checkbox" checked={filter.starredFirst} onChange={(e) => set({ starredFirst: e.target.checked })} />
            {i18n.t('history.starredFirst')}
          </label>
        </div>
      </div>
      <div className="history-bar">
        {onSelectionChange && shown.length > 0 ? <SelectAll shown={shown} selection={selection} onSelectionChange={onSelectionChange} /> : null}
        <p role="status" className="history-count">
          {countText(entries, shown, filtering, complete)}
        </p>
        {toolbar ? <div className="history-toolbar">{toolbar}</div> : null}
      </div>
      {entries === null ? null : entries.length === 0 ? (
        <div className="history-empty">
          <p>{i18n.t('history.empty')}</p>
          <p className="hint">{i18n.t('history.emptyHint')}</p>
        </div>
      ) : shown.length === 0 ? (
        <div className="history-empty">
          <p>{i18n.t('history.noMatch')}</p>
          <button type="button" onClick={() => onFilterChange(clearHistoryFilter(filter))}>
            {i18n.t('history.clearFilters')}
          </button>
        </div>
      ) : (
        <HistoryList
          entries={shown}
          filter={filter}
          now={now}
          renderThumb={renderThumb}
          modelName={modelName}
          onOpen={onOpen}
          selection={onSelectionChange ? selection : null}
          onSelectionChange={onSelectionChange}
        />
      )}
    </section>
  );
}

function countText(entries: HistoryEntry[] | null, shown: readonly HistoryEntry[], filtering: boolean, complete: boolean): string {
  if (!entries || !complete) return i18n.t('history.loading');
  if (filtering) return i18n.t('history.countOf', entries.length, [shown.length.toLocaleString(), entries.length.toLocaleString()]);
  return i18n.t('history.count', entries.length, [entries.length.toLocaleString()]);
}

/** One checkbox for every row the filters show: checked when all are selected, mixed when some are. */
function SelectAll({
  shown,
  selection,
  onSelectionChange,
}: {
  shown: readonly HistoryEntry[];
  selection: ReadonlySet<string>;
  onSelectionChange: (jobIds: Set<string>) => void;
}) {
  const box = useRef<HTMLInputElement>(null);
  const selectedShown = useMemo(() => shown.reduce((n, e) => (selection.has(e.jobId) ? n + 1 : n), 0), [shown, selection]);
  const all = selectedShown === shown.length;
  const some = selectedShown > 0 && !all;
  useEffect(() => {
    if (box.current) box.current.indeterminate = some;
  }, [some]);
  function toggle() {
    const next = new Set(selection);
    for (const e of shown) {
      if (all) next.delete(e.jobId);
      else next.add(e.jobId);
    }
    onSelectionChange(next);
  }
  return (
    <label className="history-select-all" title={i18n.t('history.selectAll')}>
      <input ref={box} type="checkbox" checked={all} onChange={toggle} />
      <span className="visually-hidden">{i18n.t('history.selectAll')}</span>
    </label>
  );
}
