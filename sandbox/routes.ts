// Route table: each provider is mounted under `/<name>` and mirrors that provider's real base
// URL, so the extension's base-URL setting in sandbox mode is simply `${sandbox.url}/<name>`.
// To add a provider, write `sandbox/providers/<name>.ts` exporting a ProviderFactory and list
// it here.
import type { ProviderFactory } from './types.ts';
import { createFalProvider } from './providers/fal.ts';
import { createReplicateProvider } from './providers/replicate.ts';
import { createOpenAIProvider } from './providers/openai.ts';
import { createBflProvider } from './providers/bfl.ts';
import { createIdeogramProvider } from './providers/ideogram.ts';
import { createMinimaxProvider } from './providers/minimax.ts';
import { createByteplusProvider } from './providers/byteplus.ts';
import { createVyroProvider } from './providers/vyro.ts';
import { createGoogleProvider } from './providers/google.ts';

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
];
