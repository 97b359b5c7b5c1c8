import { browser } from 'wxt/browser';
import { AppError, toAppError } from '@/utils/errors';
import { adoptImageFromUrl } from '@/utils/intake/adopt-url';
import { PROVIDER_NAMES } from '@/utils/models';
import { createRouter, isTrustedSender, type Handlers } from '@/utils/protocol';
import { getAdapter } from '@/utils/providers';
import { requireReference } from '@/utils/store/references';
import { prepareForRoute } from '@/utils/image/normalize';
import { DESCRIBE_INPUT } from '@/utils/jobs/prepare-input';
import { chooseRoute } from '@/utils/routing';
import { configuredProviders } from '@/utils/secrets';
import { loadSettings, SANDBOX_BUILD } from '@/utils/settings';
import { checkModels, reachableModels } from '@/utils/model-check';
import { applyModelFindings } from '@/utils/route-health';
import { findRoute } from '@/utils/models';
import { startCompareRun } from '@/utils/compare';
import { fetchWithReferer } from './intake';
import { describeReference, jobEngine, resolveTarget } from './jobs';
import { resumeJobs } from './keep-alive';
import { describeStoredReference, workerDescribeDeps } from './describe-on-demand';

const handlers: Handlers = {
  async 'job.create'({ request }) {
    const { job, cached, joined } = await jobEngine().enqueue(request);
    return { jobId: job.id, cached, joined, ...(cached && job.cachedFrom ? { cachedFrom: job.cachedFrom } : {}) };
  },
  async 'jobs.compare'({ request, modelIds }) {
    const engine = jobEngine();
    return startCompareRun(request, modelIds, { enqueue: (r) => engine.enqueue(r), newRunId: () => crypto.randomUUID() });
  },
  async 'job.cancel'({ jobId }) {
    await jobEngine().cancel(jobId);
    return {};
  },
  async 'jobs.resume'() {
    return { resumed: await resumeJobs(jobEngine()) };
  },
  async 'worker.ping'() {
    // Arriving is the point: a stopped worker was started to receive this, and resumed its jobs.
    return {};
  },
  async 'reference.fromUrl'({ url, pageUrl, place }) {
    // A known page may be needed as Referer (hotlink protection); see intake.ts.
    const ref = await adoptImageFromUrl(url, { kind: 'drop', url: url.startsWith('data:') ? undefined : url, pageUrl }, fetch, { refererFetch: fetchWithReferer }, place);
    return { referenceId: ref.id };
  },
  async 'reference.describe'({ referenceId, modelId }) {
    const ref = await requireReference(referenceId);
    const env = { settings: await loadSettings(), configured: await configuredProviders(), sandbox: SANDBOX_BUILD };
    const { route } = chooseRoute(modelId, env);
    return { description: await describeReference(route.provider, await prepareForRoute(ref, DESCRIBE_INPUT)) };
  },
  async 'reference.describeOnDemand'({ referenceId }) {
    // Without a run id this run replaces any other, so it always has an outcome to return.
    const outcome = await describeStoredReference(referenceId, workerDescribeDeps());
    if (!outcome) throw new AppError('internal', 'The description was replaced by a newer one.');
    return outcome;
  },
  async 'models.check'() {
    const deps = {
      settings: await loadSettings(),
      adapterFor: getAdapter,
      targetFor: resolveTarget,
      fetch: (i: RequestInfo | URL, init?: RequestInit) => fetch(i, init),
    };
    const rows = await checkModels(deps);
    // What the providers said now replaces what this browser remembered.
    await applyModelFindings({
      missing: rows.filter((r) => r.status === 'missing').map((r) => ({ routeId: r.routeId, message: r.detail, model: r.model })),
      present: rows.filter((r) => r.status === 'present' || r.status === 'deprecated').map((r) => r.routeId),
    });
    return { checkedAt: Date.now(), rows: rows.filter((r) => findRoute(r.routeId)), reachable: await reachableModels(deps) };
  },
  async 'provider.testKey'({ provider }) {
    const adapter = getAdapter(provider);
    if (!adapter) throw new AppError('internal', `${PROVIDER_NAMES[provider]} is not supported yet.`);
    try {
      const target = await resolveTarget(provider);
      await adapter.testKey({ ...target, fetch: (i, init) => fetch(i, init) });
      return { ok: true, message: `${PROVIDER_NAMES[provider]} accepted the key.` };
    } catch (err) {
      return { ok: false, message: toAppError(err).message };
    }
  },
};

export function registerMessageRouter(): void {
  const origin = browser.runtime.getURL('/');
  const route = createRouter(handlers, (sender) => isTrustedSender(sender, browser.runtime.id, origin));
  browser.runtime.onMessage.addListener((message: unknown, sender) => route(message, sender));
}
