import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { i18n } from '#i18n';
import './presets.css';

interface PresetOption {
  id: string;
  name: string;
}

/** What a save came to: the bar asks "Replace?" on 'exists', and keeps the name field open on 'failed'. */
export type PresetSaveResult = { status: 'saved'; id: string } | { status: 'exists' } | { status: 'failed' };

/** What a rename came to: the name field stays open on 'exists' (another preset has it) and on 'failed'. */
export type PresetRenameResult = { status: 'renamed' } | { status: 'exists' } | { status: 'failed' };

export interface PresetsBarProps {
  /** Newest first; the first is chosen until the user picks another. */
  presets: readonly PresetOption[];
  onApply: (id: string) => void;
  /** `replace`: the user agreed to replace the preset of that name. */
  onSave: (name: string, replace: boolean) => Promise<PresetSaveResult>;
  onDelete: (id: string) => void;
  onRename: (id: string, name: string) => Promise<PresetRenameResult>;
  /** What the last action did (or why it failed), read out by screen readers. */
  status?: { text: string; failed?: boolean } | null;
}

/** Mirrors PRESET_NAME_MAX (utils/store/types.ts) without pulling the store's schemas in. */
const NAME_MAX = 80;

type Mode =
  | { kind: 'idle' }
  | { kind: 'naming' }
  | { kind: 'replace'; name: string }
  | { kind: 'delete'; preset: PresetOption }
  | { kind: 'renaming'; preset: PresetOption; taken?: string };

/**
 * Presets at the top of the Create tab: choose one and Apply (one click for the one shown),
 * "Save as preset…" (a name field: Enter saves, Esc cancels; a name in use asks before
 * replacing), rename (the same field, filled in; a name another preset has is refused), and
 * delete (asks first). Each step is a few plain controls, so it all works from
 * the keyboard and reads well to a screen reader.
 */
