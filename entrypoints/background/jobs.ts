import { db, newId } from '@/utils/db';
import { publish } from '@/utils/events';
import { createJobEngine, type JobEngine } from '@/utils/jobs/engine';
import { prepareInput } from '@/utils/jobs/prepare-input';
import { getAdapter } from '@/utils/providers';
import { chooseRoute, targetFor } from '@/utils/routing';
import { configuredProviders, getKey } from '@/utils/secrets';
import { loadSettings, SANDBOX_BUILD, SANDBOX_KEY, SANDBOX_URL } from '@/utils/settings';
import type { ProviderId } from '@/utils/models';
import { keepAlive } from './keep-alive';

/** The worker's single job engine, wired to the real browser, storage and network. */
let engine: JobEngine | undefined;

export function jobEngine(): JobEngine {
  engine ??= createJobEngine({
    db,
    fetch: (input, init) => fetch(input, init),
    now: Date.now,
    sleep: abortableSleep,
    newId,
    adapterFor: getAdapter,
    chooseRoute: async (request) => {
      const env = { settings: await loadSettings(), configured: await configuredProviders(), sandbox: SANDBOX_BUILD };
      return chooseRoute(request.modelId, env).route;
    },
    targetFor: (provider) => resolveTarget(provider),
    prepareInput: (job, route) => prepareInput(job, route),
    onChange: (job) => publish({ type: 'job.changed', jobId: job.id, state: job.state }),
    keepAlive,
  });
  return engine;
}

export async function resolveTarget(provider: ProviderId) {
  return targetFor(provider, {
    settings: await loadSettings(),
    key: await getKey(provider),
    sandbox: SANDBOX_BUILD,
    sandboxUrl: SANDBOX_URL,
    sandboxKey: SANDBOX_KEY,
  });
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new DOMException('Aborted', 'AbortError'));
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      reject(new DOMException('Aborted', 'AbortError'));
    }, { once: true });
  });
}
