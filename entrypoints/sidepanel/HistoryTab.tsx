import { useMemo, useState } from 'react';
import { i18n } from '#i18n';
import { HistoryView } from '@/components/history/HistoryView';
import { LineageTree } from '@/components/lineage/LineageTree';
import { ErrorNotice } from '@/components/ErrorNotice';
import { getModel, type ModelId } from '@/utils/models';
import { DEFAULT_HISTORY_FILTER, type HistoryEntry, type HistoryFilter } from '@/utils/store/history';
import { buildLineage } from '@/utils/store/lineage';
import { useHistory } from './use-history';
import { useThumbUrl } from './thumbs';
import { ExportImportBar } from './ExportImportBar';
import '@/components/workspace/workspace.css';

export interface HistoryTabProps {
  /** The job whose lineage is shown instead of the list; null shows the list. */
  lineageOf: string | null;
  onLineageOf: (jobId: string | null) => void;
  onOpen: (jobId: string, resultId: string) => void;
  /** Makes a node the current draft: its first image as the image prompt, its prompt, model and settings. */
  onRestart: (entry: HistoryEntry) => void;
}

const modelName = (id: string) => getModel(id as ModelId).name;

function Thumb({ resultId }: { resultId: string }) {
  const url = useThumbUrl(resultId);
  return url ? <img src={url} alt="" width={56} height={56} decoding="async" /> : <span className="thumb-placeholder" aria-hidden="true" />;
}
const renderThumb = (resultId: string) => <Thumb resultId={resultId} />;

/** Every generation (searchable, filterable, virtualised), and the lineage of any of them. */
export default function HistoryTab({ lineageOf, onLineageOf, onOpen, onRestart }: HistoryTabProps) {
  const history = useHistory();
  const [filter, setFilter] = useState<HistoryFilter>(DEFAULT_HISTORY_FILTER);
  const [selection, setSelection] = useState<ReadonlySet<string>>(new Set());
  const byId = useMemo(() => new Map((history.entries ?? []).map((e) => [e.jobId, e])), [history.entries]);
  const lineage = useMemo(() => {
    if (!lineageOf || !history.entries) return null;
    const entries = history.entries.map((e) => ({
      jobId: e.jobId,
      ...(e.parentJobId ? { parentJobId: e.parentJobId } : {}),
      createdAt: e.createdAt,
      prompt: e.prompt,
      modelId: e.modelId,
      ...(e.resultIds[0] ? { firstResultId: e.resultIds[0] } : {}),
    }));
    return buildLineage(entries, lineageOf);
  }, [lineageOf, history.entries]);

  if (lineageOf) {
    return (
      <section className="lineage-view" aria-labelledby="lineage-heading">
        <header className="lineage-header">
          <h2 id="lineage-heading">{i18n.t('panel.lineageTitle')}</h2>
          <button type="button" onClick={() => onLineageOf(null)}>
            {i18n.t('panel.backToHistory')}
          </button>
        </header>
        {lineage ? (
          <LineageTree
            key={lineageOf}
            focusOnMount
            tree={lineage.tree}
            focusJobId={lineageOf}
            renderThumb={renderThumb}
            modelName={modelName}
            onOpen={(jobId) => {
              const first = byId.get(jobId)?.resultIds[0];
              if (first) onOpen(jobId, first);
            }}
            onRestart={(jobId) => {
              const entry = byId.get(jobId);
              if (entry) onRestart(entry);
            }}
          />
        ) : (
          <p className="hint">{history.entries ? i18n.t('panel.lineageMissing') : i18n.t('panel.loadingHistory')}</p>
        )}
      </section>
    );
  }

  return (
    <>
      {history.error ? <ErrorNotice error={history.error} /> : null}
      <HistoryView
        entries={history.entries}
        complete={history.complete}
        filter={filter}
        onFilterChange={setFilter}
        renderThumb={renderThumb}
        modelName={modelName}
        onOpen={(entry, resultId) => {
          if (resultId) onOpen(entry.jobId, resultId);
          else onLineageOf(entry.jobId);
        }}
        selection={selection}
        onSelectionChange={setSelection}
        toolbar={<ExportImportBar selection={selection} />}
      />
    </>
  );
}
