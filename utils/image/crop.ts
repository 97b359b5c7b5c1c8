/**
 * Geometry of the screenshot crop box, in the screenshot's own pixels. Pure, so the pointer and
 * keyboard paths of the crop UI share one tested set of rules.
 */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export const MIN_CROP = 16;

/** Keeps a rectangle inside `bounds` with at least MIN_CROP px a side (whole pixels). */
export function clampRect(r: Rect, bounds: { width: number; height: number }): Rect {
  const width = Math.round(Math.min(Math.max(r.width, Math.min(MIN_CROP, bounds.width)), bounds.width));
  const height = Math.round(Math.min(Math.max(r.height, Math.min(MIN_CROP, bounds.height)), bounds.height));
  const x = Math.round(Math.min(Math.max(r.x, 0), bounds.width - width));
  const y = Math.round(Math.min(Math.max(r.y, 0), bounds.height - height));
  return { x, y, width, height };
}

/** The rectangle spanned by a drag from `a` to `b` (any direction). */
export function rectFromDrag(a: { x: number; y: number }, b: { x: number; y: number }, bounds: { width: number; height: number }): Rect {
  return clampRect({ x: Math.min(a.x, b.x), y: Math.min(a.y, b.y), width: Math.abs(b.x - a.x), height: Math.abs(b.y - a.y) }, bounds);
}

/** Display (CSS px on the shown, scaled screenshot) to screenshot pixels. */
export function toImagePoint(p: { x: number; y: number }, shown: { width: number; height: number }, natural: { width: number; height: number }) {
  return { x: (p.x * natural.width) / shown.width, y: (p.y * natural.height) / shown.height };
}

/**
 * Arrow keys move the box; with Shift they resize it (right/down grow). `step` px per press
 * (callers use a larger step with Alt or PageUp-like keys if they want).
 */
export function nudgeRect(r: Rect, key: string, shift: boolean, step: number, bounds: { width: number; height: number }): Rect {
  const d = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] }[key];
  if (!d) return r;
  const [dx = 0, dy = 0] = d;
  if (shift) return clampRect({ ...r, width: r.width + dx, height: r.height + dy }, bounds);
  return clampRect({ ...r, x: r.x + dx, y: r.y + dy }, bounds);
}

/** The default box: the middle 80% of the screenshot. */
export function initialCrop(bounds: { width: number; height: number }): Rect {
  return clampRect({ x: bounds.width * 0.1, y: bounds.height * 0.1, width: bounds.width * 0.8, height: bounds.height * 0.8 }, bounds);
}
