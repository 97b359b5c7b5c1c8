// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { UndoToast, UNDO_TIMEOUT_MS } from '@/components/results/UndoToast';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe('UndoToast', () => {
  it('says the image was deleted and undoes it', () => {
    const onUndo = vi.fn();
    render(<UndoToast onUndo={onUndo} onDismiss={vi.fn()} />);
    const toast = screen.getByRole('status');
    expect(toast.textContent).toContain('Image deleted');
    fireEvent.click(screen.getByRole('button', { name: 'Undo' }));
    expect(onUndo).toHaveBeenCalledTimes(1);
  });

  it('goes away after the timeout', () => {
    const onDismiss = vi.fn();
    render(<UndoToast onUndo={vi.fn()} onDismiss={onDismiss} timeoutMs={5000} />);
    act(() => void vi.advanceTimersByTime(4999));
    expect(onDismiss).not.toHaveBeenCalled();
    act(() => void vi.advanceTimersByTime(1));
    expect(onDismiss).toHaveBeenCalledTimes(1);
  });

  it('uses a default timeout, and a custom message', () => {
    const onDismiss = vi.fn();
    render(<UndoToast message="2 images deleted" onUndo={vi.fn()} onDismiss={onDismiss} />);
    expect(screen.getByRole('status').textContent).toContain('2 images deleted');
    act(() => void vi.advanceTimersByTime(UNDO_TIMEOUT_MS));
    expect(onDismiss).toHaveBeenCalledTimes(1);
  });

  it('waits while the keyboard focus is on Undo, and counts again once it leaves', () => {
    const onDismiss = vi.fn();
    render(
      <>
        <UndoToast onUndo={vi.fn()} onDismiss={onDismiss} timeoutMs={1000} />
        <button type="button">Elsewhere</button>
      </>,
    );
    act(() => screen.getByRole('button', { name: 'Undo' }).focus());
    act(() => void vi.advanceTimersByTime(5000));
    expect(onDismiss).not.toHaveBeenCalled();
    act(() => screen.getByRole('button', { name: 'Elsewhere' }).focus());
    act(() => void vi.advanceTimersByTime(1000));
    expect(onDismiss).toHaveBeenCalledTimes(1);
  });

  it('waits while the pointer is on it', () => {
    const onDismiss = vi.fn();
    render(<UndoToast onUndo={vi.fn()} onDismiss={onDismiss} timeoutMs={1000} />);
    fireEvent.pointerEnter(screen.getByRole('status'));
    act(() => void vi.advanceTimersByTime(3000));
    expect(onDismiss).not.toHaveBeenCalled();
    fireEvent.pointerLeave(screen.getByRole('status'));
    act(() => void vi.advanceTimersByTime(1000));
    expect(onDismiss).toHaveBeenCalledTimes(1);
  });
});
