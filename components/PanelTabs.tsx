import { useRef, type KeyboardEvent } from 'react';

interface PanelTab<T extends string> {
  id: T;
  label: string;
}

export interface PanelTabsProps<T extends string> {
  label: string;
  tabs: PanelTab<T>[];
  value: T;
  onChange: (id: T) => void;
}

/**
 * The panel's sections as an ARIA tablist: one Tab stop, arrow keys (and Home/End) move
 * between tabs and select them, as screen-reader users expect from tabs.
 */
export function PanelTabs<T extends string>({ label, tabs, value, onChange }: PanelTabsProps<T>) {
  const refs = useRef(new Map<T, HTMLButtonElement>());
  function onKeyDown(e: KeyboardEvent) {
    const at = tabs.findIndex((t) => t.id === value);
    const next =
      e.key === 'ArrowRight' ? (at + 1) % tabs.length : e.key === 'ArrowLeft' ? (at - 1 + tabs.length) % tabs.length : e.key === 'Home' ? 0 : e.key === 'End' ? tabs.length - 1 : -1;
    if (next < 0) return;
    e.preventDefault();
    const tab = tabs[next]!;
    onChange(tab.id);
    refs.current.get(tab.id)?.focus();
  }
  return (
    <div role="tablist" aria-label={label} className="panel-tabs" onKeyDown={onKeyDown}>
      {tabs.map((t) => (
        <button
          key={t.id}
          ref={(el) => {
            if (el) refs.current.set(t.id, el);
            else refs.current.delete(t.id);
          }}
          type="button"
          role="tab"
          id={`tab-${t.id}`}
          aria-selected={t.id === value}
          aria-controls={`tabpanel-${t.id}`}
          tabIndex={t.id === value ? 0 : -1}
          onClick={() => onChange(t.id)}
        >
          {t.label}
        </button>
      ))}
    </div>
  );
}
