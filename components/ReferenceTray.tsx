import { useEffect, useId, useRef, useState, type DragEvent, type KeyboardEvent } from 'react';
import { i18n } from '#i18n';
import type { ReferenceRole, RouteSpec } from '@/utils/models';
import { referencePlan, referenceSlots, type ReferencePlan } from '@/utils/reference-plan';
import type { ReferenceUse } from '@/utils/store/types';

export interface ReferenceTrayProps {
  /** The tray in order; the first is the image prompt. */
  items: readonly ReferenceUse[];
  /** Thumbnail object URLs by reference id; missing while loading (or when the reference is gone). */
  thumbs: ReadonlyMap<string, string>;
  /** The route the next Create would use; null when unknown (then no roles, weights or plan). */
  route: RouteSpec | null;
  /** The chosen model's name, for "Imagen 3 takes 1 image: …". */
  modelName: string;
  /** The whole new tray after a reorder, removal, role or weight change. */
  onChange: (next: ReferenceUse[]) => void;
}

/** Marks a drag as a reorder inside the tray, so that drop targets for new images ignore it. */
export const TRAY_DRAG_TYPE = 'application/x-image-prompt-tray-index';

type Control = 'earlier' | 'later' | 'remove' | 'item';

/**
 * The images of the image prompt as a row of small thumbnails: remove, reorder (drag, or the
 * arrow buttons and Alt+Left/Right for the keyboard), a role and a weight where the route
 * takes them, and under it which images the route uses and why the others are not used.
 */
