// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ModelPicker } from '@/components/ModelPicker';
import { ReferenceDescription } from '@/components/ReferenceDescription';
import { ErrorNotice } from '@/components/ErrorNotice';

afterEach(cleanup);

describe('ModelPicker', () => {
  it('picks a model, and offers Settings when the model cannot run', async () => {
    const onChange = vi.fn();
    const onOpenSettings = vi.fn();
    render(<ModelPicker value="flux-dev" onChange={onChange} routeNote="Flux dev needs a fal API key." via="unavailable" onOpenSettings={onOpenSettings} />);
    await userEvent.selectOptions(screen.getByRole('combobox', { name: 'Model' }), 'imagen-3');
    expect(onChange).toHaveBeenCalledWith('imagen-3');
    await userEvent.click(screen.getByRole('button', { name: 'Open Settings' }));
    expect(onOpenSettings).toHaveBeenCalled();
  });

  it('marks the sandbox, and shows successor and warning notes', () => {
    render(
      <ModelPicker
        value="flux-dev"
        onChange={vi.fn()}
        routeNote="No fal key: using the local sandbox."
        via="sandbox"
        successorNote="This uses Seedream 4.0."
        warning="fal will switch this route off on 15 January 2027."
        onOpenSettings={vi.fn()}
      />,
    );
    expect(screen.getByText('sandbox')).toHaveClass('badge');
    expect(screen.queryByRole('button', { name: 'Open Settings' })).toBeNull();
    expect(screen.getByText('This uses Seedream 4.0.')).toBeInTheDocument();
    expect(screen.getByText('fal will switch this route off on 15 January 2027.')).toBeInTheDocument();
  });
});

describe('ReferenceDescription', () => {
  it('explains that the image travels as words, and describes it on request', async () => {
    const onDescribe = vi.fn();
    const onChange = vi.fn();
    const { rerender } = render(<ReferenceDescription modelName="Realistic" text="" describing={false} error={null} onChange={onChange} onDescribe={onDescribe} />);
    const field = screen.getByRole('textbox', { name: 'Reference description' });
    expect(field).toHaveAttribute('placeholder', 'Written automatically when you press Create');
    expect(screen.getByText(/^Realistic cannot see images/)).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Describe image' }));
    expect(onDescribe).toHaveBeenCalled();
    await userEvent.type(field, 'a');
    expect(onChange).toHaveBeenCalledWith('a');
    rerender(<ReferenceDescription modelName="Realistic" text="A red door" describing error={null} onChange={onChange} onDescribe={onDescribe} />);
    expect(screen.getByRole('button', { name: 'Describing…' })).toBeDisabled();
    rerender(<ReferenceDescription modelName="Realistic" text="A red door" describing={false} error={null} onChange={onChange} onDescribe={onDescribe} />);
    expect(screen.getByRole('button', { name: 'Describe again' })).toBeEnabled();
  });
});

describe('ErrorNotice', () => {
  it('says what happened and the next step for its kind, or none for a canceled job', () => {
    const { rerender } = render(<ErrorNotice error={{ kind: 'bad_key', message: 'fal did not accept the API key.' }} />);
    const alert = screen.getByRole('alert');
    expect(alert).toHaveTextContent('fal did not accept the API key.');
    expect(alert).toHaveTextContent('Check the key in Settings; it may have been revoked or mistyped.');
    rerender(<ErrorNotice error={{ kind: 'canceled', message: 'Canceled.' }} />);
    expect(screen.getByRole('alert').textContent).toBe('Canceled.');
    rerender(<ErrorNotice error={{ kind: 'not_found', message: 'Gone.' }} step="Reload the page." />);
    expect(screen.getByRole('alert')).toHaveTextContent('Reload the page.');
  });
});
