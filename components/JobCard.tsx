import { i18n } from '#i18n';
import type { SerializedError } from '@/utils/errors';
import type { JobState } from '@/utils/store/types';
import { ErrorNotice } from './ErrorNotice';

interface ResultView {
  id: string;
  width?: number;
  height?: number;
  /** What the image shows, in words (its alt text). */
  alt: string;
  /** From resultFileName(). */
  fileName: string;
  /** Starred results are never removed to make room. */
  starred: boolean;
}

export interface JobView {
  id: string;
  state: JobState;
  prompt: string;
  modelName: string;
  /** Provider and endpoint, e.g. "fal · fal-ai/flux/dev". */
  routeLabel: string;
  createdAt: number;
  cached: boolean;
  via: string;
  /** `step`: the sampler's steps, where the provider reports them (ComfyUI). */
  progress?: { stage: 'queued' | 'running'; queuePosition?: number; step?: { value: number; max: number } };
  error?: SerializedError;
  description?: string;
  /** Said plainly when the row ran on a successor model ("Imagen 3 was retired ... ; this uses ..."). */
  successorNote?: string;
  /** The model id sent, when the user overrode the catalogue's. */
  modelOverride?: string;
  /** Something to know about the result (e.g. images the safety checker dropped). */
  notice?: string;
  /**
   * For a route the provider no longer offers: the route a retry would use now, or null when
   * no other route can run this model.
   */
  alternative?: string | null;
  results: ResultView[];
  /** Images this job made that are no longer stored (removed to free space). */
  removedCount: number;
  /** Compare: the run this job belongs to, and its model's place in it. */
  runId?: string;
  runIndex?: number;
}

export interface JobCardProps {
  job: JobView;
  /** The job's images as previews (ResultGrid with their thumbnails). */
  images?: React.ReactNode;
  onCancel: (jobId: string) => void;
  onRetry: (jobId: string) => void;
  onOpenSettings?: () => void;
}

/** One generation: its progress while running, then its images with their actions. */
export function JobCard({ job, images, onCancel, onRetry, onOpenSettings }: JobCardProps) {
  const active = !['done', 'failed', 'canceled', 'timed_out'].includes(job.state);
  const step = stepOf(job);
  return (
    <article className={`job ${job.state}`} aria-label={i18n.t('job.label', [job.prompt])}>
      <header>
        <span className="job-prompt">{job.prompt}</span>
        <span className="job-meta">
          {job.modelName}
          {job.via ? ` \u00b7 ${job.via}` : ''}
          {job.modelOverride ? ` \u00b7 ${i18n.t('job.modelOverride', [job.modelOverride])}` : ''}
          {job.cached ? ' \u00b7 ' : ''}
          {job.cached ? <span className="badge cached">{i18n.t('job.fromCache')}</span> : null}
        </span>
      </header>
      {job.successorNote ? <p className="successor">{job.successorNote}</p> : null}
      {job.description ? <p className="described">{i18n.t('job.described', [job.description])}</p> : null}
      {job.notice ? <p className="muted">{job.notice}</p> : null}
      {active ? (
        <div className="progress">
          <p>
            <span role="status">{progressText(job)}</span>
            {/* Outside the live region: a step every few seconds would be read out each time. */}
            {step ? <span className="progress-step">{` \u00b7 ${stepText(step)}`}</span> : null}
          </p>
          {step ? (
            <progress aria-label={i18n.t('job.progressLabel')} value={step.value} max={step.max} aria-valuetext={stepText(step)} />
          ) : (
            <progress aria-label={i18n.t('job.progressLabel')} />
          )}
          <button type="button" onClick={() => onCancel(job.id)}>
            {i18n.t('job.cancel')}
          </button>
        </div>
      ) : null}
      {job.state === 'failed' || job.state === 'timed_out' ? (
        job.error ? (
          <ErrorNotice
            error={job.error}
            action={<FailureAction job={job} onRetry={onRetry} onOpenSettings={onOpenSettings} />}
          />
        ) : null
      ) : null}
      {job.state === 'canceled' ? <p className="muted">{i18n.t('job.canceled')}</p> : null}
      {job.state === 'done' && job.removedCount > 0 ? (
        <p className="muted">
          {job.removedCount === 1 ? i18n.t('job.removedOne') : i18n.t('job.removedMany', [String(job.removedCount)])}
        </p>
      ) : null}
      {job.results.length ? images : null}
    </article>
  );
}

/** What the user can do about a failed job, in one click. */
function FailureAction({ job, onRetry, onOpenSettings }: Pick<JobCardProps, 'onRetry' | 'onOpenSettings'> & { job: JobView }) {
  const kind = job.error?.kind;
  // Running it again would pay again: for these the provider already did the work.
  if (kind === 'may_have_been_charged' || kind === 'storage_full') return null;
  if (kind === 'route_unavailable') {
    if (job.alternative) {
      return (
        <button type="button" onClick={() => onRetry(job.id)}>
          {i18n.t('job.tryWith', [job.alternative])}
        </button>
      );
    }
    return onOpenSettings ? (
      <button type="button" onClick={onOpenSettings}>
        {i18n.t('job.openSettings')}
      </button>
    ) : null;
  }
  return (
    <button type="button" onClick={() => onRetry(job.id)}>
      {i18n.t('job.tryAgain')}
    </button>
  );
}

/** The steps to show: only while the provider is running the job, and only sensible counts. */
function stepOf(job: Pick<JobView, 'state' | 'progress'>): { value: number; max: number } | undefined {
  const step = job.progress?.step;
  if ((job.state !== 'polling' && job.state !== 'submitted') || job.progress?.stage !== 'running' || !step) return undefined;
  return step.max > 0 && step.value >= 0 && step.value <= step.max ? step : undefined;
}

function stepText(step: { value: number; max: number }): string {
  return i18n.t('comfyuiProgress.step', [String(step.value), String(step.max)]);
}

export function progressText(job: Pick<JobView, 'state' | 'progress'>): string {
  switch (job.state) {
    case 'queued':
      return i18n.t('job.preparing');
    case 'submitting':
      return i18n.t('job.sending');
    case 'submitted':
    case 'polling':
      if (job.progress?.stage === 'running') return i18n.t('job.generating');
      return job.progress?.queuePosition !== undefined ? i18n.t('job.waitingAt', [String(job.progress.queuePosition + 1)]) : i18n.t('job.waiting');
    case 'downloading':
      return i18n.t('job.saving');
    default:
      return '';
  }
}
