// `npm start`: builds the sandbox flavour of the extension, starts the local provider sandbox
// and the demo page, and opens Chromium with the extension loaded. No account or key needed:
// providers without a key are answered by the sandbox.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { startSandbox } from '../sandbox/server';
import { startPageServer } from '../sandbox/page-server';
import { npx } from './run';

const SANDBOX_PORT = Number(process.env.SANDBOX_PORT ?? 8787);
const PAGE_PORT = Number(process.env.DEMO_PORT ?? 8788);
const sandboxUrl = `http://127.0.0.1:${SANDBOX_PORT}`;

// WXT names the output after the mode: .output/chrome-mv3-sandbox, next to the normal build.
const built = await npx(['wxt', 'build', '--mode', 'sandbox'], { ...process.env, WXT_SANDBOX_URL: sandboxUrl });
if (built !== 0) process.exit(built);
const extensionDir = resolve('.output/chrome-mv3-sandbox');

// The sandbox's ComfyUI answers the extension as a ComfyUI started with `--enable-cors-header`
// would, so "your own GPU" runs here too; SANDBOX_COMFYUI_STRICT=1 shows its 403 and our hint.
const comfyStrict = process.env.SANDBOX_COMFYUI_STRICT === '1';
const sandbox = await startSandbox({ port: SANDBOX_PORT, ...(comfyStrict ? {} : { comfyuiAllowOrigin: '*' }) });
const pages = await startPageServer({ port: PAGE_PORT });
console.log(`\nSandbox provider: ${sandbox.url}   Demo page: ${pages.url}`);
console.log(`Sandbox ComfyUI: ${sandbox.url}/comfyui (${comfyStrict ? 'refuses the extension with 403, as ComfyUI does by default' : 'takes the extension\u2019s requests; SANDBOX_COMFYUI_STRICT=1 to see the 403'})`);

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const shutdown = async () => {
  await sandbox.close();
  await pages.close();
  process.exit(0);
};
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());

if (!process.env.DISPLAY || !existsSync(chromiumPath)) {
  const why = !process.env.DISPLAY ? 'There is no display here (DISPLAY is not set)' : `Chromium was not found at ${chromiumPath}`;
  console.log(`
${why}, so no browser was opened. The sandbox and demo page keep running.
Load the extension by hand:
  1. Open chrome://extensions in Chrome or Chromium and switch on Developer mode.
  2. Click "Load unpacked" and choose ${extensionDir}
  3. Visit ${pages.url} and right-click an image: "Use as image prompt".
Press Ctrl+C to stop.`);
} else {
  const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'image-prompt-')), {
    executablePath: chromiumPath,
    headless: false,
    viewport: null,
    args: [
      `--disable-extensions-except=${extensionDir}`,
      `--load-extension=${extensionDir}`,
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(pages.url);
  console.log('Chromium is open on the demo page. Right-click an image and choose "Use as image prompt". Close the browser or press Ctrl+C to stop.');
  context.on('close', () => void shutdown());
}
