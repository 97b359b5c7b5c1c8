// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useState } from 'react';
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ResultViewer, type ResultViewerItem, type ResultViewerProps } from '@/components/results/ResultViewer';
import type { ResultDetailsProps } from '@/components/results/ResultDetails';

afterEach(cleanup);

const items: ResultViewerItem[] = [
  { id: 'j:0', url: 'blob:f0', alt: 'Image 1: a red fox', fileName: 'fox_1.png', starred: false },
  { id: 'j:1', url: 'blob:f1', alt: 'Image 2: a red fox', fileName: 'fox_2.png', starred: true },
  { id: 'j:2', url: null, alt: 'Image 3: a red fox', fileName: 'fox_3.png', starred: false },
];

const details: ResultDetailsProps = {
  prompt: 'a red fox',
  modelName: 'Flux dev',
  routeLabel: 'fal \u00b7 fal-ai/flux/dev',
  strength: null,
  aspectRatio: null,
  numImages: 3,
  seed: null,
  reference: null,
  onReuse: vi.fn(),
};

/** A page with an opener button and the viewer, holding the index and open state like the panel does. */
function Page(props: Partial<ResultViewerProps> & { start?: number }) {
  const [open, setOpen] = useState(false);
  const [index, setIndex] = useState(props.start ?? 1);
  return (
    <>
      <button type="button" onClick={() => setOpen(true)}>
        Open image
      </button>
      {open ? (
        <ResultViewer
          items={items}
          index={index}
          onIndexChange={(i) => {
            props.onIndexChange?.(i);
            setIndex(i);
          }}
          onClose={() => {
            props.onClose?.();
            setOpen(false);
          }}
          onCopy={props.onCopy ?? vi.fn(async () => {})}
          onUseAsPrompt={props.onUseAsPrompt ?? vi.fn()}
          onToggleStar={props.onToggleStar ?? vi.fn()}
          onDelete={props.onDelete ?? vi.fn()}
          details={props.details}
        />
      ) : null}
    </>
  );
}

async function openViewer(props: Parameters<typeof Page>[0] = {}) {
  render(<Page {...props} />);
  await userEvent.click(screen.getByRole('button', { name: 'Open image' }));
  return screen.getByRole('dialog');
}

