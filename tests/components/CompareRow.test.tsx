// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { CompareRow, type CompareItem } from '@/components/compare/CompareRow';

afterEach(cleanup);

const ITEMS: CompareItem[] = [
  { jobId: 'j1', modelName: 'Flux dev', routeLabel: 'fal', state: 'done', thumbUrl: 'blob:t1', resultId: 'j1:0' },
  { jobId: 'j2', modelName: 'Imagen 3', routeLabel: 'Google Gemini', state: 'polling', thumbUrl: null },
  { jobId: 'j3', modelName: 'Ideogram v3', routeLabel: 'Ideogram', state: 'failed', thumbUrl: null, error: { message: 'Ideogram refused the key.' } },
  { modelName: 'Realistic', routeLabel: 'fal', state: 'failed', thumbUrl: null, error: { message: 'Realistic needs a fal API key.' } },
  { jobId: 'j5', modelName: 'Seedream v3', routeLabel: 'BytePlus ModelArk', state: 'canceled', thumbUrl: null },
];

function renderRow(items = ITEMS) {
  const actions = { onPick: vi.fn(), onOpen: vi.fn() };
  render(<CompareRow runLabel="a red fox in the snow" items={items} {...actions} />);
  return { actions, row: screen.getByRole('region', { name: 'Compare: a red fox in the snow' }) };
}

const cell = (row: HTMLElement, name: string) => within(row).getByRole('figure', { name });

describe('CompareRow', () => {
  it('shows one labelled result per model, side by side, in the order given', () => {
    const { row } = renderRow();
    const list = within(row).getByRole('list', { name: 'Results side by side' });
    expect(within(list).getAllByRole('figure').map((f) => within(f).getByText(/ · /).textContent)).toEqual([
      'Flux dev · fal',
      'Imagen 3 · Google Gemini',
      'Ideogram v3 · Ideogram',
      'Realistic · fal',
      'Seedream v3 · BytePlus ModelArk',
    ]);
    expect(within(row).getByText('a red fox in the snow')).toBeInTheDocument();
  });

  it('opens a finished result and picks it to iterate on', async () => {
    const user = userEvent.setup();
    const { row, actions } = renderRow();
    const flux = cell(row, 'Flux dev · fal');
    const open = within(flux).getByRole('button', { name: 'Open the image from Flux dev' });
    expect(within(open).getByRole('presentation')).toHaveAttribute('src', 'blob:t1');
    await user.click(open);
    expect(actions.onOpen).toHaveBeenCalledWith('j1:0');
    const use = within(flux).getByRole('button', { name: 'Use this' });
    expect(use).toHaveAccessibleDescription('Flux dev · fal');
    await user.click(use);
    expect(actions.onPick).toHaveBeenCalledWith('j1:0');
  });

  it('shows progress while running and why a model failed, without actions for either', () => {
    const { row } = renderRow();
    const running = cell(row, 'Imagen 3 · Google Gemini');
    expect(within(running).getByRole('progressbar', { name: 'Progress for Imagen 3' })).toBeInTheDocument();
    expect(within(running).getByText('Working…')).toBeInTheDocument();
    expect(within(running).queryByRole('button')).toBeNull();

    const failed = cell(row, 'Ideogram v3 · Ideogram');
    expect(within(failed).getByText('Ideogram refused the key.')).toBeInTheDocument();
    expect(within(failed).queryByRole('button')).toBeNull();
    expect(within(cell(row, 'Realistic · fal')).getByText('Realistic needs a fal API key.')).toBeInTheDocument();
    expect(within(cell(row, 'Seedream v3 · BytePlus ModelArk')).getByText('Canceled.')).toBeInTheDocument();
    expect(within(row).getAllByRole('button', { name: 'Use this' })).toHaveLength(1);
  });

  it('says when a finished image is no longer stored, and offers a result whose thumbnail is still loading', async () => {
    const user = userEvent.setup();
    const { row, actions } = renderRow([
      { jobId: 'a', modelName: 'Flux dev', routeLabel: 'fal', state: 'done', thumbUrl: null },
      { jobId: 'b', modelName: 'Imagen 3', routeLabel: 'Google Gemini', state: 'done', thumbUrl: null, resultId: 'b:0' },
    ]);
    expect(within(cell(row, 'Flux dev · fal')).getByText('Image no longer stored.')).toBeInTheDocument();
    await user.click(within(cell(row, 'Imagen 3 · Google Gemini')).getByRole('button', { name: 'Use this' }));
    expect(actions.onPick).toHaveBeenCalledWith('b:0');
  });

  it('names the row by a short form of a long prompt', () => {
    const long = `a fox ${'very '.repeat(40)}red`;
    render(<CompareRow runLabel={long} items={ITEMS.slice(0, 1)} onPick={vi.fn()} onOpen={vi.fn()} />);
    const region = screen.getByRole('region');
    expect(region.getAttribute('aria-label')!.length).toBeLessThanOrEqual('Compare: '.length + 80);
    expect(region.getAttribute('aria-label')).toMatch(/^Compare: a fox very .*…$/);
  });
});
