import { useEffect, useRef, useState, type ChangeEvent } from 'react';
import { i18n } from '#i18n';
import { toAppError } from '@/utils/errors';
import type { ImportSummary, Progress } from '@/utils/workspace/types';

export interface ExportImportProps {
  /** Jobs chosen in the history; "Export selected" shows only when there are some. */
  selectedJobIds?: string[];
  /** Builds the archive: undefined = the whole history. */
  onExport: (jobIds: string[] | undefined, onProgress: Progress) => Promise<Blob>;
  onImport: (file: File, onProgress: Progress) => Promise<ImportSummary>;
  /** The date in the download's name; today by default. */
  today?: () => Date;
}

type State =
  | { kind: 'idle' }
  | { kind: 'working'; task: 'export' | 'import'; done: number; total: number }
  | { kind: 'exported'; fileName: string }
  | { kind: 'imported'; summary: ImportSummary }
  | { kind: 'failed'; message: string };

/** Long enough for the browser to start the download (Firefox reads the URL after the click returns). */
const REVOKE_AFTER_MS = 10_000;

/** Export the history (or the chosen generations) as one .zip, and import one back. */
export function ExportImport({ selectedJobIds = [], onExport, onImport, today = () => new Date() }: ExportImportProps) {
  const [state, setState] = useState<State>({ kind: 'idle' });
  const alive = useRef(true);
  const pendingUrls = useRef(new Set<string>());
  useEffect(() => {
    alive.current = true;
    const urls = pendingUrls.current;
    return () => {
      alive.current = false;
      for (const url of urls) URL.revokeObjectURL(url);
      urls.clear();
    };
  }, []);

  const busy = state.kind === 'working';
  const progressOf = (task: 'export' | 'import'): Progress => (done, total) => {
    if (alive.current) setState({ kind: 'working', task, done, total });
  };

  const runExport = async (jobIds: string[] | undefined) => {
    setState({ kind: 'working', task: 'export', done: 0, total: 0 });
    try {
      const blob = await onExport(jobIds, progressOf('export'));
      const fileName = exportFileName(today());
      download(blob, fileName, pendingUrls.current);
      if (alive.current) setState({ kind: 'exported', fileName });
    } catch (err) {
      if (alive.current) setState({ kind: 'failed', message: toAppError(err).message });
    }
  };

  const runImport = async (e: ChangeEvent<HTMLInputElement>) => {
    const input = e.currentTarget;
    const file = input.files?.[0];
    // Cleared so that choosing the same file again (after a fix) fires another change.
    input.value = '';
    if (!file) return;
    setState({ kind: 'working', task: 'import', done: 0, total: 0 });
    try {
      const summary = await onImport(file, progressOf('import'));
      if (alive.current) setState({ kind: 'imported', summary });
    } catch (err) {
      if (alive.current) setState({ kind: 'failed', message: toAppError(err).message });
    }
  };

  return (
    <section className="workspace" aria-label={i18n.t('workspace.region')}>
      <div className="workspace-actions">
        <button type="button" disabled={busy} onClick={() => void runExport(undefined)}>
          {i18n.t('workspace.exportAll')}
        </button>
        {selectedJobIds.length ? (
          <button type="button" disabled={busy} onClick={() => void runExport([...selectedJobIds])}>
            {i18n.t('workspace.exportSelected', [selectedJobIds.length.toLocaleString()])}
          </button>
        ) : null}
        <label className={`workspace-import${busy ? ' disabled' : ''}`}>
          <input type="file" className="workspace-file" accept=".zip,application/zip" disabled={busy} onChange={(e) => void runImport(e)} />
          {i18n.t('workspace.import')}
        </label>
      </div>
      {selectedJobIds.length ? <p className="hint">{i18n.t('presets.exportHint')}</p> : null}
      {state.kind === 'working' ? (
        <div className="workspace-progress">
          <progress
            aria-label={i18n.t(state.task === 'export' ? 'workspace.exportProgress' : 'workspace.importProgress')}
            max={state.total || undefined}
            value={state.total ? state.done : undefined}
          />
          <span className="muted">{i18n.t(state.task === 'export' ? 'workspace.exporting' : 'workspace.importing')}</span>
        </div>
      ) : null}
      <p role="status" className="workspace-status">
        {state.kind === 'exported' ? i18n.t('workspace.exported', [state.fileName]) : state.kind === 'imported' ? summaryText(state.summary) : ''}
      </p>
      {state.kind === 'imported' && state.summary.problems.length ? (
        <ul className="workspace-problems" aria-label={i18n.t('workspace.problemsLabel')} tabIndex={0}>
          {state.summary.problems.map((problem, i) => (
            <li key={i}>{problem}</li>
          ))}
        </ul>
      ) : null}
      {state.kind === 'failed' ? (
        <p role="alert" className="workspace-error">
          {state.message}
        </p>
      ) : null}
    </section>
  );
}

function summaryText(summary: ImportSummary): string {
  const imported = i18n.t('workspace.imported', summary.jobsAdded, [summary.jobsAdded.toLocaleString()]);
  const jobs = summary.jobsSkipped ? i18n.t('workspace.importedAlreadyHere', [imported, summary.jobsSkipped.toLocaleString()]) : imported;
  const presets = summary.presetsAdded ?? 0;
  if (!presets) return jobs;
  // "Nothing new to import" would be wrong when presets came in.
  if (!summary.jobsAdded && !summary.jobsSkipped) return i18n.t('presets.importedOnly', presets, [presets.toLocaleString()]);
  return i18n.t('presets.plusPresets', presets, [presets.toLocaleString(), jobs]);
}

/** image-prompt-export-YYYY-MM-DD.zip, in the user's own calendar. */
export function exportFileName(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `image-prompt-export-${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}.zip`;
}

function download(blob: Blob, fileName: string, pending: Set<string>): void {
  const url = URL.createObjectURL(blob);
  pending.add(url);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.click();
  setTimeout(() => {
    if (pending.delete(url)) URL.revokeObjectURL(url);
  }, REVOKE_AFTER_MS);
}
