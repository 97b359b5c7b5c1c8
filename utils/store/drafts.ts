import { db } from './schema';
import { DEFAULT_DRAFT, DraftRecord } from './types';
import { publish } from '../events';

/** Reads the current draft; a damaged record falls back to defaults field by field. */
export async function loadDraft(): Promise<DraftRecord> {
  const raw = await (await db()).get('drafts', 'current');
  if (!raw) return DEFAULT_DRAFT;
  const parsed = DraftRecord.safeParse(raw);
  if (parsed.success) return parsed.data;
  const merged = { ...DEFAULT_DRAFT, ...(raw as object) };
  const again = DraftRecord.safeParse(merged);
  return again.success ? again.data : DEFAULT_DRAFT;
}

/**
 * Applies a patch in one transaction so that the worker (setting a new reference) and the
 * panel (typing a prompt) never overwrite each other's fields.
 */
export async function patchDraft(patch: Partial<Omit<DraftRecord, 'id'>>, now = Date.now()): Promise<DraftRecord> {
  const d = await db();
  const tx = d.transaction('drafts', 'readwrite');
  const current = (await tx.store.get('current')) ?? DEFAULT_DRAFT;
  const next = DraftRecord.parse({ ...current, ...patch, id: 'current', updatedAt: now });
  await tx.store.put(next);
  await tx.done;
  publish({ type: 'draft.changed' });
  return next;
}
