import { describe, expect, it } from 'vitest';
import type { ProviderAdapter } from '../../../utils/providers/types';
import { fakeProvider, request, settle, setup } from './fixtures';

describe('job engine: step progress', () => {
  it('writes the steps a pending poll reports onto job.progress, and only when they change', async () => {
    const { adapter } = fakeProvider(0);
    const answers = [
      { kind: 'pending', stage: 'queued', queuePosition: 1 },
      { kind: 'pending', stage: 'running' },
      { kind: 'pending', stage: 'running', step: { value: 5, max: 20 } },
      { kind: 'pending', stage: 'running', step: { value: 5, max: 20 } },
      { kind: 'pending', stage: 'running', step: { value: 12, max: 20 } },
    ] as const;
    let polls = 0;
    const poll: ProviderAdapter['poll'] = async (route, handle, ctx) => {
      const next = answers[polls++];
      return next ? { ...next } : adapter.poll(route, handle, ctx);
    };
    const { engine, db, changes } = await setup({}, { ...adapter, poll });
    const { job } = await engine.enqueue(request);
    await settle(engine);
    const progress = changes.filter((c) => c.id === job.id && c.state === 'polling').map((c) => c.progress);
    expect(progress).toContainEqual({ stage: 'running', step: { value: 5, max: 20 } });
    expect(progress).toContainEqual({ stage: 'running', step: { value: 12, max: 20 } });
    // The same step twice is written once.
    expect(progress.filter((p) => p?.step?.value === 5)).toHaveLength(1);
    const done = await db.get('jobs', job.id);
    expect(done?.state).toBe('done');
    expect(done?.progress).toBeUndefined();
  });
});
