import { describe, expect, it } from 'vitest';
import { monthStart, monthTotals } from '@/entrypoints/options/use-cost-totals';

const NOW = new Date(2026, 11, 6, 15, 0).getTime(); // 6 December 2026, local time
const day = (d: number, month = 11) => new Date(2026, month, d, 12, 0).getTime();

describe('monthTotals', () => {
  it('sums recorded costs of this calendar month per provider, largest first', () => {
    const totals = monthTotals(
      [
        { provider: 'bfl', createdAt: day(1), cost: { usd: 0.06, source: 'reported' } },
        { provider: 'bfl', createdAt: day(5), cost: { usd: 0.025, source: 'reported' } },
        { provider: 'openai', createdAt: day(6), cost: { usd: 0.2, source: 'computed' } },
        // Not counted: last month, no cost recorded, a cache hit.
        { provider: 'bfl', createdAt: day(30, 10), cost: { usd: 5, source: 'reported' } },
        { provider: 'fal', createdAt: day(2) },
        { provider: 'bfl', createdAt: day(3), cachedFrom: 'job-1', cost: { usd: 9, source: 'reported' } },
      ],
      NOW,
    );
    expect(totals).toEqual([
      { provider: 'openai', name: 'OpenAI', usd: 0.2, jobs: 1 },
      { provider: 'bfl', name: 'Black Forest Labs', usd: 0.085, jobs: 2 },
    ]);
  });

  it('starts the month at local midnight on the first', () => {
    expect(monthStart(NOW)).toBe(new Date(2026, 11, 1).getTime());
    expect(monthTotals([], NOW)).toEqual([]);
  });
});
