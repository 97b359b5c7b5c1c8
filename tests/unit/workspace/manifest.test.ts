import { describe, expect, it } from 'vitest';
import { Manifest, entryName } from '../../../utils/workspace/manifest';
import { manifest, manifestJob, manifestReference, manifestResult, png, uuid } from './zip-fixtures';

const J = uuid(1);
const R = uuid(2);

async function valid() {
  return manifest({
    jobs: [manifestJob(J, { resultIds: [`${J}:0`], request: { ...manifestJob(J).request, referenceId: R } })],
    results: [manifestResult(J, 0)],
    references: [await manifestReference(R, png('r'))],
  });
}

describe('the export manifest', () => {
  it('accepts what an export writes, and drops keys it does not know', async () => {
    const m = await valid();
    const withExtras = { ...m, evil: '<script>', jobs: [{ ...m.jobs[0], cacheKey: 'x', handle: { requestId: 'r' } }] };
    const parsed = Manifest.parse(withExtras);
    expect(parsed).not.toHaveProperty('evil');
    expect(parsed.jobs[0]).not.toHaveProperty('cacheKey');
    expect(parsed.jobs[0]).not.toHaveProperty('handle');
    expect(parsed.jobs[0]!.resultIds).toEqual([`${J}:0`]);
  });

  it('names each image after its record, in its folder, with a known extension', () => {
    expect(entryName('results', `${J}:3`, 'image/jpeg')).toBe(`results/${J}_3.jpg`);
    expect(entryName('references', R, 'image/webp')).toBe(`references/${R}.webp`);
  });

  it.each([
    ['a parent folder', `../results/${J}_0.png`],
    ['an absolute path', `/results/${J}_0.png`],
    ['a backslash', `results\\${J}_0.png`],
    ['a hidden folder walk', `results/../../${J}_0.png`],
    ['another extension', `results/${J}_0.html`],
    ['another record\u2019s name', `results/${uuid(9)}_0.png`],
    ['an extension that does not match the type', `results/${J}_0.jpg`],
  ])('refuses a file name with %s', async (_what, file) => {
    const m = await valid();
    m.results[0] = { ...m.results[0]!, file };
    expect(Manifest.safeParse(m).success).toBe(false);
  });

  it('refuses ids that are not the shape this extension gives them', async () => {
    const m = await valid();
    expect(Manifest.safeParse({ ...m, jobs: [{ ...m.jobs[0], id: '../../etc' }] }).success).toBe(false);
    expect(Manifest.safeParse({ ...m, references: [{ ...m.references[0], id: 'ref-1' }] }).success).toBe(false);
  });

  it('caps strings', async () => {
    const m = await valid();
    const long = { ...m.jobs[0]!, request: { ...m.jobs[0]!.request, prompt: 'x'.repeat(10_001) } };
    expect(Manifest.safeParse({ ...m, jobs: [long] }).success).toBe(false);
    const title = { ...m.references[0]!, source: { kind: 'page', pageTitle: 't'.repeat(501) } };
    expect(Manifest.safeParse({ ...m, references: [title] }).success).toBe(false);
  });

  it('refuses addresses that are not http or https (they are shown as links)', async () => {
    const m = await valid();
    for (const pageUrl of ['javascript:alert(1)', 'data:text/html,<b>x</b>', 'file:///etc/passwd']) {
      const ref = { ...m.references[0]!, source: { kind: 'page', pageUrl } };
      expect(Manifest.safeParse({ ...m, references: [ref] }).success).toBe(false);
    }
    const ok = { ...m.references[0]!, source: { kind: 'page', pageUrl: 'https://example.com/a' } };
    expect(Manifest.safeParse({ ...m, references: [ok] }).success).toBe(true);
  });

  it('refuses states other than done, unknown models and wrong formats or versions', async () => {
    const m = await valid();
    expect(Manifest.safeParse({ ...m, jobs: [{ ...m.jobs[0], state: 'failed' }] }).success).toBe(false);
    expect(Manifest.safeParse({ ...m, jobs: [{ ...m.jobs[0], request: { ...m.jobs[0]!.request, modelId: 'gpt-9' } }] }).success).toBe(false);
    expect(Manifest.safeParse({ ...m, format: 'something-else' }).success).toBe(false);
    expect(Manifest.safeParse({ ...m, version: 2 }).success).toBe(false);
  });

  it('refuses links that do not hold together', async () => {
    const m = await valid();
    expect(Manifest.safeParse({ ...m, results: [] }).success).toBe(false);
    expect(Manifest.safeParse({ ...m, jobs: [...m.jobs, m.jobs[0]] }).success).toBe(false);
    const orphan = manifestResult(uuid(7), 0);
    expect(Manifest.safeParse({ ...m, results: [...m.results, orphan] }).success).toBe(false);
    expect(Manifest.safeParse({ ...m, references: [...m.references, m.references[0]] }).success).toBe(false);
  });
});
