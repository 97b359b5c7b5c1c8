// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useState } from 'react';
import { cleanup, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { CompareModelsPicker } from '@/components/compare/CompareModelsPicker';
import { MODELS, type ModelId } from '@/utils/models';

afterEach(cleanup);

function Harness({ initial = [], onChange }: { initial?: ModelId[]; onChange: (ids: ModelId[]) => void }) {
  const [value, setValue] = useState<ModelId[]>(initial);
  return (
    <CompareModelsPicker
      value={value}
      onChange={(ids) => {
        setValue(ids);
        onChange(ids);
      }}
    />
  );
}

const group = () => screen.getByRole('group', { name: 'Models to compare' });
const box = (name: string) => within(group()).getByRole('checkbox', { name });

describe('CompareModelsPicker', () => {
  it('offers the ten models as a labelled group of checkboxes that says how many to choose', () => {
    render(<Harness onChange={vi.fn()} />);
    const boxes = within(group()).getAllByRole('checkbox');
    expect(boxes.map((b) => b.closest('label')?.textContent)).toEqual(MODELS.map((m) => m.name));
    expect(boxes).toHaveLength(10);
    expect(group()).toHaveAccessibleDescription('Choose 2 to 6 models');
    expect(screen.getByRole('status')).toHaveTextContent('0 chosen');
  });

  it('adds models in the order they are ticked and removes them when unticked', async () => {
    const user = userEvent.setup();
    const onChange = vi.fn();
    render(<Harness onChange={onChange} />);
    await user.click(box('Ideogram v3'));
    await user.click(box('Flux dev'));
    expect(onChange).toHaveBeenLastCalledWith(['ideogram-v3', 'flux-dev']);
    expect(box('Ideogram v3')).toBeChecked();
    expect(screen.getByRole('status')).toHaveTextContent('2 chosen');
    await user.click(box('Ideogram v3'));
    expect(onChange).toHaveBeenLastCalledWith(['flux-dev']);
    expect(box('Ideogram v3')).not.toBeChecked();
  });

  it('disables further choices at six, and frees them when one is unticked', async () => {
    const user = userEvent.setup();
    const onChange = vi.fn();
    const six = MODELS.slice(0, 6).map((m) => m.id);
    render(<Harness initial={six} onChange={onChange} />);
    expect(screen.getByRole('status')).toHaveTextContent('6 chosen: the most at once');
    const rest = MODELS.slice(6).map((m) => box(m.name));
    for (const b of rest) expect(b).toBeDisabled();
    for (const m of MODELS.slice(0, 6)) expect(box(m.name)).toBeEnabled();
    await user.click(rest[0]!);
    expect(onChange).not.toHaveBeenCalled();
    await user.click(box(MODELS[0]!.name));
    expect(onChange).toHaveBeenLastCalledWith(six.slice(1));
    for (const b of rest) expect(b).toBeEnabled();
  });

  it('takes its own limits', () => {
    render(<CompareModelsPicker value={['flux-dev', 'realistic', 'imagen-3']} onChange={vi.fn()} min={2} max={3} />);
    expect(group()).toHaveAccessibleDescription('Choose 2 to 3 models');
    expect(box('Flux Ultra 1.1')).toBeDisabled();
  });
});
