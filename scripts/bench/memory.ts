import type { CDPSession } from 'playwright-core';
import { sendFromPage } from '../../tests/e2e/harness';
import { heapAfterGc } from './cdp';
import { median, type Row } from './report';
import { sleep, waitForJobs, type BenchSession } from './session';

/**
 * Figure 7: the worker's and the panel's memory after 1, 50 and 100 generations. JS heap after
 * forced garbage collection (CDP Runtime.getHeapUsage, median of three readings), the panel's
 * DOM node count, the object URLs the panel holds (counted by wrapping URL.createObjectURL and
 * revokeObjectURL from outside the product code), and the browser's blob registry
 * (chrome://blob-internals, every context).
 */
export interface MemorySnapshot {
  generations: number;
  workerTargetId: string;
  workerHeapMB: number;
  panelHeapMB: number;
  panelNodes: number;
  panelLiveObjectUrls: number;
  /** Distinct blob: URLs the panel's images show (results and the reference thumbnail). */
  panelShownBlobUrls: number;
  panelObjectUrlsCreated: number;
  blobs: number;
  blobMB: number;
}

export class MemoryProbe {
  private panelSession?: CDPSession;
  readonly snapshots: MemorySnapshot[] = [];
  constructor(private readonly s: BenchSession) {}

  private async workerTarget(): Promise<string> {
    const t = (await this.s.cdp.targets()).find((x) => x.type === 'service_worker' && x.url.startsWith(`chrome-extension://${this.s.ext.extensionId}/`));
    if (!t) throw new Error('No running extension worker to measure.');
    return t.targetId;
  }

  async snapshot(generations: number): Promise<MemorySnapshot> {
    this.panelSession ??= await this.s.ext.context.newCDPSession(this.s.panel);
    const ps = this.panelSession;
    const worker: number[] = [];
    const panel: number[] = [];
    const workerTargetId = await this.workerTarget();
    for (let i = 0; i < 3; i++) {
      worker.push((await heapAfterGc(this.s.cdp, workerTargetId)).usedBytes);
      await ps.send('HeapProfiler.collectGarbage');
      await ps.send('HeapProfiler.collectGarbage');
      panel.push(((await ps.send('Runtime.getHeapUsage')) as { usedSize: number }).usedSize);
    }
    const dom = (await ps.send('Memory.getDOMCounters')) as { nodes: number };
    const urls = (await this.s.panel.evaluate(
      "({ live: window.__bench.live.size, created: window.__bench.urlsCreated, shown: new Set([...document.images].map((i) => i.src).filter((u) => u.startsWith('blob:'))).size })",
    )) as { live: number; created: number; shown: number };
    const blobs = await this.blobRegistry();
    const snap: MemorySnapshot = {
      generations,
      workerTargetId,
      workerHeapMB: median(worker) / 1048576,
      panelHeapMB: median(panel) / 1048576,
      panelNodes: dom.nodes,
      panelLiveObjectUrls: urls.live,
      panelShownBlobUrls: urls.shown,
      panelObjectUrlsCreated: urls.created,
      blobs: blobs.count,
      blobMB: blobs.bytes / 1048576,
    };
    this.snapshots.push(snap);
    console.log(`  [7] memory after ${generations} generation(s): ${JSON.stringify(snap)}`);
    return snap;
  }

  private async blobRegistry(): Promise<{ count: number; bytes: number }> {
    const page = await this.s.ext.context.newPage();
    try {
      await page.goto('chrome://blob-internals');
      const html = await page.content();
      const count = (html.match(/<b>[0-9a-f-]{36}<\/b>/g) ?? []).length;
      const bytes = [...html.matchAll(/<li>Length: ([\d,]+)<\/li>/g)].reduce((sum, m) => sum + Number(m[1]!.replace(/,/g, '')), 0);
      return { count, bytes };
    } finally {
      await page.close();
    }
  }
}

/**
 * The panel keeps a thumbnail's object URL this long after its row leaves the screen (a row
 * scrolled straight back reuses it): RELEASE_GRACE_MS in entrypoints/sidepanel/thumbs.ts.
 * Snapshots wait it out, so they count what stays held, not what is about to be revoked.
 */
const THUMB_URL_GRACE_MS = 3000;

