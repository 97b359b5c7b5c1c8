// Route table: each provider is mounted under `/<name>` and mirrors that provider's real base
// URL, so the extension's base-URL setting in sandbox mode is simply `${sandbox.url}/<name>`.
// To add a provider, write `sandbox/providers/<name>.ts` exporting a ProviderFactory and list
// it here (planned: replicate, openai, bfl, ideogram, minimax, byteplus, imagineart).
import type { ProviderFactory } from './types.ts';
import { createFalProvider } from './providers/fal.ts';

export interface Route {
  name: string;
  /** Mount prefix, `/${name}`. */
  mount: string;
  create: ProviderFactory;
}

export const ROUTES: readonly Route[] = [
  // Mirrors https://queue.fal.run
  { name: 'fal', mount: '/fal', create: createFalProvider },
];
