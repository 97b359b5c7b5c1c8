import { toAppError, type SerializedError } from './errors';
import type { ModelId } from './models';
import type { JobEngine } from './jobs/engine';
import type { JobRequest } from './store/types';

/**
 * Compare: the same image prompt and text on several models at once. The jobs of one compare
 * share a run id (JobRequest.runId) and are shown side by side, one row per run.
 */

export const COMPARE_MIN_MODELS = 2;
export const COMPARE_MAX_MODELS = 6;

/** A compare asks for everything a job does except the model (one per row) and the run id (made by the worker). */
export type CompareRequest = Omit<JobRequest, 'modelId' | 'runId' | 'runIndex'>;

export interface CompareRowOutcome {
  modelId: ModelId;
  /** Absent when this model could not start (no key, no route): `error` says why. */
  jobId?: string;
  cached: boolean;
  joined: boolean;
  error?: SerializedError;
}

/**
 * Starts one job per model, in the order chosen, all with one new run id. Each goes through the
 * engine's enqueue (cache, joining, routing) exactly as a single Create does; a model that cannot
 * run reports its error in its own row and the others still start. Jobs are created one after
 * another so their creation times follow the chosen order (groupRuns relies on it).
 */
export async function startCompareRun(
  request: CompareRequest,
  modelIds: readonly ModelId[],
  deps: { enqueue: JobEngine['enqueue']; newRunId: () => string },
): Promise<{ runId: string; jobs: CompareRowOutcome[] }> {
  const runId = deps.newRunId();
  const jobs: CompareRowOutcome[] = [];
  for (const [runIndex, modelId] of modelIds.entries()) {
    try {
      const { job, cached, joined } = await deps.enqueue({ ...request, modelId, runId, runIndex });
      jobs.push({ modelId, jobId: job.id, cached, joined });
    } catch (err) {
      jobs.push({ modelId, cached: false, joined: false, error: toAppError(err).toJSON() });
    }
  }
  return { runId, jobs };
}

/** What groupRuns needs of a job. */
export interface RunEntry {
  jobId: string;
  runId?: string;
  /** The model's place in the compare, when recorded. */
  runIndex?: number;
  createdAt: number;
}

export interface Run<T extends RunEntry> {
  /** The run id; for a job made on its own (no run id), its job id. */
  key: string;
  /** Set only for compare runs. */
  runId?: string;
  /** When the run started (its first job). */
  startedAt: number;
  /** In the order the models were chosen. */
  jobs: T[];
}

/**
 * Groups jobs into runs, newest run first. A job without a run id is a run of its own. Within a
 * run, jobs keep the order their models were chosen in: the order they were created, and for
 * jobs created in the same millisecond, the order they are given in (pass entries oldest first,
 * as the byCreatedAt index reads them).
 */
export function groupRuns<T extends RunEntry>(entries: readonly T[]): Run<T>[] {
  const runs = new Map<string, Run<T>>();
  for (const entry of entries) {
    const key = entry.runId ? `run:${entry.runId}` : `job:${entry.jobId}`;
    const run = runs.get(key);
    if (run) {
      run.jobs.push(entry);
      run.startedAt = Math.min(run.startedAt, entry.createdAt);
    } else {
      runs.set(key, { key: entry.runId ?? entry.jobId, ...(entry.runId ? { runId: entry.runId } : {}), startedAt: entry.createdAt, jobs: [entry] });
    }
  }
  const list = [...runs.values()];
  // The recorded place in the compare first; else creation order (a stable sort keeps the given
  // order for equal times).
  for (const run of list) run.jobs.sort((a, b) => (a.runIndex ?? 0) - (b.runIndex ?? 0) || a.createdAt - b.createdAt);
  return list.sort((a, b) => b.startedAt - a.startedAt);
}
