import { useId } from 'react';
import { i18n } from '#i18n';
import { formatUsd } from '@/utils/pricing';

export interface CostTotalsProps {
  /** Recorded spending per provider this month; null while it is being added up. */
  totals: readonly { provider: string; name: string; usd: number; jobs: number }[] | null;
}

/**
 * This month's spending per provider, from the costs recorded on jobs. Says plainly what is
 * counted (reported or computed costs) and what is not (estimates, jobs with no reported cost).
 */
export function CostTotals({ totals }: CostTotalsProps) {
  const headingId = useId();
  return (
    <section className="cost-totals" aria-labelledby={headingId}>
      <h2 id={headingId}>{i18n.t('cost.totalsHeading')}</h2>
      <p className="hint">{i18n.t('cost.totalsHint')}</p>
      {totals === null ? (
        <p role="status">{i18n.t('cost.totalsLoading')}</p>
      ) : totals.length === 0 ? (
        <p>{i18n.t('cost.totalsEmpty')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{i18n.t('cost.totalsProvider')}</th>
              <th scope="col">{i18n.t('cost.totalsAmount')}</th>
              <th scope="col">{i18n.t('cost.totalsJobs')}</th>
            </tr>
          </thead>
          <tbody>
            {totals.map((t) => (
              <tr key={t.provider}>
                <th scope="row">{t.name}</th>
                <td>{formatUsd(t.usd)}</td>
                <td>{t.jobs}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
