import { db, newId } from '@/utils/store/schema';
import { publish } from '@/utils/events';
import { createJobEngine, type JobEngine } from '@/utils/jobs/engine';
import { prepareInput } from '@/utils/jobs/prepare-input';
import { getAdapter } from '@/utils/providers';
import { chooseRoute, targetFor } from '@/utils/routing';
import { configuredProviders, getKey } from '@/utils/secrets';
import { loadSettings, SANDBOX_BUILD, SANDBOX_KEY, SANDBOX_URL } from '@/utils/settings';
import type { ProviderId } from '@/utils/models';
import type { PreparedImage } from '@/utils/providers/types';
import { describeImage, pickDescriber } from '@/utils/describe';
import { AppError } from '@/utils/errors';
import { markRouteUnavailable } from '@/utils/route-health';
import { getBaseUrl } from '@/utils/provider-addresses';
import { abortableSleep } from '@/utils/net/sleep';
import { keepAlive } from './keep-alive';
import { notifyIfUnseen } from './notify';

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
    prepareInput: (job, route, signal) => prepareInput(job, route, (image) => describeReference(job.provider, image, signal)),
    onChange: (job) => {
      publish({ type: 'job.changed', jobId: job.id, state: job.state });
      void notifyIfUnseen(job).catch(() => {});
    },
    onResultsEvicted: () => publish({ type: 'results.changed' }),
    onRouteUnavailable: async (job, error) => {
      await markRouteUnavailable(job.routeId, error.message, job.model);
    },
    keepAlive,
  });
  return engine;
}

/**
 * Describes a reference for a text-only model, on the job's own provider where it can, else
 * on another one the user can use (a key, or the sandbox in the sandbox build).
 */
export async function describeReference(routeProvider: ProviderId, image: PreparedImage, signal?: AbortSignal): Promise<string> {
  const configured = await configuredProviders();
  const describer = pickDescriber(routeProvider, (p) => configured.has(p) || (SANDBOX_BUILD && p === 'fal'));
  if (!describer) {
    throw new AppError('no_key', 'This model cannot see images, so the image prompt is described in words first. That needs a fal, OpenAI or Google Gemini key; or write the description yourself.');
  }
  const target = await resolveTarget(describer);
  const sleep = (ms: number) => abortableSleep(ms, signal);
  return describeImage(describer, image, { ...target, fetch: (i, init) => fetch(i, init), signal }, sleep);
}

export async function resolveTarget(provider: ProviderId) {
  return targetFor(provider, {
    baseUrl: await getBaseUrl(provider),
    key: await getKey(provider),
    sandbox: SANDBOX_BUILD,
    sandboxUrl: SANDBOX_URL,
    sandboxKey: SANDBOX_KEY,
  });
}
