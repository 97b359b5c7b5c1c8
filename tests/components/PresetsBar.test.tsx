// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { PresetsBar, type PresetRenameResult, type PresetSaveResult, type PresetsBarProps } from '@/components/PresetsBar';
import { ExportImport } from '@/components/workspace/ExportImport';

afterEach(cleanup);

const presets = [
  { id: 'p-new', name: 'Night harbour' },
  { id: 'p-old', name: 'Portrait' },
];

function setup(fields: Partial<PresetsBarProps> = {}) {
  const props: PresetsBarProps = {
    presets,
    onApply: vi.fn(),
    onSave: vi.fn(async (): Promise<PresetSaveResult> => ({ status: 'saved', id: 'p-3' })),
    onDelete: vi.fn(),
    onRename: vi.fn(async (): Promise<PresetRenameResult> => ({ status: 'renamed' })),
    ...fields,
  };
  const view = render(<PresetsBar {...props} />);
  const region = screen.getByRole('region', { name: 'Presets' });
  return { props, view, region, user: userEvent.setup() };
}

describe('PresetsBar', () => {
  it('applies the newest preset in one click, or the one chosen', async () => {
    const { props, region, user } = setup();
    const select = within(region).getByRole('combobox', { name: 'Preset' });
    expect(select).toHaveValue('p-new');
    await user.click(within(region).getByRole('button', { name: 'Apply' }));
    expect(props.onApply).toHaveBeenCalledWith('p-new');
    await user.selectOptions(select, 'Portrait');
    await user.click(within(region).getByRole('button', { name: 'Apply' }));
    expect(props.onApply).toHaveBeenLastCalledWith('p-old');
  });

  it('offers only "Save as preset…" while there are none', () => {
    const { region } = setup({ presets: [] });
    expect(within(region).queryByRole('combobox')).toBeNull();
    expect(within(region).queryByRole('button', { name: 'Apply' })).toBeNull();
    expect(within(region).getByRole('button', { name: 'Save as preset…' })).toBeEnabled();
  });

  it('saves under a typed name with Enter, and Esc cancels back to the button', async () => {
    const { props, region, user } = setup();
    await user.click(within(region).getByRole('button', { name: 'Save as preset…' }));
    const field = within(region).getByRole('textbox', { name: 'Preset name' });
    expect(field).toHaveFocus();
    expect(within(region).getByRole('button', { name: 'Save' })).toBeDisabled();
    await user.keyboard('Sunset{Escape}');
    expect(props.onSave).not.toHaveBeenCalled();
    expect(within(region).queryByRole('textbox')).toBeNull();
    expect(within(region).getByRole('button', { name: 'Save as preset…' })).toHaveFocus();

    await user.keyboard('{Enter}');
    expect(within(region).getByRole('textbox', { name: 'Preset name' })).toHaveValue('');
    await user.keyboard('  Sunset {Enter}');
    expect(props.onSave).toHaveBeenCalledWith('Sunset', false);
    expect(within(region).queryByRole('textbox')).toBeNull();
  });

  it('asks before replacing a preset of the same name', async () => {
    const onSave = vi.fn(async (_name: string, replace: boolean): Promise<PresetSaveResult> => (replace ? { status: 'saved', id: 'p-old' } : { status: 'exists' }));
    const { region, user } = setup({ onSave });
    await user.click(within(region).getByRole('button', { name: 'Save as preset…' }));
    await user.keyboard('Portrait{Enter}');
    const question = within(region).getByRole('group', { name: 'A preset named “Portrait” already exists. Replace it?' });
    const replace = within(question).getByRole('button', { name: 'Replace' });
    expect(replace).toHaveFocus();

    // Cancel goes back to the name, to change it.
    await user.click(within(question).getByRole('button', { name: 'Cancel' }));
    expect(within(region).getByRole('textbox', { name: 'Preset name' })).toHaveValue('Portrait');
    await user.keyboard('{Enter}');
    await user.click(within(region).getByRole('button', { name: 'Replace' }));
    expect(onSave).toHaveBeenLastCalledWith('Portrait', true);
    expect(within(region).getByRole('combobox', { name: 'Preset' })).toHaveValue('p-old');
  });

  it('keeps the name field open when saving fails', async () => {
    const { region, user } = setup({ onSave: vi.fn(async (): Promise<PresetSaveResult> => ({ status: 'failed' })), status: { text: 'Give the preset a name.', failed: true } });
    await user.click(within(region).getByRole('button', { name: 'Save as preset…' }));
    await user.keyboard('x{Enter}');
    expect(within(region).getByRole('textbox', { name: 'Preset name' })).toBeInTheDocument();
    expect(within(region).getByRole('status')).toHaveTextContent('Give the preset a name.');
  });

  it('deletes only after asking, from the keyboard too', async () => {
    const { props, region, user } = setup();
    await user.click(within(region).getByRole('button', { name: 'Delete preset “Night harbour”' }));
    const question = within(region).getByRole('group', { name: 'Delete the preset “Night harbour”?' });
    expect(within(question).getByRole('button', { name: 'Keep' })).toHaveFocus();
    await user.keyboard('{Escape}');
    expect(props.onDelete).not.toHaveBeenCalled();
    expect(within(region).getByRole('combobox', { name: 'Preset' })).toHaveFocus();

    await user.click(within(region).getByRole('button', { name: 'Delete preset “Night harbour”' }));
    await user.click(within(region).getByRole('button', { name: 'Delete' }));
    expect(props.onDelete).toHaveBeenCalledWith('p-new');
  });

  it('renames the chosen preset in a field filled with its name; Esc keeps it as it was', async () => {
    const { props, region, user } = setup();
    await user.selectOptions(within(region).getByRole('combobox', { name: 'Preset' }), 'Portrait');
    await user.click(within(region).getByRole('button', { name: 'Rename preset “Portrait”' }));
    const field = within(region).getByRole('textbox', { name: 'New name for “Portrait”' });
    expect(field).toHaveFocus();
    expect(field).toHaveValue('Portrait');
    await user.keyboard('{Escape}');
    expect(props.onRename).not.toHaveBeenCalled();
    expect(within(region).getByRole('combobox', { name: 'Preset' })).toHaveFocus();

    await user.click(within(region).getByRole('button', { name: 'Rename preset “Portrait”' }));
    await user.clear(within(region).getByRole('textbox', { name: 'New name for “Portrait”' }));
    await user.keyboard('Studio portrait{Enter}');
    expect(props.onRename).toHaveBeenCalledWith('p-old', 'Studio portrait');
    expect(within(region).queryByRole('textbox')).toBeNull();
    expect(within(region).getByRole('combobox', { name: 'Preset' })).toHaveFocus();
  });

  it('keeps the rename field open, saying so, when another preset has the name', async () => {
    const onRename = vi.fn(async (): Promise<PresetRenameResult> => ({ status: 'exists' }));
    const { region, user } = setup({ onRename });
    await user.click(within(region).getByRole('button', { name: 'Rename preset “Night harbour”' }));
    const field = within(region).getByRole('textbox', { name: 'New name for “Night harbour”' });
    await user.clear(field);
    await user.keyboard('Portrait{Enter}');
    expect(onRename).toHaveBeenCalledWith('p-new', 'Portrait');
    const again = within(region).getByRole('textbox', { name: 'New name for “Night harbour”' });
    expect(again).toHaveAttribute('aria-invalid', 'true');
    expect(again).toHaveAccessibleDescription('Another preset is named “Portrait”. Choose another name.');
    // The same name unchanged is no rename at all.
    await user.clear(again);
    await user.keyboard('Night harbour{Enter}');
    expect(onRename).toHaveBeenCalledTimes(1);
    expect(within(region).queryByRole('textbox')).toBeNull();
  });

  it('reads out what the last action did', () => {
    const { region } = setup({ status: { text: 'Applied “Portrait”.' } });
    expect(within(region).getByRole('status')).toHaveTextContent('Applied “Portrait”.');
  });
});

