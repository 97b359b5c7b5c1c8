// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ProviderSettingsRow, type ProviderSettingsRowProps } from '@/components/ProviderSettingsRow';

afterEach(cleanup);

function setup(overrides: Partial<ProviderSettingsRowProps> = {}) {
  const props: ProviderSettingsRowProps = {
    id: 'fal',
    name: 'fal',
    defaultBaseUrl: 'https://queue.fal.run',
    baseUrl: 'https://queue.fal.run',
    hasKey: false,
    keyHint: '',
    sandbox: false,
    onSave: vi.fn(async () => null),
    onTest: vi.fn(async () => ({ ok: true, message: 'fal accepted the key.' })),
    onRemoveKey: vi.fn(async () => {}),
    ...overrides,
  };
  render(<ProviderSettingsRow {...props} />);
  return { props, row: screen.getByRole('group', { name: 'fal' }) };
}

describe('ProviderSettingsRow', () => {
  it('saves a typed key with the address, says "Saved." and empties the key field', async () => {
    const { props, row } = setup();
    await userEvent.type(within(row).getByLabelText('fal API key'), 'secret');
    await userEvent.click(within(row).getByRole('button', { name: 'Save fal' }));
    expect(props.onSave).toHaveBeenCalledWith({ key: 'secret', baseUrl: 'https://queue.fal.run' });
    expect(within(row).getByRole('status')).toHaveTextContent('Saved.');
    expect(within(row).getByLabelText('fal API key')).toHaveValue('');
  });

  it('shows why a save was refused, and keeps what was typed', async () => {
    const { row } = setup({ onSave: async () => 'The address must start with https://.' });
    await userEvent.type(within(row).getByLabelText('fal API key'), 'secret');
    await userEvent.click(within(row).getByRole('button', { name: 'Save fal' }));
    expect(within(row).getByRole('status')).toHaveTextContent('The address must start with https://.');
    expect(within(row).getByLabelText('fal API key')).toHaveValue('secret');
  });

  it('can test a key only when there is one (or the sandbox answers), and shows the answer', async () => {
    setup();
    expect(screen.getByRole('button', { name: 'Test fal key' })).toBeDisabled();
    expect(screen.queryByRole('button', { name: 'Remove fal key' })).toBeNull();
    cleanup();

    const { row } = setup({ hasKey: true, keyHint: '\u2022\u2022\u2022\u20221234', onTest: async () => ({ ok: false, message: 'fal did not accept the API key.' }) });
    expect(within(row).getByLabelText('fal API key')).toHaveAttribute('placeholder', 'Saved (\u2022\u2022\u2022\u20221234)');
    await userEvent.click(within(row).getByRole('button', { name: 'Test fal key' }));
    expect(within(row).getByRole('status')).toHaveTextContent('fal did not accept the API key.');
    cleanup();

    setup({ sandbox: true });
    expect(screen.getByLabelText('fal API key')).toHaveAttribute('placeholder', 'None: the sandbox answers');
    expect(screen.getByRole('button', { name: 'Test fal key' })).toBeEnabled();
  });

  it('removes a saved key and says so', async () => {
    const { props, row } = setup({ hasKey: true, keyHint: '\u2022\u2022\u2022\u2022abcd' });
    await userEvent.click(within(row).getByRole('button', { name: 'Remove fal key' }));
    expect(props.onRemoveKey).toHaveBeenCalled();
    expect(await within(row).findByRole('status')).toHaveTextContent('Key removed.');
  });
});
