import { useEffect, useMemo, useRef, useState } from 'react';
import { i18n } from '#i18n';
import { ImagePromptField } from '@/components/ImagePromptField';
import { ReferenceTray } from '@/components/ReferenceTray';
import '@/components/tray.css';
import { ModelPicker } from '@/components/ModelPicker';
import { SettingsForm } from '@/components/SettingsForm';
import { CreateBar } from '@/components/CreateBar';
import { ErrorNotice } from '@/components/ErrorNotice';
import { ReferenceDescription } from '@/components/ReferenceDescription';
import { ScreenshotCrop } from '@/components/ScreenshotCrop';
import { CompareModelsPicker } from '@/components/compare/CompareModelsPicker';
import { StorageUsage } from '@/components/StorageUsage';
import { isTerminal } from '@/utils/store/types';
import { toAppError, type SerializedError } from '@/utils/errors';
import { adoptImageBlob } from './lazy-intake';
import { getModel, PROVIDER_NAMES, type ModelId } from '@/utils/models';
import { send } from '@/utils/protocol';
import { groupRuns } from '@/utils/compare';
import type { DraftRecord } from '@/utils/store/types';
import { setTray } from '@/utils/store/drafts';
import { trayOf } from '@/utils/reference-plan';
import { routeState, useJobs, useReferences, useRoutingEnv, useReferenceThumbUrls, useWakeWorker, type JobWithResults } from './hooks';
import { useStorageUsage } from './storage';
import { usePaste, useScreenshot } from './intake-hooks';
import { IntakePreview } from './IntakePreview';
import { createBlockReason } from './create-block';
import { createEstimate } from './create-estimate';
import { requestFromDraft, type Generation } from './use-generation';
import { toJobView } from './job-view';
import type { JobView } from '@/components/JobCard';
import type { RoutingEnv } from '@/utils/routing';
import { RunView, type RunActions } from './RunView';
import { moduleLoader, useModule } from './use-module';

export interface CreateTabProps {
  draft: DraftRecord;
  patch: (p: Partial<Omit<DraftRecord, 'id'>>) => void;
  loaded: boolean;
  generation: Generation;
  runActions: RunActions;
}

// Not needed for the first paint: loaded just after it (the panel's JavaScript has a budget).
const presetsRow = moduleLoader(() => import('./PresetsRow'));
const describeRow = moduleLoader(() => import('./DescribeRow'));

/** How many recent jobs the Create tab shows; everything else is in History. */
const RECENT_JOBS = 24;

