import { useId } from 'react';
import { i18n } from '#i18n';
import { formatUsd } from '@/utils/pricing';

interface ResultDetailsReference {
  /** The reference's thumbnail (object URL); null when it is no longer stored. */
  thumbUrl: string | null;
  /** Where it came from, in words: a page's title or address, a file name, "a previous result". */
  source: string;
  /** The page it came from, offered as a link when it is a web address. */
  href?: string;
}

/**
 * What the job cost as far as we know: `cached` (answered from stored images: nothing),
 * `known` (the provider reported it, or we computed it from the usage it reported), `unknown`.
 */
export type ResultCost =
  | { kind: 'cached' }
  | { kind: 'known'; usd: number; source: 'reported' | 'computed'; providerName: string }
  | { kind: 'unknown'; providerName: string };

export interface ResultDetailsProps {
  /** The exact prompt sent. */
  prompt: string;
  modelName: string;
  /** Provider and endpoint, e.g. "fal · fal-ai/flux/dev". */
  routeLabel: string;
  /** Reference strength 0–1, or null for the route's default. */
  strength: number | null;
  aspectRatio: string | null;
  numImages: number;
  /** The fixed seed, or null when it was random. */
  seed: number | null;
  /** The image prompt used, or null for a text-only generation. */
  reference: ResultDetailsReference | null;
  /** Absent: no cost row (callers that do not know the job). */
  cost?: ResultCost;
  onReuse: () => void;
  /** For aria-controls of the button that shows these details. */
  id?: string;
}

/** "Show settings": how an image was made, and a way to make another like it. */
export function ResultDetails({ prompt, modelName, routeLabel, strength, aspectRatio, numImages, seed, reference, cost, onReuse, id }: ResultDetailsProps) {
  const headingId = useId();
  const byDefault = i18n.t('results.details.defaultValue');
  return (
    <section className="result-details" id={id} aria-labelledby={headingId}>
      <h3 id={headingId}>{i18n.t('results.details.heading')}</h3>
      <dl>
        <dt>{i18n.t('results.details.prompt')}</dt>
        <dd className="result-details-prompt">{prompt}</dd>
        <dt>{i18n.t('results.details.model')}</dt>
        <dd>{modelName}</dd>
        <dt>{i18n.t('results.details.route')}</dt>
        <dd>{routeLabel}</dd>
        <dt>{i18n.t('results.details.strength')}</dt>
        <dd>{strength === null ? byDefault : `${Math.round(strength * 100)}%`}</dd>
        <dt>{i18n.t('results.details.aspectRatio')}</dt>
        <dd>{aspectRatio ?? byDefault}</dd>
        <dt>{i18n.t('results.details.numImages')}</dt>
        <dd>{numImages}</dd>
        <dt>{i18n.t('results.details.seed')}</dt>
        <dd>{seed ?? i18n.t('results.details.seedRandom')}</dd>
        <dt>{i18n.t('results.details.reference')}</dt>
        <dd>{reference ? <ReferenceUsed {...reference} /> : i18n.t('results.details.noReference')}</dd>
        {cost ? (
          <>
            <dt>{i18n.t('cost.label')}</dt>
            <dd className="result-details-cost">{costText(cost)}</dd>
          </>
        ) : null}
      </dl>
      <button type="button" onClick={onReuse}>
        {i18n.t('results.details.reuse')}
      </button>
    </section>
  );
}

/** "$0.06, reported by Black Forest Labs"; a computed cost says it was worked out, not billed. */
function costText(cost: ResultCost): string {
  switch (cost.kind) {
    case 'cached':
      return i18n.t('cost.cached');
    case 'unknown':
      return i18n.t('cost.unknown', [cost.providerName]);
    case 'known':
      return i18n.t(cost.source === 'reported' ? 'cost.reported' : 'cost.computed', [formatUsd(cost.usd), cost.providerName]);
  }
}

function ReferenceUsed({ thumbUrl, source, href }: ResultDetailsReference) {
  // Addresses come from pages the user visited: only plain web links become links.
  const link = href && /^https?:\/\//i.test(href) ? href : undefined;
  return (
    <figure className="result-details-reference">
      {thumbUrl ? <img src={thumbUrl} alt={i18n.t('results.details.referenceThumb')} /> : null}
      <figcaption>
        {i18n.t('results.details.referenceFrom', [source])}
        {link ? (
          <>
            {' '}
            <a href={link} target="_blank" rel="noreferrer noopener">
              {i18n.t('results.details.openSource')}
            </a>
          </>
        ) : null}
      </figcaption>
    </figure>
  );
}
