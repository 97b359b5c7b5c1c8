import { useEffect, useId, useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import { i18n } from '#i18n';
import { ResultActions, type ResultActionsProps } from './ResultActions';
import { ResultDetails, type ResultDetailsProps } from './ResultDetails';

export interface ResultViewerItem {
  id: string;
  /** Object URL of the full image; null while it loads. */
  url: string | null;
  alt: string;
  /** From resultFileName(). */
  fileName: string;
  starred: boolean;
}

export interface ResultViewerProps extends Pick<ResultActionsProps, 'onCopy' | 'onUseAsPrompt' | 'onAddToPrompt' | 'onToggleStar' | 'onDelete'> {
  items: ResultViewerItem[];
  /** The image shown; kept within `items`. */
  index: number;
  onIndexChange: (index: number) => void;
  onClose: () => void;
  /** How the shown image was made ("Show settings"); absent or null: no such button. */
  details?: ResultDetailsProps | null;
  /** More about the image, under the actions (e.g. what it was made from, with a way to its lineage). */
  extra?: React.ReactNode;
}

/** A horizontal move longer than this (px) is a swipe to the next or previous image. */
const SWIPE_PX = 40;

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/**
 * One result large, as a modal dialog: previous/next by buttons, arrow keys or a swipe, Esc to
 * close. Focus moves in on open, stays inside while open, and goes back to the opener on close.
 */
export function ResultViewer({ items, index, onIndexChange, onClose, details, extra, ...actions }: ResultViewerProps) {
  const titleId = useId();
  const detailsId = useId();
  const dialog = useRef<HTMLDivElement>(null);
  const swipe = useRef<{ pointerId: number; x: number; y: number } | null>(null);
  const [settingsShown, setSettingsShown] = useState(false);
  const at = Math.min(Math.max(index, 0), items.length - 1);
  const item = items[at];
  const hasPrevious = at > 0;
  const hasNext = at < items.length - 1;

  useEffect(() => {
    const opener = document.activeElement;
    dialog.current?.focus();
    return () => {
      if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
    };
  }, []);

  function go(to: number) {
    if (to >= 0 && to < items.length && to !== at) onIndexChange(to);
  }

  function onKeyDown(e: KeyboardEvent<HTMLDivElement>) {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      onClose();
    } else if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
      if (e.altKey || e.ctrlKey || e.metaKey) return;
      e.preventDefault();
      go(e.key === 'ArrowLeft' ? at - 1 : at + 1);
    } else if (e.key === 'Tab') {
      keepTabInside(e);
    }
  }

  function keepTabInside(e: KeyboardEvent<HTMLDivElement>) {
    const inside = [...(dialog.current?.querySelectorAll<HTMLElement>(FOCUSABLE) ?? [])];
    const first = inside[0];
    const last = inside.at(-1);
    if (!first || !last) {
      e.preventDefault();
      return;
    }
    const active = document.activeElement;
    if (e.shiftKey && (active === first || active === dialog.current)) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && active === last) {
      e.preventDefault();
      first.focus();
    }
  }

  function onPointerDown(e: PointerEvent<HTMLDivElement>) {
    if (e.pointerType === 'mouse' && e.button !== 0) return;
    swipe.current = { pointerId: e.pointerId, x: e.clientX, y: e.clientY };
  }

  function onPointerUp(e: PointerEvent<HTMLDivElement>) {
    const start = swipe.current;
    swipe.current = null;
    if (!start || start.pointerId !== e.pointerId) return;
    const dx = e.clientX - start.x;
    const dy = e.clientY - start.y;
    if (Math.abs(dx) > SWIPE_PX && Math.abs(dx) > Math.abs(dy)) go(dx < 0 ? at + 1 : at - 1);
  }

  if (!item) return null;
  return (
    <div
      className="result-viewer-backdrop"
      onClick={(e) => {
        if (e.target === e.currentTarget) onClose();
      }}
    >
      <div ref={dialog} role="dialog" aria-modal="true" aria-labelledby={titleId} tabIndex={-1} className="result-viewer" onKeyDown={onKeyDown}>
        <header className="result-viewer-header">
          <h2 id={titleId}>{i18n.t('results.viewerTitle', [String(at + 1), String(items.length)])}</h2>
          <button type="button" className="result-viewer-close" aria-label={i18n.t('results.close')} onClick={onClose}>
            <span aria-hidden="true">{'\u00d7'}</span>
          </button>
        </header>
        <div
          className="result-viewer-stage"
          onPointerDown={onPointerDown}
          onPointerUp={onPointerUp}
          onPointerCancel={() => {
            swipe.current = null;
          }}
        >
          {item.url ? (
            <img src={item.url} alt={item.alt} draggable={false} />
          ) : (
            <p role="status" className="result-viewer-loading">
              {i18n.t('results.loading')}
            </p>
          )}
          {items.length > 1 ? (
            <>
              <NavButton className="result-viewer-previous" label={i18n.t('results.previous')} glyph={'\u2039'} enabled={hasPrevious} onClick={() => go(at - 1)} />
              <NavButton className="result-viewer-next" label={i18n.t('results.next')} glyph={'\u203a'} enabled={hasNext} onClick={() => go(at + 1)} />
            </>
          ) : null}
        </div>
        <ResultActions
          {...actions}
          resultId={item.id}
          url={item.url}
          fileName={item.fileName}
          starred={item.starred}
          onToggleSettings={details ? () => setSettingsShown((s) => !s) : undefined}
          settingsShown={settingsShown}
          settingsId={detailsId}
        />
        {extra}
        {details && settingsShown ? <ResultDetails {...details} id={detailsId} /> : null}
      </div>
    </div>
  );
}

/**
 * Previous/next stay focusable at the ends (aria-disabled, not disabled): a button that
 * disables itself under the keyboard focus would drop the focus out of the dialog.
 */
function NavButton({ className, label, glyph, enabled, onClick }: { className: string; label: string; glyph: string; enabled: boolean; onClick: () => void }) {
  return (
    <button type="button" className={className} aria-label={label} aria-disabled={!enabled} onClick={() => enabled && onClick()}>
      <span aria-hidden="true">{glyph}</span>
    </button>
  );
}
