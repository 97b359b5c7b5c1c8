import { browser } from 'wxt/browser';
import { AppError, toAppError } from '@/utils/errors';
import { adoptImageFromUrl } from '@/utils/intake/ingest';
import { PROVIDER_NAMES } from '@/utils/models';
import { createRouter, isTrustedSender, type Handlers } from '@/utils/protocol';
import { getAdapter } from '@/utils/providers';
import { jobEngine, resolveTarget } from './jobs';

const handlers: Handlers = {
  async 'job.create'({ request }) {
    const { job, cached } = await jobEngine().enqueue(request);
    return { jobId: job.id, cached };
  },
  async 'job.cancel'({ jobId }) {
    await jobEngine().cancel(jobId);
    return {};
  },
  async 'reference.fromUrl'({ url, pageUrl }) {
    const ref = await adoptImageFromUrl(url, { kind: 'drop', url: url.startsWith('data:') ? undefined : url, pageUrl });
    return { referenceId: ref.id };
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
