import { useEffect, useState } from 'react';
import { subscribe } from '@/utils/events';
import type { StorageUsageProps } from '@/components/StorageUsage';

/**
 * Asks the browser once to keep this extension's storage (results are paid for), and reports
 * how much it uses; refreshed when results are saved, starred or removed.
 */
export function useStorageUsage(): StorageUsageProps {
  const [state, setState] = useState<StorageUsageProps>({ usage: null, quota: null });
  useEffect(() => {
    const storage = typeof navigator !== 'undefined' ? navigator.storage : undefined;
    if (!storage?.estimate) return;
    let alive = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const refresh = async () => {
      const estimate = await storage.estimate();
      if (alive) setState({ usage: estimate.usage ?? null, quota: estimate.quota ?? null });
    };
    void (async () => {
      // Results are paid for: ask the browser not to clear them under storage pressure.
      // persist() exists in documents only (not the worker). Headless Chromium 156 declined it
      // here (measured); asking costs nothing and other browsers may grant it.
      if (storage.persist && !(await storage.persisted?.())) await storage.persist().catch(() => false);
      await refresh();
    })();
    const off = subscribe((e) => {
      if (e.type !== 'results.changed' && !(e.type === 'job.changed' && e.state === 'done')) return;
      clearTimeout(timer);
      timer = setTimeout(() => void refresh(), 300);
    });
    return () => {
      alive = false;
      clearTimeout(timer);
      off();
    };
  }, []);
  return state;
}
