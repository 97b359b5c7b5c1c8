import { i18n } from '#i18n';
import { AppError } from '../errors';
import { publish } from '../events';
import { trayOf } from '../reference-plan';
import { db, newId } from './schema';
import { parseDraft } from './drafts';
import { DraftRecord, PRESET_NAME_MAX, PRESETS_MAX, PresetRecord, type ReferenceUse } from './types';

/**
 * Presets: the Create tab's prompt, model, settings and tray saved under a name, and put back
 * in one step. The tray is kept as reference ids: the pictures stay in the references store
 * (once, however many presets and jobs use them).
 */

/** What a preset holds besides its name and dates. */
export type PresetContent = Pick<PresetRecord, 'prompt' | 'modelId' | 'settings' | 'references'>;

export type SaveOutcome =
  /** Written; `replaced` when it took the place of a preset with the same name. */
  | { status: 'saved'; preset: PresetRecord; replaced: boolean }
  /** Nothing written: the name is taken. Ask the user, then save again with `replace`. */
  | { status: 'exists'; existing: PresetRecord };

export type RenameOutcome = { status: 'renamed'; preset: PresetRecord } | { status: 'exists'; existing: PresetRecord };

export interface ApplyOutcome {
  preset: PresetRecord;
  draft: DraftRecord;
  /** Tray pictures the preset names that are no longer stored (left out of the tray). */
  missing: number;
}

/**
 * A name as it is stored: control characters (a pasted tab or line break) become spaces, the
 * ends are trimmed, and it is cut to PRESET_NAME_MAX. Empty means no name.
 */
export function presetName(raw: string): string {
  // eslint-disable-next-line no-control-regex -- these are exactly what is replaced
  return raw.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim().slice(0, PRESET_NAME_MAX).trim();
}

/** Names are the user's handle on presets: "Portrait" and "portrait " are the same one. */
function sameName(a: string, b: string): boolean {
  return presetName(a).toLocaleLowerCase() === presetName(b).toLocaleLowerCase();
}

/** Whether two presets would put the same things into the Create tab. */
export function sameContent(a: PresetContent, b: PresetContent): boolean {
  const s = (x: PresetContent['settings']) => [x.influence, x.aspectRatio, x.numImages, x.seed];
  const r = (x: readonly ReferenceUse[]) => x.map((u) => [u.referenceId, u.role ?? null, u.weight ?? null]);
  return a.prompt === b.prompt && a.modelId === b.modelId && JSON.stringify(s(a.settings)) === JSON.stringify(s(b.settings)) && JSON.stringify(r(a.references)) === JSON.stringify(r(b.references));
}

/** What a draft would be saved as. */
function contentOf(draft: DraftRecord): PresetContent {
  return { prompt: draft.prompt, modelId: draft.modelId, settings: draft.settings, references: trayOf(draft) };
}

/** Every preset, the most recently saved first. Records that no longer check out are left out. */
export async function listPresets(): Promise<PresetRecord[]> {
  const raw = await (await db()).getAllFromIndex('presets', 'byUpdatedAt');
  const out: PresetRecord[] = [];
  for (const one of raw.reverse()) {
    const parsed = PresetRecord.safeParse(one);
    if (parsed.success) out.push(parsed.data);
  }
  return out;
}

/**
 * Saves the draft's prompt, model, settings and tray under `name`. A name already in use is not
 * overwritten unless `replace` says the user agreed: then that preset (its id, its place as the
 * oldest) takes the new content.
 */
export async function savePreset(name: string, fromDraft: DraftRecord, opts: { replace?: boolean; now?: number } = {}): Promise<SaveOutcome> {
  const clean = checkedName(name);
  const now = opts.now ?? Date.now();
  const d = await db();
  const tx = d.transaction('presets', 'readwrite');
  const all = await tx.store.getAll();
  const existing = all.find((p) => sameName(p.name, clean));
  if (existing && !opts.replace) {
    await tx.done;
    return { status: 'exists', existing };
  }
  if (!existing && all.length >= PRESETS_MAX) {
    tx.abort();
    await tx.done.catch(() => {});
    throw new AppError('invalid_input', i18n.t('presets.full', [String(PRESETS_MAX)]));
  }
  const preset = PresetRecord.parse({
    id: existing?.id ?? newId(),
    name: clean,
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
    ...contentOf(fromDraft),
  });
  await tx.store.put(preset);
  await tx.done;
  publish({ type: 'presets.changed' });
  return { status: 'saved', preset, replaced: !!existing };
}