export function ReferenceTray({ items, thumbs, route, modelName, onChange }: ReferenceTrayProps) {
  const hintId = useId();
  const listRef = useRef<HTMLOListElement>(null);
  const [announcement, setAnnouncement] = useState('');
  // After a move the moved image keeps the focus, on the same control, once the new order shows.
  const refocus = useRef<{ referenceId: string; control: Control } | null>(null);
  const slots = route ? referenceSlots(route) : null;
  const plan = route ? referencePlan(route, items) : null;
  const unused = new Set(plan?.unused.map((u) => u.index));

  useEffect(() => {
    const want = refocus.current;
    if (!want) return;
    const item = [...(listRef.current?.children ?? [])].find((li) => (li as HTMLElement).dataset.referenceId === want.referenceId) as HTMLElement | undefined;
    if (!item) return;
    refocus.current = null;
    const target = want.control === 'item' ? item : item.querySelector<HTMLElement>(`[data-control="${want.control}"]`);
    target?.focus();
  }, [items]);

  function move(from: number, to: number, control: Control) {
    const moving = items[from];
    if (!moving || to < 0 || to >= items.length || to === from) return;
    const next = items.filter((_, i) => i !== from);
    next.splice(to, 0, moving);
    refocus.current = { referenceId: moving.referenceId, control };
    setAnnouncement(to === 0 ? i18n.t('tray.movedFirst', [String(items.length)]) : i18n.t('tray.moved', [String(to + 1), String(items.length)]));
    onChange(next);
  }

  function remove(index: number) {
    const next = items.filter((_, i) => i !== index);
    // The focus goes to the image now in that place (or the one before), not to the page.
    const after = next[Math.min(index, next.length - 1)];
    refocus.current = after ? { referenceId: after.referenceId, control: 'remove' } : null;
    setAnnouncement(i18n.t('tray.removed', [String(index + 1)]));
    onChange(next);
  }

  function update(index: number, change: Partial<ReferenceUse>) {
    onChange(items.map((r, i) => (i === index ? { ...r, ...change } : r)));
  }

  function onKeyDown(e: KeyboardEvent, index: number) {
    if (!e.altKey || (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight')) return;
    e.preventDefault();
    const control = ((e.target as HTMLElement).dataset.control as Control | undefined) ?? 'item';
    move(index, index + (e.key === 'ArrowLeft' ? -1 : 1), control);
  }

  function onDrop(e: DragEvent, index: number) {
    const from = e.dataTransfer.getData(TRAY_DRAG_TYPE);
    if (!from) return;
    e.preventDefault();
    e.stopPropagation();
    move(Number(from), index, 'item');
  }

  const lines = plan ? planLines(plan, items, route!, modelName) : [];
  return (
    <div className="tray">
      <ol ref={listRef} className="tray-list" aria-label={i18n.t('tray.list')} aria-describedby={items.length > 1 ? hintId : undefined}>
        {items.map((ref, i) => {
          const n = String(i + 1);
          const thumb = thumbs.get(ref.referenceId);
          const role = slots?.roles ? (ref.role && slots.roles.includes(ref.role) ? ref.role : slots.roles[0]) : undefined;
          const w = slots?.weight;
          const weight = ref.weight ?? (w ? (w.default - w.min) / (w.max - w.min || 1) : 0);
          return (
            <li
              key={ref.referenceId}
              data-reference-id={ref.referenceId}
              className={`tray-item${i === 0 ? ' first' : ''}${unused.has(i) ? ' unused' : ''}`}
              tabIndex={-1}
              draggable={items.length > 1}
              onDragStart={(e) => {
                e.dataTransfer.setData(TRAY_DRAG_TYPE, String(i));
                e.dataTransfer.effectAllowed = 'move';
              }}
              onDragOver={(e) => {
                if (!e.dataTransfer.types.includes(TRAY_DRAG_TYPE)) return;
                e.preventDefault();
                e.stopPropagation();
              }}
              onDrop={(e) => onDrop(e, i)}
              onKeyDown={(e) => onKeyDown(e, i)}
            >
              {thumb ? (
                <img src={thumb} alt={i === 0 ? i18n.t('field.currentImage') : i18n.t('tray.alt', [n])} draggable={false} />
              ) : (
                <span className="tray-thumb-missing" aria-hidden="true" />
              )}
              <span className="tray-badge">{i === 0 ? i18n.t('tray.promptBadge') : n}</span>
              <span className="tray-buttons">
                {items.length > 1 ? (
                  <>
                    {/* aria-disabled, not disabled: the button keeps the focus when its image reaches the end. */}
                    <button type="button" data-control="earlier" aria-label={i18n.t('tray.earlier', [n])} aria-disabled={i === 0} onClick={() => move(i, i - 1, 'earlier')}>
                      <span aria-hidden="true">{'\u25c0'}</span>
                    </button>
                    <button type="button" data-control="later" aria-label={i18n.t('tray.later', [n])} aria-disabled={i === items.length - 1} onClick={() => move(i, i + 1, 'later')}>
                      <span aria-hidden="true">{'\u25b6'}</span>
                    </button>
                  </>
                ) : null}
                <button type="button" data-control="remove" aria-label={i18n.t('tray.remove', [n])} onClick={() => remove(i)}>
                  <span aria-hidden="true">{'\u00d7'}</span>
                </button>
              </span>
              {slots?.roles && role ? (
                <select aria-label={i18n.t('tray.role', [n])} value={role} onChange={(e) => update(i, { role: e.target.value as ReferenceRole })}>
                  {slots.roles.map((r) => (
                    <option key={r} value={r}>
                      {roleName(r)}
                    </option>
                  ))}
                </select>
              ) : null}
              {w ? (
                <input
                  type="range"
                  min={0}
                  max={1}
                  step={0.05}
                  value={weight}
                  aria-label={i18n.t('tray.weight', [n])}
                  aria-valuetext={i18n.t('tray.weightValue', [String(Math.round(weight * 100))])}
                  onChange={(e) => update(i, { weight: Number(e.target.value) })}
                />
              ) : null}
            </li>
          );
        })}
      </ol>
      {items.length > 1 ? (
        <p id={hintId} className="hint">
          {i18n.t('tray.reorderHint')}
        </p>
      ) : null}
      {lines.length ? (
        <ul className="tray-plan">
          {lines.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      ) : null}
      <p aria-live="polite" className="visually-hidden">
        {announcement}
      </p>
    </div>
  );
}

function roleName(role: ReferenceRole): string {
  if (role === 'style') return i18n.t('tray.roleStyle');
  if (role === 'character') return i18n.t('tray.roleCharacter');
  return i18n.t('tray.roleContent');
}

/** "reference 3" / "references 3, 4" for tray positions (0-based in, 1-based shown). */
function refList(indices: readonly number[], label: (i: number) => string = (i) => String(i + 1)): string {
  return i18n.t('tray.refs', indices.length, [indices.map(label).join(', ')]);
}

function notUsed(indices: readonly number[]): string {
  return i18n.t('tray.notUsed', indices.length, [refList(indices)]);
}

/**
 * The plan in plain words: which images the route uses (when there is a choice to explain)
 * and, per reason, which it does not. Nothing for a single image the route simply takes.
 */
function planLines(plan: ReferencePlan, items: readonly ReferenceUse[], route: RouteSpec, modelName: string): string[] {
  const slots = referenceSlots(route);
  const lines: string[] = [];
  const usedIdx = plan.used.map((u) => u.index);
  if (plan.mode === 'described') {
    if (usedIdx.length && items.length > 1) lines.push(i18n.t('tray.described', [modelName, i18n.t('tray.describedRefs', usedIdx.length, [refList(usedIdx)])]));
  } else if (usedIdx.length && (items.length > 1 || plan.unused.length)) {
    const roleOf = new Map(plan.used.map((u) => [u.index, u.role]));
    const label = (i: number) => {
      const role = roleOf.get(i);
      return role ? i18n.t('tray.asRole', [String(i + 1), roleName(role)]) : String(i + 1);
    };
    lines.push(i18n.t('tray.uses', [modelName, refList(usedIdx, label)]));
  }
  const tooMany = plan.unused.filter((u) => u.reason === 'too-many').map((u) => u.index);
  if (tooMany.length) {
    const max = i18n.t('tray.images', slots.max, [String(slots.max)]);
    lines.push(i18n.t(plan.mode === 'described' ? 'tray.describesAtMost' : 'tray.tooMany', [modelName, max, notUsed(tooMany)]));
  }
  const none = plan.unused.filter((u) => u.reason === 'no-image').map((u) => u.index);
  if (none.length) lines.push(i18n.t('tray.noImage', [modelName, notUsed(none)]));
  for (const role of slots.roles ?? []) {
    const taken = plan.unused
      .filter((u) => u.reason === 'role-taken')
      .map((u) => u.index)
      .filter((i) => (items[i]?.role && slots.roles?.includes(items[i].role) ? items[i].role : slots.roles?.[0]) === role);
    if (!taken.length) continue;
    lines.push(i18n.t(role === 'character' ? 'tray.onlyOneCharacter' : role === 'style' ? 'tray.onlyOneStyle' : 'tray.onlyOneContent', [notUsed(taken)]));
  }
  return lines;
}
