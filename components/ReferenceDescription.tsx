import type { SerializedError } from '@/utils/errors';
import { ErrorNotice } from './ErrorNotice';

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
      <label htmlFor="reference-description">Reference description</label>
      <p className="hint">
        {p.modelName} cannot see images, so your image prompt is described in words and added to your prompt. The image itself is not sent. Edit the
        description freely; leave it empty to have it written when you press Create.
      </p>
      <textarea
        id="reference-description"
        rows={3}
        value={p.text}
        placeholder="Written automatically when you press Create"
        onChange={(e) => p.onChange(e.target.value)}
      />
      <div>
        <button type="button" onClick={p.onDescribe} disabled={p.describing}>
          {p.describing ? 'Describing…' : p.text ? 'Describe again' : 'Describe image'}
        </button>
      </div>
      {p.error ? <ErrorNotice error={p.error} /> : null}
    </div>
  );
}
