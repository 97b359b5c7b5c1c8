import type { ProviderId } from '../models';
import { bflAdapter } from './bfl';
import { byteplusAdapter } from './byteplus';
import { comfyuiAdapter } from './comfyui';
import { falAdapter } from './fal';
import { googleAdapter } from './google';
import { ideogramAdapter } from './ideogram';
import { minimaxAdapter } from './minimax';
import { openaiAdapter } from './openai';
import { openrouterAdapter } from './openrouter';
import { replicateAdapter } from './replicate';
import type { ProviderAdapter } from './types';
import { vyroAdapter } from './vyro';

/** Adapters by provider; a provider without one here cannot be routed to yet. */
const ADAPTERS: Partial<Record<ProviderId, ProviderAdapter>> = {
  fal: falAdapter,
  replicate: replicateAdapter,
  openai: openaiAdapter,
  bfl: bflAdapter,
  ideogram: ideogramAdapter,
  minimax: minimaxAdapter,
  byteplus: byteplusAdapter,
  vyro: vyroAdapter,
  google: googleAdapter,
  openrouter: openrouterAdapter,
  comfyui: comfyuiAdapter,
};

export function getAdapter(id: ProviderId): ProviderAdapter | undefined {
  return ADAPTERS[id];
}
