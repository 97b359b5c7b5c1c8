import type { ProviderId } from '../models';
import { falAdapter } from './fal';
import type { ProviderAdapter } from './types';

/** Adapters by provider; a provider without one here cannot be routed to yet. */
const ADAPTERS: Partial<Record<ProviderId, ProviderAdapter>> = {
  fal: falAdapter,
};

export function getAdapter(id: ProviderId): ProviderAdapter | undefined {
  return ADAPTERS[id];
}
