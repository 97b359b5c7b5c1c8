import type { Page } from 'playwright-core';
import type { RecordedRequest } from '../../sandbox/server';
import { sendFromPage, waitFor } from '../../tests/e2e/harness';
import { sniffImage } from '../../utils/image/sniff';
import { median, type Row } from './report';
import { providerRequests, sleep, WATCHER_KEY, type BenchSession } from './session';

/**
 * Figures 2, 3 and 4, from Create clicks in the panel against the fal sandbox (Flux dev,
 * image-to-image): the bytes of the submit, Create -> result on screen less the provider's own
 * time, and the same inputs again (answered from the cache).
 */

/**
 * Arms the panel: the Create click's time, and the time a new card for `prompt` shows its image
 * decoded (next frame). For the breakdown only: when the worker's "job done" change event
 * reaches the page (the worker has stored everything; the rest is the panel's).
 */
async function arm(panel: Page, prompt: string): Promise<void> {
  await panel.evaluate(`(() => {
    const name = ${JSON.stringify(`Generation: ${prompt}`)};
    const seen = new Set(document.querySelectorAll('article'));
    if (window.__benchDoneStop) window.__benchDoneStop();
    window.__benchDone = new Promise((resolve) => {
      const bc = new BroadcastChannel('image-prompt-events');
      bc.onmessage = (m) => {
        if (m.data && m.data.type === 'job.changed' && m.data.state === 'done') { bc.close(); resolve(performance.timeOrigin + performance.now()); }
      };
      window.__benchDoneStop = () => { bc.close(); resolve(null); };
    });
    window.__benchClick = new Promise((resolve) => {
      const on = (e) => {
        const b = e.target.closest && e.target.closest('button');
        if (!b || b.textContent.trim() !== 'Create') return;
        document.removeEventListener('click', on, true);
        resolve(performance.timeOrigin + e.timeStamp);
      };
      document.addEventListener('click', on, true);
    });
    // The cache's "Same inputs as before" notice: shown when the worker's reply has arrived.
    // (A fresh job shows no notice: the previous arming's observer is stopped here.)
    if (window.__benchNoticeStop) window.__benchNoticeStop();
    window.__benchNotice = new Promise((resolve) => {
      const mo = new MutationObserver((records) => {
        for (const r of records) for (const n of r.addedNodes) {
          if (n.nodeType === 1 && n.matches('p.notice')) { mo.disconnect(); resolve(performance.timeOrigin + performance.now()); return; }
        }
      });
      mo.observe(document.body, { childList: true, subtree: true });
      window.__benchNoticeStop = () => mo.disconnect();
    });
    window.__benchResult = new Promise((resolve) => {
      const check = () => {
        for (const a of document.querySelectorAll('article')) {
          if (seen.has(a) || a.getAttribute('aria-label') !== name) continue;
          const img = a.querySelector('img');
          if (!img) continue;
          mo.disconnect();
          img.decode().catch(() => {}).then(() => requestAnimationFrame(() => resolve(performance.timeOrigin + performance.now())));
          return;
        }
      };
      const mo = new MutationObserver(check);
      mo.observe(document.body, { childList: true, subtree: true, attributes: true });
    });
  })()`);
}

async function clickCreateAndWait(panel: Page, timeoutMs = 60_000): Promise<{ t0: number; t1: number }> {
  await panel.getByRole('button', { name: 'Create', exact: true }).click();
  const done = panel.evaluate('Promise.all([window.__benchClick, window.__benchResult]).then(([t0, t1]) => ({ t0, t1 }))') as Promise<{ t0: number; t1: number }>;
  const out = await Promise.race([done, sleep(timeoutMs).then(() => undefined)]);
  if (!out) throw new Error('The result never appeared in the panel.');
  return out;
}

async function setPrompt(panel: Page, prompt: string) {
  await panel.locator('#prompt').fill(prompt);
  // The draft is written 250 ms after typing stops: let that happen before the click.
  await sleep(400);
}

interface ProviderTimes {
  submit: RecordedRequest;
  requestId: string;
  /** When the sandbox first answered COMPLETED to the bench's own status checks. */
  completedAt: number;
}

/**
 * Follows the job at the provider from outside: finds its submit and its status address in
 * the request log, then asks the status itself every few ms (with a key of its own, left out
 * of every count) until the sandbox answers COMPLETED. That is when the provider's work ended,
 * whatever the sandbox spent making the image; the extension cannot know sooner.
 */
