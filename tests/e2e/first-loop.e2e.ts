import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import { startPageServer, type PageServer } from '../../sandbox/page-server';
import { chooseFromNativeContextMenu, launchExtension, waitFor, USE_AS_IMAGE_PROMPT, type ExtensionBrowser } from './harness';

/**
 * Issue 2's loop as a user does it: set a fal key and address in Settings, right-click an
 * image on a page and choose "Use as image prompt" in Chromium's own context menu, write a
 * prompt, pick Flux dev, Create, see progress and the result; reload; Create again (cached);
 * use the result as the next image prompt.
 */
describe('first full loop (real Chromium, real context menu)', () => {
  let sandbox: Sandbox;
  let pages: PageServer;
  let ext: ExtensionBrowser;
  let panel: Page;

  beforeAll(async () => {
    sandbox = await startSandbox({ timing: { queueMs: 1500, runMs: 1500 } });
    pages = await startPageServer();
    ext = await launchExtension({ headed: true });

    const options = await ext.openExtensionPage('options.html');
    await options.getByLabel('fal API key').fill('test-fal-key');
    await options.getByLabel('fal API address').fill(`${sandbox.url}/fal`);
    await options.getByRole('button', { name: 'Save fal' }).click();
    await options.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    await options.close();
  });

  afterAll(async () => {
    await ext?.close();
    await pages?.close();
    await sandbox?.close();
  });

  it('takes an image from the page through the native context menu and opens the side panel', async () => {
    const page = await ext.context.newPage();
    await page.goto(`${pages.url}/index.html`);
    await page.locator('#sunset').waitFor();
    const openPanels = async () => {
      const contexts = await ext.worker.evaluate(() =>
        (globalThis as unknown as { chrome: { runtime: { getContexts(f: object): Promise<Array<{ contextType: string; documentUrl?: string }>> } } }).chrome.runtime.getContexts({ contextTypes: ['SIDE_PANEL'] }),
      );
      // The panel's context appears before its document has committed: wait for the URL.
      return contexts.some((c) => c.documentUrl?.includes('/sidepanel.html')) ? contexts : undefined;
    };
    // "Use as image prompt" is the first entry of our submenu just above "Inspect" at the
    // bottom of the menu. The keys go to the menu once its window is on screen: one try.
    await chooseFromNativeContextMenu(page, '#sunset', ext.display!, USE_AS_IMAGE_PROMPT);
    const sidePanels = await waitFor('the side panel to open', openPanels);
    expect(sidePanels[0]?.documentUrl).toContain('/sidepanel.html');

    // The worker fetched the image itself: with the extension's own request, not the page's.
    await waitFor('the worker to fetch the image', async () => pages.hits.filter((h) => h.path === '/sunset.jpg').length >= 2);

    panel = await ext.openExtensionPage('sidepanel.html');
    const field = panel.getByRole('region', { name: 'Image prompt' });
    const thumb = field.getByRole('img', { name: 'Current image prompt' });
    await thumb.waitFor();
    expect(await thumb.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    await expect.poll(() => field.textContent()).toContain('960 × 640');
    expect(await field.getByRole('link').getAttribute('href')).toBe(`${pages.url}/index.html`);
  });

  it('creates with Flux dev through the fal queue and shows progress, then the result', async () => {
    await panel.getByRole('textbox', { name: 'Prompt' }).fill('the same hills under a snowy night sky');
    await panel.getByRole('combobox', { name: 'Model' }).selectOption({ label: 'Flux dev' });
    await panel.getByRole('button', { name: 'Create' }).click();

    const results = panel.getByRole('list', { name: 'Results' });
    await results.getByRole('status').filter({ hasText: /Waiting in line|Generating/ }).first().waitFor({ timeout: 15_000 });
    const image = results.getByRole('img', { name: /Result 1 for/ });
    await image.waitFor({ timeout: 30_000 });
    expect(await image.evaluate((img: HTMLImageElement) => img.decode().then(() => img.naturalWidth))).toBeGreaterThan(0);

    const submits = sandbox.requests.filter((r) => r.method === 'POST' && r.provider === 'fal');
    expect(submits).toHaveLength(1);
    const submit = submits[0]!;
    expect(submit.path).toBe('/fal/fal-ai/flux/dev/image-to-image');
    expect(submit.headers.authorization).toBe('Key test-fal-key');
    const body = submit.body as Record<string, unknown>;
    expect(body.prompt).toBe('the same hills under a snowy night sky');
    expect(String(body.image_url)).toMatch(/^data:image\/jpeg;base64,\/9j\//);
    expect(body.strength).toBe(0.95);
    expect(body.num_images).toBe(1);
    // Status was followed at the URL fal returned (app id only, no model sub-path).
    const polls = sandbox.requests.filter((r) => r.method === 'GET' && r.provider === 'fal');
    expect(polls.some((r) => /^\/fal\/fal-ai\/flux\/requests\/[^/]+\/status/.test(r.path))).toBe(true);
    expect(polls.every((r) => r.headers.authorization === 'Key test-fal-key')).toBe(true);
    // The result file was downloaded without the key.
    const downloads = sandbox.requests.filter((r) => r.provider === 'files');
    expect(downloads.length).toBe(1);
    expect(downloads[0]!.headers.authorization).toBeUndefined();
  });

  it('keeps reference, prompt and result across a panel reload, and answers the same inputs from the cache', async () => {
    await panel.reload();
    await panel.getByRole('region', { name: 'Image prompt' }).getByRole('img', { name: 'Current image prompt' }).waitFor();
    expect(await panel.getByRole('textbox', { name: 'Prompt' }).inputValue()).toBe('the same hills under a snowy night sky');
    const results = panel.getByRole('list', { name: 'Results' });
    await results.getByRole('img', { name: /Result 1 for/ }).first().waitFor();

    const before = sandbox.requests.length;
    await panel.getByRole('button', { name: 'Create' }).click();
    await panel.getByRole('status').filter({ hasText: 'showing the saved result' }).waitFor();
    await results.getByText('from cache').waitFor();
    expect(sandbox.requests.length).toBe(before);

    await panel.getByRole('button', { name: 'New variation' }).click();
    await waitFor('a second submission', async () => sandbox.requests.filter((r) => r.method === 'POST').length === 2);
    await expect.poll(() => results.getByRole('img', { name: /Result 1 for/ }).count(), { timeout: 30_000 }).toBe(3);
  });

  it('opens a result large, downloads it under a readable name, and uses it as the next image prompt', async () => {
    const results = panel.getByRole('list', { name: 'Results' });
    // Lists hold small stored thumbnails; the full image is only loaded in the viewer.
    await results.getByRole('button', { name: /^Open image 1 of/ }).first().click();
    const viewer = panel.getByRole('dialog');
    const large = viewer.getByRole('img', { name: /Result 1 for/ });
    await large.waitFor();
    expect(await large.evaluate((img: HTMLImageElement) => img.decode().then(() => img.naturalWidth))).toBeGreaterThan(256);
    const download = panel.waitForEvent('download');
    await viewer.getByRole('link', { name: 'Download' }).click();
    expect((await download).suggestedFilename()).toMatch(/^flux-dev_the-same-hills-under-a-snowy.*\.png$/);

    await viewer.getByRole('button', { name: 'Use as image prompt' }).click();
    await viewer.waitFor({ state: 'detached' });
    const field = panel.getByRole('region', { name: 'Image prompt' });
    await expect.poll(() => field.textContent(), { timeout: 10_000 }).toContain('a previous result');
  });
});
