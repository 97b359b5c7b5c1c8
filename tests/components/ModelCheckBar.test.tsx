// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ModelCheckBar } from '@/entrypoints/options/ModelCheckBar';

afterEach(cleanup);

describe('ModelCheckBar', () => {
  it('runs the check and announces what it found', async () => {
    const onCheck = vi.fn();
    render(<ModelCheckBar busy={false} message="All 12 models found." onCheck={onCheck} />);
    await userEvent.click(screen.getByRole('button', { name: 'Check my models' }));
    expect(onCheck).toHaveBeenCalledOnce();
    expect(screen.getByRole('status')).toHaveTextContent('All 12 models found.');
  });

  it('lists the image models a key can reach, folded until asked', async () => {
    render(<ModelCheckBar busy={false} message="" reachable={[{ provider: 'OpenRouter', models: ['a/one', 'b/two'] }]} onCheck={() => {}} />);
    const summary = screen.getByText('OpenRouter: 2 image models your key can reach');
    await userEvent.click(summary);
    const list = screen.getByRole('list', { name: 'Image models on OpenRouter' });
    expect(within(list).getAllByRole('listitem').map((li) => li.textContent)).toEqual(['a/one', 'b/two']);
  });
});
