// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ComfyUISettings, type ComfyUISettingsProps } from '@/components/ComfyUISettings';
import { DEFAULT_MAPPING, DEFAULT_CHECKPOINT } from '@/utils/comfyui/default-workflow';

afterEach(cleanup);

function setup(overrides: Partial<ComfyUISettingsProps> = {}) {
  const props: ComfyUISettingsProps = {
    address: 'http://127.0.0.1:8188',
    defaultAddress: 'http://127.0.0.1:8188',
    saved: undefined,
    onTest: vi.fn(async () => ({ ok: true, message: 'Connected. Checkpoints: sd15.safetensors', checkpoints: ['sd15.safetensors'] })),
    onSave: vi.fn(async () => null),
    onRemove: vi.fn(async () => {}),
    ...overrides,
  };
  render(<ComfyUISettings {...props} />);
  return { props, section: screen.getByRole('region', { name: 'ComfyUI (your own GPU)' }) };
}

const WORKFLOW = {
  '3': { class_type: 'KSampler', inputs: { seed: 1, denoise: 0.6, positive: ['6', 0], negative: ['7', 0], model: ['4', 0], latent_image: ['9', 0] } },
  '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'mine.safetensors' } },
  '6': { class_type: 'CLIPTextEncode', inputs: { text: 'pos', clip: ['4', 1] } },
  '7': { class_type: 'CLIPTextEncode', inputs: { text: 'neg', clip: ['4', 1] } },
  '8': { class_type: 'LoadImage', inputs: { image: 'a.png' } },
  '9': { class_type: 'VAEEncode', inputs: { pixels: ['8', 0], vae: ['4', 2] } },
  '10': { class_type: 'SaveImage', inputs: { images: ['3', 0], filename_prefix: 'x' } },
};

