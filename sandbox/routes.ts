// Route table: each provider is mounted under `/<name>` and mirrors that provider's real base
// URL, so the extension's base-URL setting in sandbox mode is simply `${sandbox.url}/<name>`.
// To add a provider, write `sandbox/providers/<name>.ts` exporting a ProviderFactory and list
// it here.
import type { ProviderFactory } from './types';
import { createFalProvider } from './providers/fal';
import { createReplicateProvider } from './providers/replicate';
import { createOpenAIProvider } from './providers/openai';
import { createBflProvider } from './providers/bfl';
import { createIdeogramProvider } from './providers/ideogram';
import { createMinimaxProvider } from './providers/minimax';
import { createByteplusProvider } from './providers/byteplus';
import { createVyroProvider } from './providers/vyro';
import { createGoogleProvider } from './providers/google';
import { createOpenRouterProvider } from './providers/openrouter';
import { createComfyuiProvider } from './providers/comfyui';

export interface Route {
  name: string;
  /** Mount prefix, `/${name}`. */
  mount: string;
  create: ProviderFactory;
}

export const ROUTES: readonly Route[] = [
  // Mirrors https://queue.fal.run
  { name: 'fal', mount: '/fal', create: createFalProvider },
  // Mirrors https://api.replicate.com
  { name: 'replicate', mount: '/replicate', create: createReplicateProvider },
  // Mirrors https://api.openai.com
  { name: 'openai', mount: '/openai', create: createOpenAIProvider },
  // Mirrors https://api.bfl.ai
  { name: 'bfl', mount: '/bfl', create: createBflProvider },
  // Mirrors https://api.ideogram.ai
  { name: 'ideogram', mount: '/ideogram', create: createIdeogramProvider },
  // Mirrors https://api.minimax.io
  { name: 'minimax', mount: '/minimax', create: createMinimaxProvider },
  // Mirrors https://ark.ap-southeast.bytepluses.com
  { name: 'byteplus', mount: '/byteplus', create: createByteplusProvider },
  // Mirrors https://api.vyro.ai (imagine.art)
  { name: 'vyro', mount: '/vyro', create: createVyroProvider },
  // Mirrors https://generativelanguage.googleapis.com (Gemini API)
  { name: 'google', mount: '/google', create: createGoogleProvider },
  // Mirrors https://openrouter.ai (its Image API under /api/v1)
  { name: 'openrouter', mount: '/openrouter', create: createOpenRouterProvider },
  // Mirrors a ComfyUI server on this computer (http://127.0.0.1:8188)
  { name: 'comfyui', mount: '/comfyui', create: createComfyuiProvider },
];