async function watchProvider(s: BenchSession, prompt: string): Promise<ProviderTimes> {
  const submit = await waitFor('the submit', async () => s.sandbox.requests.find((r) => r.method === 'POST' && r.provider === 'fal' && (r.body as { prompt?: string } | null)?.prompt === prompt), 60_000);
  const status = await waitFor(
    'the first status check',
    async () => s.sandbox.requests.find((r) => r.at >= submit.at && r.method === 'GET' && r.headers.authorization !== WATCHER_KEY && /\/requests\/[^/]+\/status/.test(r.path)),
    30_000,
  );
  const path = status.path.split('?')[0]!;
  const requestId = /\/requests\/([^/]+)\/status/.exec(path)![1]!;
  for (;;) {
    const res = await fetch(`${s.sandbox.url}${path}`, { headers: { authorization: WATCHER_KEY } });
    const at = Date.now();
    await res.arrayBuffer();
    if (res.status === 200) return { submit, requestId, completedAt: at };
    await sleep(4);
  }
}

/** Where the time went after the provider finished, from the request log. */
function afterCompletion(s: BenchSession, p: ProviderTimes) {
  const mine = providerRequests(s.sandbox).filter((r) => r.at >= p.submit.at);
  const resultGet = mine.find((r) => r.method === 'GET' && r.path.split('?')[0]!.endsWith(`/requests/${p.requestId}`));
  const polls = mine.filter((r) => r.method === 'GET' && r.path.includes(`/requests/${p.requestId}/status`));
  // The status check that found the job COMPLETED: the last one before the result was asked for.
  const seen = resultGet ? polls.filter((r) => r.at <= resultGet.at).at(-1) : undefined;
  return { seenAt: seen?.at, polls: polls.filter((r) => !resultGet || r.at <= resultGet.at).length };
}

const dataUriBytes = (uri: string) => {
  const comma = uri.indexOf(',');
  const b64 = uri.slice(comma + 1);
  return Math.floor((b64.length * 3) / 4) - (b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0);
};

/** What one submit sent: the whole JSON body, and the image inside it (its size read from its own header). */
function sentBytes(submit: RecordedRequest) {
  const body = submit.body as Record<string, unknown>;
  const uri = String(body.image_url ?? '');
  const head = sniffImage(new Uint8Array(Buffer.from(uri.slice(uri.indexOf(',') + 1, uri.indexOf(',') + 1 + 256 * 1024), 'base64')));
  return {
    wireBytes: Buffer.byteLength(JSON.stringify(body)),
    imageBytes: dataUriBytes(uri),
    mime: /^data:([^;,]+)/.exec(uri)?.[1] ?? '?',
    size: head.width && head.height ? `${head.width}×${head.height}` : '?×?',
  };
}

/** When the worker's "job done" event reached the panel (epoch ms), or undefined if it never did. */
async function doneHeardAt(panel: Page): Promise<number | undefined> {
  const at = (await panel.evaluate('Promise.race([window.__benchDone, new Promise((r) => setTimeout(() => r(null), 2000))])')) as number | null;
  return at ?? undefined;
}

export interface GenerationOutcome {
  rows: Row[];
  /** Fresh generations made (each one provider job). */
  generations: number;
}

