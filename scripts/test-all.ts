// `npm test`: everything, in the order that fails fastest. Each step must pass; the last line
// sums up the tests that ran ("N passed, N failed").
import { readFileSync, mkdirSync, existsSync, rmSync } from 'node:fs';
import { npx, run } from './run';

mkdirSync('.tmp', { recursive: true });
let passed = 0;
let failed = 0;
const failures: string[] = [];

interface VitestReport {
  numPassedTests: number;
  numFailedTests: number;
  testResults: Array<{ status: string; assertionResults: Array<{ status: string }> }>;
}

function count(reportPath: string) {
  if (!existsSync(reportPath)) return;
  const report = JSON.parse(readFileSync(reportPath, 'utf8')) as VitestReport;
  passed += report.numPassedTests;
  // A file that fails to load, or whose beforeAll throws (e.g. no Chromium), fails no test of
  // its own: its tests show as skipped. Count such a file as a failure, not as nothing.
  const brokenFiles = report.testResults.filter((f) => f.status === 'failed' && !f.assertionResults.some((a) => a.status === 'failed')).length;
  failed += report.numFailedTests + brokenFiles;
}

async function step(name: string, cmd: () => Promise<number>) {
  console.log(`\n=== ${name} ===`);
  const code = await cmd();
  if (code !== 0) failures.push(name);
  return code;
}

await step('type-check', () => npx(['tsc', '--noEmit', '-p', '.']));
await step('lint', () => npx(['eslint', '.', '--max-warnings=0']));
// Unused files, exports, types and dependencies (knip.ts says what counts as an entry).
await step('dead code (knip)', () => npx(['knip', '--no-progress']));
await step('unit and component tests', async () => {
  const code = await npx(['vitest', 'run', '--reporter=default', '--reporter=json', '--outputFile.json=.tmp/unit.json']);
  count('.tmp/unit.json');
  return code;
});
await step('build (Chrome)', () => npx(['wxt', 'build']));
await step('build (Firefox MV3) and lint it with addons-linter', async () => {
  const code = await npx(['wxt', 'build', '-b', 'firefox', '--mv3']);
  if (code !== 0) return code;
  return npx(['addons-linter', '--self-hosted', '.output/firefox-mv3']);
});
await step('end-to-end tests (real Chromium)', async () => {
  const code = await run('npx', ['--no-install', 'tsx', 'scripts/e2e.ts', '--no-build', '--reporter=default', '--reporter=json', '--outputFile.json=.tmp/e2e.json']);
  count('.tmp/e2e.json');
  return code;
});
await step('Firefox smoke (firefox-esr, WebDriver BiDi)', async () => {
  // A stale report must not count, and a run that never got to vitest (no Firefox) is a failure.
  rmSync('.tmp/e2e-firefox.json', { force: true });
  const code = await run('npx', ['--no-install', 'tsx', 'scripts/e2e-firefox.ts', '--reporter=default', '--reporter=json', '--outputFile.json=.tmp/e2e-firefox.json']);
  if (code !== 0 && !existsSync('.tmp/e2e-firefox.json')) failed += 1;
  count('.tmp/e2e-firefox.json');
  return code;
});

console.log('');
if (failures.length) console.log(`Failed steps: ${failures.join(', ')}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failures.length ? 1 : 0);
