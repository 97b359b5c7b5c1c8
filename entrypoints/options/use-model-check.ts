import { useCallback, useState } from 'react';
import type { ModelCheckRow } from '@/utils/model-check';
import { send } from '@/utils/protocol';
import { toAppError } from '@/utils/errors';
import { checkSummary } from './route-views';

export interface ModelCheck {
  busy: boolean;
  /** The last check's summary or failure; '' before the first. */
  message: string;
  /** The last check's finding per route id. */
  findings: ReadonlyMap<string, ModelCheckRow>;
  run: () => Promise<void>;
}

/** "Check my models": free lookups in the worker, which also marks the routes that are gone. */
export function useModelCheck(refresh: () => Promise<void>): ModelCheck {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState('');
  const [findings, setFindings] = useState<ReadonlyMap<string, ModelCheckRow>>(new Map());
  const run = useCallback(async () => {
    setBusy(true);
    try {
      const { rows } = await send('models.check', {});
      setFindings(new Map(rows.map((r) => [r.routeId, r])));
      setMessage(checkSummary(rows));
      await refresh();
    } catch (err) {
      setMessage(toAppError(err).message);
    } finally {
      setBusy(false);
    }
  }, [refresh]);
  return { busy, message, findings, run };
}
