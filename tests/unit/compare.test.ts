import { describe, expect, it, vi } from 'vitest';
import { groupRuns, startCompareRun, type RunEntry } from '../../utils/compare';
import { AppError } from '../../utils/errors';
import type { JobEngine } from '../../utils/jobs/engine';
import { jobRecord, request } from './jobs/fixtures';

const { modelId: _model, runId: _run, ...shared } = request;

function e(jobId: string, createdAt: number, runId?: string, modelId = 'flux-dev'): RunEntry & { modelId: string } {
  return { jobId, createdAt, modelId, ...(runId ? { runId } : {}) };
}

describe('groupRuns', () => {
  it('groups jobs by run, newest run first; a job without a run is a run of its own', () => {
    const runs = groupRuns([e('single-old', 1), e('a1', 10, 'A', 'flux-dev'), e('a2', 11, 'A', 'imagen-3'), e('single-new', 30), e('b1', 20, 'B')]);
    expect(runs.map((r) => r.key)).toEqual(['single-new', 'B', 'A', 'single-old']);
    expect(runs.map((r) => r.runId)).toEqual([undefined, 'B', 'A', undefined]);
    expect(runs[2]).toEqual({ key: 'A', runId: 'A', startedAt: 10, jobs: [e('a1', 10, 'A', 'flux-dev'), e('a2', 11, 'A', 'imagen-3')] });
    expect(runs[0]?.jobs.map((j) => j.jobId)).toEqual(['single-new']);
  });

  it('keeps the models of a run in the order they were chosen, whatever order the jobs are given in', () => {
    const chosen = [e('x', 100, 'R', 'ideogram-v3'), e('y', 101, 'R', 'flux-dev'), e('z', 102, 'R', 'seedream-v3')];
    const [run] = groupRuns([chosen[2]!, chosen[0]!, chosen[1]!]);
    expect(run?.jobs.map((j) => j.modelId)).toEqual(['ideogram-v3', 'flux-dev', 'seedream-v3']);
    expect(run?.startedAt).toBe(100);
  });

  it('keeps the given order for jobs of a run created in the same millisecond', () => {
    const [run] = groupRuns([e('q', 5, 'R', 'realistic'), e('p', 5, 'R', 'flux-ultra')]);
    expect(run?.jobs.map((j) => j.modelId)).toEqual(['realistic', 'flux-ultra']);
  });

  it('does not mix a run id with a job id that happens to be the same text', () => {
    const runs = groupRuns([e('same', 1), e('j', 2, 'same')]);
    expect(runs).toHaveLength(2);
  });

  it('returns nothing for no jobs', () => {
    expect(groupRuns([])).toEqual([]);
  });
});

describe('startCompareRun', () => {
  it('enqueues each model in the chosen order with one run id, and reports a model that cannot run in its own row', async () => {
    let n = 0;
    const enqueue = vi.fn<JobEngine['enqueue']>(async (r) => {
      if (r.modelId === 'imagen-3') throw new AppError('no_key', 'Imagen 3 needs a Google Gemini key. Add it in Settings.', { provider: 'google' });
      if (r.modelId === 'realistic') throw new Error('boom');
      return { job: jobRecord(`job-${++n}`, { request: r }), cached: r.modelId === 'flux-dev', joined: false };
    });
    const reply = await startCompareRun(shared, ['flux-dev', 'imagen-3', 'ideogram-v3', 'realistic'], { enqueue, newRunId: () => 'run-9' });
    expect(reply).toEqual({
      runId: 'run-9',
      jobs: [
        { modelId: 'flux-dev', jobId: 'job-1', cached: true, joined: false },
        { modelId: 'imagen-3', cached: false, joined: false, error: { kind: 'no_key', message: 'Imagen 3 needs a Google Gemini key. Add it in Settings.', provider: 'google' } },
        { modelId: 'ideogram-v3', jobId: 'job-2', cached: false, joined: false },
        { modelId: 'realistic', cached: false, joined: false, error: { kind: 'internal', message: expect.any(String) } },
      ],
    });
    expect(enqueue.mock.calls.map(([r]) => [r.modelId, r.runId, r.prompt])).toEqual([
      ['flux-dev', 'run-9', request.prompt],
      ['imagen-3', 'run-9', request.prompt],
      ['ideogram-v3', 'run-9', request.prompt],
      ['realistic', 'run-9', request.prompt],
    ]);
  });

  it('starts the next model only after the previous one is created, so creation follows the chosen order', async () => {
    const order: string[] = [];
    let release: (() => void) | undefined;
    const enqueue = vi.fn<JobEngine['enqueue']>(async (r) => {
      order.push(`start ${r.modelId}`);
      if (r.modelId === 'flux-dev') await new Promise<void>((resolve) => (release = resolve));
      order.push(`end ${r.modelId}`);
      return { job: jobRecord(r.modelId, { request: r }), cached: false, joined: false };
    });
    const running = startCompareRun(shared, ['flux-dev', 'imagen-3'], { enqueue, newRunId: () => 'r' });
    await vi.waitFor(() => expect(release).toBeDefined());
    expect(order).toEqual(['start flux-dev']);
    release!();
    await running;
    expect(order).toEqual(['start flux-dev', 'end flux-dev', 'start imagen-3', 'end imagen-3']);
  });
});

describe('groupRuns and the recorded place in a compare', () => {
  it('orders a run by runIndex even when the jobs were made in the same millisecond in another order', () => {
    const runs = groupRuns([
      { jobId: 'c', runId: 'r', runIndex: 2, createdAt: 5 },
      { jobId: 'a', runId: 'r', runIndex: 0, createdAt: 5 },
      { jobId: 'b', runId: 'r', runIndex: 1, createdAt: 5 },
    ]);
    expect(runs[0]!.jobs.map((j) => j.jobId)).toEqual(['a', 'b', 'c']);
  });
});
