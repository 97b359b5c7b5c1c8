import { memo } from 'react';
import { i18n } from '#i18n';
import { JobCard, type JobView } from '@/components/JobCard';
import { ResultGrid } from '@/components/results/ResultGrid';
import { CompareRow, type CompareItem } from '@/components/compare/CompareRow';
import { useThumbUrls } from './thumbs';

export interface RunActions {
  /** Opens the large viewer on one image of a job. */
  onOpen: (jobId: string, resultId: string) => void;
  /** Iterates on an image: it becomes the image prompt. */
  onPick: (resultId: string) => void;
  onCancel: (jobId: string) => void;
  onRetry: (jobId: string) => void;
  onOpenSettings: () => void;
}

/**
 * One run in the results: a single generation as a card with its thumbnails, or a compare
 * (several models, same inputs) as one row of results side by side.
 */
export const RunView = memo(RunViewOf, (a, b) => a.actions === b.actions && a.jobs.length === b.jobs.length && a.jobs.every((j, i) => j === b.jobs[i]));

function RunViewOf({ jobs, actions }: { jobs: JobView[]; actions: RunActions }) {
  const thumbs = useThumbUrls(jobs.flatMap((j) => j.results.map((r) => r.id)));
  if (jobs.length > 1 || jobs[0]?.runId) {
    const owner = new Map(jobs.flatMap((j) => j.results.map((r) => [r.id, j.id] as const)));
    return (
      <CompareRow
        runLabel={jobs[0]?.prompt ?? ''}
        items={jobs.flatMap((j): CompareItem[] =>
          j.results.length
            ? j.results.map((r) => ({ jobId: j.id, modelName: j.modelName, routeLabel: j.routeLabel, state: j.state, thumbUrl: thumbs.get(r.id) ?? null, resultId: r.id }))
            : [{ jobId: j.id, modelName: j.modelName, routeLabel: j.routeLabel, state: j.state, thumbUrl: null, ...(j.error ? { error: { message: j.error.message } } : {}) }],
        )}
        onPick={actions.onPick}
        onOpen={(resultId) => actions.onOpen(owner.get(resultId) ?? '', resultId)}
      />
    );
  }
  const job = jobs[0];
  if (!job) return null;
  return (
    <JobCard
      job={job}
      images={
        <ResultGrid
          label={i18n.t('panel.jobImages')}
          results={job.results.map((r) => ({ id: r.id, thumbUrl: thumbs.get(r.id) ?? null, width: r.width, height: r.height, starred: r.starred, alt: r.alt }))}
          onOpen={(resultId) => actions.onOpen(job.id, resultId)}
        />
      }
      onCancel={actions.onCancel}
      onRetry={actions.onRetry}
      onOpenSettings={actions.onOpenSettings}
    />
  );
}
