import { describe, expect, it } from 'vitest';
import type { ProviderAdapter } from '../../../utils/providers/types';
import { fakeProvider, request, settle, setup } from './fixtures';

/** A queue provider whose finished poll reports what the job cost. */
function costingProvider(cost: { usd: number; source: 'reported' | 'computed' } | undefined) {
  const { adapter, calls } = fakeProvider(0);
  const poll: ProviderAdapter['poll'] = async (route, handle, ctx) => {
    const out = await fakeProvider(0).adapter.poll(route, handle, ctx);
    return out.kind === 'done' && cost ? { ...out, cost } : out;
  };
  return { adapter: { ...adapter, poll }, calls };
}

describe('job engine: cost', () => {
  it('stores the cost a provider reported on the finished job', async () => {
    const { adapter } = costingProvider({ usd: 0.06, source: 'reported' });
    const { engine, db } = await setup({}, adapter);
    const { job } = await engine.enqueue(request);
    await settle(engine);
    const done = await db.get('jobs', job.id);
    expect(done?.state).toBe('done');
    expect(done?.cost).toEqual({ usd: 0.06, source: 'reported' });
  });

  it('stores the cost of a sync provider that answers the submit itself', async () => {
    const base = fakeProvider(0, 'sync').adapter;
    const adapter: ProviderAdapter = {
      ...base,
      async submit() {
        return { kind: 'done', outputs: [{ kind: 'url', url: 'https://cdn.example/sync.png' }], cost: { usd: 0.042, source: 'computed' } };
      },
    };
    const { engine, db } = await setup({}, adapter);
    const { job } = await engine.enqueue(request);
    await settle(engine);
    expect((await db.get('jobs', job.id))?.cost).toEqual({ usd: 0.042, source: 'computed' });
  });

  it('records nothing when the provider said nothing, or something that is not a sum', async () => {
    for (const cost of [undefined, { usd: Number.NaN, source: 'reported' as const }, { usd: -1, source: 'reported' as const }]) {
      const { adapter } = costingProvider(cost);
      const { engine, db } = await setup({}, adapter);
      const { job } = await engine.enqueue(request);
      await settle(engine);
      const done = await db.get('jobs', job.id);
      expect(done?.state).toBe('done');
      expect(done && 'cost' in done).toBe(false);
    }
  });

  it('gives a cache hit no cost of its own: it cost nothing', async () => {
    const { adapter, calls } = costingProvider({ usd: 0.06, source: 'reported' });
    const { engine, db } = await setup({}, adapter);
    await engine.enqueue(request);
    await settle(engine);
    const hit = await engine.enqueue(request);
    expect(hit.cached).toBe(true);
    expect(calls.submit).toBe(1);
    expect(hit.job.cost).toBeUndefined();
    expect((await db.get('jobs', hit.job.id))?.cost).toBeUndefined();
  });
});
