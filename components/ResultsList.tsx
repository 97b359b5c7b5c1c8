import { JobCard, type JobCardProps, type JobView } from './JobCard';

export interface ResultsListProps extends Omit<JobCardProps, 'job'> {
  jobs: JobView[];
}

/** Every generation, newest first: the history of the iteration chain. */
export function ResultsList({ jobs, ...actions }: ResultsListProps) {
  return (
    <section className="results-section">
      <h2 id="results-heading">Results</h2>
      {jobs.length === 0 ? <p className="hint">Your images will appear here.</p> : null}
      <ul aria-label="Results" className="results">
        {jobs.map((job) => (
          <li key={job.id}>
            <JobCard job={job} {...actions} />
          </li>
        ))}
      </ul>
    </section>
  );
}
