import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import { launchExtension, saveProviderKey, waitFor, type ExtensionBrowser, sendFromPage } from './harness';

/**
 * Issue 12, in real Chromium against the local fal sandbox: a provider answering
 * `Retry-After: 0` is not hammered; two panels pressing Create together pay once; a status
 * poll whose body never ends stops its job with a clear message and frees the provider slot.
 * The last one runs on the product's real limits (a status check gets 15 s, and one more try).
 */

const tally: Record<string, string> = {};

describe('provider requests are bounded (real Chromium)', () => {
  let sandbox: Sandbox;
  let ext: ExtensionBrowser;
  let panelA: Page;
  let panelB: Page;
  let referenceId: string;

  beforeAll(async () => {
    sandbox = await startSandbox({ timing: { queueMs: 800, runMs: 800 } });
    ext = await launchExtension();
    const options = await ext.openExtensionPage('options.html');
    await saveProviderKey(options, 'fal', 'key-for-fal', `${sandbox.url}/fal`);
    await options.close();
    panelA = await ext.openExtensionPage('sidepanel.html');
    panelB = await ext.openExtensionPage('sidepanel.html');
    const jpeg = readFileSync('sandbox/demo/sunset.jpg').toString('base64');
    referenceId = (await sendFromPage<{ referenceId: string }>(panelA, 'reference.fromUrl', { url: `data:image/jpeg;base64,${jpeg}` })).referenceId;
  });

  afterAll(async () => {
    console.log(`[reliability] ${Object.entries(tally).map(([k, v]) => `${k}: ${v}`).join('; ')}`);
    await ext?.close();
    await sandbox?.close();
  });


  async function createJob(prompt: string): Promise<string> {
    const { jobId } = await sendFromPage<{ jobId: string }>(panelA, 'job.create', {
      request: { prompt, referenceId, modelId: 'flux-dev', settings: { influence: null, aspectRatio: null, numImages: 1, seed: null }, fresh: true, description: null },
    });
    return jobId;
  }

  /** A job record, read straight from IndexedDB as any extension page can. */
  async function readJob(id: string): Promise<{ state: string; updatedAt: number; error?: { kind: string; message: string } }> {
    return panelA.evaluate(async (jobId) => {
      const db = await new Promise<IDBDatabase>((res, rej) => {
        const req = indexedDB.open('image-prompt');
        req.onsuccess = () => res(req.result);
        req.onerror = () => rej(req.error);
      });
      const job = await new Promise<unknown>((res, rej) => {
        const req = db.transaction('jobs').objectStore('jobs').get(jobId);
        req.onsuccess = () => res(req.result);
        req.onerror = () => rej(req.error);
      });
      db.close();
      return job as { state: string; updatedAt: number; error?: { kind: string; message: string } };
    }, id);
  }

  const statusPolls = () => sandbox.requests.filter((r) => r.method === 'GET' && /\/requests\/[^/]+\/status/.test(r.path));

  it('polls at most about once a second when every status check answers 429 with Retry-After: 0', async () => {
    sandbox.reset();
    sandbox.setTiming({ queueMs: 60_000, runMs: 60_000 });
    sandbox.injectFault({ provider: 'fal', on: 'status', status: 429, headers: { 'Retry-After': '0' }, times: 100_000 });
    const id = await createJob('retry-after zero: a windmill');
    // Still checking, just not hammering: five refused checks in a row, each well apart.
    const polls = await waitFor('five refused status checks', async () => (statusPolls().length >= 5 ? statusPolls().slice(0, 5) : undefined), 30_000);
    const gaps = polls.slice(1).map((r, i) => r.at - polls[i]!.at);
    tally['status checks per second with Retry-After: 0'] = (gaps.length / ((polls.at(-1)!.at - polls[0]!.at) / 1000)).toFixed(2);
    // A lower bound on the time between requests: load on the machine can only widen the gaps.
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(250);
    await sendFromPage(panelA, 'job.cancel', { jobId: id });
    await waitFor('the job to be canceled', async () => (await readJob(id)).state === 'canceled');
  });

  it('two panels pressing Create with the same inputs at once pay once, and both show the result', async () => {
    sandbox.reset();
    sandbox.setTiming({ queueMs: 1000, runMs: 1000 });
    const prompt = 'two panels at once: a red lighthouse';
    for (const panel of [panelA, panelB]) {
      await panel.getByRole('region', { name: 'Image prompt' }).getByLabel('Image file').setInputFiles(resolve('sandbox/demo/tiles.jpg'));
      await panel.getByRole('img', { name: 'Current image prompt' }).waitFor();
      await panel.getByRole('combobox', { name: 'Model' }).selectOption({ label: 'Flux dev' });
      await panel.getByRole('textbox', { name: 'Prompt' }).fill(prompt);
    }
    const createA = panelA.getByRole('button', { name: 'Create' });
    const createB = panelB.getByRole('button', { name: 'Create' });
    await expect.poll(async () => (await createA.isEnabled()) && (await createB.isEnabled())).toBe(true);
    await Promise.all([createA.click(), createB.click()]);

    for (const panel of [panelA, panelB]) {
      const cards = panel.getByRole('article', { name: `Generation: ${prompt}` });
      await cards.first().getByRole('img', { name: /Result 1 for/ }).waitFor({ timeout: 20_000 });
      expect(await cards.count()).toBe(1);
    }
    const submits = sandbox.requests.filter((r) => r.method === 'POST' && r.provider === 'fal' && (r.body as { prompt?: string } | null)?.prompt === prompt);
    tally['provider submits for two simultaneous Creates'] = String(submits.length);
    expect(submits).toHaveLength(1);
  });

  it('stops jobs whose status reply never ends, with a clear message, and runs the next job in their slots', async () => {
    sandbox.reset();
    // Four jobs fill fal's four slots; their status replies stall mid-body, every time.
    sandbox.setTiming({ queueMs: 60_000, runMs: 60_000 });
    sandbox.injectFault({ provider: 'fal', on: 'status', status: 202, body: { status: 'IN_QUEUE', queue_position: 0 }, stall: 'body', times: 8 });
    const started = Date.now();
    const stuck = await Promise.all([1, 2, 3, 4].map((i) => createJob(`stuck ${i}: a lighthouse in fog`)));
    await waitFor('four stalled status checks', async () => statusPolls().length >= 4, 10_000);
    // A fifth job waits for a slot (checked below from when its submit reached the provider);
    // once it runs, the provider answers it normally.
    const next = await createJob('after the stuck ones: a clear sky');
    sandbox.setTiming({ queueMs: 300, runMs: 300 });

    const ended = await waitFor(
      'the stuck jobs to end',
      async () => {
        const jobs = await Promise.all(stuck.map(readJob));
        return jobs.every((j) => j.state === 'timed_out') ? jobs : undefined;
      },
      50_000,
    );
    const endedAfter = Math.max(...ended.map((j) => j.updatedAt)) - started;
    tally['stuck jobs ended after'] = `${(endedAfter / 1000).toFixed(1)} s`;
    for (const j of ended) expect(j.error).toMatchObject({ kind: 'timed_out', message: 'fal did not answer in time; the job was stopped so others can run.' });
    // Each stuck job was also canceled at the provider.
    expect(sandbox.requests.filter((r) => r.method === 'PUT' && /\/cancel$/.test(r.path))).toHaveLength(4);

    await waitFor('the next job to finish', async () => (await readJob(next)).state === 'done', 15_000);
    const nextSubmit = sandbox.requests.find((r) => r.method === 'POST' && (r.body as { prompt?: string } | null)?.prompt === 'after the stuck ones: a clear sky')!;
    // It could only be sent once a stuck job had given its slot back.
    expect(nextSubmit.at).toBeGreaterThanOrEqual(Math.min(...ended.map((j) => j.updatedAt)) - 50);
    // The panel says what happened in words.
    const card = panelA.getByRole('article', { name: 'Generation: stuck 1: a lighthouse in fog' });
    await expect.poll(() => card.getByRole('alert').textContent(), { timeout: 10_000 }).toContain('did not answer in time; the job was stopped so others can run');
  });
});
