import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import { launchFirefoxWithExtension, type FirefoxExtension, type Tab } from './harness';

/**
 * Firefox smoke: the Firefox MV3 package (event page + sidebar) in Debian's firefox-esr. The
 * sidebar's page opens in a tab; a file picked as the image prompt goes through the local
 * sandbox to a result, which is still there after a reload.
 *
 * The sandbox listens on a free port and the sandbox flavour of the Firefox build is compiled
 * against it here (WXT_SANDBOX_URL), so this file needs nothing built beforehand.
 */
const BUILD_DIR = resolve('.output/firefox-mv3-sandbox');
const PROMPT = 'bubbles in a tide pool';

function buildFirefoxSandbox(sandboxUrl: string): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn('npx', ['--no-install', 'wxt', 'build', '-b', 'firefox', '--mv3', '--mode', 'sandbox'], {
      env: { ...process.env, WXT_SANDBOX_URL: sandboxUrl },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', fail);
    child.on('exit', (code) => (code === 0 ? done() : fail(new Error(`wxt build -b firefox --mv3 --mode sandbox exited ${code}:\n${output}`))));
  });
}

/** The first result image in the Results list, once it has been decoded (the user sees it). */
async function shownResult(panel: Tab) {
  return panel.waitFor(
    'result 1 to show in the Results list',
    async () => {
      const list = await panel.find({ role: 'list', name: 'Results' });
      const images = await panel.findAll({ css: 'img' }, list);
      for (const img of images) {
        const seen = await panel.evaluate<string | null>((el: HTMLImageElement) => (el.complete && el.naturalWidth > 0 ? el.alt : null), img);
        if (seen && /^Result 1 for/.test(seen)) return seen;
      }
      return null;
    },
    30_000,
  );
}

describe('Firefox MV3 package in firefox-esr (sandbox build)', () => {
  let sandbox: Sandbox;
  let firefox: FirefoxExtension;
  let panel: Tab | undefined;
  const timings: Record<string, number> = {};
  let mark = Date.now();
  const lap = (name: string) => {
    timings[name] = Date.now() - mark;
    mark = Date.now();
  };

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, timing: { queueMs: 200, runMs: 200 } });
    await buildFirefoxSandbox(sandbox.url);
    lap('build');
    firefox = await launchFirefoxWithExtension({ extensionDir: BUILD_DIR });
    lap('start Firefox and install the add-on');
  });

  afterEach(async ({ task }) => {
    if (task.result?.state !== 'fail' || !panel) return;
    mkdirSync('.tmp', { recursive: true });
    await panel.screenshot('.tmp/e2e-firefox-failure.png').catch(() => {});
    console.log(`Firefox ${firefox.browserVersion}; screenshot: .tmp/e2e-firefox-failure.png`);
    console.log(`Panel text:\n${await panel.text().catch((e: unknown) => String(e))}`);
  });

  afterAll(async () => {
    await firefox?.close();
    await sandbox?.close();
    lap('close');
    console.log(`Firefox smoke timings (ms): ${JSON.stringify(timings)}`);
  });

  it('creates from a picked file through the sandbox, and shows the result again after a reload', async () => {
    panel = await firefox.openExtensionPage('sidepanel.html');
    lap('open sidepanel.html');
    const header = await panel.find({ css: 'header.panel-header' });
    expect(await panel.evaluate((el: HTMLElement) => el.textContent, header)).toContain('sandbox');

    const region = await panel.find({ role: 'region', name: 'Image prompt' });
    // A visually hidden file input has no accessible of its own in Firefox: found by its label attribute.
    const fileInput = await panel.find({ css: 'input[type="file"][aria-label="Image file"]' }, { within: region });
    await panel.setFiles(fileInput, ['sandbox/demo/bubbles.png']);
    await panel.find({ role: 'image', name: 'Current image prompt' }, { within: region });

    await panel.selectOption(await panel.find({ role: 'combobox', name: 'Model' }), 'Flux dev');
    await panel.waitFor('the sandbox route note', () => panel!.evaluate(() => /No fal key: using the local sandbox/.test(document.querySelector('.route-note')?.textContent ?? '')));
    await panel.type(await panel.find({ role: 'textbox', name: 'Prompt' }), PROMPT);
    await panel.click(await panel.find({ role: 'button', name: 'Create' }));

    expect(await shownResult(panel)).toBe(`Result 1 for \u201c${PROMPT}\u201d`);
    lap('pick, create, see the result');
    const submits = sandbox.requests.filter((r) => r.method === 'POST');
    expect(submits).toHaveLength(1);
    expect(submits[0]?.path).toBe('/fal/fal-ai/flux/dev/image-to-image');
    expect(submits[0]?.headers.authorization).toBe('Key sandbox');
    expect((submits[0]?.body as { prompt?: string }).prompt).toBe(PROMPT);
    expect(String((submits[0]?.body as { image_url?: string }).image_url)).toMatch(/^data:image\/(png|jpeg);base64,/);

    await panel.reload();
    expect(await shownResult(panel)).toBe(`Result 1 for \u201c${PROMPT}\u201d`);
    await panel.find({ role: 'image', name: 'Current image prompt' });
    // Shown from what the extension stored, not made again.
    expect(sandbox.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    lap('reload and see it again');
  });
});
