import { useEffect, useRef, useState } from 'react';
import { i18n } from '#i18n';

export interface UndoToastProps {
  /** Defaults to "Image deleted". */
  message?: string;
  onUndo: () => void;
  /** Called when the time is up (the deletion then stays). */
  onDismiss: () => void;
  /** How long the offer stays, counted again after the pointer or focus leaves it. Default 8 s. */
  timeoutMs?: number;
}

export const UNDO_TIMEOUT_MS = 8000;

/**
 * "Image deleted — Undo". Waits while the pointer or keyboard focus is on it, so nobody loses
 * the chance to undo while reaching for the button.
 */
export function UndoToast({ message, onUndo, onDismiss, timeoutMs = UNDO_TIMEOUT_MS }: UndoToastProps) {
  const [hovered, setHovered] = useState(false);
  const [focused, setFocused] = useState(false);
  const dismiss = useRef(onDismiss);
  useEffect(() => {
    dismiss.current = onDismiss;
  }, [onDismiss]);
  const paused = hovered || focused;
  useEffect(() => {
    if (paused) return;
    const timer = setTimeout(() => dismiss.current(), timeoutMs);
    return () => clearTimeout(timer);
  }, [paused, timeoutMs]);

  return (
    <div
      role="status"
      className="undo-toast"
      onPointerEnter={() => setHovered(true)}
      onPointerLeave={() => setHovered(false)}
      onFocus={() => setFocused(true)}
      onBlur={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setFocused(false);
      }}
    >
      <span>{message ?? i18n.t('results.deleted')}</span>
      <button type="button" onClick={onUndo}>
        {i18n.t('results.undo')}
      </button>
    </div>
  );
}
