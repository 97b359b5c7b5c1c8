import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import { launchExtension, type ExtensionBrowser } from './harness';
import { SANDBOX_E2E_PORT } from './sandbox-port';

/**
 * The panel's "Describe" in the build `npm start` runs: with no key, fal's vision endpoint in the
 * sandbox writes the words, which go into the prompt. (The page-menu entry runs the same worker
 * flow; the native menu is driven by the lead's e2e.)
 */
describe('describe on demand (sandbox build)', () => {
  let sandbox: Sandbox;
  let ext: ExtensionBrowser;

  beforeAll(async () => {
    sandbox = await startSandbox({ port: SANDBOX_E2E_PORT, timing: { queueMs: 100, runMs: 100 } });
    ext = await launchExtension({ extensionDir: resolve('.output/chrome-mv3-sandbox') });
  });
  afterAll(async () => {
    await ext?.close();
    await sandbox?.close();
  });

  it('describes the image prompt with fal and inserts the words into the prompt', async () => {
    const panel = await ext.openExtensionPage('sidepanel.html');
    await panel.getByRole('region', { name: 'Image prompt' }).getByLabel('Image file').setInputFiles(resolve('sandbox/demo/bubbles.png'));
    await panel.getByRole('img', { name: 'Current image prompt' }).waitFor();
    await panel.getByRole('textbox', { name: 'Prompt' }).fill('a poster');
    await panel.getByRole('button', { name: 'Describe', exact: true }).click();
    const box = panel.getByRole('region', { name: 'Image in words' });
    const words = box.getByRole('textbox', { name: 'Description' });
    await words.waitFor({ timeout: 30_000 });
    expect(await box.getByText('Described by fal').count()).toBe(1);
    expect(await box.getByRole('img', { name: 'The image being described' }).count()).toBe(1);
    const text = await words.inputValue();
    expect(text.length).toBeGreaterThan(10);
    await box.getByRole('button', { name: 'Insert into prompt' }).click();
    await expect.poll(() => panel.getByRole('textbox', { name: 'Prompt' }).inputValue()).toBe(`a poster\n\n${text}`);
    expect(sandbox.requests.some((r) => r.method === 'POST' && r.path === '/fal/openrouter/router/vision')).toBe(true);
    // Describing leaves the image prompt in place.
    expect(await panel.getByRole('img', { name: 'Current image prompt' }).count()).toBe(1);
  });
});
