import { useCallback, useState } from 'react';
import type { ModelCheckRow, ReachableModels } from '@/utils/model-check';
import { send } from '@/utils/protocol';
import { toAppError } from '@/utils/errors';
import { checkSummary } from './route-views';

export interface ModelCheck {
  busy: boolean;
  /** The last check's summary or failure; '' before the first. */
  message: string;
  /** The last check's finding per route id. */
  findings: ReadonlyMap<string, ModelCheckRow>;
  /** Every model the keys can reach, for providers that list their catalogue (OpenRouter). */
  reachable: readonly ReachableModels[];
  run: () => Promise<void>;
}

/** "Check my models": free lookups in the worker, which also marks the routes that are gone. */
export function useModelCheck(refresh: () => Promise<void>): ModelCheck {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState('');
  const [findings, setFindings] = useState<ReadonlyMap<string, ModelCheckRow>>(new Map());
  const [reachable, setReachable] = useState<readonly ReachableModels[]>([]);
  const run = useCallback(async () => {
    setBusy(true);
    try {
      const { rows, reachable: lists } = await send('models.check', {});
      setFindings(new Map(rows.map((r) => [r.routeId, r])));
      setReachable(lists);
      setMessage(checkSummary(rows));
      await refresh();
    } catch (err) {
      setMessage(toAppError(err).message);
    } finally {
      setBusy(false);
    }
  }, [refresh]);
  return { busy, message, findings, reachable, run };
}
