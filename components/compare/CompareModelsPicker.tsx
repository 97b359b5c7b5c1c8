import { useId } from 'react';
import { i18n } from '#i18n';
import { MODELS, type ModelId } from '@/utils/models';
import { COMPARE_MAX_MODELS, COMPARE_MIN_MODELS } from '@/utils/compare';

export interface CompareModelsPickerProps {
  /** The chosen models, in the order they were chosen (the order of the compare row). */
  value: ModelId[];
  onChange: (ids: ModelId[]) => void;
  max?: number;
  min?: number;
}

/** Checkboxes for the models to compare; once `max` are chosen, the others wait until one is unticked. */
export function CompareModelsPicker({ value, onChange, max = COMPARE_MAX_MODELS, min = COMPARE_MIN_MODELS }: CompareModelsPickerProps) {
  const hintId = useId();
  const full = value.length >= max;
  const count = String(value.length);
  return (
    <fieldset className="compare-picker" aria-describedby={hintId}>
      <legend>{i18n.t('compare.pickerLabel')}</legend>
      <p id={hintId} className="compare-hint">
        {i18n.t('compare.chooseRange', [String(min), String(max)])}
      </p>
      <ul className="compare-models">
        {MODELS.map((m) => {
          const checked = value.includes(m.id);
          return (
            <li key={m.id}>
              <label>
                <input
                  type="checkbox"
                  checked={checked}
                  disabled={!checked && full}
                  onChange={(e) => onChange(e.target.checked ? [...value.filter((id) => id !== m.id), m.id] : value.filter((id) => id !== m.id))}
                />
                {m.name}
              </label>
            </li>
          );
        })}
      </ul>
      <p role="status" className={`compare-count${value.length < min ? ' short' : ''}`}>
        {full ? i18n.t('compare.chosenMost', [count]) : i18n.t('compare.chosenCount', [count])}
      </p>
    </fieldset>
  );
}
