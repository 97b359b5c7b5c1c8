// The Firefox smoke: the Firefox MV3 package in Debian's firefox-esr, driven over WebDriver
// BiDi (tests/e2e-firefox). The test starts the sandbox on a free port and builds the Firefox
// sandbox flavour against it, so nothing needs building first. Extra arguments go to vitest.
// Without Firefox this fails loudly: a smoke that silently skips proves nothing.
import { existsSync } from 'node:fs';
import { npx } from './run';
import { FIREFOX } from '../tests/e2e-firefox/harness';

if (!existsSync(FIREFOX)) {
  console.error(`\nFIREFOX E2E FAILED: Firefox is not installed at ${FIREFOX}.\nInstall it with: apt-get update && apt-get install -y firefox-esr  (bash .ci/run does this; FIREFOX_PATH picks another binary)\n`);
  process.exit(1);
}
process.exit(await npx(['vitest', 'run', '--config', 'vitest.e2e-firefox.config.ts', ...process.argv.slice(2)]));
