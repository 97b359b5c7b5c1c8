import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { AppError } from '../../../utils/errors';
import { getModel } from '../../../utils/models';
import { groupRuns } from '../../../utils/compare';
import type { JobEngine } from '../../../utils/jobs/engine';
import { fakeClock, fakeProvider, request, settle, setup } from '../jobs/fixtures';

// The worker's real message router, on an engine with a fake provider and its own database.
const current = vi.hoisted(() => ({ engine: undefined as JobEngine | undefined }));
vi.mock('../../../entrypoints/background/jobs', () => ({
  jobEngine: () => current.engine,
  describeReference: vi.fn(),
  resolveTarget: vi.fn(),
}));

const { registerMessageRouter } = await import('../../../entrypoints/background/router');

type Listener = (message: unknown, sender: object) => Promise<unknown> | undefined;

function listen(): Listener {
  const add = vi.spyOn(fakeBrowser.runtime.onMessage, 'addListener');
  registerMessageRouter();
  return add.mock.calls[0]![0] as unknown as Listener;
}

const panel = () => ({ id: fakeBrowser.runtime.id, url: fakeBrowser.runtime.getURL('/sidepanel.html') });
const { modelId: _model, ...shared } = request;

/**
 * Job ids that sort against creation order, and a clock that moves a millisecond each time it
 * is read (as real enqueues take milliseconds each): the order of a run must come from when its
 * jobs were created, not from their ids.
 */
async function engineWithout(unroutable: string) {
  const clock = fakeClock();
  const ticking = { ...clock, now: () => (clock.advance(1), clock.now()) };
  let n = 1000;
  return setup(
    {
      newId: () => `job-${--n}`,
      chooseRoute: async (r) => {
        if (r.modelId === unroutable) throw new AppError('no_key', `${getModel(r.modelId).name} needs a key.`, { provider: 'google' });
        return getModel(r.modelId).routes[0]!;
      },
    },
    fakeProvider(0).adapter,
    ticking,
  );
}

describe('job.create and jobs.compare in the worker', () => {
  let ctx: Awaited<ReturnType<typeof engineWithout>>;
  beforeEach(async () => {
    ctx = await engineWithout('imagen-3');
    current.engine = ctx.engine;
  });

  it('starts one job per model with one new run id; a model without a route answers its error and the others run', async () => {
    const route = listen();
    const reply = (await route({ type: 'jobs.compare', payload: { request: shared, modelIds: ['ideogram-v3', 'imagen-3', 'flux-dev'] } }, panel())) as {
      ok: true;
      value: { runId: string; jobs: { modelId: string; jobId?: string; cached: boolean; joined: boolean; error?: unknown }[] };
    };
    expect(reply.ok).toBe(true);
    const { runId, jobs } = reply.value;
    expect(runId).toMatch(/^[0-9a-f-]{36}$/);
    expect(jobs.map((j) => j.modelId)).toEqual(['ideogram-v3', 'imagen-3', 'flux-dev']);
    expect(jobs[1]).toEqual({ modelId: 'imagen-3', cached: false, joined: false, error: { kind: 'no_key', message: 'Imagen 3 needs a key.', provider: 'google' } });
    expect(jobs[0]).toMatchObject({ jobId: expect.any(String), cached: false, joined: false });
    expect(jobs[2]).toMatchObject({ jobId: expect.any(String), cached: false, joined: false });

    await settle(ctx.engine);
    const stored = await Promise.all([jobs[0]!.jobId!, jobs[2]!.jobId!].map((id) => ctx.db.get('jobs', id)));
    expect(stored.map((j) => [j?.request.modelId, j?.request.runId, j?.state])).toEqual([
      ['ideogram-v3', runId, 'done'],
      ['flux-dev', runId, 'done'],
    ]);
    // Stored jobs come back as one run, in the order the models were chosen.
    const all = await ctx.db.getAllFromIndex('jobs', 'byCreatedAt');
    const entries = all.map((j) => ({ jobId: j.id, runId: j.request.runId, createdAt: j.createdAt, modelId: j.request.modelId }));
    const runs = groupRuns(entries);
    expect(runs).toHaveLength(1);
    expect(runs[0]?.jobs.map((j) => j.modelId)).toEqual(['ideogram-v3', 'flux-dev']);
    expect(groupRuns([...entries].reverse())[0]?.jobs.map((j) => j.modelId)).toEqual(['ideogram-v3', 'flux-dev']);

    // A second compare is a new run.
    const again = (await route({ type: 'jobs.compare', payload: { request: { ...shared, fresh: true }, modelIds: ['flux-dev', 'realistic'] } }, panel())) as {
      value: { runId: string };
    };
    expect(again.value.runId).not.toBe(runId);
    await settle(ctx.engine);
  });

  it('answers a model from the cache like a single Create would', async () => {
    const first = await ctx.engine.enqueue({ ...request, modelId: 'flux-dev' });
    await settle(ctx.engine);
    const route = listen();
    const reply = (await route({ type: 'jobs.compare', payload: { request: shared, modelIds: ['flux-dev', 'realistic'] } }, panel())) as {
      value: { runId: string; jobs: { modelId: string; jobId?: string; cached: boolean }[] };
    };
    expect(reply.value.jobs.map((j) => [j.modelId, j.cached])).toEqual([
      ['flux-dev', true],
      ['realistic', false],
    ]);
    const cached = await ctx.db.get('jobs', reply.value.jobs[0]!.jobId!);
    expect(cached).toMatchObject({ cachedFrom: first.job.id, state: 'done' });
    expect(cached?.request.runId).toBe(reply.value.runId);
    await settle(ctx.engine);
  });

  it('refuses 7 models and strangers before any job starts', async () => {
    const route = listen();
    const seven = ['flux-dev', 'realistic', 'chatgpt-image', 'imagen-3', 'flux-ultra', 'ideogram-v3', 'minimax-image'];
    expect(await route({ type: 'jobs.compare', payload: { request: shared, modelIds: seven } }, panel())).toEqual({
      ok: false,
      error: { kind: 'invalid_input', message: 'Choose 2 to 6 models' },
    });
    const msg = { type: 'jobs.compare', payload: { request: shared, modelIds: ['flux-dev', 'realistic'] } };
    expect(route(msg, { id: fakeBrowser.runtime.id, url: 'https://evil.example/' })).toBeUndefined();
    expect(await ctx.db.count('jobs')).toBe(0);
  });

  it('job.create answers a cache hit with the finished job it reuses', async () => {
    const route = listen();
    const create = async () =>
      ((await route({ type: 'job.create', payload: { request: { ...request, modelId: 'flux-dev' } } }, panel())) as { ok: true; value: Record<string, unknown> }).value;
    const first = await create();
    expect(first).toEqual({ jobId: expect.any(String), cached: false, joined: false });
    await settle(ctx.engine);
    const again = await create();
    expect(again).toEqual({ jobId: expect.any(String), cached: true, joined: false, cachedFrom: first.jobId });
  });
});
