import { describe, expect, it } from 'vitest';
import { DEFAULT_MAPPING, defaultWorkflow } from '../../utils/comfyui/default-workflow';
import { checkMapping, parseWorkflow, patchWorkflow, suggestMapping, WorkflowError, workflowCheckpoint, type ComfyWorkflow } from '../../utils/comfyui/workflow';

/** A Flux-style workflow as ComfyUI exports it: the prompt reaches the sampler through FluxGuidance. */
const FLUX: ComfyWorkflow = {
  '10': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'flux1-dev-fp8.safetensors' } },
  '11': { class_type: 'CLIPTextEncode', inputs: { text: 'negative words', clip: ['10', 1] }, _meta: { title: 'Negative' } },
  '12': { class_type: 'CLIPTextEncode', inputs: { text: 'a cat', clip: ['10', 1] }, _meta: { title: 'Positive' } },
  '13': { class_type: 'FluxGuidance', inputs: { conditioning: ['12', 0], guidance: 3.5 } },
  '14': { class_type: 'LoadImage', inputs: { image: 'example.png' } },
  '15': { class_type: 'VAEEncode', inputs: { pixels: ['14', 0], vae: ['10', 2] } },
  '16': { class_type: 'KSamplerAdvanced', inputs: { noise_seed: 5, positive: ['13', 0], negative: ['11', 0], latent_image: ['15', 0], model: ['10', 0] } },
  '17': { class_type: 'SaveImage', inputs: { images: ['16', 0], filename_prefix: 'x' } },
};

function refusal(fn: () => unknown): WorkflowError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(WorkflowError);
    return err as WorkflowError;
  }
  throw new Error('expected a refusal');
}

describe('reading a workflow', () => {
  it('reads an API-format export and keeps node titles', () => {
    const wf = parseWorkflow(JSON.stringify(FLUX));
    expect(Object.keys(wf)).toHaveLength(8);
    expect(wf['12']).toEqual(FLUX['12']);
  });

  it('takes the workflow out of a whole /prompt request body', () => {
    expect(parseWorkflow(JSON.stringify({ prompt: FLUX, client_id: 'x' }))['14']?.class_type).toBe('LoadImage');
  });

  it('refuses text that is not JSON', () => {
    const e = refusal(() => parseWorkflow('{ nope'));
    expect(e.code).toBe('not_json');
    expect(e.message).toMatch(/could not be read as JSON/);
  });

  it('refuses the editor save format and says how to export the API format', () => {
    const ui = { last_node_id: 9, nodes: [{ id: 3, type: 'KSampler', widgets_values: [1] }], links: [], version: 0.4 };
    const e = refusal(() => parseWorkflow(JSON.stringify(ui)));
    expect(e.code).toBe('ui_format');
    expect(e.message).toContain('File \u2192 Export Workflow (API)');
    expect(e.message).toContain('Save (API Format)');
  });

  it('refuses JSON that is not a graph of nodes, and an empty one', () => {
    expect(refusal(() => parseWorkflow('[1,2]')).code).toBe('not_api_format');
    expect(refusal(() => parseWorkflow('{"1": {"inputs": {}}}')).code).toBe('not_api_format');
    expect(refusal(() => parseWorkflow('{}')).code).toBe('empty');
  });

  it('names the checkpoint a workflow loads', () => {
    expect(workflowCheckpoint(FLUX)).toBe('flux1-dev-fp8.safetensors');
  });
});

describe('suggesting a mapping', () => {
  it('finds the load image node, the sampler seed, the positive prompt through links, and no denoise when there is none', () => {
    expect(suggestMapping(FLUX)).toEqual({ imageNode: '14', seedNode: '16', seedField: 'noise_seed', promptNode: '12', promptField: 'text' });
  });

  it('maps the bundled template exactly as its own mapping says', () => {
    expect(suggestMapping(defaultWorkflow())).toEqual(DEFAULT_MAPPING);
    expect(checkMapping(defaultWorkflow(), DEFAULT_MAPPING)).toEqual(DEFAULT_MAPPING);
  });

  it('falls back to the first text node when no sampler says which prompt is positive', () => {
    const wf: ComfyWorkflow = { '1': { class_type: 'LoadImage', inputs: { image: 'a.png' } }, '2': { class_type: 'MyPromptNode', inputs: { text: '' } } };
    expect(suggestMapping(wf)).toEqual({ imageNode: '1', promptNode: '2', promptField: 'text' });
  });
});

describe('checking a mapping', () => {
  const ok = { ...DEFAULT_MAPPING };
  it('says which node is missing, or of the wrong class, or which input is linked', () => {
    const wf = defaultWorkflow();
    expect(refusal(() => checkMapping(wf, { ...ok, imageNode: '99' })).message).toBe('The workflow has no node 99 for the image prompt.');
    expect(refusal(() => checkMapping(wf, { ...ok, imageNode: '6' })).message).toBe('Node 6 (KSampler) is not a Load Image node, so it can\u2019t take the image prompt.');
    expect(refusal(() => checkMapping(wf, { ...ok, seedField: 'noise_seed' })).message).toContain('no typed-in seed input named \u201cnoise_seed\u201d');
    const linked = { ...wf, '4': { class_type: 'CLIPTextEncode', inputs: { text: ['9', 0], clip: ['1', 1] } } };
    expect(refusal(() => checkMapping(linked, ok)).message).toBe('Node 4 (CLIPTextEncode) gets its \u201ctext\u201d from node 9: choose node 9 instead.');
    expect(refusal(() => checkMapping(wf, { ...ok, promptNode: undefined })).message).toBe('Choose a node for the prompt.');
  });

  it('leaves out a strength when none is chosen', () => {
    const { strengthNode: _n, strengthField: _f, ...rest } = ok;
    expect(checkMapping(defaultWorkflow(), rest)).toEqual(rest);
  });
});

describe('patching a workflow for one job', () => {
  it('puts in the uploaded image, the prompt, the seed and the denoise, and leaves the original alone', () => {
    const wf = defaultWorkflow();
    const out = patchWorkflow(wf, DEFAULT_MAPPING, { imageName: 'image-prompt-abc.png', prompt: 'a lighthouse', seed: 1234, strength: 0.3 });
    expect(out['2']!.inputs.image).toBe('image-prompt-abc.png');
    expect(out['4']!.inputs.text).toBe('a lighthouse');
    expect(out['6']!.inputs).toMatchObject({ seed: 1234, denoise: 0.3, steps: 20 });
    expect(out['5']!.inputs.text).toBe('');
    expect(wf['6']!.inputs.seed).toBe(0);
    expect(wf['2']!.inputs.image).toBe('image-prompt.png');
  });

  it('keeps the workflow\u2019s own denoise when the job has no strength, and sets noise_seed on advanced samplers', () => {
    const mapping = checkMapping(FLUX, suggestMapping(FLUX));
    const out = patchWorkflow(FLUX, mapping, { imageName: 'r.png', prompt: 'p', seed: 7 });
    expect(out['16']!.inputs.noise_seed).toBe(7);
    expect(out['12']!.inputs.text).toBe('p');
    expect(out['11']!.inputs.text).toBe('negative words');
  });

  it('refuses to patch with a mapping that does not fit', () => {
    expect(() => patchWorkflow(FLUX, DEFAULT_MAPPING, { imageName: 'r.png', prompt: 'p', seed: 1 })).toThrow(WorkflowError);
  });
});
