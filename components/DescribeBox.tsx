import type { SerializedError } from '@/utils/errors';
import { ErrorNotice } from './ErrorNotice';
import { i18n } from '#i18n';

/** What the box shows: the image still on its way, being described, described, or failed. */
export type DescribeView =
  | { status: 'fetching' }
  | { status: 'working'; providerName: string }
  | { status: 'done'; providerName: string; text: string }
  | { status: 'error'; error: SerializedError };

export interface DescribeBoxProps {
  /** True when there is an image prompt the "Describe" button can describe. */
  canDescribe: boolean;
  /** Null: no description open, only the "Describe" button. */
  view: DescribeView | null;
  /** The described picture's thumbnail, once it is stored. */
  thumbUrl: string | null;
  /** A short confirmation after Insert or Copy. */
  notice: string | null;
  onDescribe: () => void;
  onChange: (text: string) => void;
  onInsert: () => void;
  onCopy: () => void;
  onClose: () => void;
  /** Absent when there is nothing to try again with (the image never arrived). */
  onRetry?: () => void;
}

/**
 * "Describe this image": a picture turned into words the user can edit, insert into the prompt
 * or copy, saying which provider wrote them. Without an open description, just the button.
 */
export function DescribeBox(p: DescribeBoxProps) {
  const { view } = p;
  if (!view) {
    return p.canDescribe ? (
      <div className="row-actions">
        <button type="button" title={i18n.t('describe.buttonHint')} onClick={p.onDescribe}>
          {i18n.t('describe.button')}
        </button>
      </div>
    ) : null;
  }
  return (
    <section aria-label={i18n.t('describe.region')} className="field describe-box">
      {p.thumbUrl ? (
        <figure className="thumb">
          <img src={p.thumbUrl} alt={i18n.t('describe.thumbAlt')} />
        </figure>
      ) : null}
      {view.status === 'fetching' || view.status === 'working' ? (
        <p role="status" className="loading">
          {view.status === 'fetching' ? i18n.t('describe.fetching') : i18n.t('describe.working', [view.providerName])}
        </p>
      ) : null}
      {view.status === 'done' ? (
        <>
          <label htmlFor="describe-text">{i18n.t('describe.label')}</label>
          <textarea id="describe-text" rows={4} maxLength={2000} value={view.text} onChange={(e) => p.onChange(e.target.value)} />
          <p className="hint">{i18n.t('describe.by', [view.providerName])}</p>
        </>
      ) : null}
      {view.status === 'error' ? (
        <ErrorNotice
          error={view.error}
          action={
            p.onRetry ? (
              <button type="button" onClick={p.onRetry}>
                {i18n.t('describe.tryAgain')}
              </button>
            ) : null
          }
        />
      ) : null}
      <div className="row-actions">
        {view.status === 'done' ? (
          <>
            <button type="button" onClick={p.onInsert} disabled={!view.text.trim()}>
              {i18n.t('describe.insert')}
            </button>
            <button type="button" onClick={p.onCopy} disabled={!view.text.trim()}>
              {i18n.t('describe.copy')}
            </button>
          </>
        ) : null}
        <button type="button" onClick={p.onClose}>
          {i18n.t('describe.close')}
        </button>
      </div>
      {p.notice ? (
        <p role="status" className="notice">
          {p.notice}
        </p>
      ) : null}
    </section>
  );
}
