import { describe, expect, it, vi } from 'vitest';
import { AppError } from '../../../utils/errors';
import type { JobRecord } from '../../../utils/store/types';
import { fakeProvider, request, route, settle, setup } from './fixtures';

/** A provider that refuses every submit with the given error. */
function refusingProvider(error: AppError) {
  const base = fakeProvider();
  base.adapter.submit = vi.fn(async () => {
    base.calls.submit++;
    throw error;
  });
  return base;
}

describe('job engine: routes that stop answering', () => {
  it('ends the job as "route unavailable" naming the route, and remembers it once', async () => {
    const { adapter, calls } = refusingProvider(new AppError('route_unavailable', 'fal no longer offers fal-ai/flux/dev/image-to-image.', { provider: 'fal' }));
    const marked: Array<{ job: JobRecord; error: AppError }> = [];
    const { engine, db } = await setup({ onRouteUnavailable: (job, error) => void marked.push({ job, error }) }, adapter);
    const { job } = await engine.enqueue(request);
    await settle(engine);
    const ended = await db.get('jobs', job.id);
    expect(ended?.state).toBe('failed');
    expect(ended?.error).toMatchObject({ kind: 'route_unavailable', routeId: route.id });
    expect(calls.submit).toBe(1); // not retried: asking again would get the same answer
    expect(marked).toHaveLength(1);
    expect(marked[0]!.job.routeId).toBe(route.id);
    expect(marked[0]!.job.model).toBe(route.endpoint);
  });

  it('never marks a route for an outage, a rate limit or a timeout', async () => {
    for (const error of [
      new AppError('provider_down', 'fal is having trouble.'),
      new AppError('rate_limited', 'fal is limiting requests right now.', { retryAfterMs: 1 }),
      new AppError('timed_out', 'fal took too long to answer.'),
      new AppError('invalid_input', 'fal: prompt: field required'),
    ]) {
      const { adapter } = refusingProvider(error);
      const onRouteUnavailable = vi.fn();
      const { engine, db } = await setup({ onRouteUnavailable, maxRetries: 1 }, adapter);
      const { job } = await engine.enqueue(request);
      await settle(engine);
      expect((await db.get('jobs', job.id))?.state).toBe('failed');
      expect(onRouteUnavailable).not.toHaveBeenCalled();
    }
  });

  it('sends the model id the job was created with, and keeps it in the cache key', async () => {
    const { adapter } = fakeProvider(0);
    const seen: string[] = [];
    const submit = adapter.submit.bind(adapter);
    adapter.submit = async (r, input, ctx) => {
      seen.push(r.modelOverride ?? r.endpoint);
      return submit(r, input, ctx);
    };
    let override: string | undefined = 'fal-ai/flux/dev/image-to-image-v2';
    const { engine, db } = await setup({ chooseRoute: async () => (override ? { ...route, modelOverride: override } : route) }, adapter);
    const first = await engine.enqueue(request);
    await settle(engine);
    expect(seen).toEqual(['fal-ai/flux/dev/image-to-image-v2']);
    expect((await db.get('jobs', first.job.id))?.model).toBe('fal-ai/flux/dev/image-to-image-v2');
    // Back to the catalogue's id: the same inputs are a different request, not a cache hit.
    override = undefined;
    const second = await engine.enqueue(request);
    expect(second.cached).toBe(false);
    await settle(engine);
    expect(seen).toEqual(['fal-ai/flux/dev/image-to-image-v2', route.endpoint]);
  });

  it('keeps a notice from the provider (images dropped by a safety checker) on the job', async () => {
    const { adapter } = fakeProvider(0);
    adapter.poll = async () => ({ kind: 'done', outputs: [{ kind: 'url', url: 'https://cdn.example/a.png' }], notice: '1 of 2 images was blocked.' });
    const { engine, db } = await setup({}, adapter);
    const { job } = await engine.enqueue(request);
    await settle(engine);
    const done = await db.get('jobs', job.id);
    expect(done?.state).toBe('done');
    expect(done?.notice).toBe('1 of 2 images was blocked.');
    expect(done?.resultIds).toHaveLength(1);
  });
});
