import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { resolve } from 'node:path';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import { launchExtension, saveProviderKey, type ExtensionBrowser } from './harness';
import { ADAPTED_PROVIDERS, KEYLESS_PROVIDERS, MODELS, PROVIDER_NAMES, type ModelId, type ProviderId } from '../../utils/models';

/**
 * Issue 3: one Create per provider, through the local sandbox that speaks each provider's wire
 * protocol. Keys, addresses and routes are set on the options page; the reference is added with
 * the panel's "+" file picker; the rest goes through the panel's accessible controls.
 */

interface Case {
  provider: ProviderId;
  model: ModelId;
  routeId: string;
  /** The provider request that must carry the generation (path below the sandbox mount). */
  submitPath: RegExp;
  described: boolean;
}

/**
 * One route per provider (the first route of that provider in the catalogue). Providers without
 * a key (ComfyUI: an address and a workflow) have their own file, tests/e2e/comfyui.e2e.ts.
 */
function cases(): Case[] {
  const seen = new Set<ProviderId>();
  const out: Case[] = [];
  for (const model of MODELS) {
    for (const route of model.routes) {
      if (seen.has(route.provider) || !ADAPTED_PROVIDERS.has(route.provider) || KEYLESS_PROVIDERS.has(route.provider) || route.lifecycle.status === 'retired') continue;
      seen.add(route.provider);
      out.push({
        provider: route.provider,
        model: model.id,
        routeId: route.id,
        submitPath: new RegExp(`^/${route.provider}/`),
        described: route.imageInput === 'described',
      });
    }
  }
  // The genuine Dreamina 3.1, text only: the reference must be described, not sent.
  const dreamina = MODELS.find((m) => m.id === 'dreamina-3-1')!.routes.find((r) => r.provider === 'replicate')!;
  out.push({ provider: 'replicate', model: 'dreamina-3-1', routeId: dreamina.id, submitPath: /^\/replicate\/v1\/models\/bytedance\/dreamina-3\.1\/predictions$/, described: true });
  return out;
}

describe('one Create per provider through the sandbox (real Chromium)', () => {
  let sandbox: Sandbox;
  let ext: ExtensionBrowser;
  let panel: Page;
  let options: Page;
  const all = cases();

  beforeAll(async () => {
    sandbox = await startSandbox({ timing: { queueMs: 300, runMs: 300 } });
    ext = await launchExtension();
    options = await ext.openExtensionPage('options.html');
    for (const provider of new Set(all.map((c) => c.provider))) {
      await saveProviderKey(options, PROVIDER_NAMES[provider], `key-for-${provider}`, `${sandbox.url}/${provider}`);
    }

    panel = await ext.openExtensionPage('sidepanel.html');
    await panel.getByRole('region', { name: 'Image prompt' }).getByLabel('Image file').setInputFiles(resolve('sandbox/demo/tiles.jpg'));
    await panel.getByRole('img', { name: 'Current image prompt' }).waitFor();
  });

  afterAll(async () => {
    await ext?.close();
    await sandbox?.close();
  });

  it('tests a key with a cheap authenticated call and gives a clear verdict', async () => {
    sandbox.reset();
    const fal = options.getByRole('group', { name: 'fal' });
    await fal.getByRole('button', { name: 'Test fal key' }).click();
    await fal.getByRole('status').filter({ hasText: 'fal accepted the key.' }).waitFor();
    const probe = sandbox.requests.at(-1)!;
    expect(probe.method).toBe('GET');
    expect(probe.headers.authorization).toBe('Key key-for-fal');
    expect(sandbox.requests.some((r) => r.method === 'POST')).toBe(false); // nothing paid for
    sandbox.injectFault({ provider: 'fal', on: 'status', status: 401 });
    await fal.getByRole('button', { name: 'Test fal key' }).click();
    await fal.getByRole('status').filter({ hasText: 'fal did not accept the API key.' }).waitFor();
  });

  it('cancels a running job at the provider and shows it canceled', async () => {
    sandbox.reset();
    sandbox.setTiming({ queueMs: 60_000, runMs: 60_000 });
    try {
      await options.getByLabel('Flux dev route', { exact: true }).selectOption('fal:fal-ai/flux/dev/image-to-image');
      await panel.getByRole('combobox', { name: 'Model' }).selectOption({ label: 'Flux dev' });
      const prompt = 'a job that will be canceled';
      await panel.getByRole('textbox', { name: 'Prompt' }).fill(prompt);
      await panel.getByRole('button', { name: 'Create' }).click();
      const card = panel.getByRole('article', { name: `Generation: ${prompt}` });
      await card.getByRole('status').filter({ hasText: /Waiting in line/ }).waitFor();
      await card.getByRole('button', { name: 'Cancel' }).click();
      await card.getByText('Canceled.').waitFor();
      const cancel = sandbox.requests.find((r) => r.method === 'PUT');
      expect(cancel?.path).toMatch(/^\/fal\/fal-ai\/flux\/requests\/[^/]+\/cancel$/);
      expect(cancel?.headers.authorization).toBe('Key key-for-fal');
      expect(await card.getByRole('img').count()).toBe(0);
    } finally {
      sandbox.setTiming({ queueMs: 300, runMs: 300 });
    }
  });

  for (const c of cases()) {
    it(`${c.model} on ${c.provider} (${c.routeId})`, async () => {
      sandbox.reset();
      const model = MODELS.find((m) => m.id === c.model)!;
      // Route choice through the options page, as a user would make it.
      await options.getByLabel(`${model.name} route`, { exact: true }).selectOption(c.routeId);
      await expect.poll(() => options.getByRole('row', { name: new RegExp(`^${model.name}`) }).textContent()).toContain('Chosen in Settings');
      const prompt = `tiles reimagined for ${c.model} via ${c.provider}`;
      await panel.getByRole('combobox', { name: 'Model' }).selectOption({ label: model.name });
      await panel.getByRole('textbox', { name: 'Prompt' }).fill(prompt);
      await panel.getByRole('button', { name: 'Create' }).click();

      const card = panel.getByRole('article', { name: `Generation: ${prompt}` });
      await card.getByRole('img', { name: /Result 1 for/ }).waitFor({ timeout: 45_000 });

      const submits = sandbox.requests.filter((r) => r.method === 'POST' && c.submitPath.test(r.path));
      expect(submits.length).toBe(1);
      const auth = JSON.stringify(submits[0]!.headers);
      expect(auth).toContain(`key-for-${c.provider}`);
      if (c.described) {
        await card.getByText(/Reference described, not sent/).waitFor();
        const text = JSON.stringify(submits[0]!.body ?? '');
        expect(text).toContain('Reference image:');
        // Described, not sent: no image in the request, neither inline nor as a file part.
        expect(text).not.toContain('data:image');
        expect(text).not.toContain('"file"');
      }
      if (c.provider === 'bfl') {
        // BFL reports what a task cost (credits, $0.01 each): the job keeps it, and the options
        // page adds it to this month's spending.
        await options.reload();
        const totals = options.getByRole('region', { name: 'Spending this month' });
        await expect.poll(() => totals.getByRole('row', { name: /Black Forest Labs/ }).textContent()).toMatch(/\$0\.0\d+/);
      }
    });
  }
});