/** Renames a preset; a name another preset has is refused (the outcome names that one). */
export async function renamePreset(id: string, name: string, now = Date.now()): Promise<RenameOutcome> {
  const clean = checkedName(name);
  const d = await db();
  const tx = d.transaction('presets', 'readwrite');
  const all = await tx.store.getAll();
  const preset = all.find((p) => p.id === id);
  const taken = all.find((p) => p.id !== id && sameName(p.name, clean));
  if (!preset || taken) {
    await tx.done;
    if (taken) return { status: 'exists', existing: taken };
    throw goneError();
  }
  const renamed = { ...preset, name: clean, updatedAt: now };
  await tx.store.put(renamed);
  await tx.done;
  publish({ type: 'presets.changed' });
  return { status: 'renamed', preset: renamed };
}

/** Removes a preset (its pictures stay: jobs and other presets may use them). Returns what was removed, for an undo. */
export async function deletePreset(id: string): Promise<PresetRecord | undefined> {
  const d = await db();
  const tx = d.transaction('presets', 'readwrite');
  const preset = await tx.store.get(id);
  if (preset) await tx.store.delete(id);
  await tx.done;
  if (preset) publish({ type: 'presets.changed' });
  return preset;
}

/**
 * Puts the preset's prompt, model, settings and tray into the draft, in one transaction that
 * also checks which of its pictures are still stored: those that are not are left out of the
 * tray and counted, rather than leaving ids the panel cannot show.
 */
export async function applyPreset(id: string, now = Date.now()): Promise<ApplyOutcome> {
  const d = await db();
  const tx = d.transaction(['presets', 'references', 'drafts'], 'readwrite');
  const parsed = PresetRecord.safeParse(await tx.objectStore('presets').get(id));
  if (!parsed.success) {
    await tx.done;
    throw goneError();
  }
  const preset = parsed.data;
  const tray: ReferenceUse[] = [];
  for (const use of preset.references) {
    if ((await tx.objectStore('references').getKey(use.referenceId)) !== undefined) tray.push(use);
  }
  const current = parseDraft(await tx.objectStore('drafts').get('current'));
  const draft = DraftRecord.parse({
    ...current,
    prompt: preset.prompt,
    modelId: preset.modelId,
    settings: preset.settings,
    // The same rule as the drafts module: the image prompt is the tray's first picture.
    references: tray,
    referenceId: tray[0]?.referenceId ?? null,
    updatedAt: now,
  });
  await tx.objectStore('drafts').put(draft);
  await tx.done;
  publish({ type: 'draft.changed' });
  return { preset, draft, missing: preset.references.length - tray.length };
}

/** How many "(imported n)" names an import tries before it gives the preset up. */
const IMPORTED_NAMES = 100;

/**
 * The name an imported preset is stored under, or undefined to skip it: a preset of the same
 * name and content is here already. Same name, other content: both are kept, the imported one
 * as "name (imported)" (then "(imported 2)", …), and importing the same file again finds that one.
 */
export function importedPresetName(name: string, content: PresetContent, existing: readonly PresetRecord[]): string | undefined {
  for (let n = 1; n <= IMPORTED_NAMES; n++) {
    const candidate = n === 1 ? presetName(name) : withSuffix(name, n);
    const same = existing.find((p) => sameName(p.name, candidate));
    if (!same) return candidate;
    if (sameContent(same, content)) return undefined;
  }
  return undefined;
}

/** "name (imported)" for n = 2, "name (imported n-1)" after it, the name cut so that the whole fits. */
function withSuffix(name: string, n: number): string {
  const label = (base: string) => (n === 2 ? i18n.t('presets.importedName', [base]) : i18n.t('presets.importedNameNth', [base, String(n - 1)]));
  const room = PRESET_NAME_MAX - label('').length;
  return presetName(label(presetName(name).slice(0, room).trimEnd()));
}

function checkedName(name: string): string {
  const clean = presetName(name);
  if (!clean) throw new AppError('invalid_input', i18n.t('presets.nameEmpty'));
  return clean;
}

function goneError(): AppError {
  return new AppError('not_found', i18n.t('presets.gone'));
}