/** Runs fresh generations (a window of four at once, as the panel's Create does) until `total` have been made. */
export async function generateUpTo(s: BenchSession, made: number, total: number, reference: Buffer, onReach: Map<number, () => Promise<void>>): Promise<number> {
  const { referenceId } = await sendFromPage<{ referenceId: string }>(s.panel, 'reference.fromUrl', { url: `data:image/jpeg;base64,${reference.toString('base64')}` });
  const stamp = Date.now().toString(36);
  while (made < total) {
    const nextHook = [...onReach.keys()].filter((n) => n > made).sort((a, b) => a - b)[0] ?? total;
    const batch = Math.min(4, nextHook - made);
    const ids: string[] = [];
    for (let i = 0; i < batch; i++) {
      const { jobId } = await sendFromPage<{ jobId: string }>(s.panel, 'job.create', {
        request: { prompt: `bench ${stamp} memory ${made + i + 1}`, referenceId, modelId: 'flux-dev', settings: { influence: null, aspectRatio: null, numImages: 1, seed: null }, fresh: true, description: null },
      });
      ids.push(jobId);
    }
    const ended = await waitForJobs(s.helper, ids, (j) => ['done', 'failed', 'canceled', 'timed_out'].includes(j.state), 'a batch of generations to end', 90_000);
    const failed = ended.filter((j) => j.state !== 'done');
    if (failed.length) throw new Error(`Generations did not finish: ${failed.map((j) => j.state).join(', ')}`);
    made += batch;
    const hook = onReach.get(made);
    if (hook) {
      await sleep(THUMB_URL_GRACE_MS + 1000); // the panel catches up with the last results, and lets go of URLs it no longer shows
      await hook();
    }
  }
  return made;
}

export function memoryRows(snaps: MemorySnapshot[]): Row[] {
  const at = (n: number) => snaps.find((x) => x.generations === n);
  const first = snaps[0]!;
  const mid = at(50);
  const last = snaps.at(-1)!;
  const sameWorker = snaps.every((x) => x.workerTargetId === first.workerTargetId);
  const grows = (a: number | undefined, b: number) => (a === undefined ? NaN : (b - a) / a);
  const wGrowth = grows(mid?.workerHeapMB, last.workerHeapMB);
  const pGrowth = grows(mid?.panelHeapMB, last.panelHeapMB);
  const series = (f: (x: MemorySnapshot) => number, digits = 2) => snaps.map((x) => `${x.generations}: ${f(x).toFixed(digits)}`).join(', ');
  return [
    {
      id: '7a',
      figure: `Worker JS heap after ${last.generations} generations`,
      unit: 'MB',
      value: last.workerHeapMB,
      runs: snaps.map((x) => Number(x.workerHeapMB.toFixed(2))),
      baseline: { label: `after ${first.generations}`, value: first.workerHeapMB },
      ratio: last.workerHeapMB / first.workerHeapMB,
      target: 'bounded: ≤ 10 % growth from 50 to 100',
      pass: sameWorker && wGrowth <= 0.1,
      note: `Heap after forced GC, median of 3 readings per point (MB, by generations made: ${series((x) => x.workerHeapMB)}); 50 → 100 growth ${(wGrowth * 100).toFixed(1)} %.${sameWorker ? ' One worker instance throughout.' : ' The worker was restarted between points, so the comparison does not hold.'}`,
    },
    {
      id: '7b',
      figure: `Panel JS heap after ${last.generations} generations`,
      unit: 'MB',
      value: last.panelHeapMB,
      runs: snaps.map((x) => Number(x.panelHeapMB.toFixed(2))),
      baseline: { label: `after ${first.generations}`, value: first.panelHeapMB },
      ratio: last.panelHeapMB / first.panelHeapMB,
      target: 'bounded: ≤ 10 % growth from 50 to 100; no object URL beyond those shown',
      pass: pGrowth <= 0.1 && last.panelLiveObjectUrls <= last.panelShownBlobUrls,
      note:
        `Heap MB ${series((x) => x.panelHeapMB)}; 50 → 100 growth ${(pGrowth * 100).toFixed(1)} %. DOM nodes ${series((x) => x.panelNodes, 0)}. ` +
        `Live object URLs in the panel ${series((x) => x.panelLiveObjectUrls, 0)}, of which shown ${series((x) => x.panelShownBlobUrls, 0)} (created in all: ${last.panelObjectUrlsCreated}); ` +
        `blobs in the browser's registry ${series((x) => x.blobs, 0)} (MB ${series((x) => x.blobMB)}). The Create tab lists the newest 24 jobs (the rest are in History), so it levels off there. ` +
        `Decoded image memory is outside the JS heap and not measured here.`,
      detail: { snapshots: snaps },
    },
  ];
}
