import { browser } from 'wxt/browser';
import { i18n } from '#i18n';

export interface StorageUsageProps {
  /** Bytes this extension stores (images, history), from `navigator.storage.estimate()`. */
  usage: number | null;
  /** Bytes it may store; null when the browser does not say. */
  quota: number | null;
}

/** How much room the saved images take, in plain words, at the bottom of the panel. */
export function StorageUsage({ usage, quota }: StorageUsageProps) {
  if (usage === null) return null;
  const share = quota ? usage / quota : null;
  return (
    <section className="storage-usage" aria-label={i18n.t('storage.region')}>
      <p>
        {quota ? i18n.t('storage.usedOf', [formatBytes(usage), formatBytes(quota)]) : i18n.t('storage.used', [formatBytes(usage)])}
        {share !== null && share >= 0.9 ? ` ${i18n.t('storage.almostFull')}` : ''}
      </p>
      {share !== null ? <meter aria-label={i18n.t('storage.meter')} min={0} max={1} value={Math.min(1, share)} high={0.9} /> : null}
    </section>
  );
}

/** "12 MB", "1.5 KB", "1 byte": decimal units, the number written the way the browser's language writes numbers. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < 4) {
    value /= 1000;
    unit++;
  }
  if (unit === 0) {
    const count = Math.round(value);
    return i18n.t('storage.bytes', count, [formatNumber(count, 0)]);
  }
  const number = formatNumber(value, value < 10 ? 1 : 0);
  switch (unit) {
    case 1:
      return i18n.t('storage.kilobytes', [number]);
    case 2:
      return i18n.t('storage.megabytes', [number]);
    case 3:
      return i18n.t('storage.gigabytes', [number]);
    default:
      return i18n.t('storage.terabytes', [number]);
  }
}

function formatNumber(value: number, fractionDigits: number): string {
  return new Intl.NumberFormat(browser.i18n.getUILanguage(), { minimumFractionDigits: fractionDigits, maximumFractionDigits: fractionDigits }).format(value);
}