/** The image prompt, prompt, model and settings; Create; and the latest runs under it. */
export function CreateTab({ draft, patch, loaded, generation, runActions }: CreateTabProps) {
  // The tray: the image prompt first, then the other references (drafts from before trays: just referenceId).
  const tray = useMemo(() => trayOf(draft), [draft]);
  const trayRecords = useReferences(tray.map((r) => r.referenceId));
  const trayThumbs = useReferenceThumbUrls(trayRecords);
  const reference = (draft.referenceId && trayRecords.get(draft.referenceId)) || null;
  const thumbUrl = (draft.referenceId && trayThumbs.get(draft.referenceId)) || null;
  const routingEnv = useRoutingEnv();
  const PresetsRow = useModule(presetsRow, true)?.default;
  const DescribeRow = useModule(describeRow, true)?.default;
  const route = useMemo(() => (routingEnv ? routeState(draft.modelId, routingEnv) : null), [draft.modelId, routingEnv]);
  const jobs = useJobs(RECENT_JOBS);
  const [compareModels, setCompareModels] = useState<ModelId[] | null>(null);
  const storage = useStorageUsage();
  useWakeWorker(jobs.some((j) => !isTerminal(j.job.state)), pingWorker);
  const screenshot = useScreenshot();
  // The panel's own ways in ("+", drop, paste) add to the tray: the first image starts it as the
  // image prompt, later ones join it (the context menu's "Use as image prompt" replaces the first).
  usePaste(
    (file) => void adoptImageBlob(file, { kind: 'paste', name: file.name }, 'add').catch(() => {}),
    (url) => void send('reference.fromUrl', { url, place: 'add' }).catch(() => {}),
  );

  const routeSpec = route?.ok ? route.choice.route : null;
  const [describing, setDescribing] = useState(false);
  const [describeError, setDescribeError] = useState<SerializedError | null>(null);
  const needsDescription = !compareModels && !!reference && routeSpec?.imageInput === 'described';
  // The user's words for this reference, else the words the last job used for it.
  const descriptionText =
    draft.description && draft.description.referenceId === draft.referenceId
      ? draft.description.text
      : (jobs.find((j) => j.job.request.referenceId === draft.referenceId && j.job.description)?.job.description ?? '');

  async function describe() {
    if (!draft.referenceId) return;
    setDescribing(true);
    setDescribeError(null);
    try {
      const { description } = await send('reference.describe', { referenceId: draft.referenceId, modelId: draft.modelId });
      patch({ description: { referenceId: draft.referenceId, text: description } });
    } catch (err) {
      setDescribeError(toAppError(err).toJSON());
    } finally {
      setDescribing(false);
    }
  }

  const blockedBy = createBlockReason({
    loaded,
    prompt: draft.prompt,
    route,
    intakeLoading: draft.intake.status === 'loading',
    hasReference: !!reference,
    busy: generation.busy,
    ...(compareModels ? { compareCount: compareModels.length } : {}),
  });

  function create(fresh: boolean) {
    if (blockedBy) return;
    const request = requestFromDraft(draft, fresh, needsDescription ? descriptionText : null);
    if (compareModels) void generation.compare(request, compareModels);
    else void generation.create(request);
  }

  // Ctrl/Cmd+Enter creates from anywhere in the panel, not only from the prompt box.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && !e.defaultPrevented) {
        e.preventDefault();
        create(false);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  // One view per job record, kept while the record is the same object (useJobs re-reads only
  // the job that changed): with the stable actions below, only that job's card renders again.
  const views = useMemo(() => jobs.map((j) => cachedView(j, routingEnv)), [jobs, routingEnv]);
  const runs = useMemo(() => groupRuns([...views].reverse()), [views]);
  const actionsRef = useRef(runActions);
  useEffect(() => {
    actionsRef.current = runActions;
  });
  const stableActions = useMemo<RunActions>(
    () => ({
      onOpen: (jobId, resultId) => actionsRef.current.onOpen(jobId, resultId),
      onPick: (resultId) => actionsRef.current.onPick(resultId),
      onCancel: (jobId) => actionsRef.current.onCancel(jobId),
      onRetry: (jobId) => actionsRef.current.onRetry(jobId),
      onOpenSettings: () => actionsRef.current.onOpenSettings(),
    }),
    [],
  );

  return (
    <div className="create-tab">
      {PresetsRow ? <PresetsRow draft={draft} patch={patch} /> : null}
      <ImagePromptField
        thumbUrl={thumbUrl}
        width={reference?.width}
        height={reference?.height}
        sourceUrl={reference?.source.url}
        pageUrl={reference?.source.pageUrl}
        sourceLabel={reference ? sourceLabel(reference.source.kind, reference.source.name) : undefined}
        loading={draft.intake.status === 'loading'}
        preview={draft.intake.status === 'loading' ? <IntakePreview startedAt={draft.intake.startedAt} /> : null}
        error={draft.intake.status === 'error' ? draft.intake.error : null}
        onFiles={(files) => void addFiles(files)}
        onUrl={(url) => void send('reference.fromUrl', { url, place: 'add' }).catch(() => {})}
        onClear={() => {
          patch({ intake: { status: 'idle' } });
          void setTray([]).catch(() => {});
        }}
        onScreenshot={screenshot.start}
        tray={
          tray.length ? (
            <ReferenceTray
              items={tray}
              thumbs={trayThumbs}
              route={compareModels ? null : routeSpec}
              modelName={getModel(draft.modelId).name}
              onChange={(next) => void setTray(next).catch(() => {})}
            />
          ) : undefined
        }
      />
      {screenshot.shot ? (
        <ScreenshotCrop imageUrl={screenshot.shot.url} width={screenshot.shot.width} height={screenshot.shot.height} onUse={screenshot.use} onCancel={screenshot.cancel} />
      ) : null}
      {DescribeRow ? <DescribeRow draft={draft} patch={patch} /> : null}

      <div className="field">
        <label htmlFor="prompt">{i18n.t('panel.prompt')}</label>
        <textarea id="prompt" rows={3} value={draft.prompt} placeholder={i18n.t('panel.promptPlaceholder')} onChange={(e) => patch({ prompt: e.target.value })} />
      </div>

      <div className="model-row">
        {compareModels ? (
          <CompareModelsPicker value={compareModels} onChange={setCompareModels} />
        ) : (
          <ModelPicker
            value={draft.modelId}
            onChange={(modelId) => patch({ modelId })}
            via={route === null ? 'provider' : route.ok ? route.choice.via : 'unavailable'}
            routeNote={route === null ? '' : route.ok ? `${PROVIDER_NAMES[route.choice.route.provider]}: ${route.choice.reason}` : route.error.message}
            successorNote={route?.ok ? route.choice.successorNote : undefined}
            warning={route?.ok ? route.choice.warning : undefined}
            onOpenSettings={runActions.onOpenSettings}
          />
        )}
        <label className="toggle" title={i18n.t('panel.compareHint')}>
          <input type="checkbox" checked={!!compareModels} onChange={(e) => setCompareModels(e.target.checked ? [draft.modelId] : null)} />
          {i18n.t('panel.compare')}
        </label>
      </div>

      {needsDescription ? (
        <ReferenceDescription
          modelName={getModel(draft.modelId).name}
          text={descriptionText}
          describing={describing}
          error={describeError}
          onChange={(text) => draft.referenceId && patch({ description: { referenceId: draft.referenceId, text } })}
          onDescribe={() => void describe()}
        />
      ) : null}

      {compareModels ? null : (
        <SettingsForm route={routeSpec} hasReference={!!reference} value={draft.settings} onChange={(p) => patch({ settings: { ...draft.settings, ...p } })} />
      )}

      <CreateBar blockedBy={blockedBy} compareCount={compareModels ? compareModels.length : undefined} onCreate={() => create(false)} onVariation={() => create(true)} estimate={createEstimate(draft.modelId, draft.settings, compareModels, routingEnv)} />
      {generation.notice ? (
        <p role="status" className="notice">
          {generation.notice}
        </p>
      ) : null}
      {generation.error ? <ErrorNotice error={generation.error} /> : null}

      <section className="results-section" aria-labelledby="results-heading">
        <h2 id="results-heading">{i18n.t('panel.results')}</h2>
        {runs.length === 0 ? <p className="hint">{i18n.t('panel.resultsEmpty')}</p> : null}
        <ul aria-label={i18n.t('panel.results')} className="results">
          {runs.map((run) => (
            <li key={run.key}>
              <RunView jobs={run.jobs} actions={stableActions} />
            </li>
          ))}
        </ul>
      </section>
      <StorageUsage {...storage} />
    </div>
  );
}

