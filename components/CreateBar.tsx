import { i18n } from '#i18n';
import { formatUsd, type EstimateView } from '@/utils/pricing';
import { formatDate } from '@/utils/routing';

export interface CreateBarProps {
  /** Why Create cannot run now; null when it can. */
  blockedBy: string | null;
  /** In compare mode, how many models will run. */
  compareCount?: number;
  onCreate: () => void;
  onVariation: () => void;
  /** What this run would cost by the providers' published prices; absent while unknown. */
  estimate?: EstimateView | null;
}

/**
 * Create, always in reach (sticky at the bottom of the panel), saying why it is disabled
 * when it is, instead of leaving the user to guess at a grey button.
 */
export function CreateBar({ blockedBy, compareCount, onCreate, onVariation, estimate }: CreateBarProps) {
  const disabled = blockedBy !== null;
  const describedBy = estimate ? 'create-reason create-estimate' : 'create-reason';
  return (
    <div className="create-bar" role="group" aria-label={i18n.t('panel.create')}>
      <div className="create-buttons">
        <button type="button" className="primary" disabled={disabled} aria-describedby={describedBy} onClick={onCreate}>
          {compareCount ? i18n.t('panel.createCompare', [String(compareCount)]) : i18n.t('panel.create')}
        </button>
        {compareCount ? null : (
          <button type="button" disabled={disabled} title={i18n.t('panel.newVariationHint')} onClick={onVariation}>
            {i18n.t('panel.newVariation')}
          </button>
        )}
      </div>
      <p id="create-reason" className="hint">
        {blockedBy ?? i18n.t('panel.createShortcut')}
      </p>
      {estimate ? <EstimateLine estimate={estimate} compareCount={compareCount} /> : null}
    </div>
  );
}

/**
 * "Estimate: about $0.04", always called an estimate: the amount comes from a price list read
 * on a date (in the title), and the provider's bill is what counts.
 */
function EstimateLine({ estimate, compareCount }: { estimate: EstimateView; compareCount?: number }) {
  const { usd, partial, checkedOn, providerName } = estimate;
  if (usd === null) {
    return (
      <p id="create-estimate" className="hint cost-estimate">
        {compareCount ? i18n.t('cost.noPriceCompare') : i18n.t('cost.noPrice')}
      </p>
    );
  }
  const amount = formatUsd(usd);
  const date = checkedOn ? formatDate(checkedOn) : '';
  const title = providerName && !compareCount ? i18n.t('cost.estimateTitle', [date, providerName]) : i18n.t('cost.estimateTitleCompare', [date]);
  const text = compareCount ? i18n.t('cost.estimateCompare', [amount, String(compareCount)]) : i18n.t('cost.estimate', [amount]);
  return (
    <p id="create-estimate" className="hint cost-estimate" title={title}>
      {text}
      {partial ? ` ${i18n.t('cost.estimatePartial')}` : ''}
      <span className="visually-hidden">{` ${title}`}</span>
    </p>
  );
}
