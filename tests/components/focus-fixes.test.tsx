// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ImagePromptField } from '@/components/ImagePromptField';
import { LineageTree } from '@/components/lineage/LineageTree';
import { ResultActions } from '@/components/results/ResultActions';
import { buildLineage } from '@/utils/store/lineage';

/** Keyboard focus problems the e2e run in Chromium found (tests/e2e/workspace.e2e.ts). */
afterEach(cleanup);

describe('keyboard focus', () => {
  it('the hidden file input is out of the Tab order; "+" is the keyboard way to it', async () => {
    const user = userEvent.setup();
    render(<ImagePromptField thumbUrl={null} loading={false} error={null} onFiles={vi.fn()} onUrl={vi.fn()} onClear={vi.fn()} />);
    const input = screen.getByLabelText('Image file');
    expect(input.tabIndex).toBe(-1);
    await user.tab();
    expect(screen.getByRole('button', { name: 'Add image' })).toHaveFocus();
    await user.tab();
    expect(input).not.toHaveFocus();
  });

  it('Copy image keeps the focus while it copies, and a second press meanwhile does nothing', async () => {
    const user = userEvent.setup();
    let finish: () => void = () => {};
    const onCopy = vi.fn(() => new Promise<void>((resolve) => (finish = resolve)));
    render(
      <ResultActions resultId="j:0" url="blob:full" fileName="a.png" starred={false} onCopy={onCopy} onUseAsPrompt={vi.fn()} onToggleStar={vi.fn()} onDelete={vi.fn()} />,
    );
    const copy = screen.getByRole('button', { name: 'Copy image' });
    await user.click(copy);
    expect(copy).toHaveFocus();
    expect(copy).toHaveAttribute('aria-disabled', 'true');
    await user.click(copy);
    expect(onCopy).toHaveBeenCalledTimes(1);
    finish();
    await screen.findByText('Copied');
    expect(copy).toHaveAttribute('aria-disabled', 'false');
    expect(copy).toHaveFocus();
  });

  it('a lineage tree shown in place of what had the focus takes it to the current item, only when asked', () => {
    const lineage = buildLineage(
      [
        { jobId: 'a', prompt: 'a chair', modelId: 'flux-dev', createdAt: 1, firstResultId: 'a:0' },
        { jobId: 'b', prompt: 'a red chair', modelId: 'flux-dev', createdAt: 2, firstResultId: 'b:0', parentJobId: 'a' },
      ],
      'b',
    )!;
    const props = { tree: lineage.tree, focusJobId: 'b', renderThumb: () => null, modelName: () => 'Flux dev', onOpen: vi.fn(), onRestart: vi.fn() };
    const { unmount } = render(<LineageTree {...props} />);
    expect(document.body).toHaveFocus();
    unmount();
    render(<LineageTree {...props} focusOnMount />);
    expect(screen.getByRole('treeitem', { name: 'a red chair · Flux dev' })).toHaveFocus();
  });
});
