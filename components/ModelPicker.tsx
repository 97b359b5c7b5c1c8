import { MODELS, type ModelId } from '@/utils/models';
import { i18n } from '#i18n';

export interface ModelPickerProps {
  value: ModelId;
  onChange: (id: ModelId) => void;
  /** One line on how this model will run (route, sandbox) or why it cannot. */
  routeNote: string;
  via: 'provider' | 'sandbox' | 'unavailable';
  /** Said plainly when the model runs on a successor. */
  successorNote?: string;
  /** A deprecated route's shutdown date or doubt. */
  warning?: string;
  onOpenSettings: () => void;
}

export function ModelPicker({ value, onChange, routeNote, via, successorNote, warning, onOpenSettings }: ModelPickerProps) {
  const model = MODELS.find((m) => m.id === value);
  return (
    <div className="model-picker">
      <label htmlFor="model">{i18n.t('field.model')}</label>
      <select id="model" value={value} onChange={(e) => onChange(e.target.value as ModelId)}>
        {MODELS.map((m) => (
          <option key={m.id} value={m.id}>
            {m.name}
          </option>
        ))}
      </select>
      {model ? <p className="description">{model.description}</p> : null}
      <p className={`route-note ${via}`}>
        {via === 'sandbox' ? <span className="badge">{i18n.t('field.sandbox')}</span> : null} {routeNote}{' '}
        {via === 'unavailable' ? (
          <button type="button" className="link" onClick={onOpenSettings}>
            {i18n.t('field.openSettings')}
          </button>
        ) : null}
      </p>
      {successorNote ? <p className="successor">{successorNote}</p> : null}
      {warning ? <p className="route-note warning">{warning}</p> : null}
    </div>
  );
}