export function PresetsBar({ presets, onApply, onSave, onDelete, onRename, status }: PresetsBarProps) {
  const [mode, setMode] = useState<Mode>({ kind: 'idle' });
  const [chosen, setChosen] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [saving, setSaving] = useState(false);
  const current = presets.find((p) => p.id === chosen) ?? presets[0];
  const questionId = useId();

  // Where focus goes back to when a step ends (never on first render: the panel keeps its own focus).
  const returnTo = useRef<'saveAs' | 'select' | null>(null);
  const saveAsRef = useRef<HTMLButtonElement>(null);
  const selectRef = useRef<HTMLSelectElement>(null);
  useEffect(() => {
    if (mode.kind !== 'idle' || !returnTo.current) return;
    const target = returnTo.current === 'select' && selectRef.current ? selectRef.current : saveAsRef.current;
    returnTo.current = null;
    target?.focus();
  }, [mode]);

  const finish = (focus: 'saveAs' | 'select') => {
    returnTo.current = focus;
    setMode({ kind: 'idle' });
  };

  const cancelNaming = () => {
    setName('');
    finish('saveAs');
  };

  const save = async (replace: boolean) => {
    const typed = name.trim();
    if (!typed || saving) return;
    setSaving(true);
    try {
      const result = await onSave(typed, replace);
      if (result.status === 'exists') setMode({ kind: 'replace', name: typed });
      else if (result.status === 'saved') {
        setChosen(result.id);
        setName('');
        finish('saveAs');
      } else if (replace) setMode({ kind: 'naming' });
    } finally {
      setSaving(false);
    }
  };

  const rename = async (preset: PresetOption) => {
    const typed = name.trim();
    if (!typed || saving) return;
    if (typed === preset.name) return finish('select');
    setSaving(true);
    try {
      const result = await onRename(preset.id, typed);
      if (result.status === 'renamed') {
        setName('');
        finish('select');
      } else if (result.status === 'exists') setMode({ kind: 'renaming', preset, taken: typed });
    } finally {
      setSaving(false);
    }
  };

  const cancelRenaming = () => {
    setName('');
    finish('select');
  };

  const escape = (e: KeyboardEvent, then: () => void) => {
    if (e.key !== 'Escape') return;
    e.preventDefault();
    e.stopPropagation();
    then();
  };

  return (
    <section className="presets" aria-label={i18n.t('presets.region')}>
      {mode.kind === 'idle' ? (
        <div className="presets-row">
          {current ? (
            <>
              <select ref={selectRef} aria-label={i18n.t('presets.label')} value={current.id} onChange={(e) => setChosen(e.target.value)}>
                {presets.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name}
                  </option>
                ))}
              </select>
              <button type="button" title={i18n.t('presets.applyHint')} onClick={() => onApply(current.id)}>
                {i18n.t('presets.apply')}
              </button>
              <button
                type="button"
                aria-label={i18n.t('presets.renameLabel', [current.name])}
                onClick={() => {
                  setName(current.name);
                  setMode({ kind: 'renaming', preset: current });
                }}
              >
                {i18n.t('presets.rename')}
              </button>
              <button
                type="button"
                className="presets-delete"
                aria-label={i18n.t('presets.deleteLabel', [current.name])}
                title={i18n.t('presets.deleteLabel', [current.name])}
                onClick={() => setMode({ kind: 'delete', preset: current })}
              >
                ×
              </button>
            </>
          ) : null}
          <button type="button" ref={saveAsRef} onClick={() => setMode({ kind: 'naming' })}>
            {i18n.t('presets.saveAs')}
          </button>
        </div>
      ) : null}

      {mode.kind === 'naming' ? (
        <NameForm
          label={i18n.t('presets.nameLabel')}
          placeholder={i18n.t('presets.namePlaceholder')}
          submitLabel={i18n.t('presets.save')}
          value={name}
          busy={saving}
          onChange={setName}
          onSubmit={() => void save(false)}
          onCancel={cancelNaming}
        />
      ) : null}

      {mode.kind === 'renaming' ? (
        <NameForm
          label={i18n.t('presets.newNameLabel', [mode.preset.name])}
          submitLabel={i18n.t('presets.renameSubmit')}
          value={name}
          busy={saving}
          onChange={setName}
          onSubmit={() => void rename(mode.preset)}
          onCancel={cancelRenaming}
          problem={mode.taken !== undefined ? { id: questionId, text: i18n.t('presets.nameTaken', [mode.taken]), current: mode.taken === name.trim() } : undefined}
        />
      ) : null}

      {mode.kind === 'replace' ? (
        <div className="presets-row" role="group" aria-labelledby={questionId} onKeyDown={(e) => escape(e, () => setMode({ kind: 'naming' }))}>
          <p id={questionId}>{i18n.t('presets.exists', [mode.name])}</p>
          <button type="button" autoFocus disabled={saving} onClick={() => void save(true)}>
            {i18n.t('presets.replace')}
          </button>
          <button type="button" onClick={() => setMode({ kind: 'naming' })}>
            {i18n.t('presets.cancel')}
          </button>
        </div>
      ) : null}

      {mode.kind === 'delete' ? (
        <div className="presets-row" role="group" aria-labelledby={questionId} onKeyDown={(e) => escape(e, () => finish('select'))}>
          <p id={questionId}>{i18n.t('presets.confirmDelete', [mode.preset.name])}</p>
          <button
            type="button"
            onClick={() => {
              onDelete(mode.preset.id);
              finish(presets.length > 1 ? 'select' : 'saveAs');
            }}
          >
            {i18n.t('presets.delete')}
          </button>
          <button type="button" autoFocus onClick={() => finish('select')}>
            {i18n.t('presets.keep')}
          </button>
        </div>
      ) : null}

      <p role="status" className={`presets-status${status?.failed ? ' failed' : ''}`}>
        {status?.text ?? ''}
      </p>
    </section>
  );
}

interface NameFormProps {
  label: string;
  placeholder?: string;
  submitLabel: string;
  value: string;
  busy: boolean;
  onChange: (value: string) => void;
  onSubmit: () => void;
  onCancel: () => void;
  /** Why the last name was refused; `current` while the field still holds that name. */
  problem?: { id: string; text: string; current: boolean };
}

/** A preset name being typed (to save as, or to rename to): Enter submits, Esc cancels. */
function NameForm({ label, placeholder, submitLabel, value, busy, onChange, onSubmit, onCancel, problem }: NameFormProps) {
  return (
    <form
      className="presets-row"
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        onSubmit();
      }}
    >
      <input
        type="text"
        aria-label={label}
        placeholder={placeholder}
        aria-invalid={problem?.current || undefined}
        aria-describedby={problem?.id}
        maxLength={NAME_MAX}
        value={value}
        autoFocus
        onChange={(e) => onChange(e.target.value)}
        onKeyDown={(e) => {
          if (e.key !== 'Escape') return;
          e.preventDefault();
          e.stopPropagation();
          onCancel();
        }}
      />
      <button type="submit" disabled={!value.trim() || busy}>
        {submitLabel}
      </button>
      <button type="button" onClick={onCancel}>
        {i18n.t('presets.cancel')}
      </button>
      {problem ? (
        <p id={problem.id} className="presets-taken">
          {problem.text}
        </p>
      ) : null}
    </form>
  );
}
