import { useCallback, useEffect, useState } from 'react';
import { browser } from 'wxt/browser';
import { i18n } from '#i18n';
import { PanelTabs } from '@/components/PanelTabs';
import { UndoToast } from '@/components/results/UndoToast';
import { ErrorNotice } from '@/components/ErrorNotice';
import { toAppError, type SerializedError } from '@/utils/errors';
import { adoptResult } from './lazy-intake';
import { send } from '@/utils/protocol';
import { SANDBOX_BUILD } from '@/utils/settings';
import { deleteResults, restoreResults, type DeletedResults } from '@/utils/store/results';
import { getReference } from '@/utils/store/references';
import { db } from '@/utils/store/schema';
import type { HistoryEntry } from '@/utils/store/history';
import type { GenerationSettings, JobRecord, JobRequest, ReferenceUse } from '@/utils/store/types';
import { trayOf } from '@/utils/reference-plan';
import { useDraft } from './hooks';
import { useGeneration } from './use-generation';
import { CreateTab } from './CreateTab';
import type { ViewerTarget } from './use-viewer';
import type { RunActions } from './RunView';
import { moduleLoader, useModule } from './use-module';

// History, lineage and their virtualiser load when first shown: the panel opens on Create.
const historyTab = moduleLoader(() => import('./HistoryTab'));
// The large viewer (and its copy and details code) loads when an image is first opened.
const viewerHost = moduleLoader(() => import('./ViewerHost'));

type Tab = 'create' | 'history';

