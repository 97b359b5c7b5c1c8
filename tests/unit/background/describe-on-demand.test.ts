import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { IDBFactory } from 'fake-indexeddb';
import { Jimp } from 'jimp';
import { describeImage, DESCRIBE_MAX_TOKENS } from '@/utils/describe';
import type { ProviderId } from '@/utils/models';
import { loadDraft, patchDraft } from '@/utils/store/drafts';
import { db, resetDbForTests } from '@/utils/store/schema';
import type { ReferenceRecord } from '@/utils/store/types';
import { describePageImage, describeStoredReference, type DescribeDeps } from '../../../entrypoints/background/describe-on-demand';

// The worker's "Describe this image" flow on its own database, with the vision call faked.
vi.mock('../../../entrypoints/background/jobs', () => ({ resolveTarget: vi.fn() }));

let jpeg: Blob;
beforeAll(async () => {
  const img = new Jimp({ width: 64, height: 48, color: 0x2266ccff });
  jpeg = new Blob([new Uint8Array(await img.getBuffer('image/jpeg'))], { type: 'image/jpeg' });
});

function reference(id: string): ReferenceRecord {
  return { id, createdAt: 0, blob: jpeg, mime: 'image/jpeg', width: 64, height: 48, thumb: jpeg, sha256: `sha-${id}`, source: { kind: 'page', url: 'https://example.org/a.jpg' } };
}

beforeEach(async () => {
  globalThis.indexedDB = new IDBFactory();
  resetDbForTests();
  await (await db()).put('references', reference('pic'));
  // The user's own image prompt and words, which describing must leave alone.
  await patchDraft({ referenceId: 'mine', prompt: 'a castle' });
});

let ids = 0;
function deps(over: Partial<DescribeDeps> & { usable?: ProviderId[]; preferred?: ProviderId } = {}): DescribeDeps {
  const { usable = ['openai'], preferred, ...rest } = over;
  return {
    describers: async () => ({ usable: (p) => usable.includes(p), preferred }),
    describe: vi.fn(async () => 'A blue field at noon.'),
    now: () => 1000,
    newId: () => `run-${++ids}`,
    ...rest,
  };
}

describe('describe on demand (worker)', () => {
  it('says which provider is describing, then stores the words on the draft and leaves the image prompt alone', async () => {
    const seen: unknown[] = [];
    const d = deps({
      usable: ['openai', 'google'],
      preferred: 'vyro', // the current model's provider cannot describe: the first usable one does
      describe: vi.fn(async (provider: ProviderId) => {
        seen.push((await loadDraft()).describe);
        return `Seen by ${provider}.`;
      }),
    });
    const out = await describeStoredReference('pic', d);
    expect(out).toEqual({ description: 'Seen by openai.', provider: 'openai' });
    expect(seen[0]).toMatchObject({ status: 'working', referenceId: 'pic', provider: 'openai' });
    const draft = await loadDraft();
    expect(draft.describe).toMatchObject({ status: 'done', referenceId: 'pic', provider: 'openai', text: 'Seen by openai.' });
    expect(draft.referenceId).toBe('mine');
    expect(draft.prompt).toBe('a castle');
    // The image the describer sees is the small, widely accepted copy.
    const image = vi.mocked(d.describe).mock.calls[0]![1];
    expect(image.mime).toMatch(/^image\/(jpeg|png)$/);
  });

  it('prefers the current model\u2019s provider when it can describe', async () => {
    const out = await describeStoredReference('pic', deps({ usable: ['fal', 'google'], preferred: 'google' }));
    expect(out?.provider).toBe('google');
  });

  it('without a key that can describe, says which keys would and where to add one', async () => {
    const d = deps({ usable: [] });
    const err = await describeStoredReference('pic', d).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'no_key', message: expect.stringContaining('fal, OpenAI, Google Gemini or OpenRouter') });
    expect((err as Error).message).toMatch(/Settings/);
    expect(d.describe).not.toHaveBeenCalled();
    const draft = await loadDraft();
    expect(draft.describe).toMatchObject({ status: 'error', referenceId: 'pic', error: { kind: 'no_key' } });
  });

  it('records the provider\u2019s refusal as the outcome', async () => {
    const d = deps({ describe: vi.fn(async () => Promise.reject(Object.assign(new Error('quota'), { kind: 'out_of_credit' }))) });
    await expect(describeStoredReference('pic', d)).rejects.toBeTruthy();
    expect((await loadDraft()).describe).toMatchObject({ status: 'error', provider: 'openai' });
  });

  it('a newer run, or the user closing the box, wins over a late answer', async () => {
    let release!: () => void;
    const slow = deps({ describe: vi.fn(() => new Promise<string>((r) => (release = () => r('old words')))) });
    const first = describeStoredReference('pic', slow);
    await vi.waitFor(() => expect(slow.describe).toHaveBeenCalled());
    await describeStoredReference('pic', deps({ describe: vi.fn(async () => 'new words') }));
    release();
    await first;
    expect((await loadDraft()).describe).toMatchObject({ status: 'done', text: 'new words' });

    const again = deps({ describe: vi.fn(() => new Promise<string>((r) => (release = () => r('too late')))) });
    const closing = describeStoredReference('pic', again);
    await vi.waitFor(() => expect(again.describe).toHaveBeenCalled());
    await patchDraft({ describe: null });
    release();
    await closing;
    expect((await loadDraft()).describe).toBeNull();
  });

  it('from the page menu: shows "getting the image", stores it without adopting it, then describes it', async () => {
    let stored!: (r: ReferenceRecord) => void;
    const d = deps();
    const run = describePageImage(() => new Promise((r) => (stored = r)), d);
    await vi.waitFor(async () => expect((await loadDraft()).describe).toMatchObject({ status: 'working' }));
    expect((await loadDraft()).describe?.referenceId).toBeUndefined();
    stored(reference('pic'));
    await run;
    const draft = await loadDraft();
    expect(draft.describe).toMatchObject({ status: 'done', referenceId: 'pic', text: 'A blue field at noon.', provider: 'openai' });
    expect(draft.referenceId).toBe('mine');
  });

  it('from the page menu: an image that cannot be had is the outcome, and nothing is described', async () => {
    const d = deps();
    await describePageImage(async () => Promise.reject(Object.assign(new Error('The page refused.'), { kind: 'source_refused' })), d);
    expect(d.describe).not.toHaveBeenCalled();
    expect((await loadDraft()).describe).toMatchObject({ status: 'error' });
  });

  it('goes through the real OpenAI adapter when wired to it (fake network)', async () => {
    const fetch = vi.fn(async (_url: string, _init: RequestInit) => Response.json({ choices: [{ message: { content: ' A blue\n field. ' } }] }));
    const d = deps({
      describe: (provider, image) => describeImage(provider, image, { fetch: fetch as never, baseUrl: 'https://api.openai.com', key: 'sk-1' }, async () => {}),
    });
    const out = await describeStoredReference('pic', d);
    expect(out).toEqual({ description: 'A blue field.', provider: 'openai' });
    expect(fetch.mock.calls[0]![0]).toBe('https://api.openai.com/v1/chat/completions');
    expect(JSON.parse(String(fetch.mock.calls[0]![1].body)).max_completion_tokens).toBe(DESCRIBE_MAX_TOKENS);
  });
});
