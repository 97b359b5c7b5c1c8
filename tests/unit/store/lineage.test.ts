import { describe, expect, it } from 'vitest';
import { buildLineage, lineageEntryOf, type LineageEntry, type LineageTree } from '../../../utils/store/lineage';
import { jobRecord } from '../jobs/fixtures';

function entry(jobId: string, parentJobId?: string, createdAt = 0): LineageEntry {
  return { jobId, ...(parentJobId ? { parentJobId } : {}), createdAt, prompt: `prompt ${jobId}`, modelId: 'flux-dev', firstResultId: `${jobId}:0` };
}

/** The tree as nested ids, e.g. { a: { b: {}, c: {} } }: easy to compare whole. */
function shape(tree: LineageTree): Record<string, unknown> {
  return { [tree.node.jobId]: Object.assign({}, ...tree.children.map(shape)) as Record<string, unknown> };
}

describe('buildLineage', () => {
  it('walks a chain up to its root and down to its end, from any job in it', () => {
    const entries = [entry('c', 'b', 3), entry('a', undefined, 1), entry('b', 'a', 2), entry('d', 'c', 4)];
    const lineage = buildLineage(entries, 'c');
    expect(lineage?.path).toEqual(['a', 'b', 'c']);
    expect(shape(lineage!.tree)).toEqual({ a: { b: { c: { d: {} } } } });
    expect(lineage?.tree.node).toMatchObject({ jobId: 'a', prompt: 'prompt a', modelId: 'flux-dev', firstResultId: 'a:0', missing: false });
    expect(buildLineage(entries, 'a')?.path).toEqual(['a']);
    expect(buildLineage(entries, 'd')?.path).toEqual(['a', 'b', 'c', 'd']);
  });

  it('shows every branch, oldest first, and leaves out unrelated jobs', () => {
    const entries = [
      entry('root', undefined, 1),
      entry('late', 'root', 30),
      entry('early', 'root', 10),
      entry('mid', 'root', 20),
      entry('early-child', 'early', 40),
      entry('other-root', undefined, 2),
      entry('other-child', 'other-root', 3),
    ];
    const lineage = buildLineage(entries, 'late')!;
    expect(lineage.path).toEqual(['root', 'late']);
    expect(lineage.tree.children.map((c) => c.node.jobId)).toEqual(['early', 'mid', 'late']);
    expect(shape(lineage.tree)).toEqual({ root: { early: { 'early-child': {} }, mid: {}, late: {} } });
  });

  it('makes a parent that is no longer stored a root of its own, with all its children', () => {
    const entries = [entry('b', 'gone', 2), entry('b2', 'gone', 1), entry('c', 'b', 3)];
    const lineage = buildLineage(entries, 'c')!;
    expect(lineage.tree.node).toEqual({ jobId: 'gone', missing: true });
    expect(lineage.path).toEqual(['gone', 'b', 'c']);
    expect(shape(lineage.tree)).toEqual({ gone: { b2: {}, b: { c: {} } } });
  });

  it('cuts a loop of parents instead of walking it forever', () => {
    const entries = [entry('a', 'c', 1), entry('b', 'a', 2), entry('c', 'b', 3), entry('x', 'b', 4)];
    const lineage = buildLineage(entries, 'a')!;
    // Each job appears once, and the path ends at the focus.
    expect(lineage.path.at(-1)).toBe('a');
    expect(new Set(lineage.path).size).toBe(lineage.path.length);
    const ids: string[] = [];
    const collect = (t: LineageTree) => {
      ids.push(t.node.jobId);
      t.children.forEach(collect);
    };
    collect(lineage.tree);
    expect(ids.sort()).toEqual(['a', 'b', 'c', 'x']);
    expect(lineage.path).toEqual(['b', 'c', 'a']);
    // A job that is its own parent is a root.
    expect(buildLineage([entry('self', 'self')], 'self')).toEqual({
      tree: { node: { ...entry('self', 'self'), missing: false }, children: [] },
      path: ['self'],
    });
  });

  it('builds 5,000 jobs in one chain, and 5,000 siblings, reading each entry a bounded number of times', () => {
    const chain = counted(Array.from({ length: 5000 }, (_, i) => entry(`j${i}`, i ? `j${i - 1}` : undefined, i)).reverse());
    const siblings = counted([entry('r'), ...Array.from({ length: 5000 }, (_, i) => entry(`s${i}`, 'r', 5000 - i))]);
    const t0 = performance.now();
    const deep = buildLineage(chain.entries, 'j2500')!;
    const wide = buildLineage(siblings.entries, 's0')!;
    const elapsed = performance.now() - t0;
    expect(deep.path).toHaveLength(2501);
    let depth = 0;
    for (let t: LineageTree | undefined = deep.tree; t; t = t.children[0]) depth++;
    expect(depth).toBe(5000);
    expect(wide.tree.children).toHaveLength(5000);
    expect(wide.tree.children[0]?.node.jobId).toBe('s4999');
    // A scan of all entries per node would read them 25 million times.
    expect(chain.reads()).toBeGreaterThanOrEqual(5000);
    expect(chain.reads()).toBeLessThanOrEqual(2 * 5000);
    expect(siblings.reads()).toBeLessThanOrEqual(2 * 5001);
    expect(elapsed).toBeLessThan(1000);
  });

  it('answers null for a job it was not given', () => {
    expect(buildLineage([entry('a')], 'nope')).toBeNull();
  });
});

/** The entries, behind a proxy that counts how often an entry is read. */
function counted(list: LineageEntry[]) {
  let reads = 0;
  const entries = new Proxy(list, {
    get(target, key, receiver) {
      if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
  return { entries, reads: () => reads };
}

describe('lineageEntryOf', () => {
  it('takes what the tree needs from a job record', () => {
    const job = jobRecord('j2', { parentJobId: 'j1', parentResultId: 'j1:0', resultIds: ['j2:0', 'j2:1'] });
    expect(lineageEntryOf(job)).toEqual({
      jobId: 'j2',
      parentJobId: 'j1',
      createdAt: job.createdAt,
      prompt: job.request.prompt,
      modelId: 'flux-dev',
      firstResultId: 'j2:0',
    });
    expect(lineageEntryOf(jobRecord('j3'))).not.toHaveProperty('firstResultId');
  });
});
