// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { LineageTree } from '@/components/lineage/LineageTree';
import { buildLineage, type LineageEntry } from '@/utils/store/lineage';

afterEach(cleanup);

const NAMES: Record<string, string> = { 'flux-dev': 'Flux dev', 'imagen-3': 'Imagen 3' };

function entry(jobId: string, prompt: string, parentJobId?: string, createdAt = 0, modelId = 'flux-dev'): LineageEntry {
  return { jobId, prompt, modelId, createdAt, firstResultId: `${jobId}:0`, ...(parentJobId ? { parentJobId } : {}) };
}

/**
 *   root  "a red fox"
 *   ├─ b  "a red fox in snow"
 *   │  └─ c  "a red fox in snow at night"   (focus)
 *   └─ d  "a blue fox"  (Imagen 3)
 */
const ENTRIES = [
  entry('root', 'a red fox', undefined, 1),
  entry('b', 'a red fox in snow', 'root', 2),
  entry('c', 'a red fox in snow at night', 'b', 3),
  entry('d', 'a blue fox', 'root', 4, 'imagen-3'),
];

function renderTree(entries = ENTRIES, focus = 'c') {
  const lineage = buildLineage(entries, focus)!;
  const actions = { onOpen: vi.fn(), onRestart: vi.fn() };
  render(
    <LineageTree
      tree={lineage.tree}
      focusJobId={focus}
      renderThumb={(id) => <img src={`blob:${id}`} alt="" />}
      modelName={(id) => NAMES[id] ?? id}
      {...actions}
    />,
  );
  return { actions, tree: screen.getByRole('tree', { name: 'Iterations of this image' }) };
}

const item = (name: string) => screen.getByRole('treeitem', { name });

