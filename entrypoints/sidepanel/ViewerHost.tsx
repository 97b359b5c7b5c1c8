import { useMemo } from 'react';
import { i18n } from '#i18n';
import { ResultViewer } from '@/components/results/ResultViewer';
import type { ResultCost, ResultDetailsProps } from '@/components/results/ResultDetails';
import { copyImageToClipboard } from '@/utils/clipboard';
import { resultFileName } from '@/utils/file-name';
import { findRoute, getModel, PROVIDER_NAMES } from '@/utils/models';
import { routeLabel } from '@/utils/routing';
import { requireResult, setStarred } from '@/utils/store/results';
import type { JobRecord, ReferenceRecord } from '@/utils/store/types';
import { useObjectUrl } from './hooks';
import { useFullImageUrl, useViewerData, type ViewerTarget } from './use-viewer';
import { useThumbUrl } from './thumbs';

export interface ViewerHostProps {
  target: ViewerTarget;
  onTargetChange: (target: ViewerTarget) => void;
  onClose: () => void;
  onUseAsPrompt: (resultId: string) => void;
  /** "Add to image prompt": the image joins the tray, the image prompt stays. */
  onAddToPrompt: (resultId: string) => void;
  onDelete: (resultId: string) => void;
  onReuse: (job: JobRecord) => void;
  /** Opens the tree of the iteration this image belongs to. */
  onShowLineage: (jobId: string) => void;
}

/** The large viewer, fed from storage: the job's images, the one on screen at full size, and how it was made. */
export default function ViewerHost({ target, onTargetChange, onClose, onUseAsPrompt, onAddToPrompt, onDelete, onReuse, onShowLineage }: ViewerHostProps) {
  const data = useViewerData(target.jobId);
  const results = useMemo(() => data?.results ?? [], [data]);
  const index = Math.max(0, results.findIndex((r) => r.id === target.resultId));
  const current = results[index];
  const fullUrl = useFullImageUrl(current?.id);
  const referenceThumb = useObjectUrl(data?.reference?.thumb);
  const job = data?.job;
  const items = useMemo(() => {
    if (!job) return [];
    const modelName = getModel(job.request.modelId).name;
    return results.map((r, i) => ({
      id: r.id,
      url: r.id === current?.id ? fullUrl : null,
      alt: i18n.t('panel.resultAlt', [String(i + 1), job.request.prompt]),
      fileName: resultFileName({ modelName, prompt: job.request.prompt, seed: job.seed ?? job.request.settings.seed ?? undefined, index: r.index, mime: String(r.mime), createdAt: r.createdAt }),
      starred: r.starred,
    }));
  }, [job, results, current?.id, fullUrl]);
  if (!data || !job || !current) return null;
  const details = detailsOf(job, data.reference, referenceThumb, () => onReuse(job));
  return (
    <ResultViewer
      items={items}
      index={index}
      onIndexChange={(i) => {
        const next = results[i];
        if (next) onTargetChange({ jobId: job.id, resultId: next.id });
      }}
      onClose={onClose}
      details={details}
      extra={
        <p className="lineage-note">
          {job.parentJobId && job.parentResultId ? (
            <ParentLink resultId={job.parentResultId} onOpen={() => onTargetChange({ jobId: job.parentJobId!, resultId: job.parentResultId! })} />
          ) : (
            i18n.t('viewer.noParent')
          )}{' '}
          <button type="button" className="link" onClick={() => onShowLineage(job.id)}>
            {i18n.t('viewer.showLineage')}
          </button>
        </p>
      }
      onCopy={async (id) => copyImageToClipboard((await requireResult(id)).blob)}
      onUseAsPrompt={onUseAsPrompt}
      onAddToPrompt={onAddToPrompt}
      onToggleStar={(id, starred) => void setStarred(id, starred).catch(() => {})}
      onDelete={onDelete}
    />
  );
}

/** The image this one was made from, as a small preview that opens it. */
function ParentLink({ resultId, onOpen }: { resultId: string; onOpen: () => void }) {
  const thumb = useThumbUrl(resultId);
  return (
    <button type="button" className="parent-link" onClick={onOpen}>
      {thumb ? <img src={thumb} alt="" width={40} height={40} /> : null}
      {i18n.t('viewer.madeFrom')}
    </button>
  );
}

function detailsOf(job: JobRecord, reference: ReferenceRecord | null, referenceThumb: string | null, onReuse: () => void): ResultDetailsProps {
  const found = findRoute(job.routeId);
  const { settings } = job.request;
  return {
    prompt: job.request.prompt,
    modelName: getModel(job.request.modelId).name,
    routeLabel: found ? routeLabel(found.route) + (job.model && job.model !== found.route.endpoint ? ` (${job.model})` : '') : job.routeId,
    strength: settings.influence,
    aspectRatio: settings.aspectRatio,
    numImages: settings.numImages,
    // The seed actually sent, when the job chose a random one.
    seed: job.seed ?? settings.seed,
    reference: job.request.referenceId
      ? {
          thumbUrl: referenceThumb,
          source: reference ? referenceSourceText(reference) : i18n.t('viewer.referenceGone'),
          href: reference?.source.pageUrl ?? reference?.source.url,
        }
      : null,
    cost: costOf(job),
    onReuse,
  };
}

/** A cached job cost nothing; otherwise what the provider reported, if it did. */
function costOf(job: JobRecord): ResultCost {
  if (job.cachedFrom) return { kind: 'cached' };
  const providerName = PROVIDER_NAMES[job.provider] ?? job.provider;
  return job.cost ? { kind: 'known', usd: job.cost.usd, source: job.cost.source, providerName } : { kind: 'unknown', providerName };
}

function referenceSourceText(ref: ReferenceRecord): string {
  const s = ref.source;
  if (s.kind === 'result') return i18n.t('viewer.sourceResult');
  if (s.kind === 'screenshot') return i18n.t('viewer.sourceScreenshot');
  if (s.kind === 'paste') return i18n.t('viewer.sourcePaste');
  if (s.kind === 'file') return s.name ?? i18n.t('viewer.sourceFile');
  return s.pageTitle || hostOf(s.pageUrl ?? s.url ?? '') || i18n.t('viewer.sourcePage');
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '';
  }
}
