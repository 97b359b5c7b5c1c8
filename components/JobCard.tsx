import type { SerializedError } from '@/utils/errors';
import type { JobState } from '@/utils/store/types';
import { ErrorNotice } from './ErrorNotice';

export interface ResultView {
  id: string;
  url: string;
  width?: number;
  height?: number;
  fileName: string;
  /** Starred results are never removed to make room. */
  starred: boolean;
}

export interface JobView {
  id: string;
  state: JobState;
  prompt: string;
  modelName: string;
  createdAt: number;
  cached: boolean;
  via: string;
  progress?: { stage: 'queued' | 'running'; queuePosition?: number };
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
}

export interface JobCardProps {
  job: JobView;
  onUseAsReference: (resultId: string) => void;
  onCancel: (jobId: string) => void;
  onRetry: (jobId: string) => void;
  onToggleStar: (resultId: string, starred: boolean) => void;
  onOpenSettings?: () => void;
}

/** One generation: its progress while running, then its images with their actions. */
export function JobCard({ job, onUseAsReference, onCancel, onRetry, onToggleStar, onOpenSettings }: JobCardProps) {
  const active = !['done', 'failed', 'canceled', 'timed_out'].includes(job.state);
  return (
    <article className={`job ${job.state}`} aria-label={`Generation: ${job.prompt}`}>
      <header>
        <span className="job-prompt">{job.prompt}</span>
        <span className="job-meta">
          {job.modelName}
          {job.via ? ` \u00b7 ${job.via}` : ''}
          {job.modelOverride ? ` \u00b7 model ${job.modelOverride}` : ''}
          {job.cached ? ' \u00b7 ' : ''}
          {job.cached ? <span className="badge cached">from cache</span> : null}
        </span>
      </header>
      {job.successorNote ? <p className="successor">{job.successorNote}</p> : null}
      {job.description ? <p className="described">Reference described, not sent: {job.description}</p> : null}
      {job.notice ? <p className="muted">{job.notice}</p> : null}
      {active ? (
        <div className="progress">
          <p role="status">{progressText(job)}</p>
          <progress aria-label="Generation progress" />
          <button type="button" onClick={() => onCancel(job.id)}>
            Cancel
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
      {job.state === 'canceled' ? <p className="muted">Canceled.</p> : null}
      {job.state === 'done' && job.removedCount > 0 ? (
        <p className="muted">
          {job.removedCount === 1 ? 'An image of this generation was' : `${job.removedCount} images of this generation were`} removed to free up
          space. Star the images you want to keep.
        </p>
      ) : null}
      {job.results.length ? (
        <ul className="result-grid" aria-label="Images of this generation">
          {job.results.map((r, i) => (
            <li key={r.id} className="result">
              <img src={r.url} alt={`Result ${i + 1} for \u201c${job.prompt}\u201d`} />
              <div className="result-actions">
                <button
                  type="button"
                  className="star"
                  aria-pressed={r.starred}
                  title={r.starred ? 'Starred: never removed to make room' : 'Star to keep it when storage runs short'}
                  onClick={() => onToggleStar(r.id, !r.starred)}
                >
                  <span aria-hidden="true">{r.starred ? '\u2605 ' : '\u2606 '}</span>
                  Star
                </button>
                <button type="button" onClick={() => onUseAsReference(r.id)}>
                  Use as image prompt
                </button>
                <a href={r.url} download={r.fileName}>
                  Download
                </a>
              </div>
            </li>
          ))}
        </ul>
      ) : null}
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
          Try again with {job.alternative}
        </button>
      );
    }
    return onOpenSettings ? (
      <button type="button" onClick={onOpenSettings}>
        Open Settings
      </button>
    ) : null;
  }
  return (
    <button type="button" onClick={() => onRetry(job.id)}>
      Try again
    </button>
  );
}

export function progressText(job: Pick<JobView, 'state' | 'progress'>): string {
  switch (job.state) {
    case 'queued':
      return 'Preparing the image prompt…';
    case 'submitting':
      return 'Sending…';
    case 'submitted':
    case 'polling':
      if (job.progress?.stage === 'running') return 'Generating…';
      return job.progress?.queuePosition !== undefined ? `Waiting in line (position ${job.progress.queuePosition + 1})…` : 'Waiting in line…';
    case 'downloading':
      return 'Saving the result…';
    default:
      return '';
  }
}