describe('ComfyUISettings', () => {
  it('tests the typed address, lists the checkpoints and offers them for the template', async () => {
    const { props, section } = setup();
    const address = within(section).getByLabelText('ComfyUI address');
    await userEvent.clear(address);
    await userEvent.type(address, 'http://192.168.1.20:8188');
    await userEvent.click(within(section).getByRole('button', { name: 'Test connection' }));
    expect(props.onTest).toHaveBeenCalledWith('http://192.168.1.20:8188');
    expect(await within(section).findByText('Connected. Checkpoints: sd15.safetensors')).toBeInTheDocument();
    await userEvent.click(within(section).getByRole('button', { name: 'Use the default template' }));
    const ckpt = within(section).getByLabelText('Checkpoint');
    expect(ckpt).toHaveValue(DEFAULT_CHECKPOINT);
    await userEvent.selectOptions(ckpt, 'sd15.safetensors');
    await userEvent.click(within(section).getByRole('button', { name: 'Save ComfyUI setup' }));
    expect(props.onSave).toHaveBeenCalledWith('http://192.168.1.20:8188', expect.objectContaining({ mapping: DEFAULT_MAPPING, source: 'template' }));
    const saved = vi.mocked(props.onSave).mock.calls[0]![1];
    expect(saved.workflow['1']!.inputs.ckpt_name).toBe('sd15.safetensors');
    expect(await within(section).findByText(/Saved\. ComfyUI can now run Flux dev/)).toBeInTheDocument();
  });

  it('shows the start flag ComfyUI needs when the test meets its origin check', async () => {
    const hint = 'ComfyUI refused the extension (403): by default it only answers its own pages. Start ComfyUI with --enable-cors-header chrome-extension://abc and try again.';
    const { section } = setup({ onTest: vi.fn(async () => ({ ok: false, message: hint })) });
    await userEvent.click(within(section).getByRole('button', { name: 'Test connection' }));
    expect(await within(section).findByText(hint)).toBeInTheDocument();
  });

  it('imports a pasted API-format workflow with the nodes pre-chosen, and saves that mapping', async () => {
    const { props, section } = setup();
    fireEvent.change(within(section).getByLabelText('Or paste the workflow (API format)'), { target: { value: JSON.stringify(WORKFLOW) } });
    await userEvent.click(within(section).getByRole('button', { name: 'Use pasted workflow' }));
    expect(within(section).getByLabelText('Image prompt (Load Image node)')).toHaveValue('8');
    expect(within(section).getByLabelText('Prompt text node')).toHaveValue('6');
    expect(within(section).getByLabelText('Seed node')).toHaveValue('3');
    expect(within(section).getByLabelText('Reference strength node (denoise)')).toHaveValue('3');
    await userEvent.selectOptions(within(section).getByLabelText('Reference strength node (denoise)'), '');
    await userEvent.click(within(section).getByRole('button', { name: 'Save ComfyUI setup' }));
    expect(props.onSave).toHaveBeenCalledWith('http://127.0.0.1:8188', expect.objectContaining({
      source: 'imported',
      mapping: { imageNode: '8', promptNode: '6', promptField: 'text', seedNode: '3', seedField: 'seed' },
    }));
  });

  it('chooses a node by hand and takes its fitting input; the strength input shows only with a node', async () => {
    const { props, section } = setup();
    fireEvent.change(within(section).getByLabelText('Or paste the workflow (API format)'), { target: { value: JSON.stringify(WORKFLOW) } });
    await userEvent.click(within(section).getByRole('button', { name: 'Use pasted workflow' }));
    // Only nodes with a typed-in text input are offered for the prompt (not the sampler); picking one takes that input.
    const prompt = within(section).getByLabelText('Prompt text node');
    const offered = within(prompt).getAllByRole('option').map((o) => o.getAttribute('value'));
    expect(offered).toEqual(expect.arrayContaining(['', '6', '7']));
    expect(offered).not.toContain('3');
    await userEvent.selectOptions(prompt, '7');
    expect(within(section).getByLabelText('Prompt input')).toHaveValue('text');
    await userEvent.selectOptions(within(section).getByLabelText('Reference strength node (denoise)'), '');
    expect(within(section).queryByLabelText('Strength input')).toBeNull();
    await userEvent.selectOptions(within(section).getByLabelText('Reference strength node (denoise)'), '3');
    expect(within(section).getByLabelText('Strength input')).toHaveValue('denoise');
    await userEvent.selectOptions(within(section).getByLabelText('Seed node'), '');
    await userEvent.selectOptions(within(section).getByLabelText('Seed node'), '3');
    expect(within(section).getByLabelText('Seed input')).toHaveValue('seed');
    await userEvent.click(within(section).getByRole('button', { name: 'Save ComfyUI setup' }));
    expect(props.onSave).toHaveBeenCalledWith('http://127.0.0.1:8188', expect.objectContaining({
      mapping: { imageNode: '8', promptNode: '7', promptField: 'text', seedNode: '3', seedField: 'seed', strengthNode: '3', strengthField: 'denoise' },
    }));
  });

  it('refuses an editor-format file with the way to export the API format, and a mapping that does not fit', async () => {
    const { props, section } = setup();
    fireEvent.change(within(section).getByLabelText('Or paste the workflow (API format)'), { target: { value: JSON.stringify({ nodes: [], links: [] }) } });
    await userEvent.click(within(section).getByRole('button', { name: 'Use pasted workflow' }));
    expect(await within(section).findByText(/File → Export Workflow \(API\)/)).toBeInTheDocument();
    fireEvent.change(within(section).getByLabelText('Or paste the workflow (API format)'), { target: { value: JSON.stringify(WORKFLOW) } });
    await userEvent.click(within(section).getByRole('button', { name: 'Use pasted workflow' }));
    await userEvent.selectOptions(within(section).getByLabelText('Image prompt (Load Image node)'), '');
    await userEvent.click(within(section).getByRole('button', { name: 'Save ComfyUI setup' }));
    expect(await within(section).findByText('Choose a node for the image prompt.')).toBeInTheDocument();
    expect(props.onSave).not.toHaveBeenCalled();
  });
});