export async function benchGenerations(
  s: BenchSession,
  opts: { photo: Buffer; screenshot: Buffer; reference: Buffer; runs: number; afterFirst: () => Promise<void> },
): Promise<GenerationOutcome> {
  const stamp = Date.now().toString(36);
  const region = s.panel.getByRole('region', { name: 'Image prompt' });
  let generations = 0;

  // Figure 2a: the 12 MP photo taken in by figure 1 is the image prompt. Its reference is
  // stored once, so every submit with it sends the same bytes: one is enough.
  s.sandbox.setTiming({ queueMs: 50, runMs: 50 });
  await waitFor('the photo to be the image prompt', async () => (await region.textContent())?.includes('2048 × 1536'), 30_000);
  const photoPrompt = `bench ${stamp} photo`;
  await setPrompt(s.panel, photoPrompt);
  await arm(s.panel, photoPrompt);
  const watchingPhoto = watchProvider(s, photoPrompt);
  await clickCreateAndWait(s.panel);
  const photo = sentBytes((await watchingPhoto).submit);
  generations++;
  await opts.afterFirst();

  // Figures 3 and 4: a 1024×768 reference (a 1024×768 result). The sandbox makes the image in
  // this process, which blocks it (submit reply included) for a few hundred ms; with a provider
  // time longer than that, the extension meets a provider that answers the submit at once and
  // finishes later, as real ones do.
  await sendFromPage(s.panel, 'reference.fromUrl', { url: `data:image/jpeg;base64,${opts.reference.toString('base64')}` });
  await waitFor('the 1024×768 reference to be the image prompt', async () => (await region.textContent())?.includes('1024 × 768'), 30_000);
  const configured = { queueMs: 100, runMs: 400 };
  s.sandbox.setTiming(configured);
  const configuredMs = configured.queueMs + configured.runMs;
  const create: number[] = [];
  const createLessConfigured: number[] = [];
  const providerMs: number[] = [];
  const breakdown: Array<Record<string, number | undefined>> = [];
  let doneAtFirstCheck = 0;
  const cache: number[] = [];
  const cacheReply: number[] = [];
  const cacheDone: number[] = [];
  const cacheRequests: number[] = [];

  for (let run = 0; run < opts.runs + 1; run++) {
    const prompt = `bench ${stamp} create ${run}`;
    await setPrompt(s.panel, prompt);
    await arm(s.panel, prompt);
    const watching = watchProvider(s, prompt);
    const { t0, t1 } = await clickCreateAndWait(s.panel);
    const p = await watching;
    generations++;
    const total = t1 - t0;
    const prov = p.completedAt - p.submit.at;
    const after = afterCompletion(s, p);
    const doneAt = await doneHeardAt(s.panel);
    const parts = {
      totalMs: Math.round(total),
      clickToSubmitMs: Math.round(p.submit.at - t0),
      providerMs: prov,
      waitForNextCheckMs: after.seenAt === undefined ? undefined : Math.max(0, after.seenAt - p.completedAt),
      checkToOnScreenMs: after.seenAt === undefined ? undefined : Math.round(t1 - after.seenAt),
      // The same stretch, split: the worker (result, download, preview, storing) and the panel.
      checkToDoneEventMs: after.seenAt === undefined || doneAt === undefined ? undefined : Math.round(doneAt - after.seenAt),
      doneEventToOnScreenMs: doneAt === undefined ? undefined : Math.round(t1 - doneAt),
      statusChecks: after.polls,
    };
    console.log(`  [3] create run ${run}${run ? '' : ' (warm-up)'}: ${JSON.stringify(parts)}`);
    if (run === 0) continue;
    if (after.polls <= 1) doneAtFirstCheck++;
    create.push(total - prov);
    createLessConfigured.push(total - configuredMs);
    providerMs.push(prov);
    breakdown.push(parts);

    // Figure 4: the same inputs again.
    await sleep(300);
    await arm(s.panel, prompt);
    const before = providerRequests(s.sandbox).length;
    const hit = await clickCreateAndWait(s.panel, 15_000);
    const replyAt = (await s.panel.evaluate('window.__benchNotice')) as number;
    const hitDoneAt = await doneHeardAt(s.panel);
    await sleep(500); // anything the hit sent late would be logged by now
    const sent = providerRequests(s.sandbox).length - before;
    cache.push(hit.t1 - hit.t0);
    cacheReply.push(replyAt - hit.t0);
    if (hitDoneAt !== undefined) cacheDone.push(hitDoneAt - hit.t0);
    cacheRequests.push(sent);
    console.log(
      `  [4] cache hit run ${run}: ${(hit.t1 - hit.t0).toFixed(1)} ms (worker's reply after ${(replyAt - hit.t0).toFixed(1)} ms, its "done" event after ${hitDoneAt === undefined ? '?' : (hitDoneAt - hit.t0).toFixed(1)} ms), provider requests ${sent}`,
    );
  }

  // Figure 2b: a 4K screenshot-like PNG as the image prompt.
  s.sandbox.setTiming({ queueMs: 50, runMs: 50 });
  await sendFromPage(s.panel, 'reference.fromUrl', { url: `data:image/png;base64,${opts.screenshot.toString('base64')}` });
  // The panel shows the new reference's size once its draft has caught up.
  await waitFor('the screenshot to be the image prompt', async () => (await region.textContent())?.includes('2048 × 1152'), 30_000);
  const shotPrompt = `bench ${stamp} screenshot`;
  await setPrompt(s.panel, shotPrompt);
  await arm(s.panel, shotPrompt);
  const watchingShot = watchProvider(s, shotPrompt);
  await clickCreateAndWait(s.panel);
  const shot = sentBytes((await watchingShot).submit);
  generations++;

  const cacheOk = cacheRequests.every((n) => n === 0);
  const mCreate = median(create);
  const mCache = median(cache);
  const mb = (k: keyof (typeof breakdown)[number]) => Math.round(median(breakdown.map((b) => b[k] ?? NaN)));
  const rows: Row[] = [
    {
      id: '2a',
      figure: 'Bytes sent to the provider: 12 MP photo',
      unit: 'KB',
      value: photo.wireBytes / 1024,
      runs: [Math.round(photo.wireBytes / 1024)],
      baseline: { label: 'original JPEG', value: opts.photo.length / 1024 },
      ratio: photo.wireBytes / opts.photo.length,
      ratioUnit: '%',
      target: '≤ 10 % of the original',
      pass: photo.wireBytes / opts.photo.length <= 0.1,
      note: `The whole submit body (JSON, the image as a base64 data: URI; the same bytes every time, so n = 1). The image in it: a ${photo.size} ${photo.mime} of ${(photo.imageBytes / 1024).toFixed(0)} KB, ${((photo.imageBytes / opts.photo.length) * 100).toFixed(1)} % of the original; base64 adds a third.`,
      detail: { photo, originalBytes: opts.photo.length },
    },
    {
      id: '2b',
      figure: 'Bytes sent to the provider: 4K screenshot PNG',
      unit: 'KB',
      value: shot.wireBytes / 1024,
      runs: [Math.round(shot.wireBytes / 1024)],
      baseline: { label: 'original PNG', value: opts.screenshot.length / 1024 },
      ratio: shot.wireBytes / opts.screenshot.length,
      ratioUnit: '%',
      target: 'none set',
      pass: null,
      note: `3840×2160 PNG drawn by Chromium (text, flat areas, gradients, no alpha); sent as a ${shot.size} ${shot.mime} of ${(shot.imageBytes / 1024).toFixed(0)} KB inside the JSON body.`,
      detail: { screenshot: shot, originalBytes: opts.screenshot.length },
    },
    {
      id: '3',
      figure: 'Create → result on screen, less the provider’s time (1024×768 result)',
      unit: 'ms',
      value: mCreate,
      runs: create.map((x) => Math.round(x)),
      baseline: { label: 'provider time, submit → COMPLETED', value: median(providerMs), runs: providerMs },
      ratio: null,
      target: '≤ 100 ms',
      pass: mCreate <= 100,
      note:
        `Sandbox queueMs ${configured.queueMs} + runMs ${configured.runMs}; the provider time subtracted is measured (the bench's own status checks every 4 ms; less the configured ${configuredMs} ms instead: ${Math.round(median(createLessConfigured))} ms). ` +
        `Median split: click → submit at the provider ${mb('clickToSubmitMs')} ms; provider done → the extension's next status check ${mb('waitForNextCheckMs')} ms (its first check comes 200 ms after the submit, each wait after that 1.5 times the last); that check → image on screen ${mb('checkToOnScreenMs')} ms (the worker until its "done" event reaches the panel ${mb('checkToDoneEventMs')} ms, then the panel ${mb('doneEventToOnScreenMs')} ms).` +
        (doneAtFirstCheck ? ` In ${doneAtFirstCheck} run(s) the first check already found the job done.` : ''),
      detail: { totalsMs: breakdown.map((b) => b.totalMs), lessConfiguredMs: createLessConfigured.map(Math.round), breakdown },
    },
    {
      id: '4',
      figure: 'Cache hit: Create with identical inputs → result on screen',
      unit: 'ms',
      value: mCache,
      runs: cache.map((x) => Math.round(x * 10) / 10),
      baseline: null,
      ratio: null,
      target: '≤ 30 ms, 0 provider requests',
      pass: mCache <= 30 && cacheOk,
      note: `Provider requests during the hits: ${cacheRequests.join(', ')}. The worker's "done" change event reaches the panel after a median ${median(cacheDone).toFixed(0)} ms; its reply draws the card from the reused job's images in its own task, in time for the next frame (the notice, rendered normally, shows after ${median(cacheReply).toFixed(0)} ms, behind that frame). Measured to the frame after the image is decoded.`,
      detail: { providerRequests: cacheRequests, replyMs: cacheReply, doneEventMs: cacheDone },
    },
  ];
  return { rows, generations };
}
