// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ResultGrid, type ResultGridItem } from '@/components/results/ResultGrid';

afterEach(cleanup);

const items: ResultGridItem[] = [
  { id: 'j:0', thumbUrl: 'blob:t0', width: 1024, height: 768, starred: false, alt: 'a red fox' },
  { id: 'j:1', thumbUrl: null, starred: true, alt: 'a red fox' },
  { id: 'j:2', thumbUrl: 'blob:t2', starred: false, alt: 'a red fox' },
];

describe('ResultGrid', () => {
  it('lists each image as a button that opens it, named by its place', async () => {
    const onOpen = vi.fn();
    render(<ResultGrid results={items} onOpen={onOpen} label="Images of this generation" />);
    const list = screen.getByRole('list', { name: 'Images of this generation' });
    expect(within(list).getAllByRole('listitem')).toHaveLength(3);
    await userEvent.click(screen.getByRole('button', { name: 'Open image 3 of 3' }));
    expect(onOpen).toHaveBeenCalledWith('j:2');
  });

  it('shows the thumbnail, or a placeholder while it loads, and marks starred images', () => {
    const { container } = render(<ResultGrid results={items} onOpen={vi.fn()} />);
    expect(screen.getByRole('list', { name: 'Images' })).toBeTruthy();
    const first = screen.getByRole('button', { name: 'Open image 1 of 3' });
    expect(first.querySelector('img')?.getAttribute('src')).toBe('blob:t0');
    expect(first.getAttribute('title')).toBe('a red fox');
    const loading = screen.getByRole('button', { name: 'Open image 2 of 3 (starred)' });
    expect(loading.querySelector('img')).toBeNull();
    expect(loading.textContent).toContain('\u2605');
    expect(first.textContent).not.toContain('\u2605');
    expect(container.querySelectorAll('.result-thumb-star')).toHaveLength(1);
  });

  it('can be reached and used with the keyboard', async () => {
    const onOpen = vi.fn();
    render(<ResultGrid results={items} onOpen={onOpen} />);
    await userEvent.tab();
    await userEvent.tab();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Open image 2 of 3 (starred)' }));
    await userEvent.keyboard('{Enter}');
    expect(onOpen).toHaveBeenCalledWith('j:1');
  });
});
