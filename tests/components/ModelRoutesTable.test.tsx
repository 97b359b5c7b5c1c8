// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ModelRoutesTable } from '@/entrypoints/options/ModelRoutesTable';
import { ModelCheckBar } from '@/entrypoints/options/ModelCheckBar';
import type { ModelRouteRow } from '@/entrypoints/options/route-views';

afterEach(cleanup);

const rows: ModelRouteRow[] = [
  {
    modelId: 'flux-dev',
    modelName: 'Flux dev',
    runsOn: 'fal: Flux dev (sends the image)',
    why: 'Uses your fal key.',
    chosen: '',
    choices: [
      { id: 'fal:a', label: 'fal: A (sends the image)' },
      { id: 'replicate:b', label: 'Replicate: B (sends the image): deprecated' },
    ],
  },
  { modelId: 'imagen-3', modelName: 'Imagen 3', runsOn: '\u2014', why: 'Imagen 3 needs a fal or Google Gemini API key. Add it in Settings.', chosen: 'google:x', choices: [{ id: 'google:x', label: 'Google Gemini: X (sends the image)' }] },
];

describe('ModelRoutesTable', () => {
  it('shows where each model runs and why, with a route picker per model', async () => {
    const onChoose = vi.fn();
    render(<ModelRoutesTable rows={rows} onChoose={onChoose} />);
    expect(screen.getAllByRole('columnheader').map((h) => h.textContent)).toEqual(['Model', 'Runs on', 'Why', 'Route']);
    const flux = screen.getByRole('row', { name: /^Flux dev/ });
    expect(flux).toHaveTextContent('Uses your fal key.');
    const picker = within(flux).getByRole('combobox', { name: 'Flux dev route' });
    expect(picker).toHaveValue('');
    expect(within(picker).getAllByRole('option').map((o) => o.textContent)).toEqual(['Automatic', 'fal: A (sends the image)', 'Replicate: B (sends the image): deprecated']);
    await userEvent.selectOptions(picker, 'replicate:b');
    expect(onChoose).toHaveBeenCalledWith('flux-dev', 'replicate:b');
    expect(screen.getByRole('combobox', { name: 'Imagen 3 route' })).toHaveValue('google:x');
  });
});

describe('ModelCheckBar', () => {
  it('is busy while checking, then announces what it found', async () => {
    const onCheck = vi.fn();
    const { rerender } = render(<ModelCheckBar busy={false} message="" onCheck={onCheck} />);
    await userEvent.click(screen.getByRole('button', { name: 'Check my models' }));
    expect(onCheck).toHaveBeenCalledTimes(1);
    rerender(<ModelCheckBar busy message="" onCheck={onCheck} />);
    expect(screen.getByRole('button', { name: 'Check my models' })).toBeDisabled();
    expect(screen.getByRole('status')).toHaveTextContent('Checking with free model lookups\u2026');
    rerender(<ModelCheckBar busy={false} message="Checked 3 routes with free lookups." onCheck={onCheck} />);
    expect(screen.getByRole('status')).toHaveTextContent('Checked 3 routes with free lookups.');
  });
});
