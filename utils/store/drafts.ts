import { db } from './schema';
import { DEFAULT_DRAFT, DraftRecord, TRAY_MAX, type ReferenceUse } from './types';
import { publish } from '../events';
import { AppError } from '../errors';
import { trayOf } from '../reference-plan';

type DraftPatch = Partial<Omit<DraftRecord, 'id'>>;

/** Reads the current draft; a damaged record falls back to defaults field by field. */
export async function loadDraft(): Promise<DraftRecord> {
  return parseDraft(await (await db()).get('drafts', 'current'));
}

/** A stored draft as the panel uses it: a damaged one falls back to defaults field by field, none to the defaults. */
export function parseDraft(raw: unknown): DraftRecord {
  if (!raw) return DEFAULT_DRAFT;
  const parsed = DraftRecord.safeParse(raw);
  if (parsed.success) return parsed.data;
  const merged = { ...DEFAULT_DRAFT, ...(raw as object) };
  const again = DraftRecord.safeParse(merged);
  return again.success ? again.data : DEFAULT_DRAFT;
}

/**
 * Reads, changes and writes the draft in one transaction, so that the worker (adding a
 * reference) and the panel (typing a prompt, reordering the tray) never overwrite each other's
 * fields. `change` may throw to refuse; then nothing is written.
 */
async function updateDraft(change: (current: DraftRecord) => DraftPatch, now: number): Promise<DraftRecord> {
  const d = await db();
  const tx = d.transaction('drafts', 'readwrite');
  const current = parseDraft(await tx.store.get('current'));
  const next = DraftRecord.parse(keepTrayInStep({ ...current, ...change(current), id: 'current', updatedAt: now }, current));
  await tx.store.put(next);
  await tx.done;
  publish({ type: 'draft.changed' });
  return next;
}

/**
 * `referenceId` is always the tray's first entry. A patch that names only one of the two (code
 * from before trays setting `referenceId`, or a new tray) sets the other to match; a patch that
 * sets `referenceId` alone makes it the whole tray (a reused single-image job, a cleared field).
 */
function keepTrayInStep(next: DraftRecord, before: DraftRecord): DraftRecord {
  const trayChanged = next.references !== before.references;
  const promptChanged = next.referenceId !== before.referenceId;
  if (trayChanged || !promptChanged) return { ...next, referenceId: next.references[0]?.referenceId ?? (trayChanged ? null : next.referenceId) };
  return { ...next, references: next.referenceId ? [{ referenceId: next.referenceId }] : [] };
}

/** Applies a patch in one transaction (see updateDraft). */
export function patchDraft(patch: DraftPatch, now = Date.now()): Promise<DraftRecord> {
  return updateDraft(() => patch, now);
}

/**
 * "Use as image prompt": the image takes the tray's first place and the other references stay.
 * An image already further down the tray moves up (keeping its role and weight) rather than
 * appearing twice. `also` is written in the same transaction (e.g. the intake's idle state).
 */
export function setImagePrompt(referenceId: string, also: DraftPatch = {}, now = Date.now()): Promise<DraftRecord> {
  return updateDraft((current) => {
    const tray = trayOf(current);
    const existing = tray.find((r) => r.referenceId === referenceId);
    if (existing && tray[0] === existing) return { ...also, references: tray };
    const rest = tray.slice(1).filter((r) => r.referenceId !== referenceId);
    return { ...also, references: [existing ?? { referenceId }, ...rest] };
  }, now);
}

/** Why a full tray refuses another image, in the user's terms. */
export function trayFullError(): AppError {
  return new AppError('invalid_input', `The image prompt holds ${TRAY_MAX} images at most. Remove one to add another.`);
}

/**
 * "Add to image prompt": the image goes to the end of the tray (first, when the tray is empty).
 * An image already in the tray is not added again; a full tray refuses with trayFullError.
 */
export function addReference(referenceId: string, also: DraftPatch = {}, now = Date.now()): Promise<DraftRecord> {
  return updateDraft((current) => {
    const tray = trayOf(current);
    if (tray.some((r) => r.referenceId === referenceId)) return { ...also, references: tray };
    if (tray.length >= TRAY_MAX) throw trayFullError();
    return { ...also, references: [...tray, { referenceId }] };
  }, now);
}

/**
 * The panel's edits of the tray: reorder, remove, role and weight. A reference listed twice
 * keeps its first place; more than TRAY_MAX is refused.
 */
export function setTray(references: readonly ReferenceUse[], now = Date.now()): Promise<DraftRecord> {
  const seen = new Set<string>();
  const tray = references.filter((r) => !seen.has(r.referenceId) && seen.add(r.referenceId));
  if (tray.length > TRAY_MAX) return Promise.reject(trayFullError());
  return updateDraft(() => ({ references: tray }), now);
}

/** Whether the tray has room for one more image (checked before an "add" fetches anything). */
export async function trayHasRoom(): Promise<boolean> {
  return trayOf(await loadDraft()).length < TRAY_MAX;
}