describe('LineageTree', () => {
  it('shows every node with its prompt, model and thumbnail, at its level, and marks the job the user came from', () => {
    const { tree } = renderTree();
    const items = within(tree).getAllByRole('treeitem');
    expect(items.map((i) => i.getAttribute('aria-label'))).toEqual([
      'a red fox · Flux dev',
      'a red fox in snow · Flux dev',
      'a red fox in snow at night · Flux dev',
      'a blue fox · Imagen 3',
    ]);
    expect(items.map((i) => i.getAttribute('aria-level'))).toEqual(['1', '2', '3', '2']);
    expect(items.map((i) => i.getAttribute('aria-posinset'))).toEqual(['1', '1', '1', '2']);
    expect(items.map((i) => i.getAttribute('aria-setsize'))).toEqual(['1', '2', '1', '2']);
    expect(items.map((i) => i.getAttribute('aria-expanded'))).toEqual(['true', 'true', null, null]);

    const current = item('a red fox in snow at night · Flux dev');
    expect(current).toHaveAttribute('aria-current', 'true');
    expect(current).toHaveAttribute('aria-selected', 'true');
    expect(current).toHaveAttribute('tabindex', '0');
    expect(within(current).getByText('This image')).toBeInTheDocument();
    expect(within(current).getByRole('presentation')).toHaveAttribute('src', 'blob:c:0');
    expect(items.filter((i) => i.hasAttribute('aria-current'))).toHaveLength(1);
    expect(items.filter((i) => i.getAttribute('tabindex') === '0')).toHaveLength(1);
  });

  it('walks with the arrow keys, Home and End, moving the one tab stop along', async () => {
    const user = userEvent.setup();
    renderTree();
    await user.tab();
    expect(item('a red fox in snow at night · Flux dev')).toHaveFocus();
    await user.keyboard('{ArrowDown}');
    const blue = item('a blue fox · Imagen 3');
    expect(blue).toHaveFocus();
    expect(blue).toHaveAttribute('aria-selected', 'true');
    expect(blue).toHaveAttribute('tabindex', '0');
    expect(item('a red fox in snow at night · Flux dev')).toHaveAttribute('tabindex', '-1');
    await user.keyboard('{ArrowDown}');
    expect(blue).toHaveFocus();
    await user.keyboard('{Home}');
    expect(item('a red fox · Flux dev')).toHaveFocus();
    await user.keyboard('{ArrowUp}');
    expect(item('a red fox · Flux dev')).toHaveFocus();
    await user.keyboard('{End}');
    expect(blue).toHaveFocus();
    await user.keyboard('{ArrowUp}');
    expect(item('a red fox in snow at night · Flux dev')).toHaveFocus();
  });

  it('closes and opens branches with Left and Right, and moves between parent and child', async () => {
    const user = userEvent.setup();
    const { tree } = renderTree();
    await user.tab();
    // Left on a leaf goes to its parent; Left again closes it, hiding its children.
    await user.keyboard('{ArrowLeft}');
    const snow = item('a red fox in snow · Flux dev');
    expect(snow).toHaveFocus();
    await user.keyboard('{ArrowLeft}');
    expect(snow).toHaveAttribute('aria-expanded', 'false');
    expect(within(tree).queryByRole('treeitem', { name: 'a red fox in snow at night · Flux dev' })).toBeNull();
    expect(snow).toHaveFocus();
    // Down now skips the hidden child.
    await user.keyboard('{ArrowDown}');
    expect(item('a blue fox · Imagen 3')).toHaveFocus();
    await user.keyboard('{ArrowUp}');
    // Right opens, Right again goes to the first child.
    await user.keyboard('{ArrowRight}');
    expect(snow).toHaveAttribute('aria-expanded', 'true');
    expect(snow).toHaveFocus();
    await user.keyboard('{ArrowRight}');
    expect(item('a red fox in snow at night · Flux dev')).toHaveFocus();
    // Right on a leaf does nothing. Left goes to the parent, closes it, goes to the root, closes it.
    await user.keyboard('{ArrowRight}');
    expect(item('a red fox in snow at night · Flux dev')).toHaveFocus();
    await user.keyboard('{ArrowLeft}{ArrowLeft}');
    expect(snow).toHaveFocus();
    expect(snow).toHaveAttribute('aria-expanded', 'false');
    await user.keyboard('{ArrowLeft}');
    const root = item('a red fox · Flux dev');
    expect(root).toHaveFocus();
    await user.keyboard('{ArrowLeft}');
    expect(root).toHaveAttribute('aria-expanded', 'false');
    expect(within(tree).getAllByRole('treeitem')).toHaveLength(1);
  });

  it('opens a job with Enter or a click, and restarts from a node with its button', async () => {
    const user = userEvent.setup();
    const { actions } = renderTree();
    await user.tab();
    await user.keyboard('{Enter}');
    expect(actions.onOpen).toHaveBeenLastCalledWith('c');
    // The focused item's button is the next tab stop; its keys do not walk the tree.
    await user.tab();
    const restart = within(item('a red fox in snow at night · Flux dev')).getByRole('button', { name: 'Restart from here' });
    expect(restart).toHaveFocus();
    await user.keyboard('{Enter}');
    expect(actions.onRestart).toHaveBeenLastCalledWith('c');
    expect(actions.onOpen).toHaveBeenCalledTimes(1);

    await user.click(within(item('a blue fox · Imagen 3')).getByRole('button', { name: 'Restart from here' }));
    expect(actions.onRestart).toHaveBeenLastCalledWith('d');
    expect(actions.onOpen).toHaveBeenCalledTimes(1);
    await user.click(within(item('a red fox · Flux dev')).getByText('a red fox'));
    expect(actions.onOpen).toHaveBeenLastCalledWith('root');
    expect(item('a red fox · Flux dev')).toHaveAttribute('aria-selected', 'true');
  });

  it('shows a parent that is no longer stored as such, without actions', async () => {
    const user = userEvent.setup();
    const { actions } = renderTree([entry('b', 'a red fox in snow', 'gone', 2), entry('c', 'a red fox in snow at night', 'b', 3)]);
    const missing = item('An image no longer stored');
    expect(missing).toHaveAttribute('aria-level', '1');
    expect(within(missing).queryByRole('button')).toBeNull();
    await user.click(within(missing).getByText('An image no longer stored'));
    await user.keyboard('{Enter}');
    expect(actions.onOpen).not.toHaveBeenCalled();
  });

  it('says when a job has no image yet', () => {
    renderTree([{ ...entry('a', 'a red fox'), firstResultId: undefined }], 'a');
    const only = item('a red fox · Flux dev');
    expect(within(only).getByText('No image')).toBeInTheDocument();
    expect(within(only).queryByRole('presentation')).toBeNull();
  });
});
