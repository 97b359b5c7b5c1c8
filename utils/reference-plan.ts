import type { ReferenceRole, ReferenceSlots, RouteSpec } from './models';
import type { ReferenceUse } from './store/types';

/**
 * Which references of the tray a route uses, in which role and weight, and why the others are
 * not used. The panel shows this before Create (nothing is dropped silently) and the worker
 * sends exactly the `used` list, so what the user saw is what the provider got.
 */

/** Described routes: each used reference costs one vision call, so a few are enough. */
const DESCRIBED_MAX = 3;

type UnusedReason =
  /** The route takes fewer images than the tray holds; the first ones are used. */
  | 'too-many'
  /** The route takes this role at most once and an earlier reference has it. */
  | 'role-taken'
  /** The route takes no image at all (and cannot describe it). */
  | 'no-image';

interface UsedReference {
  /** Position in the tray (0 = the image prompt). */
  index: number;
  referenceId: string;
  /** The role sent; undefined where the route does not tell roles apart. */
  role?: ReferenceRole;
  /** The user's 0..1 weight mapped onto the route's own scale; undefined where it has none. */
  weight?: number;
}

export interface UnusedReference {
  index: number;
  referenceId: string;
  reason: UnusedReason;
}

export interface ReferencePlan {
  /** How the route takes images: sent as images, or described into the prompt. */
  mode: 'native' | 'described';
  used: UsedReference[];
  unused: UnusedReference[];
}

/** A route's reference slots, with the defaults for routes that say nothing. */
export function referenceSlots(route: RouteSpec): ReferenceSlots {
  if (route.references) return route.references;
  return { max: route.imageInput === 'described' ? DESCRIBED_MAX : 1 };
}

/** The tray of a request or draft: its `references`, else the single image prompt. */
export function trayOf(x: { referenceId: string | null; references?: readonly ReferenceUse[] }): ReferenceUse[] {
  if (x.references && x.references.length > 0) return [...x.references];
  return x.referenceId ? [{ referenceId: x.referenceId }] : [];
}

/** Maps the tray's 0..1 weight onto the route's scale (linear, rounded to 3 decimals). */
export function toRouteWeight(slots: ReferenceSlots, weight: number | undefined): number | undefined {
  const w = slots.weight;
  if (!w) return undefined;
  if (weight === undefined) return w.default;
  const u = Math.min(1, Math.max(0, weight));
  return Math.round((w.min + u * (w.max - w.min)) * 1000) / 1000;
}

export function referencePlan(route: RouteSpec, tray: readonly ReferenceUse[]): ReferencePlan {
  const slots = referenceSlots(route);
  const mode = route.imageInput;
  const used: UsedReference[] = [];
  const unused: UnusedReference[] = [];
  const taken = new Set<ReferenceRole>();
  tray.forEach((ref, index) => {
    const role = slots.roles ? (ref.role && slots.roles.includes(ref.role) ? ref.role : slots.roles[0]) : undefined;
    if (slots.max <= 0) {
      unused.push({ index, referenceId: ref.referenceId, reason: 'no-image' });
    } else if (role && slots.singleRoles?.includes(role) && taken.has(role)) {
      unused.push({ index, referenceId: ref.referenceId, reason: 'role-taken' });
    } else if (used.length >= slots.max) {
      unused.push({ index, referenceId: ref.referenceId, reason: 'too-many' });
    } else {
      if (role) taken.add(role);
      used.push({ index, referenceId: ref.referenceId, role, weight: mode === 'native' ? toRouteWeight(slots, ref.weight) : undefined });
    }
  });
  return { mode, used, unused };
}
