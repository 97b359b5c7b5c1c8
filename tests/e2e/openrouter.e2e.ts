import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import { launchExtension, saveProviderKey, type ExtensionBrowser } from './harness';

/**
 * Issue 11, OpenRouter: with one OpenRouter key and nothing else, the rows OpenRouter serves run
 * there. Two references go out as `input_references`; the cost OpenRouter reports
 * (`usage.cost`) is kept on the result and shown in its settings.
 */
describe('OpenRouter with one key (real Chromium)', () => {
  let sandbox: Sandbox;
  let ext: ExtensionBrowser;
  let panel: Page;

  beforeAll(async () => {
    sandbox = await startSandbox({ timing: { queueMs: 200, runMs: 200 } });
    ext = await launchExtension();
    const options = await ext.openExtensionPage('options.html');
    await saveProviderKey(options, 'OpenRouter', 'sk-or-v1-e2e', `${sandbox.url}/openrouter`);
    await options.close();
    panel = await ext.openExtensionPage('sidepanel.html');
  });
  afterAll(async () => {
    await ext?.close();
    await sandbox?.close();
  });

  it('creates with ChatGPT Image on OpenRouter from two references, and shows what it cost', async () => {
    const field = panel.getByRole('region', { name: 'Image prompt' });
    await field.getByLabel('Image file').setInputFiles(resolve('sandbox/demo/sunset.jpg'));
    await field.getByRole('img', { name: 'Current image prompt' }).waitFor();
    await field.getByLabel('Image file').setInputFiles(resolve('sandbox/demo/tiles.jpg'));
    await field.getByRole('img', { name: 'Reference 2' }).waitFor();

    await panel.getByRole('combobox', { name: 'Model' }).selectOption({ label: 'ChatGPT Image' });
    await expect.poll(() => panel.locator('.route-note').textContent()).toMatch(/OpenRouter/);
    await expect.poll(() => field.textContent()).not.toMatch(/not used/);
    await panel.getByRole('textbox', { name: 'Prompt' }).fill('a tiled sunset');
    await panel.getByRole('button', { name: 'Create' }).click();
    const card = panel.getByRole('article', { name: 'Generation: a tiled sunset' });
    await card.getByRole('img', { name: /Result 1 for/ }).waitFor({ timeout: 30_000 });

    const submits = sandbox.requests.filter((r) => r.method === 'POST' && r.path === '/openrouter/api/v1/images');
    expect(submits).toHaveLength(1);
    const body = submits[0]!.body as { model: string; prompt: string; input_references: Array<{ type: string; image_url: { url: string } }> };
    expect(body.model).toBe('openai/gpt-image-2');
    expect(body.prompt).toBe('a tiled sunset');
    expect(body.input_references).toHaveLength(2);
    for (const ref of body.input_references) expect(ref.image_url.url).toMatch(/^data:image\/(jpeg|png|webp);base64,/);
    expect(submits[0]!.referencesReceived).toEqual({ reference: 2 });
    // The key went to OpenRouter's address only, as a Bearer token.
    expect(submits[0]!.headers.authorization).toBe('Bearer sk-or-v1-e2e');

    await card.getByRole('button', { name: /^Open image 1 of/ }).click();
    const viewer = panel.getByRole('dialog');
    await viewer.getByRole('button', { name: 'Show settings' }).click();
    await expect.poll(() => viewer.locator('.result-details-cost').textContent()).toMatch(/^\$0\.0\d+, reported by OpenRouter$/);
    await panel.keyboard.press('Escape');
  });

  it('"Check my models" finds the OpenRouter routes and lists every image model the key can reach', async () => {
    const options = await ext.openExtensionPage('options.html');
    await options.getByRole('button', { name: 'Check my models' }).click();
    await options.getByText(/^OpenRouter: \d+ image models your key can reach$/).click();
    const list = options.getByRole('list', { name: 'Image models on OpenRouter' });
    await expect.poll(() => list.getByRole('listitem').allTextContents()).toEqual(expect.arrayContaining(['openai/gpt-image-2', 'bytedance-seed/seedream-4.5']));
    // Only free listings were asked: no generation was sent by the check.
    expect(sandbox.requests.filter((r) => r.method === 'POST' && r.path === '/openrouter/api/v1/images')).toHaveLength(1);
    await options.close();
  });

  it('says which key a row OpenRouter does not serve needs', async () => {
    await panel.getByRole('combobox', { name: 'Model' }).selectOption({ label: 'Ideogram v3' });
    await expect.poll(() => panel.locator('.route-note').textContent()).toMatch(/needs a fal or Ideogram API key/);
  });
});
