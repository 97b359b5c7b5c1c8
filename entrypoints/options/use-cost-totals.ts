import { useEffect, useState } from 'react';
import { PROVIDER_NAMES, type ProviderId } from '@/utils/models';
import { db } from '@/utils/store/schema';
import type { JobRecord } from '@/utils/store/types';

/** One provider's recorded spending in a month. */
export interface ProviderTotal {
  provider: ProviderId;
  name: string;
  usd: number;
  /** Jobs whose cost is in the sum. */
  jobs: number;
}

/** Midnight on the first day of the current calendar month, in the user's time zone. */
export function monthStart(now: number): number {
  const d = new Date(now);
  return new Date(d.getFullYear(), d.getMonth(), 1).getTime();
}

/**
 * Recorded costs of this month's jobs, per provider, largest first. Only costs a provider
 * reported (or that were computed from the usage it reported) count; estimates never do, and a
 * cache hit has no cost of its own. Pure.
 */
export function monthTotals(jobs: readonly Pick<JobRecord, 'provider' | 'cost' | 'createdAt' | 'cachedFrom'>[], now: number): ProviderTotal[] {
  const from = monthStart(now);
  const byProvider = new Map<ProviderId, ProviderTotal>();
  for (const job of jobs) {
    if (!job.cost || job.cachedFrom || job.createdAt < from || job.createdAt > now) continue;
    const t = byProvider.get(job.provider) ?? { provider: job.provider, name: PROVIDER_NAMES[job.provider] ?? job.provider, usd: 0, jobs: 0 };
    t.usd += job.cost.usd;
    t.jobs += 1;
    byProvider.set(job.provider, t);
  }
  return [...byProvider.values()].map((t) => ({ ...t, usd: Math.round(t.usd * 1000) / 1000 })).sort((a, b) => b.usd - a.usd);
}

/** This month's totals from IndexedDB (only this month's jobs are read, by their creation time); null while reading. */
export function useCostTotals(now: () => number = Date.now): ProviderTotal[] | null {
  const [totals, setTotals] = useState<ProviderTotal[] | null>(null);
  useEffect(() => {
    let alive = true;
    const at = now();
    void (async () => {
      try {
        const d = await db();
        const jobs = await d.getAllFromIndex('jobs', 'byCreatedAt', IDBKeyRange.lowerBound(monthStart(at)));
        if (alive) setTotals(monthTotals(jobs, at));
      } catch {
        // The totals are a courtesy: without storage the page shows none rather than failing.
        if (alive) setTotals([]);
      }
    })();
    return () => {
      alive = false;
    };
  }, [now]);
  return totals;
}
