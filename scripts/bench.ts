// `npm run bench`: every promise the extension makes about speed, size and memory, measured in
// real Chromium (headed, under Xvfb) against the local provider sandbox, each figure beside a
// baseline from the same run where it has one, as medians of several runs. Prints a table
// (Markdown, as in README.md) and writes it as JSON to .tmp/bench.json and
// bench-results/bench.json (both git-ignored). Timings are reported, never asserted: a missed
// target is said in the table, and the exit code stays 0 unless a measurement itself failed.
//
//   npm run bench                  build, then measure
//   npm run bench -- --no-build    measure the existing .output/chrome-mv3
//   BENCH_RUNS=3 npm run bench     fewer runs per figure (default 5)
//   BENCH_ONLY=1,6 npm run bench   only these figure groups (by their first number), while working on one
//
// The figures (scripts/bench/*.ts):
//   1  right-click 12 MP JPEG -> thumbnail, vs the browser's own decode + resize + encode
//   2  bytes sent to the provider vs the original file (12 MP photo, 4K screenshot PNG)
//   3  Create -> result on screen, less the provider's own time
//   4  cache hit: Create with the same inputs -> result on screen, provider requests
//   7  worker and panel memory after 1, 50 and 100 generations
//   8  worker stopped mid-poll -> job polled again, with a panel open
//   5  panel cold open -> interactive; panel JavaScript gzip size
//   6  5,000 stored generations: panel open -> first paint of results; worst scrolling frame
import { mkdirSync, writeFileSync } from 'node:fs';
import { npx } from './run';
import { benchGenerations } from './bench/generation';
import { benchHistory } from './bench/history';
import { loopReference, photo12mp, screenshot4k } from './bench/images';
import { benchIntake } from './bench/intake';
import { generateUpTo, MemoryProbe, memoryRows } from './bench/memory';
import { benchPanelOpen } from './bench/panel-open';
import { machineInfo, markdownTable, type Row } from './bench/report';
import { startSession } from './bench/session';
import { benchWake } from './bench/wake';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
/** Figure groups to run, by the number their name starts with; all when unset. */
const ONLY = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',').map((x) => x.trim())) : undefined;
const started = Date.now();

if (!process.argv.includes('--no-build') && (await npx(['wxt', 'build'])) !== 0) process.exit(1);

console.log('Preparing test images (cached in .tmp/bench/)...');
const photo = await photo12mp();
const loopRef = await loopReference();

const rows: Row[] = [];
const errors: string[] = [];
const phases: Record<string, number> = {};
/** Runs one figure; a failure is reported in the table and the bench goes on. */
async function figure(name: string, ids: Array<{ id: string; figure: string }>, fn: () => Promise<Row[]>) {
  if (ONLY && !ONLY.has(name.split(/[ -]/)[0]!)) return;
  console.log(`\n== ${name} ==`);
  try {
    rows.push(...(await fn()));
  } catch (err) {
    const msg = err instanceof Error ? err.message.split('\n')[0]! : String(err);
    console.error(`  ${name} failed: ${msg}`);
    errors.push(`${name}: ${msg}`);
    for (const r of ids) rows.push({ ...r, unit: 'ms', value: null, runs: [], target: '—', pass: false, note: `Measurement failed: ${msg}` });
  }
  phases[name] = Math.round((Date.now() - started) / 1000);
}

const s = await startSession();
const machine = machineInfo(s.chromium);
try {
  const screenshot = await screenshot4k(s.helper);
  const memory = new MemoryProbe(s);
  let generations = 0;

  await figure('1 intake', [{ id: '1', figure: 'Right-click 12 MP JPEG → thumbnail on screen' }], () => benchIntake(s, photo, RUNS));
  await figure('2-4 generations', [{ id: '2-4', figure: 'Bytes sent, Create → result, cache hit' }], async () => {
    const out = await benchGenerations(s, { photo, screenshot, reference: loopRef, runs: RUNS, afterFirst: async () => void (await memory.snapshot(1)) });
    generations += out.generations;
    return out.rows;
  });
  await figure('7 memory', [{ id: '7', figure: 'Worker and panel memory after 100 generations' }], async () => {
    if (!memory.snapshots.length) await memory.snapshot(generations);
    const hooks = new Map<number, () => Promise<void>>([
      [50, async () => void (await memory.snapshot(50))],
      [100, async () => void (await memory.snapshot(100))],
    ]);
    generations = await generateUpTo(s, generations, 100, loopRef, hooks);
    return memoryRows(memory.snapshots);
  });
  await figure('8 wake', [{ id: '8', figure: 'Worker stopped mid-poll → job polled again' }], async () => [await benchWake(s, loopRef, RUNS)]);
  await figure('5 panel open', [{ id: '5', figure: 'Panel cold open → interactive; panel JS gzip' }], () => benchPanelOpen(s, RUNS));
  await figure('6 history', [{ id: '6', figure: '5,000 stored generations' }], () => benchHistory(s, RUNS));
} finally {
  await s.close();
}

const order = (id: string) => parseFloat(id) * 10 + (id.charCodeAt(id.length - 1) >= 97 ? id.charCodeAt(id.length - 1) - 96 : 0);
rows.sort((a, b) => order(a.id) - order(b.id));
const table = markdownTable(rows, machine);
console.log(`\n${table}\n`);
const out = { machine, runsPerFigure: RUNS, wallSeconds: Math.round((Date.now() - started) / 1000), phasesEndedAtSeconds: phases, errors, rows, markdown: table };
for (const dir of ['.tmp', 'bench-results']) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}/bench.json`, JSON.stringify(out, null, 2) + '\n');
}
console.log(`Wrote .tmp/bench.json and bench-results/bench.json (${out.wallSeconds} s).`);
if (errors.length) process.exit(1);
