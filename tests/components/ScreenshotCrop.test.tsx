// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ScreenshotCrop } from '@/components/ScreenshotCrop';

afterEach(cleanup);

function setup() {
  const onUse = vi.fn();
  const onCancel = vi.fn();
  render(<ScreenshotCrop imageUrl="data:image/png;base64,AA" width={1000} height={600} onUse={onUse} onCancel={onCancel} />);
  return { onUse, onCancel, region: screen.getByRole('region', { name: 'Screenshot crop' }) };
}

describe('ScreenshotCrop', () => {
  it('starts with the middle of the screenshot and uses the chosen area', async () => {
    const { onUse } = setup();
    await userEvent.click(screen.getByRole('button', { name: 'Use this area' }));
    expect(onUse).toHaveBeenCalledWith({ x: 100, y: 60, width: 800, height: 480 });
  });

  it('moves with the arrow keys, resizes with Shift, and takes typed numbers', async () => {
    const { onUse } = setup();
    const box = screen.getByRole('group', { name: /Crop area/ });
    fireEvent.keyDown(box, { key: 'ArrowLeft' });
    fireEvent.keyDown(box, { key: 'ArrowUp', shiftKey: true });
    expect(box.getAttribute('aria-label')).toBe('Crop area: 800 by 470 at 90, 60');
    const width = screen.getByLabelText('Width');
    fireEvent.change(width, { target: { value: '5000' } });
    expect((width as HTMLInputElement).value).toBe('1000');
    await userEvent.click(screen.getByRole('button', { name: 'Use this area' }));
    expect(onUse).toHaveBeenLastCalledWith({ x: 0, y: 60, width: 1000, height: 470 });
  });

  it('cancels', async () => {
    const { onCancel } = setup();
    await userEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(onCancel).toHaveBeenCalledOnce();
  });
});
