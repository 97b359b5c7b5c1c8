import type * as Ingest from '@/utils/intake/ingest';

/**
 * Intake in the panel (a picked, dropped or pasted file; a result adopted as the image prompt)
 * decodes and re-encodes images: its code loads on first use, not with the panel, which must
 * open fast and stay small (the worker does the intake of page images).
 */
const ingest = () => import('@/utils/intake/ingest');

export const adoptImageBlob = async (...args: Parameters<typeof Ingest.adoptImageBlob>) => (await ingest()).adoptImageBlob(...args);
export const adoptResult = async (...args: Parameters<typeof Ingest.adoptResult>) => (await ingest()).adoptResult(...args);
export const adoptFrom = async (...args: Parameters<typeof Ingest.adoptFrom>) => (await ingest()).adoptFrom(...args);
