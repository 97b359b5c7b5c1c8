// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, cleanup, render, screen } from '@testing-library/react';
import type { AppEvent } from '@/utils/events';
import { IntakePreview } from '@/entrypoints/sidepanel/IntakePreview';

// The channel itself is the browser's; here the test is the one that hears and speaks on it.
const listeners = new Set<(e: AppEvent) => void>();
vi.mock('@/utils/events', () => ({
  subscribe: (on: (e: AppEvent) => void) => {
    listeners.add(on);
    return () => listeners.delete(on);
  },
}));
const hear = (e: AppEvent) => act(() => listeners.forEach((on) => on(e)));

beforeEach(() => {
  let n = 0;
  URL.createObjectURL = vi.fn(() => `blob:preview-${++n}`);
  URL.revokeObjectURL = vi.fn();
});
afterEach(() => {
  cleanup();
  listeners.clear();
});

describe('IntakePreview', () => {
  it('shows the thumbnail sent for this intake, and ignores one sent for another', () => {
    render(<IntakePreview startedAt={2000} />);
    expect(screen.queryByRole('img')).toBeNull();
    hear({ type: 'intake.preview', startedAt: 1000, thumb: new Blob(['older']) });
    expect(screen.queryByRole('img')).toBeNull();
    hear({ type: 'intake.preview', startedAt: 2000, thumb: new Blob(['this one']) });
    expect(screen.getByRole('img', { name: 'Image being prepared' }).getAttribute('src')).toBe('blob:preview-1');
  });

  it('lets the object URL go when the intake ends', () => {
    const { unmount } = render(<IntakePreview startedAt={5} />);
    hear({ type: 'intake.preview', startedAt: 5, thumb: new Blob(['x']) });
    expect(screen.getByRole('img').getAttribute('src')).toBe('blob:preview-1');
    unmount();
    expect(URL.revokeObjectURL).toHaveBeenCalledWith('blob:preview-1');
    expect(listeners.size).toBe(0);
  });
});