const pingWorker = () => send('worker.ping', {});

const viewCache = new WeakMap<JobWithResults, { env: RoutingEnv | null; view: JobView & { jobId: string } }>();

/** The job's view, made once per record (and routing state: it names the alternative route). */
function cachedView(j: JobWithResults, env: RoutingEnv | null): JobView & { jobId: string } {
  const known = viewCache.get(j);
  if (known && known.env === env) return known.view;
  const view = { ...toJobView(j.job, j.results, env), jobId: j.job.id };
  viewCache.set(j, { env, view });
  return view;
}

/** Dropped or picked files join the tray one after another (each shows its own error, if any). */
async function addFiles(files: readonly File[]) {
  for (const file of files) {
    try {
      await adoptImageBlob(file, { kind: 'file', name: file.name }, 'add');
    } catch {
      return; // the reason is in the draft, where the field shows it; a full tray stops here
    }
  }
}

function sourceLabel(kind: string, name?: string): string {
  if (kind === 'result') return i18n.t('viewer.sourceResult');
  if (kind === 'file') return name ?? i18n.t('viewer.sourceFile');
  if (kind === 'paste') return i18n.t('viewer.sourcePaste');
  if (kind === 'screenshot') return i18n.t('viewer.sourceScreenshot');
  return '';
}
