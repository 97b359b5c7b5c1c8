import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import type { CDPSession, Page } from 'playwright-core';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import { launchExtension, waitFor, type ExtensionBrowser } from './harness';

/**
 * Issue 11, ComfyUI: a server started without the extension's origin answers 403 and the
 * options page says exactly which start flag to add; with it, the default workflow runs Flux dev
 * on "your own GPU" (the sandbox's fake ComfyUI), the job card counts the sampler's steps from
 * ComfyUI's websocket, and a worker stopped in the middle of the job still ends with exactly one
 * queued prompt and the result on screen.
 */
describe('ComfyUI on your own server (real Chromium)', () => {
  let strict: Sandbox;
  let allowing: Sandbox;
  let ext: ExtensionBrowser;
  let options: Page;
  let cdp: CDPSession;
  const workers = new Map<string, string>();

  beforeAll(async () => {
    strict = await startSandbox({ timing: { queueMs: 200, runMs: 500 } });
    ext = await launchExtension();
    // A long enough run that the card can show a step and the worker can then be stopped while
    // ComfyUI is still working (polls come 0.2, 0.5, 0.95, 1.6, 2.6, 4.2 s after the submit).
    allowing = await startSandbox({ timing: { queueMs: 300, runMs: 6000 }, comfyuiAllowOrigin: `chrome-extension://${ext.extensionId}` });
    options = await ext.openExtensionPage('options.html');
    cdp = await ext.context.newCDPSession(options);
    cdp.on('ServiceWorker.workerVersionUpdated', (e) => {
      for (const v of e.versions) if (v.scriptURL.startsWith(`chrome-extension://${ext.extensionId}/`)) workers.set(v.versionId, v.runningStatus);
    });
    await cdp.send('ServiceWorker.enable');
  });
  afterAll(async () => {
    await ext?.close();
    await strict?.close();
    await allowing?.close();
  });

  const section = () => options.getByRole('region', { name: 'ComfyUI (your own GPU)' });

  it('tells the user the exact start flag when ComfyUI refuses the extension (403)', async () => {
    await section().getByLabel('ComfyUI address').fill(`${strict.url}/comfyui`);
    await section().getByRole('button', { name: 'Test connection' }).click();
    await expect
      .poll(() => section().textContent(), { timeout: 15_000 })
      .toContain(`Start ComfyUI with --enable-cors-header chrome-extension://${ext.extensionId}`);
    // The refusal came from the origin check on a POST carrying the extension's own origin.
    const probe = strict.requests.find((r) => r.method === 'POST' && r.path === '/comfyui/queue');
    expect(probe?.headers.origin).toBe(`chrome-extension://${ext.extensionId}`);
    // Nothing was queued on the refusing server.
    expect(strict.requests.some((r) => r.path === '/comfyui/prompt')).toBe(false);
  });

  it('connects, lists the checkpoints, and saves the default workflow', async () => {
    await section().getByLabel('ComfyUI address').fill(`${allowing.url}/comfyui`);
    await section().getByRole('button', { name: 'Test connection' }).click();
    await expect.poll(() => section().textContent(), { timeout: 15_000 }).toMatch(/Connected\. Checkpoints: \S/);
    await section().getByRole('button', { name: 'Use the default template' }).click();
    await section().getByRole('button', { name: 'Save ComfyUI setup' }).click();
    await expect.poll(() => section().textContent()).toContain('A ComfyUI setup is saved.');
  });

  it('runs Flux dev on ComfyUI; a worker stopped mid-job still ends with one queued prompt and the result', async () => {
    const panel = await ext.openExtensionPage('sidepanel.html');
    await panel.getByRole('region', { name: 'Image prompt' }).getByLabel('Image file').setInputFiles(resolve('sandbox/demo/sunset.jpg'));
    await panel.getByRole('img', { name: 'Current image prompt' }).waitFor();
    await panel.getByRole('combobox', { name: 'Model' }).selectOption({ label: 'Flux dev' });
    await expect.poll(() => panel.locator('.route-note').textContent()).toMatch(/ComfyUI/);
    await panel.getByRole('textbox', { name: 'Prompt' }).fill('the hills in oil paint');
    await panel.getByRole('button', { name: 'Create' }).click();

    // ComfyUI has the prompt and is working on it, and its socket tells the card the steps.
    const queued = () => allowing.requests.filter((r) => r.method === 'POST' && r.path === '/comfyui/prompt');
    await waitFor('the prompt to be queued at ComfyUI', async () => queued().length === 1);
    const card = panel.getByRole('article', { name: 'Generation: the hills in oil paint' });
    await expect.poll(() => card.textContent(), { timeout: 15_000 }).toMatch(/Step \d+ of \d+/);
    const clientId = `image-prompt-${(queued()[0]!.body as { prompt_id: string }).prompt_id}`;
    expect(allowing.requests.some((r) => r.path === `/comfyui/ws?clientId=${clientId}`)).toBe(true);
    expect(await card.getByRole('progressbar', { name: 'Generation progress' }).getAttribute('aria-valuetext')).toMatch(/^Step \d+ of 20$/);
    // Stop the worker now.
    const running = [...workers.entries()].find(([, status]) => status === 'running');
    if (!running) throw new Error('no running worker to stop');
    await cdp.send('ServiceWorker.stopWorker', { versionId: running[0] });
    await waitFor('the worker to stop', async () => workers.get(running[0]) === 'stopped', 10_000);

    // The open panel wakes the worker, which finds the job by its id instead of queuing it again.
    await card.getByRole('img', { name: /Result 1 for/ }).waitFor({ timeout: 45_000 });
    expect(queued()).toHaveLength(1);
    const upload = allowing.requests.filter((r) => r.method === 'POST' && r.path === '/comfyui/upload/image');
    expect(upload).toHaveLength(1);
    // The result was read from ComfyUI's output, and the job asked ComfyUI's history after the restart.
    expect(allowing.requests.some((r) => r.method === 'GET' && r.path.startsWith('/comfyui/view'))).toBe(true);
    expect(allowing.requests.some((r) => r.method === 'GET' && r.path.startsWith('/comfyui/history/'))).toBe(true);
    await panel.close();
  });
});
