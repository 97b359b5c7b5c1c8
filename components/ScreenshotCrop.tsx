import { useRef, useState, type PointerEvent } from 'react';
import { clampRect, initialCrop, nudgeRect, rectFromDrag, toImagePoint, type Rect } from '@/utils/image/crop';
import { i18n } from '#i18n';

export interface ScreenshotCropProps {
  /** Object or data URL of the captured tab. */
  imageUrl: string;
  width: number;
  height: number;
  onUse: (rect: Rect) => void;
  onCancel: () => void;
}

/**
 * Crop a screenshot of the tab: drag a rectangle over it, or move the box with the arrow keys
 * (Shift+arrows resize), or type its position and size. All in screenshot pixels.
 */
export function ScreenshotCrop(props: ScreenshotCropProps) {
  const bounds = { width: props.width, height: props.height };
  const [rect, setRect] = useState<Rect>(() => initialCrop(bounds));
  const frame = useRef<HTMLDivElement>(null);
  const dragFrom = useRef<{ x: number; y: number } | null>(null);

  function point(e: PointerEvent) {
    const box = frame.current!.getBoundingClientRect();
    return toImagePoint({ x: e.clientX - box.left, y: e.clientY - box.top }, box, bounds);
  }
  const pct = (v: number, of: number) => `${(v / of) * 100}%`;
  const field = (key: keyof Rect, label: string) => (
    <label>
      {label}
      <input
        type="number"
        min={0}
        max={key === 'x' || key === 'width' ? props.width : props.height}
        value={rect[key]}
        onChange={(e) => setRect(clampRect({ ...rect, [key]: Number(e.target.value) || 0 }, bounds))}
      />
    </label>
  );

  return (
    <section aria-label={i18n.t('field.crop')} className="crop">
      <p className="hint">{i18n.t('field.cropHint')}</p>
      <div
        ref={frame}
        className="crop-frame"
        onPointerDown={(e) => {
          dragFrom.current = point(e);
          frame.current?.setPointerCapture?.(e.pointerId);
        }}
        onPointerMove={(e) => {
          if (dragFrom.current) setRect(rectFromDrag(dragFrom.current, point(e), bounds));
        }}
        onPointerUp={() => {
          dragFrom.current = null;
        }}
      >
        <img src={props.imageUrl} alt={i18n.t('field.cropImage')} draggable={false} />
        <div
          className="crop-box"
          tabIndex={0}
          role="group"
          aria-label={i18n.t('field.cropArea', [rect.width, rect.height, rect.x, rect.y])}
          style={{ left: pct(rect.x, props.width), top: pct(rect.y, props.height), width: pct(rect.width, props.width), height: pct(rect.height, props.height) }}
          onKeyDown={(e) => {
            const next = nudgeRect(rect, e.key, e.shiftKey, e.altKey ? 1 : 10, bounds);
            if (next !== rect) {
              e.preventDefault();
              setRect(next);
            }
          }}
        />
      </div>
      <div className="crop-fields">
        {field('x', i18n.t('field.cropX'))}
        {field('y', i18n.t('field.cropY'))}
        {field('width', i18n.t('field.cropWidth'))}
        {field('height', i18n.t('field.cropHeight'))}
      </div>
      <div className="crop-actions">
        <button type="button" className="primary" onClick={() => props.onUse(rect)}>
          {i18n.t('field.useArea')}
        </button>
        <button type="button" onClick={props.onCancel}>
          {i18n.t('field.cancel')}
        </button>
      </div>
    </section>
  );
}
