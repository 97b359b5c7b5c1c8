import { PresetsBar } from '@/components/PresetsBar';
import type { DraftRecord } from '@/utils/store/types';
import { usePresets } from './use-presets';

/**
 * The presets row with its store, loaded after the panel's first paint (CreateTab imports it
 * lazily): it is not needed to start working, and the panel's JavaScript has a budget.
 */
export default function PresetsRow({ draft, patch }: { draft: DraftRecord; patch: (p: Partial<Omit<DraftRecord, 'id'>>) => void }) {
  return <PresetsBar {...usePresets(draft, patch)} />;
}
