// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { PanelTabs } from '@/components/PanelTabs';

afterEach(cleanup);

function Harness() {
  const [value, setValue] = useState<'create' | 'history'>('create');
  return (
    <>
      <PanelTabs label="Panel sections" tabs={[{ id: 'create', label: 'Create' }, { id: 'history', label: 'History' }]} value={value} onChange={setValue} />
      <p>showing {value}</p>
    </>
  );
}

describe('PanelTabs', () => {
  it('is one Tab stop; arrows move and select; clicks select', async () => {
    const user = userEvent.setup();
    render(<Harness />);
    const create = screen.getByRole('tab', { name: 'Create' });
    const history = screen.getByRole('tab', { name: 'History' });
    expect(create.getAttribute('aria-selected')).toBe('true');
    expect(history.tabIndex).toBe(-1);
    await user.tab();
    expect(document.activeElement).toBe(create);
    await user.keyboard('{ArrowRight}');
    expect(document.activeElement).toBe(history);
    expect(history.getAttribute('aria-selected')).toBe('true');
    screen.getByText('showing history');
    await user.keyboard('{ArrowRight}');
    expect(document.activeElement).toBe(create);
    await user.keyboard('{End}');
    expect(document.activeElement).toBe(history);
    await user.click(screen.getByRole('tab', { name: 'Create' }));
    screen.getByText('showing create');
  });
});
