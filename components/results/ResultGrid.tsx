import { i18n } from '#i18n';

export interface ResultGridItem {
  id: string;
  /** From useThumbUrl / useThumbUrls; null while the preview loads. */
  thumbUrl: string | null;
  width?: number;
  height?: number;
  starred: boolean;
  /** What the image shows (e.g. its prompt), for the tooltip and for when the preview cannot be shown. */
  alt: string;
}

export interface ResultGridProps {
  results: ResultGridItem[];
  onOpen: (resultId: string) => void;
  /** Names the list, e.g. "Images of this generation". */
  label?: string;
}

/** A job's images as square previews; each opens the large viewer. */
export function ResultGrid({ results, onOpen, label }: ResultGridProps) {
  const total = String(results.length);
  return (
    <ul className="result-thumbs" aria-label={label ?? i18n.t('results.gridLabel')}>
      {results.map((r, i) => (
        <li key={r.id}>
          <button
            type="button"
            className="result-thumb"
            aria-label={i18n.t(r.starred ? 'results.openImageStarred' : 'results.openImage', [String(i + 1), total])}
            title={r.alt}
            onClick={() => onOpen(r.id)}
          >
            {r.thumbUrl ? (
              <img src={r.thumbUrl} alt={r.alt} width={r.width} height={r.height} decoding="async" />
            ) : (
              <span className="result-thumb-loading" aria-hidden="true" />
            )}
            {r.starred ? (
              <span className="result-thumb-star" aria-hidden="true">
                {'\u2605'}
              </span>
            ) : null}
          </button>
        </li>
      ))}
    </ul>
  );
}
