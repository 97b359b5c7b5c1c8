import type { KnipConfig } from 'knip';

// Dead-code check (`npx knip`, a step of `npm test`): unused files, exports, types and
// dependencies. Entries are what WXT, the browser, tsx and vitest load by name; package.json
// scripts (sandbox/main.ts, scripts/*.ts) and the vitest configs are found by knip's plugins.
const config: KnipConfig = {
  entry: [
    'entrypoints/background/index.ts',
    'entrypoints/picker.ts',
    // Each page's index.html loads its main.tsx.
    'entrypoints/*/main.tsx',
    'scripts/*.ts',
    'tests/fixtures/make-corpus.ts',
    'wxt.config.ts',
  ],
  project: ['entrypoints/**/*.{ts,tsx}', 'components/**/*.{ts,tsx}', 'utils/**/*.ts', 'sandbox/**/*.ts', 'scripts/**/*.ts', 'tests/**/*.{ts,tsx}', '*.ts'],
  // WXT's knip plugin takes every file under entrypoints/ as an entry, which would hide unused
  // exports in the modules beside each index.ts; the real entries are listed above.
  wxt: false,
  vitest: {
    config: ['vitest.config.ts', 'vitest.e2e.config.ts', 'vitest.e2e-firefox.config.ts'],
  },
  ignoreDependencies: [
    // Named as strings in wxt.config.ts `modules` (and the polyfill module's peer), not imported.
    '@wxt-dev/module-react',
    '@wxt-dev/webextension-polyfill',
    'webextension-polyfill',
    // Read as a file (axe.min.js) and injected into the panel by tests/e2e/workspace.e2e.ts.
    'axe-core',
  ],
  // Debian packages the e2e harness and the corpus script run (bash .ci/run installs them).
  ignoreBinaries: ['Xvfb', 'xdotool', 'avifenc'],
};

export default config;