describe('presets in Export and import', () => {
  it('says a selection export leaves presets out', () => {
    const props = { onExport: vi.fn(), onImport: vi.fn() };
    const { rerender } = render(<ExportImport {...props} />);
    expect(screen.queryByText('Presets go with Export all, not with a selection.')).toBeNull();
    rerender(<ExportImport {...props} selectedJobIds={['a']} />);
    expect(screen.getByText('Presets go with Export all, not with a selection.')).toBeInTheDocument();
  });

  it('counts imported presets in the summary', async () => {
    const user = userEvent.setup();
    const base = { jobsAdded: 0, jobsSkipped: 0, resultsAdded: 0, referencesAdded: 0, referencesReused: 0, problems: [] };
    const onImport = vi.fn().mockResolvedValueOnce({ ...base, presetsAdded: 2, presetsSkipped: 0 }).mockResolvedValueOnce({ ...base, jobsAdded: 3, presetsAdded: 1 });
    render(<ExportImport onExport={vi.fn()} onImport={onImport} />);
    const file = new File([new Uint8Array([1])], 'x.zip', { type: 'application/zip' });
    await user.upload(screen.getByLabelText('Import…'), file);
    expect(await screen.findByText('Imported 2 presets')).toBeInTheDocument();
    await user.upload(screen.getByLabelText('Import…'), file);
    expect(await screen.findByText('Imported 3 generations, plus 1 preset')).toBeInTheDocument();
  });
});