describe('ResultViewer', () => {
  it('is a labelled modal dialog showing one image large', async () => {
    const dialog = await openViewer();
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    expect(screen.getByRole('dialog', { name: 'Image 2 of 3' })).toBe(dialog);
    expect(within(dialog).getByRole('img', { name: 'Image 2: a red fox' }).getAttribute('src')).toBe('blob:f1');
    expect(within(dialog).getByRole('link', { name: 'Download' }).getAttribute('download')).toBe('fox_2.png');
    expect(within(dialog).getByRole('button', { name: 'Star' }).getAttribute('aria-pressed')).toBe('true');
  });

  it('moves focus in on open and back to the opener on close', async () => {
    const onClose = vi.fn();
    const dialog = await openViewer({ onClose });
    expect(dialog.contains(document.activeElement)).toBe(true);
    await userEvent.click(within(dialog).getByRole('button', { name: 'Close' }));
    expect(onClose).toHaveBeenCalledTimes(1);
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Open image' }));
  });

  it('closes with Escape, and with a click beside it', async () => {
    const onClose = vi.fn();
    await openViewer({ onClose });
    await userEvent.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).toBeNull();
    await userEvent.click(screen.getByRole('button', { name: 'Open image' }));
    const dialog = screen.getByRole('dialog');
    fireEvent.click(within(dialog).getByRole('img'));
    expect(onClose).toHaveBeenCalledTimes(1);
    fireEvent.click(dialog.parentElement!);
    expect(onClose).toHaveBeenCalledTimes(2);
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('goes to the previous and next image with buttons and arrow keys, stopping at the ends', async () => {
    const onIndexChange = vi.fn();
    const dialog = await openViewer({ onIndexChange });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Next image' }));
    expect(screen.getByRole('dialog', { name: 'Image 3 of 3' })).toBeTruthy();
    expect(within(dialog).getByText('Loading image…')).toBeTruthy();
    const next = within(dialog).getByRole('button', { name: 'Next image' });
    expect(next.getAttribute('aria-disabled')).toBe('true');
    await userEvent.click(next);
    await userEvent.keyboard('{ArrowRight}');
    expect(onIndexChange.mock.calls).toEqual([[2]]);
    // The end button keeps the focus (it is not disabled), so the focus stays in the dialog.
    expect(document.activeElement).toBe(next);
    await userEvent.keyboard('{ArrowLeft}{ArrowLeft}');
    expect(screen.getByRole('dialog', { name: 'Image 1 of 3' })).toBeTruthy();
    expect(within(dialog).getByRole('button', { name: 'Previous image' }).getAttribute('aria-disabled')).toBe('true');
    await userEvent.keyboard('{ArrowLeft}');
    expect(onIndexChange.mock.calls).toEqual([[2], [1], [0]]);
  });

  it('follows a horizontal swipe longer than 40 px, and nothing shorter or vertical', async () => {
    const onIndexChange = vi.fn();
    const dialog = await openViewer({ onIndexChange });
    const stage = within(dialog).getByRole('img').parentElement!;
    const swipe = (x0: number, x1: number, y0 = 100, y1 = 100) => {
      fireEvent.pointerDown(stage, { pointerId: 1, pointerType: 'touch', clientX: x0, clientY: y0 });
      fireEvent.pointerUp(stage, { pointerId: 1, pointerType: 'touch', clientX: x1, clientY: y1 });
    };
    swipe(200, 170);
    swipe(200, 180, 100, 300);
    expect(onIndexChange).not.toHaveBeenCalled();
    swipe(200, 100);
    expect(onIndexChange).toHaveBeenLastCalledWith(2);
    swipe(100, 200);
    expect(onIndexChange).toHaveBeenLastCalledWith(1);
    expect(screen.getByRole('dialog', { name: 'Image 2 of 3' })).toBeTruthy();
  });

  it('keeps Tab inside the dialog', async () => {
    const dialog = await openViewer({ details });
    for (let i = 0; i < 15; i++) {
      await userEvent.tab();
      expect(dialog.contains(document.activeElement)).toBe(true);
    }
    within(dialog).getByRole('button', { name: 'Close' }).focus();
    await userEvent.tab({ shift: true });
    expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Show settings' }));
    await userEvent.tab();
    expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Close' }));
  });

  it('acts on the image shown', async () => {
    const onCopy = vi.fn(async () => {});
    const onDelete = vi.fn();
    const onUseAsPrompt = vi.fn();
    const onToggleStar = vi.fn();
    const dialog = await openViewer({ onCopy, onDelete, onUseAsPrompt, onToggleStar, start: 0 });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Copy image' }));
    expect(onCopy).toHaveBeenCalledWith('j:0');
    expect(within(dialog).getByText('Copied')).toBeTruthy();
    await userEvent.click(within(dialog).getByRole('button', { name: 'Star' }));
    expect(onToggleStar).toHaveBeenCalledWith('j:0', true);
    await userEvent.click(within(dialog).getByRole('button', { name: 'Use as image prompt' }));
    expect(onUseAsPrompt).toHaveBeenCalledWith('j:0');
    await userEvent.keyboard('{ArrowRight}');
    expect(within(dialog).queryByText('Copied')).toBeNull();
    await userEvent.click(within(dialog).getByRole('button', { name: 'Delete' }));
    expect(onDelete).toHaveBeenCalledWith('j:1');
  });

  it('shows the settings of the image on request', async () => {
    const dialog = await openViewer({ details });
    expect(within(dialog).queryByRole('region', { name: 'Settings used' })).toBeNull();
    await userEvent.click(within(dialog).getByRole('button', { name: 'Show settings' }));
    const region = within(dialog).getByRole('region', { name: 'Settings used' });
    expect(within(dialog).getByRole('button', { name: 'Hide settings' }).getAttribute('aria-controls')).toBe(region.id);
    expect(region.textContent).toContain('Flux dev');
  });

  it('offers no settings button without details', async () => {
    const dialog = await openViewer();
    expect(within(dialog).queryByRole('button', { name: 'Show settings' })).toBeNull();
  });
});
