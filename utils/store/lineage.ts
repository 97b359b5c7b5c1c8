import type { JobRecord } from './types';

/**
 * Lineage: which generation grew from which. Each job records the job whose result it used as
 * its image prompt (parentJobId, captured at enqueue); this module turns those links into the
 * tree of one iteration: up from a job to its root, then down every branch.
 */

/** What the tree needs of a job; small, so a whole history can be handed over at once. */
export interface LineageEntry {
  jobId: string;
  parentJobId?: string;
  createdAt: number;
  prompt: string;
  modelId: string;
  /** The job's first image, shown as its thumbnail (absent while running, or when it failed). */
  firstResultId?: string;
}

/** A node of the tree: a stored job, or a parent that is no longer stored (shown as such). */
export type LineageNode = (LineageEntry & { missing?: false }) | { jobId: string; missing: true };

export interface LineageTree {
  node: LineageNode;
  /** Oldest first. */
  children: LineageTree[];
}

export interface Lineage {
  tree: LineageTree;
  /** Job ids from the root down to the focused job (the root may be a missing one). */
  path: string[];
}

export function lineageEntryOf(job: Pick<JobRecord, 'id' | 'parentJobId' | 'createdAt' | 'request' | 'resultIds'>): LineageEntry {
  return {
    jobId: job.id,
    ...(job.parentJobId ? { parentJobId: job.parentJobId } : {}),
    createdAt: job.createdAt,
    prompt: job.request.prompt,
    modelId: job.request.modelId,
    ...(job.resultIds[0] ? { firstResultId: job.resultIds[0] } : {}),
  };
}

/**
 * The tree that `focusJobId` belongs to, or null when that job is not among `entries`.
 * Linear in the number of entries (children are indexed by parent once). Links are data from
 * storage, so nothing is trusted: a parent that is gone becomes a "no longer stored" root, and
 * a loop of parents is cut where the walk up meets itself.
 */
export function buildLineage(entries: readonly LineageEntry[], focusJobId: string): Lineage | null {
  const byId = new Map<string, LineageEntry>();
  for (const e of entries) byId.set(e.jobId, e);
  const focus = byId.get(focusJobId);
  if (!focus) return null;

  const childrenOf = new Map<string, LineageEntry[]>();
  for (const e of byId.values()) {
    if (!e.parentJobId || e.parentJobId === e.jobId) continue;
    const list = childrenOf.get(e.parentJobId);
    if (list) list.push(e);
    else childrenOf.set(e.parentJobId, [e]);
  }

  // Up: from the focus to the first job without a stored parent, or to where a loop closes.
  const up: string[] = [focus.jobId];
  const seen = new Set(up);
  let top: LineageEntry = focus;
  let missingRoot: string | undefined;
  while (top.parentJobId && top.parentJobId !== top.jobId) {
    const parent = byId.get(top.parentJobId);
    if (!parent) {
      missingRoot = top.parentJobId;
      break;
    }
    if (seen.has(parent.jobId)) break;
    seen.add(parent.jobId);
    up.push(parent.jobId);
    top = parent;
  }
  if (missingRoot) up.push(missingRoot);
  const rootNode: LineageNode = missingRoot ? { jobId: missingRoot, missing: true } : { ...top, missing: false };

  // Down: every branch, breadth first without recursion (a chain may be thousands deep). A job
  // placed once is not placed again, which also cuts the edge that closes a loop.
  const root: LineageTree = { node: rootNode, children: [] };
  const placed = new Set<string>([rootNode.jobId]);
  const queue: LineageTree[] = [root];
  for (let i = 0; i < queue.length; i++) {
    const branch = queue[i]!;
    const kids = childrenOf.get(branch.node.jobId);
    if (!kids) continue;
    const ordered = [...kids].sort((a, b) => a.createdAt - b.createdAt || (a.jobId < b.jobId ? -1 : a.jobId > b.jobId ? 1 : 0));
    for (const kid of ordered) {
      if (placed.has(kid.jobId)) continue;
      placed.add(kid.jobId);
      const sub: LineageTree = { node: { ...kid, missing: false }, children: [] };
      branch.children.push(sub);
      queue.push(sub);
    }
  }
  return { tree: root, path: up.reverse() };
}
