import { ExportImport } from '@/components/workspace/ExportImport';
import type { Progress } from '@/utils/workspace/types';

// The zip library and the import's checks load only when the user exports or imports.
const onExport = async (jobIds: string[] | undefined, onProgress: Progress) => (await import('@/utils/workspace/export')).exportWorkspace({ jobIds, onProgress });
const onImport = async (file: File, onProgress: Progress) => (await import('@/utils/workspace/import')).importWorkspace(file, { onProgress });

/** Export all or the selected generations as one zip, and import one back (merging, no duplicates). */
export function ExportImportBar({ selection }: { selection: ReadonlySet<string> }) {
  return <ExportImport selectedJobIds={[...selection]} onExport={onExport} onImport={onImport} />;
}
