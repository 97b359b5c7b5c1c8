// Builds the Chrome extension and runs the end-to-end suite in real Chromium.
// Without Chromium this fails loudly: an e2e suite that silently skips proves nothing.
import { existsSync } from 'node:fs';
import { npx } from './run';
import { SANDBOX_E2E_PORT } from '../tests/e2e/sandbox-port';

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(chromium)) {
  console.error(`\nE2E FAILED: Chromium is not installed at ${chromium}.\nInstall it with: apt-get update && apt-get install -y chromium xvfb xdotool  (bash .ci/run does this)\n`);
  process.exit(1);
}
if (!process.argv.includes('--no-build')) {
  const built = await npx(['wxt', 'build']);
  if (built !== 0) process.exit(built);
}
// The sandbox flavour (what npm start runs), compiled against the e2e suite's sandbox port.
const sandboxBuilt = await npx(['wxt', 'build', '--mode', 'sandbox'], { ...process.env, WXT_SANDBOX_URL: `http://127.0.0.1:${SANDBOX_E2E_PORT}` });
if (sandboxBuilt !== 0) process.exit(sandboxBuilt);
const extra = process.argv.slice(2).filter((a) => a !== '--no-build');
process.exit(await npx(['vitest', 'run', '--config', 'vitest.e2e.config.ts', ...extra]));
