import type { CDPSession } from 'playwright-core';
import { sendFromPage, waitFor } from '../../tests/e2e/harness';
import { median, type Row } from './report';
import { providerRequests, sleep, waitForJobs, type BenchSession } from './session';

/**
 * Figure 8: with a panel open and a job polling, the worker is stopped through the DevTools
 * protocol (ServiceWorker.stopWorker from an ordinary page's session); measured from the moment
 * the protocol reports it stopped to the job's next status check reaching the provider.
 */
export async function benchWake(s: BenchSession, reference: Buffer, runs: number): Promise<Row> {
  const helperPage = await s.ext.context.newPage();
  const cdp: CDPSession = await s.ext.context.newCDPSession(helperPage);
  const versions = new Map<string, { runningStatus: string; at: number }>();
  const events: Array<{ versionId: string; status: string; at: number }> = [];
  cdp.on('ServiceWorker.workerVersionUpdated', (e) => {
    for (const v of e.versions) {
      if (!v.scriptURL.startsWith(`chrome-extension://${s.ext.extensionId}/`)) continue;
      const prev = versions.get(v.versionId);
      if (prev?.runningStatus !== v.runningStatus) events.push({ versionId: v.versionId, status: v.runningStatus, at: Date.now() });
      versions.set(v.versionId, { runningStatus: v.runningStatus, at: Date.now() });
    }
  });
  await cdp.send('ServiceWorker.enable');
  const running = () => [...versions.entries()].find(([, v]) => v.runningStatus === 'running')?.[0];
  await waitFor('the worker to be seen running', async () => running(), 10_000);

  // A job that stays in the provider's queue for the whole measurement.
  s.sandbox.setTiming({ queueMs: 10 * 60_000, runMs: 50 });
  const { referenceId } = await sendFromPage<{ referenceId: string }>(s.panel, 'reference.fromUrl', { url: `data:image/jpeg;base64,${reference.toString('base64')}` });
  const { jobId } = await sendFromPage<{ jobId: string }>(s.panel, 'job.create', {
    request: { prompt: `bench ${Date.now().toString(36)} wake`, referenceId, modelId: 'flux-dev', settings: { influence: null, aspectRatio: null, numImages: 1, seed: null }, fresh: true, description: null },
  });
  const [job] = await waitForJobs(s.helper, [jobId], (j) => j.state === 'polling' && !!j.requestId, 'the job to be polling', 30_000);
  const statusPath = `/requests/${job!.requestId}/status`;
  const pollsAfter = (t: number) => providerRequests(s.sandbox).filter((r) => r.at > t && r.path.includes(statusPath));

  const moving: number[] = [];
  const restarted: number[] = [];
  try {
    for (let run = 0; run < runs; run++) {
      // Let the job settle into its polling rhythm, then stop the worker somewhere between two checks.
      const since = Date.now();
      await waitFor('the job to be polled', async () => pollsAfter(since).length > 0, 15_000);
      await sleep(300 + ((run * 397) % 900));
      const version = running();
      if (!version) throw new Error('no running worker to stop');
      const mark = events.length;
      await cdp.send('ServiceWorker.stopWorker', { versionId: version });
      const stopped = await waitFor('the worker to stop', async () => events.slice(mark).find((e) => e.versionId === version && e.status === 'stopped'), 10_000);
      const next = await waitFor('the job to be polled again', async () => pollsAfter(stopped.at)[0], 40_000);
      const up = events.slice(mark).find((e) => e.status === 'running' && e.at >= stopped.at);
      moving.push(next.at - stopped.at);
      if (up) restarted.push(up.at - stopped.at);
      console.log(`  [8] wake run ${run}: job polled again ${next.at - stopped.at} ms after the stop (worker running again after ${up ? up.at - stopped.at : '?'} ms)`);
    }
  } finally {
    await sendFromPage(s.panel, 'job.cancel', { jobId }).catch(() => {});
    s.sandbox.setTiming({ queueMs: 50, runMs: 50 });
    await cdp.detach().catch(() => {});
    await helperPage.close();
  }
  const m = median(moving);
  return {
    id: '8',
    figure: 'Worker stopped mid-poll → job polled again (panel open)',
    unit: 'ms',
    value: m,
    runs: moving,
    baseline: null,
    ratio: null,
    target: '≤ 1 s',
    pass: m <= 1000,
    note: `From the DevTools "stopped" event to the job's next status request at the sandbox. Worker seen running again after a median ${Math.round(median(restarted))} ms. Without a panel, the 30 s resume alarm does it.`,
    detail: { restartedMs: restarted },
  };
}
