import { describe, expect, it } from 'vitest';
import { clampRect, initialCrop, MIN_CROP, nudgeRect, rectFromDrag, toImagePoint } from '@/utils/image/crop';

const bounds = { width: 1000, height: 600 };

describe('crop geometry', () => {
  it('starts in the middle 80%', () => {
    expect(initialCrop(bounds)).toEqual({ x: 100, y: 60, width: 800, height: 480 });
  });
  it('keeps the box inside the screenshot and at least MIN_CROP a side', () => {
    expect(clampRect({ x: -20, y: 590, width: 5, height: 50 }, bounds)).toEqual({ x: 0, y: 550, width: MIN_CROP, height: 50 });
    expect(clampRect({ x: 900, y: 0, width: 2000, height: 10 }, bounds)).toEqual({ x: 0, y: 0, width: 1000, height: MIN_CROP });
  });
  it('spans a drag in any direction', () => {
    expect(rectFromDrag({ x: 300, y: 200 }, { x: 100, y: 50 }, bounds)).toEqual({ x: 100, y: 50, width: 200, height: 150 });
  });
  it('maps displayed points to screenshot pixels', () => {
    expect(toImagePoint({ x: 50, y: 30 }, { width: 250, height: 150 }, bounds)).toEqual({ x: 200, y: 120 });
  });
  it('moves with arrows and resizes with Shift+arrows, within bounds', () => {
    const r = { x: 0, y: 0, width: 100, height: 100 };
    expect(nudgeRect(r, 'ArrowRight', false, 10, bounds)).toEqual({ x: 10, y: 0, width: 100, height: 100 });
    expect(nudgeRect(r, 'ArrowLeft', false, 10, bounds)).toEqual(r);
    expect(nudgeRect(r, 'ArrowDown', true, 10, bounds)).toEqual({ x: 0, y: 0, width: 100, height: 110 });
    expect(nudgeRect(r, 'Enter', false, 10, bounds)).toBe(r);
  });
});
