import type { ComfyMapping, ComfyWorkflow } from './workflow';

/**
 * The starting point offered in Settings: a plain image-to-image workflow in API format, written
 * for this extension. The reference is loaded, encoded to a latent and partly re-noised by the
 * sampler (`denoise` is the panel's strength), then decoded and saved.
 *
 * Node classes and inputs as ComfyUI's built-in nodes declare them (Comfy-Org/ComfyUI nodes.py
 * @a125cd8: CheckpointLoaderSimple `ckpt_name`, LoadImage `image`, VAEEncode `pixels`/`vae`,
 * CLIPTextEncode `text`/`clip`, KSampler `seed`, `steps`, `cfg`, `sampler_name`, `scheduler`,
 * `positive`, `negative`, `latent_image`, `denoise`, VAEDecode `samples`/`vae`, SaveImage
 * `images`/`filename_prefix`). The checkpoint is Comfy-Org's single-file FLUX.1 dev (fp8),
 * which CheckpointLoaderSimple loads; Flux takes cfg 1 and brings its own guidance (3.5 by
 * default, comfy/model_base.py). Users with another checkpoint pick it after "Test connection".
 */
export const DEFAULT_CHECKPOINT = 'flux1-dev-fp8.safetensors';

export function defaultWorkflow(): ComfyWorkflow {
  return {
    '1': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: DEFAULT_CHECKPOINT }, _meta: { title: 'Load Checkpoint' } },
    '2': { class_type: 'LoadImage', inputs: { image: 'image-prompt.png' }, _meta: { title: 'Image prompt' } },
    '3': { class_type: 'VAEEncode', inputs: { pixels: ['2', 0], vae: ['1', 2] } },
    '4': { class_type: 'CLIPTextEncode', inputs: { text: '', clip: ['1', 1] }, _meta: { title: 'Prompt' } },
    '5': { class_type: 'CLIPTextEncode', inputs: { text: '', clip: ['1', 1] }, _meta: { title: 'Negative prompt' } },
    '6': {
      class_type: 'KSampler',
      inputs: {
        seed: 0,
        steps: 20,
        cfg: 1,
        sampler_name: 'euler',
        scheduler: 'simple',
        denoise: 0.75,
        model: ['1', 0],
        positive: ['4', 0],
        negative: ['5', 0],
        latent_image: ['3', 0],
      },
    },
    '7': { class_type: 'VAEDecode', inputs: { samples: ['6', 0], vae: ['1', 2] } },
    '8': { class_type: 'SaveImage', inputs: { images: ['7', 0], filename_prefix: 'image-prompt' } },
  };
}

export const DEFAULT_MAPPING: ComfyMapping = {
  imageNode: '2',
  promptNode: '4',
  promptField: 'text',
  seedNode: '6',
  seedField: 'seed',
  strengthNode: '6',
  strengthField: 'denoise',
};
