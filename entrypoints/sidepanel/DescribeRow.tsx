import { DescribeBox } from '@/components/DescribeBox';
import type { DraftRecord } from '@/utils/store/types';
import { useDescribe } from './use-describe';

/** "Describe" and the words it found, loaded after the panel's first paint (see PresetsRow). */
export default function DescribeRow({ draft, patch }: { draft: DraftRecord; patch: (p: Partial<Omit<DraftRecord, 'id'>>) => void }) {
  return <DescribeBox {...useDescribe(draft, patch)} />;
}
