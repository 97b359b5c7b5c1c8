import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { waitFor } from '../../tests/e2e/harness';
import { median, type Row } from './report';
import { BENCH_BUILD, openPanelWindow, type BenchSession } from './session';

export interface PanelOpenTimes {
  /** ms since navigation start: Create enabled with the prompt present, then the next frame. */
  interactive: number;
  /** ms since navigation start: the first result image decoded, then the next frame. */
  resultsPaint: number | null;
  /** ms since navigation start, for sidepanel.html#history: the first history thumbnail decoded, then the next frame. */
  historyPaint: number | null;
  /** For the breakdown of figure 6a: the History tab's first row in the page, and its first thumbnail element. */
  historySplit: { rows: number | null; thumbSeen: number | null };
  fcp: number | null;
}

/** Opens a new panel window, waits for the probe's marks (session.ts), closes it. */
export async function openPanelOnce(
  s: BenchSession,
  opts: { results: boolean; history?: boolean; then?: (page: import('playwright-core').Page) => Promise<void> },
): Promise<PanelOpenTimes> {
  const page = await openPanelWindow(s, opts.history ? '#history' : '');
  try {
    const marks = await waitFor(
      'the panel to become interactive',
      async () => {
        const b = (await page.evaluate(
          'window.__bench && { i: window.__bench.interactiveFrameAt, r: window.__bench.resultsPaintAt, h: window.__bench.historyPaintAt, f: window.__bench.fcp, w: window.__bench.historyRowsAt, t: window.__bench.historySeenAt }',
        )) as { i: number | null; r: number | null; h: number | null; f: number | null; w: number | null; t: number | null } | undefined;
        if (!b) return undefined;
        if (opts.history) return b.h !== null ? b : undefined;
        return b.i !== null && (!opts.results || b.r !== null) ? b : undefined;
      },
      30_000,
    );
    await opts.then?.(page);
    return { interactive: marks.i!, resultsPaint: marks.r, historyPaint: marks.h, historySplit: { rows: marks.w, thumbSeen: marks.t }, fcp: marks.f };
  } finally {
    await page.close();
  }
}

/** The JavaScript sidepanel.html loads before it runs: its module script and modulepreloads, and their static imports. */
function panelJsGzip(): { files: Array<{ file: string; bytes: number; gzip: number }>; totalGzip: number; cssGzip: number } {
  const html = readFileSync(join(BENCH_BUILD, 'sidepanel.html'), 'utf8');
  const queue = [
    ...[...html.matchAll(/<script[^>]*\bsrc="([^"]+)"/g)].map((m) => m[1]!),
    ...[...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g)].map((m) => m[1]!),
  ];
  const seen = new Set<string>();
  const files: Array<{ file: string; bytes: number; gzip: number }> = [];
  while (queue.length) {
    const ref = queue.shift()!.replace(/^\//, '');
    if (seen.has(ref)) continue;
    seen.add(ref);
    const body = readFileSync(join(BENCH_BUILD, ref));
    files.push({ file: ref, bytes: body.length, gzip: gzipSync(body, { level: 9 }).length });
    // Static imports between chunks (`import ... from "/chunks/x.js"`, `import "/chunks/x.js"`); dynamic import() is left out.
    for (const m of body.toString('utf8').matchAll(/(?:\bfrom\s*|\bimport\s*)["']([^"']+\.js)["']/g)) {
      const target = m[1]!.startsWith('.') ? join(ref, '..', m[1]!) : m[1]!;
      queue.push(target);
    }
  }
  const css = [...html.matchAll(/<link[^>]*rel="stylesheet"[^>]*href="([^"]+)"/g)].map((m) => readFileSync(join(BENCH_BUILD, m[1]!.replace(/^\//, ''))));
  return { files, totalGzip: files.reduce((n, f) => n + f.gzip, 0), cssGzip: css.reduce((n, b) => n + gzipSync(b, { level: 9 }).length, 0) };
}

export async function benchPanelOpen(s: BenchSession, runs: number): Promise<Row[]> {
  const times: PanelOpenTimes[] = [];
  for (let i = 0; i < runs; i++) {
    const t = await openPanelOnce(s, { results: false });
    times.push(t);
    console.log(`  [5] panel open ${i}: interactive at ${t.interactive.toFixed(1)} ms (first contentful paint ${t.fcp?.toFixed(1) ?? '?'} ms)`);
  }
  const js = panelJsGzip();
  const m = median(times.map((t) => t.interactive));
  const kb = js.totalGzip / 1024;
  return [
    {
      id: '5a',
      figure: 'Panel cold open → interactive',
      unit: 'ms',
      value: m,
      runs: times.map((t) => Math.round(t.interactive)),
      baseline: null,
      ratio: null,
      target: '≤ 200 ms',
      pass: m <= 200,
      note: `A new panel window each time; from its navigation start to the next frame after Create is enabled (the persisted prompt in place) and the Prompt field exists. First contentful paint: median ${Math.round(median(times.map((t) => t.fcp ?? NaN)))} ms. The browser and the worker are already running (JS code cache warm).`,
      detail: { times },
    },
    {
      id: '5b',
      figure: 'Panel JavaScript, gzip',
      unit: 'KB',
      value: kb,
      runs: [Math.round(kb * 10) / 10],
      baseline: null,
      ratio: null,
      target: '≤ 120 KB',
      pass: kb <= 120,
      note: `${js.files.map((f) => `${f.file} ${(f.bytes / 1024).toFixed(0)} KB → ${(f.gzip / 1024).toFixed(1)} KB`).join('; ')} (gzip -9). CSS ${(js.cssGzip / 1024).toFixed(1)} KB gzip, not counted.`,
      detail: js,
    },
  ];
}
