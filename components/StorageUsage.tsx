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
    <section className="storage-usage" aria-label="Storage">
      <p>
        Saved images and history use {formatBytes(usage)}
        {quota ? ` of ${formatBytes(quota)} available` : ''}.
        {share !== null && share >= 0.9 ? ' Almost full: older images that are not starred will be removed to make room.' : ''}
      </p>
      {share !== null ? <meter aria-label="Storage used" min={0} max={1} value={Math.min(1, share)} high={0.9} /> : null}
    </section>
  );
}

export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  if (unit === 0) return `${Math.round(value)} ${value === 1 ? 'byte' : 'bytes'}`;
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}
