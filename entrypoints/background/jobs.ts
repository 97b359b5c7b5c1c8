import { db, newId } from '@/utils/store/schema';
import { publish, subscribe } from '@/utils/events';
import { createJobEngine, type JobEngine } from '@/utils/jobs/engine';
import { prepareInput } from '@/utils/jobs/prepare-input';
import { getAdapter } from '@/utils/providers';
import { chooseRoute, targetFor, type RoutingEnv } from '@/utils/routing';
import { configuredProviders, getKey } from '@/utils/secrets';
import { loadSettings, SANDBOX_BUILD, SANDBOX_KEY, SANDBOX_URL, watchSettings } from '@/utils/settings';
import type { ProviderId } from '@/utils/models';
import type { PreparedImage, ProviderTarget } from '@/utils/providers/types';
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
  if (engine) return engine;
  const routingEnv = routingReader();
  const target = targetReader();
  engine = createJobEngine({
    db,
    fetch: (input, init) => fetch(input, init),
    now: Date.now,
    sleep: abortableSleep,
    newId,
    adapterFor: getAdapter,
    chooseRoute: async (request) => chooseRoute(request.modelId, await routingEnv()).route,
    targetFor: target,
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
    throw new AppError('no_key', 'This model cannot see images, so the image prompt is described in words first. That needs a fal, OpenAI, Google Gemini or OpenRouter key; or write the description yourself.');
  }
  const target = await resolveTarget(describer);
  const sleep = (ms: number) => abortableSleep(ms, signal);
  return describeImage(describer, image, { ...target, fetch: (i, init) => fetch(i, init), signal }, sleep);
}

/**
 * A value read once and kept until `watch` reports a change; a failed read is not kept. Every
 * Create read the settings and the key list afresh, and every status check the provider's key
 * and address (three and two storage reads, a few ms each in a busy browser): the engine keeps
 * them instead, and drops them the moment they change anywhere.
 */
export function keptUntilChanged<T>(read: () => Promise<T>, watch: (changed: () => void) => void): () => Promise<T> {
  let kept: Promise<T> | undefined;
  let watching = false;
  return () => {
    if (!watching) {
      // Before the first read, so that a change made while it runs is not missed.
      watching = true;
      watch(() => {
        kept = undefined;
      });
    }
    if (kept) return kept;
    const reading = read();
    kept = reading;
    reading.catch(() => {
      if (kept === reading) kept = undefined;
    });
    return reading;
  };
}

/** Keys and provider addresses: setKey and setBaseUrl publish 'keys.changed' from whichever page saved them. */
const whenKeysChange = (changed: () => void) => void subscribe((e) => e.type === 'keys.changed' && changed());

/** Settings and the providers with a key, as routing reads them; settings changes arrive through storage.onChanged. */
export function routingReader(sandbox = SANDBOX_BUILD): () => Promise<RoutingEnv> {
  const settings = keptUntilChanged(loadSettings, (changed) => void watchSettings(changed));
  const configured = keptUntilChanged(configuredProviders, whenKeysChange);
  return async () => {
    const [s, c] = await Promise.all([settings(), configured()]);
    return { settings: s, configured: c, sandbox };
  };
}

/** Where each provider's requests go, and with which key, kept until a key or address changes. */
export function targetReader(): (provider: ProviderId) => Promise<ProviderTarget> {
  const known = keptUntilChanged(async () => new Map<ProviderId, Promise<ProviderTarget>>(), whenKeysChange);
  return async (provider) => {
    const targets = await known();
    let target = targets.get(provider);
    if (!target) {
      const reading = resolveTarget(provider);
      target = reading;
      targets.set(provider, reading);
      reading.catch(() => {
        if (targets.get(provider) === reading) targets.delete(provider);
      });
    }
    return target;
  };
}

/** The provider's key and address as stored now (not kept: checking a key the user just saved must see it). */
export async function resolveTarget(provider: ProviderId) {
  return targetFor(provider, {
    baseUrl: await getBaseUrl(provider),
    key: await getKey(provider),
    sandbox: SANDBOX_BUILD,
    sandboxUrl: SANDBOX_URL,
    sandboxKey: SANDBOX_KEY,
  });
}
