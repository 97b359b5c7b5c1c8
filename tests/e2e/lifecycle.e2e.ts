import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { resolve } from 'node:path';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import { launchExtension, saveProviderKey, type ExtensionBrowser } from './harness';
import { SANDBOX_E2E_PORT } from './sandbox-port';
import { MODELS } from '../../utils/models';

/**
 * Issue 8: ten model names that keep working while providers retire what runs behind them. The
 * sandbox answers retired model ids the way each provider does (fal 404 "Application not found",
 * OpenAI model_not_found, Google NOT_FOUND, ...), so a route the catalogue still pointed at a
 * retired endpoint would fail here, not only in production.
 */

const RETIRED_FAL = MODELS.flatMap((m) => m.routes).filter((r) => r.provider === 'fal' && r.lifecycle.status === 'retired').map((r) => `/fal/${r.endpoint}`);

async function addReference(panel: Page, file = 'sandbox/demo/tiles.jpg') {
  await panel.getByRole('region', { name: 'Image prompt' }).getByLabel('Image file').setInputFiles(resolve(file));
  await panel.getByRole('img', { name: 'Current image prompt' }).waitFor();
}

async function create(panel: Page, modelName: string, prompt: string) {
  await panel.getByRole('combobox', { name: 'Model' }).selectOption({ label: modelName });
  await panel.getByRole('textbox', { name: 'Prompt' }).fill(prompt);
  await panel.getByRole('button', { name: 'Create' }).click();
  return panel.getByRole('article', { name: `Generation: ${prompt}` });
}

describe('with only a fal key, every row produces a result (sandbox build)', () => {
  let sandbox: Sandbox;
  let ext: ExtensionBrowser;
  let panel: Page;

  beforeAll(async () => {
    sandbox = await startSandbox({ port: SANDBOX_E2E_PORT, timing: { queueMs: 150, runMs: 150 } });
    ext = await launchExtension({ extensionDir: resolve('.output/chrome-mv3-sandbox') });
    const options = await ext.openExtensionPage('options.html');
    await saveProviderKey(options, 'fal', 'my-fal-key', `${sandbox.url}/fal`);
    await options.close();
    panel = await ext.openExtensionPage('sidepanel.html');
    await addReference(panel);
  });
  afterAll(async () => {
    await ext?.close();
    await sandbox?.close();
  });

  for (const model of MODELS) {
    it(`${model.name}`, async () => {
      await panel.getByRole('combobox', { name: 'Model' }).selectOption({ label: model.name });
      const note = panel.locator('.route-note').first();
      // Realistic runs only on imagine.art: in the sandbox build it is answered by the sandbox, and says so.
      await expect.poll(async () => (await note.textContent())?.trim()).toMatch(model.id === 'realistic' ? /No imagine\.art key: using the local sandbox/ : /^fal: Uses your fal key\./);
      if (model.retired) {
        await expect.poll(() => panel.locator('.model-picker .successor').textContent()).toMatch(new RegExp(`^${model.retired.what.replace(/[.]/g, '\\.')} was retired by ${model.retired.by} on \\d+ \\w+ 2026; this uses .+`));
      }
      const prompt = `${model.name} from the tiles`;
      const card = await create(panel, model.name, prompt);
      await card.getByRole('img', { name: /Result 1 for/ }).waitFor({ timeout: 45_000 });
      if (model.retired) expect(await card.locator('.successor').textContent()).toContain('was retired by');
    });
  }

  it('sent nothing to a retired endpoint, and the fal key only to fal', () => {
    const posts = sandbox.requests.filter((r) => r.method === 'POST');
    expect(posts.length).toBeGreaterThanOrEqual(MODELS.length);
    for (const p of posts) expect(RETIRED_FAL, p.path).not.toContain(p.path);
    for (const p of posts.filter((r) => r.provider === 'fal')) expect(p.headers.authorization).toBe('Key my-fal-key');
    expect(posts.filter((r) => r.provider !== 'fal').map((r) => r.provider)).toEqual(['vyro']);
    expect(JSON.stringify(sandbox.requests.filter((r) => r.provider !== 'fal').map((r) => r.headers))).not.toContain('my-fal-key');
  });
});