/** The side panel: Create and History, the large viewer over both, and the undo of a delete. */
export function App() {
  const [draft, patch, loaded] = useDraft();
  const generation = useGeneration();
  // sidepanel.html#history opens on History (a link from elsewhere, and the history benchmark).
  const [tab, setTab] = useState<Tab>(() => (location.hash === '#history' ? 'history' : 'create'));
  const [viewing, setViewing] = useState<ViewerTarget | null>(null);
  const [lineageOf, setLineageOf] = useState<string | null>(null);
  const [deleted, setDeleted] = useState<{ key: number; undo: DeletedResults } | null>(null);
  const [actionError, setActionError] = useState<SerializedError | null>(null);
  const History = useModule(historyTab, tab === 'history')?.default;
  const Viewer = useModule(viewerHost, viewing !== null)?.default;
  const openSettings = useCallback(() => void browser.runtime.openOptionsPage(), []);

  // A panel opening wakes a worker that was stopped mid-job, so its jobs go on at once
  // rather than at the next resume alarm.
  useEffect(() => {
    void send('jobs.resume', {}).catch(() => {});
  }, []);

  const attempt = useCallback(async (work: () => Promise<unknown>) => {
    setActionError(null);
    try {
      await work();
    } catch (err) {
      setActionError(toAppError(err).toJSON());
    }
  }, []);

  const useAsPrompt = useCallback(
    (resultId: string) =>
      void attempt(async () => {
        setViewing(null);
        setTab('create');
        await adoptResult(resultId);
      }),
    [attempt],
  );

  /** "Add to image prompt": the result joins the tray after the image prompt. */
  const addToPrompt = useCallback(
    (resultId: string) =>
      void attempt(async () => {
        setViewing(null);
        setTab('create');
        await adoptResult(resultId, 'add');
      }),
    [attempt],
  );

  /** Puts a past generation's inputs back in the form (the seed it actually used included, and its whole tray). */
  const reuse = useCallback(
    async (request: JobRequest, seed: number | undefined, references: ReferenceUse[]) => {
      const settings: GenerationSettings = { ...request.settings, seed: seed ?? request.settings.seed };
      patch({ prompt: request.prompt, modelId: request.modelId, settings, description: null, references, referenceId: references[0]?.referenceId ?? null });
      setViewing(null);
      setTab('create');
      generation.say(i18n.t('panel.reuseNotice'));
    },
    [patch, generation],
  );

  const onReuse = useCallback(
    (job: JobRecord) =>
      void attempt(async () => {
        // Only the images still stored come back (an evicted one would fail at Create).
        const tray = trayOf(job.request);
        const stored = await Promise.all(tray.map((r) => getReference(r.referenceId)));
        await reuse(job.request, job.seed, tray.filter((_, i) => stored[i]));
      }),
    [attempt, reuse],
  );

  const onRestart = useCallback(
    (entry: HistoryEntry) =>
      void attempt(async () => {
        const first = entry.resultIds[0];
        setLineageOf(null);
        if (first) await adoptResult(first);
        const settings: GenerationSettings = entry.settings;
        patch({ prompt: entry.prompt, modelId: entry.modelId, settings, description: null });
        setTab('create');
        generation.say(i18n.t('panel.restartNotice'));
      }),
    [attempt, patch, generation],
  );

  const onDelete = useCallback(
    (resultId: string) =>
      void attempt(async () => {
        const undo = await deleteResults([resultId]);
        setDeleted({ key: Date.now(), undo });
        setViewing(null);
      }),
    [attempt],
  );

  const runActions: RunActions = {
    onOpen: (jobId, resultId) => setViewing({ jobId, resultId }),
    onPick: useAsPrompt,
    onCancel: (id) => void send('job.cancel', { jobId: id }).catch(() => {}),
    onRetry: (id) =>
      void attempt(async () => {
        const job = await (await db()).get('jobs', id);
        if (job) await generation.retry(job.request);
      }),
    onOpenSettings: openSettings,
  };

  return (
    <main className="panel">
      <header className="panel-header">
        <h1>{i18n.t('panel.title')}</h1>
        {SANDBOX_BUILD ? (
          <span className="badge sandbox" title={i18n.t('panel.sandboxHint')}>
            {i18n.t('panel.sandboxBadge')}
          </span>
        ) : null}
        <button type="button" className="link" onClick={openSettings}>
          {i18n.t('panel.settings')}
        </button>
      </header>
      <PanelTabs
        label={i18n.t('panel.tabs')}
        tabs={[
          { id: 'create', label: i18n.t('panel.tabCreate') },
          { id: 'history', label: i18n.t('panel.tabHistory') },
        ]}
        value={tab}
        onChange={setTab}
      />
      {actionError ? <ErrorNotice error={actionError} /> : null}
      {/* Create stays mounted while History is shown: its form state and the worker wake-up go on. */}
      <div role="tabpanel" id="tabpanel-create" aria-labelledby="tab-create" hidden={tab !== 'create'}>
        <CreateTab draft={draft} patch={patch} loaded={loaded} generation={generation} runActions={runActions} />
      </div>
      {tab === 'history' ? (
        <div role="tabpanel" id="tabpanel-history" aria-labelledby="tab-history">
          {History ? (
            <History
              lineageOf={lineageOf}
              onLineageOf={setLineageOf}
              onOpen={(jobId, resultId) => setViewing({ jobId, resultId })}
              onRestart={onRestart}
            />
          ) : (
            <p className="hint">{i18n.t('panel.loadingHistory')}</p>
          )}
        </div>
      ) : null}
      {viewing && Viewer ? (
        <Viewer
          target={viewing}
          onTargetChange={setViewing}
          onClose={() => setViewing(null)}
          onUseAsPrompt={useAsPrompt}
          onAddToPrompt={addToPrompt}
          onDelete={onDelete}
          onReuse={onReuse}
          onShowLineage={(jobId) => {
            setViewing(null);
            setLineageOf(jobId);
            setTab('history');
          }}
        />
      ) : null}
      {deleted ? (
        <UndoToast
          key={deleted.key}
          message={i18n.t('viewer.deleted')}
          onUndo={() => {
            const { undo } = deleted;
            setDeleted(null);
            void attempt(() => restoreResults(undo));
          }}
          onDismiss={() => setDeleted(null)}
        />
      ) : null}
    </main>
  );
}
