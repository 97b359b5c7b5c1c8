import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CDPSession, Page } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import { currentWorker, launchExtension, waitFor, type ExtensionBrowser, sendFromPage } from './harness';

/**
 * Issue 5: paid jobs survive the service worker being stopped. Several jobs at once, from two
 * panels, through the local fal sandbox; the worker is stopped through the DevTools protocol
 * while submits, polls and downloads are in flight, and woken again by the resume alarm or by
 * a panel opening. Every job must end honestly, with exactly one submission to the provider,
 * and every image the provider made for a job we know the id of must be stored.
 */

interface StoredJob {
  id: string;
  state: string;
  errorKind?: string;
  requestId?: string;
  numImages: number;
  resultIds: string[];
  storedResults: number;
  storedBytes: number;
}

/** What the closing note reports. */
const tally = { jobs: 0, workerStops: 0, lostResults: 0, doubleSubmissions: 0, maybeCharged: 0 };

describe('jobs survive a stopped service worker (real Chromium)', () => {
  let sandbox: Sandbox;
  let ext: ExtensionBrowser;
  let panelA: Page;
  let panelB: Page;
  /** An extension page that is not a panel (a panel wakes the worker): reads IndexedDB for the tests. */
  let reader: Page;
  let cdp: CDPSession;
  let referenceId: string;
  const versions = new Map<string, { runningStatus: string }>();
  /** How many times each worker version was seen stopped: a panel may restart it before a poll would see it. */
  const stops = new Map<string, number>();

  beforeAll(async () => {
    sandbox = await startSandbox({ timing: { queueMs: 1000, runMs: 1000 } });
    ext = await launchExtension();

    const options = await ext.openExtensionPage('options.html');
    await options.getByLabel('fal API key', { exact: true }).fill('test-fal-key');
    await options.getByLabel('fal API address', { exact: true }).fill(`${sandbox.url}/fal`);
    await options.getByRole('button', { name: 'Save fal' }).click();
    await options.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    reader = options;

    // Two panels: jobs come from both, as from two windows.
    panelA = await ext.openExtensionPage('sidepanel.html');
    panelB = await ext.openExtensionPage('sidepanel.html');
    const jpeg = readFileSync('sandbox/demo/sunset.jpg').toString('base64');
    referenceId = await sendFromPage<{ referenceId: string }>(panelA, 'reference.fromUrl', { url: `data:image/jpeg;base64,${jpeg}` }).then((r) => r.referenceId);

    // The DevTools protocol's ServiceWorker domain, from an ordinary page's session, sees the
    // extension's worker and can stop it (Target.closeTarget on the worker target cannot).
    const helper = await ext.context.newPage();
    cdp = await ext.context.newCDPSession(helper);
    cdp.on('ServiceWorker.workerVersionUpdated', (e) => {
      for (const v of e.versions) {
        if (!v.scriptURL.startsWith(`chrome-extension://${ext.extensionId}/`)) continue;
        if (v.runningStatus === 'stopped' && versions.get(v.versionId)?.runningStatus !== 'stopped') stops.set(v.versionId, (stops.get(v.versionId) ?? 0) + 1);
        versions.set(v.versionId, v);
      }
    });
    await cdp.send('ServiceWorker.enable');
    await waitFor('the worker to be seen running', async () => workerStatus() === 'running');
  });

  afterAll(async () => {
    console.log(
      `[resilience] jobs run: ${tally.jobs}; worker stops injected: ${tally.workerStops}; results lost: ${tally.lostResults}; ` +
        `double submissions: ${tally.doubleSubmissions}; ended as "may have been charged": ${tally.maybeCharged}`,
    );
    await ext?.close();
    await sandbox?.close();
  });

  function workerStatus(): string | undefined {
    const all = [...versions.values()];
    return all.find((v) => v.runningStatus === 'running')?.runningStatus ?? all.at(-1)?.runningStatus;
  }

  async function stopWorker(): Promise<void> {
    const running = [...versions.entries()].find(([, v]) => v.runningStatus === 'running');
    if (!running) throw new Error('no running worker to stop');
    const before = stops.get(running[0]) ?? 0;
    await cdp.send('ServiceWorker.stopWorker', { versionId: running[0] });
    await waitFor('the worker to stop', async () => (stops.get(running[0]) ?? 0) > before, 10_000);
    tally.workerStops++;
  }


  async function createJob(page: Page, prompt: string, numImages = 1): Promise<{ id: string; prompt: string; numImages: number }> {
    const { jobId } = await sendFromPage<{ jobId: string; cached: boolean }>(page, 'job.create', {
      request: { prompt, referenceId, modelId: 'flux-dev', settings: { influence: null, aspectRatio: null, numImages, seed: null }, fresh: true, description: null },
    });
    tally.jobs++;
    return { id: jobId, prompt, numImages };
  }

  /** Reads jobs and their stored results straight from IndexedDB, as any extension page can. */
  async function readJobs(ids: string[]): Promise<StoredJob[]> {
    return reader.evaluate(async (jobIds) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const req = indexedDB.open('image-prompt');
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
      const get = <T,>(store: string, key: string) =>
        new Promise<T | undefined>((resolve, reject) => {
          const req = db.transaction(store).objectStore(store).get(key);
          req.onsuccess = () => resolve(req.result as T | undefined);
          req.onerror = () => reject(req.error);
        });
      const out = [];
      for (const id of jobIds) {
        const job = await get<{ state: string; error?: { kind: string }; handle?: { requestId?: string }; resultIds: string[]; request: { settings: { numImages: number } } }>('jobs', id);
        if (!job) throw new Error(`job ${id} is missing`);
        // Results are keyed `${jobId}:${index}`; look for every index the job asked for.
        const results = [];
        for (let i = 0; i < job.request.settings.numImages; i++) {
          const r = await get<{ blob: Blob }>('results', `${id}:${i}`);
          if (r) results.push(r);
        }
        out.push({
          id,
          state: job.state,
          errorKind: job.error?.kind,
          requestId: job.handle?.requestId,
          numImages: job.request.settings.numImages,
          resultIds: job.resultIds,
          storedResults: results.length,
          storedBytes: results.reduce((sum, r) => sum + r.blob.size, 0),
        });
      }
      db.close();
      return out;
    }, ids);
  }

  async function waitForStates(ids: string[], ok: (j: StoredJob) => boolean, what: string, timeoutMs = 20_000): Promise<StoredJob[]> {
    return waitFor(what, async () => {
      const jobs = await readJobs(ids);
      return jobs.every(ok) ? jobs : undefined;
    }, timeoutMs);
  }

  const submissionsFor = (prompt: string) => sandbox.requests.filter((r) => r.method === 'POST' && r.provider === 'fal' && (r.body as { prompt?: string } | null)?.prompt === prompt).length;
  const isOver = (j: StoredJob) => ['done', 'failed', 'canceled', 'timed_out'].includes(j.state);

  /** Checks each job's honest end, counts double submissions and lost results. */
  function account(jobs: Array<{ id: string; prompt: string }>, stored: StoredJob[]) {
    for (const job of jobs) {
      const s = stored.find((x) => x.id === job.id)!;
      const posts = submissionsFor(job.prompt);
      if (posts > 1) tally.doubleSubmissions += posts - 1;
      expect(posts, `submissions for "${job.prompt}"`).toBe(1);
      if (s.requestId) {
        // The provider made these images and we know where: every one must be stored.
        tally.lostResults += s.numImages - s.storedResults;
        expect(s.state, `state of "${job.prompt}"`).toBe('done');
        expect(s.storedResults).toBe(s.numImages);
        expect(s.resultIds).toHaveLength(s.numImages);
        expect(s.storedBytes).toBeGreaterThan(0);
      } else {
        // Stopped before the provider's reply arrived: we cannot know the request, so say so.
        expect(s.state).toBe('failed');
        expect(s.errorKind).toBe('may_have_been_charged');
        tally.maybeCharged++;
      }
    }
  }

  it('resumes jobs stopped while polling, from the resume alarm alone', async () => {
    sandbox.setTiming({ queueMs: 4000, runMs: 2000 });
    const jobs = await Promise.all([
      createJob(panelA, 'poll: a lighthouse in fog'),
      createJob(panelB, 'poll: the same hills at noon', 2),
      createJob(panelA, 'poll: a harbour at night'),
    ]);
    const ids = jobs.map((j) => j.id);
    await waitForStates(ids, (j) => j.state === 'polling' && !!j.requestId, 'every job to be polling');

    // No panel is open (an open one wakes the worker, see the next test): only the alarm can.
    const panelUrl = panelA.url();
    await Promise.all([panelA.goto('about:blank'), panelB.goto('about:blank')]);
    try {
      await stopWorker();
      const stoppedAt = Date.now();

      await waitFor('the resume alarm to start the worker again', async () => workerStatus() === 'running', 45_000);
      const restartMs = Date.now() - stoppedAt;
      // Nothing moved while the worker was gone: the provider heard nothing from the stop until
      // the new worker's global scope was created (its time origin), whatever the gap was.
      const restartedAt = await (await currentWorker(ext.context, ext.extensionId)).evaluate(() => performance.timeOrigin);
      expect(restartedAt).toBeGreaterThan(stoppedAt);
      expect(sandbox.requests.filter((r) => r.at >= stoppedAt && r.at < restartedAt)).toEqual([]);
      console.log(`[resilience] worker restarted by the resume alarm ${(restartMs / 1000).toFixed(1)} s after the stop`);
      const stored = await waitForStates(ids, isOver, 'the restarted worker to finish every job');
      account(jobs, stored);
      // Each request was only ever looked up by its id after the restart, never sent again.
      expect(new Set(stored.map((j) => j.requestId)).size).toBe(3);
    } finally {
      await Promise.all([panelA.goto(panelUrl), panelB.goto(panelUrl)]);
    }
  });

  it('wakes a stopped worker from an open panel, without waiting for the alarm', async () => {
    sandbox.setTiming({ queueMs: 4000, runMs: 2000 });
    const jobs = await Promise.all([createJob(panelA, 'wake: a lighthouse at dawn'), createJob(panelB, 'wake: a pier in rain')]);
    const ids = jobs.map((j) => j.id);
    await waitForStates(ids, (j) => j.state === 'polling' && !!j.requestId, 'both jobs to be polling');
    // Take the alarm away: if the worker starts again now, the panel did it.
    const worker = await currentWorker(ext.context, ext.extensionId);
    await worker.evaluate(() => (globalThis as unknown as { chrome: { alarms: { clear(n: string): Promise<boolean> } } }).chrome.alarms.clear('resume-jobs'));

    await stopWorker();
    const stoppedAt = Date.now();
    await waitFor('an open panel to wake the worker', async () => workerStatus() === 'running', 20_000);
    console.log(`[resilience] worker woken by an open panel ${((Date.now() - stoppedAt) / 1000).toFixed(2)} s after the stop (alarm cleared)`);
    const stored = await waitForStates(ids, isOver, 'the woken worker to finish both jobs');
    account(jobs, stored);
    expect(stored.every((j) => j.state === 'done')).toBe(true);
  });

  it('resumes jobs stopped during submit, reporting the ones whose submit reply was lost', async () => {
    sandbox.setTiming({ queueMs: 3000, runMs: 1000, submitDelayMs: 0 });
    const early = await createJob(panelA, 'submit: a red barn (already submitted)');
    await waitForStates([early.id], (j) => !!j.requestId, 'the first job to have its request id');

    sandbox.setTiming({ submitDelayMs: 5000 });
    const inFlight = await Promise.all([createJob(panelA, 'submit: a blue door'), createJob(panelB, 'submit: a green field', 2)]);
    await waitFor('both submits to reach the provider', async () => inFlight.every((j) => submissionsFor(j.prompt) === 1));
    await waitForStates(inFlight.map((j) => j.id), (j) => j.state === 'submitting', 'both jobs to be submitting');

    await stopWorker();
    sandbox.setTiming({ submitDelayMs: 0 });
    // The user opens a panel: that wakes the worker, which picks everything up.
    await panelB.reload();

    const jobs = [early, ...inFlight];
    const stored = await waitForStates(jobs.map((j) => j.id), isOver, 'every job to end');
    account(jobs, stored);
    expect(stored.find((j) => j.id === early.id)?.state).toBe('done');
    expect(stored.filter((j) => j.errorKind === 'may_have_been_charged')).toHaveLength(2);
    // The panel says so in words, without a one-click retry that would pay again.
    const card = panelB.getByRole('article', { name: 'Generation: submit: a blue door' });
    await expect.poll(() => card.getByRole('alert').textContent(), { timeout: 10_000 }).toMatch(/may have been received and charged/);
    expect(await card.getByRole('button', { name: 'Try again' }).count()).toBe(0);
  });

  it('resumes jobs stopped during download without losing an image', async () => {
    sandbox.setTiming({ queueMs: 300, runMs: 300, downloadDelayMs: 4000 });
    const filesBefore = sandbox.requests.filter((r) => r.provider === 'files').length;
    const jobs = await Promise.all([
      createJob(panelA, 'download: a yellow kite', 2),
      createJob(panelB, 'download: a white boat'),
      createJob(panelB, 'download: an old bridge'),
    ]);
    const ids = jobs.map((j) => j.id);
    await waitForStates(ids, (j) => j.state === 'downloading', 'every job to be downloading');
    await waitFor('three downloads in flight', async () => sandbox.requests.filter((r) => r.provider === 'files').length - filesBefore >= 3);

    await stopWorker();
    // Checked while downloads are still slow: an open panel may already have woken the worker.
    expect((await readJobs(ids)).every((j) => j.storedResults === 0)).toBe(true);
    sandbox.setTiming({ downloadDelayMs: 0 });
    // A panel opening wakes the worker (the same message a panel sends when it loads).
    await sendFromPage(panelA, 'jobs.resume', {});

    const stored = await waitForStates(ids, isOver, 'every download to finish');
    account(jobs, stored);
    // The interrupted downloads were fetched again from the provider's links.
    expect(sandbox.requests.filter((r) => r.provider === 'files').length - filesBefore).toBeGreaterThanOrEqual(4 + 3);
  });

  it('shows the results, and tells the user with a notification when a job ends while no panel is open', async () => {
    const results = panelA.getByRole('list', { name: 'Results' });
    // 4 + 2 + 1 + 4 images from the jobs above, all shown from IndexedDB.
    await expect.poll(() => results.getByRole('img', { name: /^Result \d+ for/ }).count(), { timeout: 10_000 }).toBe(11);
    // Star one (starred images are never removed to make room); the panel shows storage use.
    // Stars are given in the large viewer; its thumbnail then says it is starred.
    await results.getByRole('button', { name: /^Open image 1 of/ }).first().click();
    const viewer = panelA.getByRole('dialog');
    const star = viewer.getByRole('button', { name: 'Star' });
    await star.click();
    await expect.poll(() => star.getAttribute('aria-pressed')).toBe('true');
    await panelA.keyboard.press('Escape');
    await viewer.waitFor({ state: 'detached' });
    await results.getByRole('button', { name: /\(starred\)/ }).first().waitFor();
    const starred = await panelA.evaluate(
      () =>
        new Promise<number>((resolve, reject) => {
          const open = indexedDB.open('image-prompt');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const req = open.result.transaction('results').objectStore('results').getAll();
            req.onsuccess = () => resolve((req.result as Array<{ starred: boolean }>).filter((r) => r.starred).length);
            req.onerror = () => reject(req.error);
          };
        }),
    );
    expect(starred).toBe(1);
    await expect.poll(() => panelA.getByRole('region', { name: 'Storage' }).textContent(), { timeout: 5_000 }).toMatch(/Saved images and history use [\d.]+ (KB|MB)/);

    sandbox.setTiming({ queueMs: 2500, runMs: 500 });
    const job = await createJob(panelA, 'notify: a quiet street');
    await panelA.close();
    await panelB.close();
    const worker = await currentWorker(ext.context, ext.extensionId);
    const notices = await waitFor(
      'a notification',
      async () => {
        const all = await worker.evaluate(() => (globalThis as unknown as { chrome: { notifications: { getAll(): Promise<Record<string, unknown>> } } }).chrome.notifications.getAll());
        return Object.keys(all).length ? all : undefined;
      },
      20_000,
    );
    // Only this job: the others ended while a panel was open.
    expect(Object.keys(notices)).toHaveLength(1);
    expect(Object.keys(notices)[0]).toContain(job.id);
    panelA = await ext.openExtensionPage('sidepanel.html');
    account([job], await readJobs([job.id]));
  });
});
