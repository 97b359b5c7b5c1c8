import type { SerializedError } from '@/utils/errors';
import { ErrorNotice } from './ErrorNotice';
import { i18n } from '#i18n';

export interface ReferenceDescriptionProps {
  modelName: string;
  text: string;
  describing: boolean;
  error: SerializedError | null;
  onChange: (text: string) => void;
  onDescribe: () => void;
}

/**
 * For models that cannot see images: the image prompt travels as words. The user sees those
 * words and can edit them before (or after) creating.
 */
export function ReferenceDescription(p: ReferenceDescriptionProps) {
  return (
    <div className="field reference-description">
      <label htmlFor="reference-description">{i18n.t('field.referenceLabel')}</label>
      <p className="hint">{i18n.t('field.referenceHint', [p.modelName])}</p>
      <textarea
        id="reference-description"
        rows={3}
        value={p.text}
        placeholder={i18n.t('field.referencePlaceholder')}
        onChange={(e) => p.onChange(e.target.value)}
      />
      <div>
        <button type="button" onClick={p.onDescribe} disabled={p.describing}>
          {p.describing ? i18n.t('field.describing') : p.text ? i18n.t('field.describeAgain') : i18n.t('field.describe')}
        </button>
      </div>
      {p.error ? <ErrorNotice error={p.error} /> : null}
    </div>
  );
}
