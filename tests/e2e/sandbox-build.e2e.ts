import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import { launchExtension, type ExtensionBrowser } from './harness';
import { SANDBOX_E2E_PORT } from './sandbox-port';

/**
 * The build `npm start` runs: with no key at all, providers are answered by the local sandbox
 * and the panel says so plainly. (scripts/e2e.ts builds it with the sandbox on SANDBOX_E2E_PORT.)
 */
describe('sandbox build (what npm start runs)', () => {
  let sandbox: Sandbox;
  let ext: ExtensionBrowser;

  beforeAll(async () => {
    sandbox = await startSandbox({ port: SANDBOX_E2E_PORT, timing: { queueMs: 200, runMs: 200 } });
    ext = await launchExtension({ extensionDir: resolve('.output/chrome-mv3-sandbox') });
  });
  afterAll(async () => {
    await ext?.close();
    await sandbox?.close();
  });

  it('creates without any key, through the sandbox, and labels it', async () => {
    const panel = await ext.openExtensionPage('sidepanel.html');
    expect(await panel.getByRole('banner').or(panel.locator('.panel-header')).first().textContent()).toContain('sandbox');
    await panel.getByRole('region', { name: 'Image prompt' }).getByLabel('Image file').setInputFiles(resolve('sandbox/demo/bubbles.png'));
    await panel.getByRole('img', { name: 'Current image prompt' }).waitFor();
    await panel.getByRole('combobox', { name: 'Model' }).selectOption({ label: 'Flux dev' });
    expect(await panel.locator('.route-note').textContent()).toMatch(/No fal key: using the local sandbox/);
    await panel.getByRole('textbox', { name: 'Prompt' }).fill('bubbles in a tide pool');
    await panel.getByRole('button', { name: 'Create' }).click();
    await panel.getByRole('list', { name: 'Results' }).getByRole('img', { name: /Result 1 for/ }).waitFor({ timeout: 30_000 });
    const submit = sandbox.requests.find((r) => r.method === 'POST');
    expect(submit?.path).toBe('/fal/fal-ai/flux/dev/image-to-image');
    expect(submit?.headers.authorization).toBe('Key sandbox');
    // A PNG reference with real transparency stays PNG; opaque ones become JPEG.
    expect(String((submit?.body as { image_url: string }).image_url)).toMatch(/^data:image\/(png|jpeg);base64,/);
  });

  it('the normal build never falls back to the sandbox: it asks for a key', async () => {
    const normal = await launchExtension();
    try {
      const panel = await normal.openExtensionPage('sidepanel.html');
      await panel.getByRole('combobox', { name: 'Model' }).selectOption({ label: 'Flux dev' });
      await expect.poll(() => panel.locator('.route-note').textContent()).toMatch(/needs a fal, Replicate or Black Forest Labs API key/);
      expect(await panel.getByRole('button', { name: 'Open Settings' }).count()).toBe(1);
      expect(await panel.locator('.panel-header').textContent()).not.toContain('sandbox');
    } finally {
      await normal.close();
    }
  });
});
