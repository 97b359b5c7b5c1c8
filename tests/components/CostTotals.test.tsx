// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render, screen, within } from '@testing-library/react';
import { CostTotals } from '@/components/CostTotals';

afterEach(cleanup);

describe('CostTotals', () => {
  it('lists each provider’s recorded spending this month, saying estimates are not included', () => {
    render(
      <CostTotals
        totals={[
          { provider: 'bfl', name: 'Black Forest Labs', usd: 0.18, jobs: 3 },
          { provider: 'openai', name: 'OpenAI', usd: 0.042, jobs: 1 },
        ]}
      />,
    );
    const section = screen.getByRole('region', { name: 'Spending this month' });
    expect(within(section).getByText(/Price estimates are not included/)).toBeTruthy();
    const rows = within(section).getAllByRole('row').slice(1);
    const cells = rows.map((r) => Array.from(r.children, (c) => c.textContent));
    expect(cells).toEqual([
      ['Black Forest Labs', '$0.18', '3'],
      ['OpenAI', '$0.042', '1'],
    ]);
    expect(within(section).getByRole('rowheader', { name: 'Black Forest Labs' })).toBeTruthy();
  });

  it('says when nothing was recorded, and while it is adding up', () => {
    render(<CostTotals totals={[]} />);
    expect(screen.getByText('No costs recorded this month.')).toBeTruthy();
    cleanup();
    render(<CostTotals totals={null} />);
    expect(screen.getByRole('status').textContent).toMatch(/Adding up/);
  });
});
