import { i18n } from '#i18n';
import { AppError, toAppError } from '@/utils/errors';
import { DESCRIBERS, describeImage, pickDescriber } from '@/utils/describe';
import { publish } from '@/utils/events';
import { prepareForRoute } from '@/utils/image/normalize';
import { DESCRIBE_INPUT } from '@/utils/jobs/prepare-input';
import { PROVIDER_NAMES, type ProviderId } from '@/utils/models';
import type { PreparedImage } from '@/utils/providers/types';
import { chooseRoute } from '@/utils/routing';
import { configuredProviders } from '@/utils/secrets';
import { loadSettings, SANDBOX_BUILD } from '@/utils/settings';
import { loadDraft } from '@/utils/store/drafts';
import { requireReference } from '@/utils/store/references';
import { db, newId } from '@/utils/store/schema';
import { DEFAULT_DRAFT, DescribeState, type ReferenceRecord } from '@/utils/store/types';
import { abortableSleep } from '@/utils/net/sleep';
import { resolveTarget } from './jobs';

/**
 * "Describe this image" (page menu or panel button): a reference becomes editable words from a
 * vision model, using the same describe call as text-only routes. Progress and outcome live on
 * the draft (`describe`), so a panel that opens late, or reopens, still shows them.
 */

export interface DescribeDeps {
  /** Which providers can describe now, and the one to prefer (the current model's provider). */
  describers: () => Promise<{ usable: (p: ProviderId) => boolean; preferred?: ProviderId }>;
  describe: (provider: ProviderId, image: PreparedImage) => Promise<string>;
  now: () => number;
  newId: () => string;
}

export interface DescribeOutcome {
  description: string;
  provider: ProviderId;
}

/** The worker's real wiring: stored keys (or the sandbox, in the sandbox build) and the network. */
export function workerDescribeDeps(): DescribeDeps {
  return {
    async describers() {
      const [configured, settings, draft] = await Promise.all([configuredProviders(), loadSettings(), loadDraft()]);
      // The same rule as describing for a job (jobs.ts): a key, or fal's sandbox in the sandbox build.
      const usable = (p: ProviderId) => configured.has(p) || (SANDBOX_BUILD && p === 'fal');
      let preferred: ProviderId | undefined;
      try {
        preferred = chooseRoute(draft.modelId, { settings, configured, sandbox: SANDBOX_BUILD }).route.provider;
      } catch {
        // The current model has no usable route: any describer will do.
      }
      return { usable, preferred };
    },
    async describe(provider, image) {
      const target = await resolveTarget(provider);
      return describeImage(provider, image, { ...target, fetch: (i, init) => fetch(i, init) }, (ms) => abortableSleep(ms));
    },
    now: Date.now,
    newId,
  };
}

/** Names the keys that would work ("fal, OpenAI, Google Gemini or OpenRouter") and where to add one. */
function noDescriberError(): AppError {
  const names = new Intl.ListFormat(i18n.t('routing.textLocale'), { type: 'disjunction' }).format(DESCRIBERS.map((p) => PROVIDER_NAMES[p]));
  return new AppError('no_key', i18n.t('describe.noKey', [names]));
}

/**
 * Writes the draft's describe state in one transaction. With `onlyIf`, only while that run is
 * still the current one: a newer run, or the user closing the box, wins over a late answer.
 * Returns whether it wrote.
 */
async function writeDescribe(next: DescribeState, onlyIf?: string): Promise<boolean> {
  const tx = (await db()).transaction('drafts', 'readwrite');
  const current = (await tx.store.get('current')) ?? DEFAULT_DRAFT;
  if (onlyIf !== undefined && current.describe?.id !== onlyIf) {
    await tx.done;
    return false;
  }
  // Only `describe` is checked and written: the other fields stay exactly as stored (loadDraft
  // already copes with a damaged one).
  await tx.store.put({ ...current, describe: DescribeState.parse(next), updatedAt: Date.now() });
  await tx.done;
  publish({ type: 'draft.changed' });
  return true;
}

/**
 * Describes a stored reference and records the outcome on the draft. `runId` continues a run the
 * menu started (while it fetched the image); without it this is a new run that replaces any other.
 * Returns null when the run was superseded before it began.
 */
export async function describeStoredReference(referenceId: string, deps: DescribeDeps, runId?: string): Promise<DescribeOutcome | null> {
  const id = runId ?? deps.newId();
  const startedAt = deps.now();
  const { usable, preferred } = await deps.describers();
  const provider = pickDescriber(preferred, usable) ?? undefined;
  const base = { id, referenceId, provider, startedAt };
  if (!(await writeDescribe({ ...base, status: 'working' }, runId))) return null;
  try {
    if (!provider) throw noDescriberError();
    const ref = await requireReference(referenceId);
    const description = await deps.describe(provider, await prepareForRoute(ref, DESCRIBE_INPUT));
    await writeDescribe({ ...base, status: 'done', text: description }, id);
    return { description, provider };
  } catch (err) {
    const error = toAppError(err);
    await writeDescribe({ ...base, status: 'error', error: error.toJSON() }, id);
    throw error;
  }
}

/**
 * The page menu's "Describe this image": shows the box at once ("Getting the image…"), stores
 * the picture without making it the image prompt (`store`), then describes it. Never throws:
 * every outcome is on the draft, where the panel shows it.
 */
export async function describePageImage(store: () => Promise<ReferenceRecord>, deps: DescribeDeps): Promise<void> {
  const id = deps.newId();
  const startedAt = deps.now();
  try {
    await writeDescribe({ id, status: 'working', startedAt });
    let ref: ReferenceRecord;
    try {
      ref = await store();
    } catch (err) {
      await writeDescribe({ id, status: 'error', startedAt, error: toAppError(err, 'not_an_image').toJSON() }, id);
      return;
    }
    await describeStoredReference(ref.id, deps, id);
  } catch {
    // Already on the draft (or the draft could not be written, and there is nowhere to say so).
  }
}