describe('a route that stops answering mid-session (normal build)', () => {
  let sandbox: Sandbox;
  let ext: ExtensionBrowser;
  let panel: Page;
  let options: Page;

  beforeAll(async () => {
    sandbox = await startSandbox({ timing: { queueMs: 150, runMs: 150 } });
    ext = await launchExtension();
    options = await ext.openExtensionPage('options.html');
    await saveProviderKey(options, 'fal', 'fal-key', `${sandbox.url}/fal`);
    await saveProviderKey(options, 'Google Gemini', 'google-key', `${sandbox.url}/google`);
    await saveProviderKey(options, 'OpenAI', 'openai-key', `${sandbox.url}/openai`);
    panel = await ext.openExtensionPage('sidepanel.html');
    await addReference(panel);
  });
  afterAll(async () => {
    await ext?.close();
    await sandbox?.close();
  });

  it('is explained, remembered, and bypassed in one click', async () => {
    const first = await create(panel, 'Imagen 3', 'a harbour before the switch-off');
    await first.getByRole('img', { name: /Result 1 for/ }).waitFor({ timeout: 45_000 });
    expect(sandbox.requests.some((r) => r.method === 'POST' && r.path === '/fal/fal-ai/nano-banana-pro/edit')).toBe(true);

    sandbox.retire('fal', 'fal-ai/nano-banana-pro/edit');
    const before = sandbox.requests.length;
    const failed = await create(panel, 'Imagen 3', 'a harbour after the switch-off');
    const alert = failed.getByRole('alert');
    await alert.waitFor({ timeout: 30_000 });
    expect(await alert.textContent()).toContain('fal no longer offers fal-ai/nano-banana-pro/edit');
    const bypass = failed.getByRole('button', { name: /^Try again with Google Gemini: Nano Banana 2\.1/ });
    await bypass.waitFor();
    // The panel already routes this model elsewhere, and says why in Settings.
    await expect.poll(async () => (await panel.locator('.route-note').first().textContent())?.trim()).toMatch(/^Google Gemini: Uses your Google Gemini key\./);
    const refused = sandbox.requests.slice(before).filter((r) => r.method === 'POST' && r.provider === 'fal');
    expect(refused.map((r) => r.path)).toEqual(['/fal/fal-ai/nano-banana-pro/edit']); // asked once, never again

    await bypass.click();
    const cards = panel.getByRole('article', { name: 'Generation: a harbour after the switch-off' });
    await cards.getByRole('img', { name: /Result 1 for/ }).first().waitFor({ timeout: 45_000 });
    const google = sandbox.requests.filter((r) => r.method === 'POST' && r.provider === 'google');
    expect(google.map((r) => r.path)).toEqual(['/google/v1beta/models/gemini-nano-banana-2.1:generateContent']);
    expect(google[0]!.headers['x-goog-api-key']).toBe('google-key');
    expect(sandbox.requests.slice(before).filter((r) => r.method === 'POST' && r.provider === 'fal')).toHaveLength(1);

    // Settings show the mark with its date and the provider's words; it can be undone.
    await options.reload();
    await options.getByText('Imagen 3: routes and model ids').click();
    const route = options.getByRole('listitem', { name: /^fal: Gemini 3 Pro Image/ });
    await expect.poll(() => route.textContent()).toMatch(/Unavailable on this browser since \d+ \w+ \d{4}: fal no longer offers fal-ai\/nano-banana-pro\/edit/);
    await route.getByRole('button', { name: 'Mark as available again' }).click();
    await expect.poll(() => route.textContent()).not.toMatch(/Unavailable on this browser/);
    await expect.poll(async () => (await panel.locator('.route-note').first().textContent())?.trim()).toMatch(/^fal: Uses your fal key\./);
  });

  it('"Check my models" asks only free lookups, marks what a provider no longer lists, and a model id fixes it', async () => {
    sandbox.reset();
    sandbox.retire('openai', 'gpt-image-2');
    await options.reload();
    await options.getByRole('button', { name: 'Check my models' }).click();
    await expect.poll(() => options.getByRole('status').filter({ hasText: /^Checked \d+ routes/ }).count()).toBe(1);
    expect(await options.getByRole('status').filter({ hasText: /^Checked/ }).textContent()).toMatch(/no longer offered, now marked unavailable/);
    // Free lookups only: nothing was generated, so nothing was paid for.
    expect(sandbox.requests.length).toBeGreaterThan(0);
    expect(sandbox.requests.filter((r) => r.method !== 'GET')).toEqual([]);
    const paths = sandbox.requests.map((r) => r.path.split('?')[0]);
    expect(paths).toEqual(expect.arrayContaining(['/openai/v1/models', '/fal/v1/models']));
    expect(paths.some((p) => p?.startsWith('/google/v1beta/models'))).toBe(true);

    await options.getByText('ChatGPT Image: routes and model ids').click();
    const openai = options.getByRole('listitem', { name: /^OpenAI: GPT Image 2/ });
    await expect.poll(() => openai.textContent()).toMatch(/Unavailable on this browser since .*OpenAI does not list gpt-image-2 for your key/);

    // The provider renamed its model: the user types the new id, no release needed.
    await openai.getByLabel('Model id').fill('gpt-image-2-2026-04-21');
    await openai.getByRole('button', { name: 'Save model id' }).click();
    await openai.getByRole('status').filter({ hasText: 'Requests will ask for gpt-image-2-2026-04-21.' }).waitFor();
    await expect.poll(() => openai.textContent()).not.toMatch(/Unavailable on this browser/);
    await options.getByLabel('ChatGPT Image route', { exact: true }).selectOption('openai:gpt-image-2');

    sandbox.reset();
    const card = await create(panel, 'ChatGPT Image', 'a poster that says HARBOUR');
    await card.getByRole('img', { name: /Result 1 for/ }).waitFor({ timeout: 45_000 });
    const edit = sandbox.requests.find((r) => r.method === 'POST' && r.path === '/openai/v1/images/edits');
    expect((edit?.body as { multipart: Record<string, unknown> }).multipart.model).toBe('gpt-image-2-2026-04-21');
    expect(await card.textContent()).toContain('model gpt-image-2-2026-04-21');
  });
});
