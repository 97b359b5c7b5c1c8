// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ResultActions, type ResultActionsProps } from '@/components/results/ResultActions';
import { AppError } from '@/utils/errors';

afterEach(cleanup);

function renderActions(props: Partial<ResultActionsProps> = {}) {
  const all: ResultActionsProps = {
    resultId: 'j:0',
    url: 'blob:full',
    fileName: 'flux-dev_red-fox_seed-1_1.png',
    starred: false,
    onCopy: vi.fn(async () => {}),
    onUseAsPrompt: vi.fn(),
    onToggleStar: vi.fn(),
    onDelete: vi.fn(),
    ...props,
  };
  const view = render(<ResultActions {...all} />);
  return { ...all, view };
}

describe('ResultActions', () => {
  it('downloads under the given file name', () => {
    renderActions();
    const link = screen.getByRole('link', { name: 'Download' });
    expect(link.getAttribute('href')).toBe('blob:full');
    expect(link.getAttribute('download')).toBe('flux-dev_red-fox_seed-1_1.png');
  });

  it('offers no download link before the image is loaded', () => {
    renderActions({ url: null });
    expect(screen.queryByRole('link', { name: 'Download' })).toBeNull();
    expect((screen.getByRole('button', { name: 'Download' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('copies and says so', async () => {
    const { onCopy } = renderActions();
    expect(screen.getByRole('status').textContent).toBe('');
    await userEvent.click(screen.getByRole('button', { name: 'Copy image' }));
    expect(onCopy).toHaveBeenCalledWith('j:0');
    expect(screen.getByRole('status').textContent).toBe('Copied');
  });

  it('shows why copying failed', async () => {
    renderActions({ onCopy: vi.fn(async () => Promise.reject(new AppError('internal', 'The browser did not allow copying the image.'))) });
    await userEvent.click(screen.getByRole('button', { name: 'Copy image' }));
    expect(screen.getByRole('status').textContent).toBe('The browser did not allow copying the image.');
  });

  it('forgets the copy outcome when another image is shown', async () => {
    const { view, ...props } = renderActions();
    await userEvent.click(screen.getByRole('button', { name: 'Copy image' }));
    expect(screen.getByRole('status').textContent).toBe('Copied');
    view.rerender(<ResultActions {...props} resultId="j:1" />);
    expect(screen.getByRole('status').textContent).toBe('');
  });

  it('uses the image as the next image prompt, stars, unstars and deletes it', async () => {
    const { onUseAsPrompt, onToggleStar, onDelete, view, ...props } = renderActions();
    await userEvent.click(screen.getByRole('button', { name: 'Use as image prompt' }));
    expect(onUseAsPrompt).toHaveBeenCalledWith('j:0');
    const star = screen.getByRole('button', { name: 'Star' });
    expect(star.getAttribute('aria-pressed')).toBe('false');
    await userEvent.click(star);
    expect(onToggleStar).toHaveBeenLastCalledWith('j:0', true);
    view.rerender(<ResultActions {...props} onUseAsPrompt={onUseAsPrompt} onToggleStar={onToggleStar} onDelete={onDelete} starred />);
    expect(screen.getByRole('button', { name: 'Star', pressed: true })).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Star' }));
    expect(onToggleStar).toHaveBeenLastCalledWith('j:0', false);
    await userEvent.click(screen.getByRole('button', { name: 'Delete' }));
    expect(onDelete).toHaveBeenCalledWith('j:0');
  });

  it('adds the image to the image prompt only where that is offered', async () => {
    renderActions();
    expect(screen.queryByRole('button', { name: 'Add to image prompt' })).toBeNull();
    cleanup();
    const onAddToPrompt = vi.fn();
    renderActions({ onAddToPrompt });
    await userEvent.click(screen.getByRole('button', { name: 'Add to image prompt' }));
    expect(onAddToPrompt).toHaveBeenCalledWith('j:0');
  });

  it('shows settings only when asked for, saying whether they are open', async () => {
    const { view, ...props } = renderActions();
    expect(screen.queryByRole('button', { name: 'Show settings' })).toBeNull();
    const onToggleSettings = vi.fn();
    view.rerender(<ResultActions {...props} onToggleSettings={onToggleSettings} settingsId="details" />);
    const show = screen.getByRole('button', { name: 'Show settings' });
    expect(show.getAttribute('aria-expanded')).toBe('false');
    expect(show.getAttribute('aria-controls')).toBe('details');
    await userEvent.click(show);
    expect(onToggleSettings).toHaveBeenCalledTimes(1);
    view.rerender(<ResultActions {...props} onToggleSettings={onToggleSettings} settingsShown />);
    expect(screen.getByRole('button', { name: 'Hide settings', expanded: true })).toBeTruthy();
  });
});
