import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import { launchExtension, waitFor, type ExtensionBrowser } from './harness';
import { SANDBOX_E2E_PORT } from './sandbox-port';

/**
 * Issue 9: the side panel as a workspace, in real Chromium with the sandbox build (providers
 * without a key are answered by the local sandbox, so every model runs without keys). Each
 * describe block starts its own browser with a fresh profile; the sandbox is shared.
 */

const SANDBOX_BUILD_DIR = resolve('.output/chrome-mv3-sandbox');
const SCREENSHOTS = resolve('.tmp/screenshots');
const DOWNLOADS = resolve('.tmp/e2e-downloads');
const PANEL_SIZE = { width: 360, height: 800 };
const RESULT_TIMEOUT = 45_000;

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ port: SANDBOX_E2E_PORT, timing: { queueMs: 150, runMs: 150 } });
});
afterAll(async () => {
  await sandbox?.close();
});

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

async function openPanel(ext: ExtensionBrowser): Promise<Page> {
  const panel = await ext.openExtensionPage('sidepanel.html');
  await panel.setViewportSize(PANEL_SIZE);
  await panel.getByRole('textbox', { name: 'Prompt' }).waitFor();
  return panel;
}

async function addReference(panel: Page, file = 'sandbox/demo/tiles.jpg'): Promise<void> {
  await panel.getByRole('region', { name: 'Image prompt' }).getByLabel('Image file').setInputFiles(resolve(file));
  await panel.getByRole('img', { name: 'Current image prompt' }).waitFor();
}

/** A fresh browser for one describe block, its panel open with an image prompt in place. */
function panelForBlock(use: (panel: Page) => void): void {
  let ext: ExtensionBrowser | undefined;
  beforeAll(async () => {
    ext = await launchExtension({ extensionDir: SANDBOX_BUILD_DIR });
    const panel = await openPanel(ext);
    await addReference(panel);
    use(panel);
  });
  afterAll(async () => {
    await ext?.close();
  });
}

const generation = (panel: Page, prompt: string) => panel.getByRole('list', { name: 'Results' }).getByRole('article', { name: `Generation: ${prompt}` });
const thumbs = (scope: Locator | Page) => scope.getByRole('button', { name: /^Open image \d+ of \d+/ });

/** Fills the form as a user does, presses Create and waits until all `images` thumbnails are there. */
async function create(panel: Page, prompt: string, opts: { model?: string; images?: number } = {}): Promise<Locator> {
  await panel.getByRole('combobox', { name: 'Model' }).selectOption({ label: opts.model ?? 'Flux dev' });
  await panel.getByRole('textbox', { name: 'Prompt' }).fill(prompt);
  if (opts.images) await panel.getByRole('combobox', { name: 'Images' }).selectOption(String(opts.images));
  await panel.getByRole('button', { name: 'Create', exact: true }).click();
  const card = generation(panel, prompt);
  const n = opts.images ?? 1;
  // A failed job says why at once, instead of the test waiting for thumbnails that never come.
  await thumbs(card).nth(n - 1).or(card.getByRole('alert')).first().waitFor({ timeout: RESULT_TIMEOUT });
  if (await card.getByRole('alert').count()) throw new Error(`“${prompt}” failed: ${await card.getByRole('alert').first().textContent()}`);
  await expect.poll(() => thumbs(card).count(), { message: `${n} thumbnails for “${prompt}”` }).toBe(n);
  // Thumbnails are made after the result is stored: wait for the pictures themselves.
  await expect.poll(() => card.locator('.result-thumb img').count(), { timeout: 15_000, message: `thumbnail pictures for “${prompt}”` }).toBe(n);
  return card;
}

async function openTab(panel: Page, name: 'Create' | 'History'): Promise<void> {
  await panel.getByRole('tab', { name }).click();
  await expect.poll(() => panel.getByRole('tab', { name }).getAttribute('aria-selected')).toBe('true');
  if (name === 'History') await panel.getByRole('search', { name: 'Filter history' }).waitFor();
}

/** The history's count line ("3 generations", "1 of 3 generations"). */
const historyCount = (panel: Page) => panel.getByRole('status').filter({ hasText: /^\d[\d,]* (of [\d,]+ )?generations?$|^Loading history/ });

/** The viewer dialog ("Image 1 of 2"). */
const viewer = (panel: Page) => panel.getByRole('dialog');

interface StoredJob {
  id: string;
  prompt: string;
  modelId: string;
  resultIds: string[];
  parentJobId?: string;
  parentResultId?: string;
  starred?: boolean;
  routeId: string;
  referenceId: string | null;
}
interface StoredResult {
  id: string;
  jobId: string;
  index: number;
  starred: boolean;
  size: number;
  type: string;
  width?: number;
  height?: number;
}

/**
 * Reads a store of the extension's IndexedDB from an extension page, with Blobs replaced by
 * their size and type (a Blob does not cross into the test).
 */
async function readStore<T = Record<string, unknown>>(page: Page, store: 'jobs' | 'results' | 'references' | 'drafts'): Promise<T[]> {
  return page.evaluate(async (name) => {
    const db = await new Promise<IDBDatabase>((res, rej) => {
      const r = indexedDB.open('image-prompt');
      r.onsuccess = () => res(r.result);
      r.onerror = () => rej(r.error);
    });
    try {
      const rows = await new Promise<unknown[]>((res, rej) => {
        const q = db.transaction(name).objectStore(name).getAll();
        q.onsuccess = () => res(q.result);
        q.onerror = () => rej(q.error);
      });
      const plain = (v: unknown): unknown => {
        if (v instanceof Blob) return { size: v.size, type: v.type };
        if (Array.isArray(v)) return v.map(plain);
        if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
        return v;
      };
      return rows.map(plain);
    } finally {
      db.close();
    }
  }, store) as Promise<T[]>;
}

async function jobs(page: Page): Promise<StoredJob[]> {
  const raw = await readStore<{ id: string; request: { prompt: string; modelId: string; referenceId: string | null }; resultIds: string[]; parentJobId?: string; parentResultId?: string; starred?: boolean; routeId: string }>(page, 'jobs');
  return raw.map((j) => ({
    id: j.id,
    prompt: j.request.prompt,
    modelId: j.request.modelId,
    referenceId: j.request.referenceId,
    resultIds: j.resultIds,
    parentJobId: j.parentJobId,
    parentResultId: j.parentResultId,
    starred: j.starred,
    routeId: j.routeId,
  }));
}

async function results(page: Page): Promise<StoredResult[]> {
  const raw = await readStore<{ id: string; jobId: string; index: number; starred: boolean; blob: { size: number; type: string }; width?: number; height?: number }>(page, 'results');
  return raw.map((r) => ({ id: r.id, jobId: r.jobId, index: r.index, starred: r.starred, size: r.blob.size, type: r.blob.type, width: r.width, height: r.height }));
}

async function jobByPrompt(page: Page, prompt: string): Promise<StoredJob> {
  const job = (await jobs(page)).find((j) => j.prompt === prompt);
  if (!job) throw new Error(`No stored job with the prompt “${prompt}”`);
  return job;
}

/** The result the current image prompt was made from (its reference's source), if any. */
async function currentReferenceSource(page: Page): Promise<{ kind?: string; resultId?: string } | null> {
  const [draft] = await readStore<{ referenceId: string | null }>(page, 'drafts');
  if (!draft?.referenceId) return null;
  const ref = (await readStore<{ id: string; source: { kind: string; resultId?: string } }>(page, 'references')).find((r) => r.id === draft.referenceId);
  return ref?.source ?? null;
}

/** Waits until the large viewer's image has decoded, and returns its natural size. */
async function viewerImageSize(panel: Page): Promise<{ width: number; height: number }> {
  const img = viewer(panel).getByRole('img', { name: /^Result \d+ for/ });
  await img.waitFor();
  return img.evaluate(async (el: HTMLImageElement) => {
    await el.decode();
    return { width: el.naturalWidth, height: el.naturalHeight };
  });
}

/** The focused element's name: its aria-label, else its text; "body" when nothing has the focus. */
const activeLabel = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return 'body';
    return el.getAttribute('aria-label') ?? el.textContent?.trim() ?? el.tagName;
  });

// ---- axe ----

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  nodes: Array<{ target: string[]; failureSummary?: string; html: string }>;
}

/** Runs axe on the whole panel; returns the serious and critical violations, printable. */
async function axeProblems(page: Page, state: string): Promise<string[]> {
  const loaded = await page.evaluate(() => typeof (globalThis as { axe?: unknown }).axe !== 'undefined');
  if (!loaded) {
    // The extension's CSP forbids inline scripts, which addScriptTag({ content }) adds; the
    // debugger's evaluate is not bound by the page's CSP.
    await page.addScriptTag({ content: AXE_SOURCE }).catch(() => undefined);
    if (!(await page.evaluate(() => typeof (globalThis as { axe?: unknown }).axe !== 'undefined'))) await page.evaluate(AXE_SOURCE);
  }
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: AxeViolation[] }> } }).axe;
    const out = await axe.run(document, { resultTypes: ['violations'] });
    return out.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl, nodes: v.nodes.map((n) => ({ target: n.target.map(String), failureSummary: n.failureSummary, html: n.html })) }));
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `[${state}] ${v.impact} ${v.id}: ${v.help} (${v.helpUrl})\n` +
        v.nodes
          .slice(0, 8)
          .map((n) => `    ${n.target.join(' ')}  ${n.html.slice(0, 140)}\n      ${(n.failureSummary ?? '').replace(/\n/g, '\n      ')}`)
          .join('\n') +
        (v.nodes.length > 8 ? `\n    … and ${v.nodes.length - 8} more` : ''),
    );
}

/** axe in both themes; colours are recomputed by the browser when the scheme changes. */
async function axeBothThemes(page: Page, state: string): Promise<string[]> {
  const problems: string[] = [];
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    problems.push(...(await axeProblems(page, `${state}, ${colorScheme}`)));
  }
  await page.emulateMedia({ colorScheme: 'light' });
  return problems;
}

async function screenshotBothThemes(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    const path = join(SCREENSHOTS, `panel-${name}-${colorScheme}.png`);
    await page.screenshot({ path, animations: 'disabled' });
    expect(statSync(path).size, `screenshot ${path}`).toBeGreaterThan(1000);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

/** Whatever the panel shows must fit its 360 px: no sideways scrolling of the page itself. */
async function expectNoHorizontalOverflow(page: Page, state: string): Promise<void> {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, `${state}: the panel scrolls sideways by ${overflow}px at 360px wide`).toBeLessThanOrEqual(0);
}

// ---------------------------------------------------------------------------------------------
// 1 and 2: results, the large viewer, and every action on a result
// ---------------------------------------------------------------------------------------------

describe('results and the large viewer', () => {
  let ext: ExtensionBrowser;
  let panel: Page;

  beforeAll(async () => {
    ext = await launchExtension({ extensionDir: SANDBOX_BUILD_DIR });
    // Chromium refuses a grant for the chrome-extension:// origin ("opaque origins"); a grant for
    // every origin reaches the panel's page.
    await ext.context.grantPermissions(['clipboard-read', 'clipboard-write']);
    panel = await openPanel(ext);
    await addReference(panel);
  });
  afterAll(async () => {
    await ext?.close();
  });

  it('creates two images, opens one large, walks the siblings with the arrow keys, and Esc gives focus back', async () => {
    const prompt = 'two lighthouses on a windy cape';
    const card = await create(panel, prompt, { images: 2 });
    const first = card.getByRole('button', { name: 'Open image 1 of 2' });
    await first.click();
    const dialog = viewer(panel);
    await expect.poll(() => dialog.getAttribute('aria-modal'), { message: 'the viewer is a modal dialog' }).toBe('true');
    await expect.poll(() => dialog.getByRole('heading').textContent()).toBe('Image 1 of 2');
    expect((await viewerImageSize(panel)).width, 'the large image is the full result, not the thumbnail').toBeGreaterThan(256);
    // Focus moved into the dialog, so the arrow keys reach it without a click.
    expect(await panel.evaluate(() => !!document.activeElement?.closest('[role=dialog]'))).toBe(true);

    await panel.keyboard.press('ArrowRight');
    await expect.poll(() => dialog.getByRole('heading').textContent(), { message: 'ArrowRight shows the next image' }).toBe('Image 2 of 2');
    await dialog.getByRole('img', { name: `Result 2 for “${prompt}”` }).waitFor();
    await panel.keyboard.press('ArrowRight');
    await expect.poll(() => dialog.getByRole('heading').textContent(), { message: 'ArrowRight at the last image stays there' }).toBe('Image 2 of 2');
    await panel.keyboard.press('ArrowLeft');
    await expect.poll(() => dialog.getByRole('heading').textContent(), { message: 'ArrowLeft goes back' }).toBe('Image 1 of 2');
    await dialog.getByRole('img', { name: `Result 1 for “${prompt}”` }).waitFor();

    await panel.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => activeLabel(panel), { message: 'focus returns to the thumbnail that opened the viewer' }).toBe('Open image 1 of 2');
  });

  it('copies the image to the clipboard as a PNG of the full size', async () => {
    const prompt = 'a teapot shaped like a snail';
    const card = await create(panel, prompt, { images: 1 });
    await card.getByRole('button', { name: 'Open image 1 of 1' }).click();
    const size = await viewerImageSize(panel);
    await panel.bringToFront();
    await viewer(panel).getByRole('button', { name: 'Copy image' }).click();
    await viewer(panel).getByRole('status').filter({ hasText: 'Copied' }).waitFor();
    const clip = await panel.evaluate(async () => {
      const items = await navigator.clipboard.read();
      const item = items[0];
      if (!item) return null;
      const blob = await item.getType('image/png');
      const bitmap = await createImageBitmap(blob);
      return { types: item.types, type: blob.type, bytes: blob.size, width: bitmap.width, height: bitmap.height };
    });
    expect(clip, 'the clipboard holds an item').not.toBeNull();
    expect(clip!.types).toContain('image/png');
    expect(clip!.type).toBe('image/png');
    expect(clip!.bytes).toBeGreaterThan(0);
    expect({ width: clip!.width, height: clip!.height }, 'the clipboard image has the size of the full result').toEqual(size);
    await panel.keyboard.press('Escape');
    await viewer(panel).waitFor({ state: 'detached' });
  });

  it('downloads under a file name that says model, prompt words and position', async () => {
    const prompt = 'Café terrace at night, oil paint';
    const card = await create(panel, prompt, { images: 1 });
    await card.getByRole('button', { name: 'Open image 1 of 1' }).click();
    await viewerImageSize(panel);
    const download = panel.waitForEvent('download');
    await viewer(panel).getByRole('link', { name: 'Download' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^flux-dev_cafe-terrace-at-night-oil-paint_[0-9a-z-]+_1\.png$/);
    mkdirSync(DOWNLOADS, { recursive: true });
    const saved = join(DOWNLOADS, file.suggestedFilename());
    await file.saveAs(saved);
    expect(readFileSync(saved).subarray(1, 4).toString('latin1'), 'the download is a PNG').toBe('PNG');
    await panel.keyboard.press('Escape');
    await viewer(panel).waitFor({ state: 'detached' });
  });

  it('stars an image: pressed, kept across a reload, and found with History’s “Starred only”', async () => {
    const prompt = 'a starred comet over a fishing village';
    const card = await create(panel, prompt, { images: 1 });
    await card.getByRole('button', { name: 'Open image 1 of 1' }).click();
    const star = viewer(panel).getByRole('button', { name: 'Star' });
    expect(await star.getAttribute('aria-pressed')).toBe('false');
    await star.click();
    await expect.poll(() => star.getAttribute('aria-pressed'), { message: 'Star is pressed after a click' }).toBe('true');
    await panel.keyboard.press('Escape');
    await card.getByRole('button', { name: 'Open image 1 of 1 (starred)' }).waitFor();

    await panel.reload();
    await generation(panel, prompt).getByRole('button', { name: 'Open image 1 of 1 (starred)' }).click();
    await expect.poll(() => viewer(panel).getByRole('button', { name: 'Star' }).getAttribute('aria-pressed'), { message: 'the star survives a reload' }).toBe('true');
    await panel.keyboard.press('Escape');
    await viewer(panel).waitFor({ state: 'detached' });

    await openTab(panel, 'History');
    const total = (await jobs(panel)).length;
    await panel.getByRole('checkbox', { name: 'Starred only' }).check();
    const list = panel.getByRole('list', { name: 'Generations' });
    await expect.poll(() => list.getByRole('listitem').count(), { message: 'only the starred generation is listed' }).toBe(1);
    expect(await list.getByRole('listitem').textContent()).toContain(prompt);
    expect(await list.getByRole('button').filter({ hasText: prompt }).textContent()).toContain('Starred');
    await expect.poll(() => historyCount(panel).textContent()).toBe(`1 of ${total} generations`);
    await panel.getByRole('checkbox', { name: 'Starred only' }).uncheck();
    await openTab(panel, 'Create');
  });

  it('deletes an image and Undo brings back the same image; a delete left alone is gone after a reload', async () => {
    const prompt = 'paper boats on a rainy street';
    const card = await create(panel, prompt, { images: 2 });
    const before = await jobByPrompt(panel, prompt);
    expect(before.resultIds).toHaveLength(2);

    await card.getByRole('button', { name: 'Open image 2 of 2' }).click();
    await viewerImageSize(panel);
    await viewer(panel).getByRole('button', { name: 'Delete' }).click();
    await viewer(panel).waitFor({ state: 'detached' });
    const toast = panel.getByRole('status').filter({ hasText: 'Image deleted.' });
    await toast.waitFor();
    await expect.poll(() => thumbs(card).count(), { message: 'one thumbnail left after the delete' }).toBe(1);
    expect((await results(panel)).some((r) => r.id === before.resultIds[1])).toBe(false);

    await toast.getByRole('button', { name: 'Undo' }).click();
    await expect.poll(() => thumbs(card).count(), { message: 'Undo puts the image back' }).toBe(2);
    const restored = await jobByPrompt(panel, prompt);
    expect(restored.resultIds, 'the same image, with the same id, at the same place').toEqual(before.resultIds);
    expect((await results(panel)).filter((r) => r.jobId === before.id).map((r) => r.id).sort()).toEqual([...before.resultIds].sort());

    // Delete again and let it be.
    await card.getByRole('button', { name: 'Open image 2 of 2' }).click();
    await viewerImageSize(panel);
    await viewer(panel).getByRole('button', { name: 'Delete' }).click();
    await toast.waitFor();
    await panel.reload();
    await expect.poll(() => thumbs(generation(panel, prompt)).count(), { message: 'after a reload the deleted image stays deleted' }).toBe(1);
    await openTab(panel, 'History');
    await panel.getByRole('searchbox', { name: 'Search prompts' }).fill('paper boats');
    const row = panel.getByRole('list', { name: 'Generations' }).getByRole('button').filter({ hasText: prompt });
    await row.click();
    await expect.poll(() => viewer(panel).getByRole('heading').textContent(), { message: 'History opens the generation with only the image left' }).toBe('Image 1 of 1');
    const after = await jobByPrompt(panel, prompt);
    expect(after.resultIds).toEqual([before.resultIds[0]]);
    expect((await results(panel)).some((r) => r.id === before.resultIds[1])).toBe(false);
    await panel.keyboard.press('Escape');
    await panel.getByRole('searchbox', { name: 'Search prompts' }).fill('');
    await openTab(panel, 'Create');
  });
});

// ---------------------------------------------------------------------------------------------
// 3: History: search, filters, count, and a long list that stays light
// ---------------------------------------------------------------------------------------------

describe('History', () => {
  let panel: Page;
  panelForBlock((p) => (panel = p));

  it('searches by a word of the prompt, filters by model and by star, and says how many it shows', async () => {
    await create(panel, 'a red fox in deep snow', { model: 'Flux dev' });
    await create(panel, 'a blue whale under the ice', { model: 'ChatGPT Image' });
    const fox = await create(panel, 'an origami fox on a desk', { model: 'ChatGPT Image' });
    await fox.getByRole('button', { name: 'Open image 1 of 1' }).click();
    await viewer(panel).getByRole('button', { name: 'Star' }).click();
    await expect.poll(() => viewer(panel).getByRole('button', { name: 'Star' }).getAttribute('aria-pressed')).toBe('true');
    await panel.keyboard.press('Escape');

    await openTab(panel, 'History');
    const list = panel.getByRole('list', { name: 'Generations' });
    const prompts = async () => (await list.locator('.history-prompt').allTextContents()).sort();
    await expect.poll(() => historyCount(panel).textContent()).toBe('3 generations');

    const search = panel.getByRole('searchbox', { name: 'Search prompts' });
    await search.fill('FOX');
    await expect.poll(prompts, { message: 'search is by prompt words, any case' }).toEqual(['a red fox in deep snow', 'an origami fox on a desk']);
    await expect.poll(() => historyCount(panel).textContent()).toBe('2 of 3 generations');
    await search.fill('fox desk');
    await expect.poll(prompts, { message: 'every word must appear' }).toEqual(['an origami fox on a desk']);
    await search.fill('');

    const filters = panel.getByRole('search', { name: 'Filter history' });
    await filters.getByRole('combobox', { name: 'Model' }).selectOption({ label: 'ChatGPT Image' });
    await expect.poll(prompts, { message: 'filter by model' }).toEqual(['a blue whale under the ice', 'an origami fox on a desk']);
    await expect.poll(() => historyCount(panel).textContent()).toBe('2 of 3 generations');
    await filters.getByRole('checkbox', { name: 'Starred only' }).check();
    await expect.poll(prompts, { message: 'model and star together' }).toEqual(['an origami fox on a desk']);
    await expect.poll(() => historyCount(panel).textContent()).toBe('1 of 3 generations');

    await search.fill('nothing like this');
    await panel.getByText('Nothing matches').waitFor();
    await panel.getByRole('button', { name: 'Clear filters' }).click();
    await expect.poll(() => historyCount(panel).textContent(), { message: 'Clear filters shows everything again' }).toBe('3 generations');
    expect(await search.inputValue()).toBe('');
    expect(await filters.getByRole('combobox', { name: 'Model' }).inputValue()).toBe('all');
  });

  it('keeps only a window of rows in the document while 300 more generations scroll to the last one', async () => {
    const SEEDED = 300;
    await panel.evaluate(async (count) => {
      const db = await new Promise<IDBDatabase>((res, rej) => {
        const r = indexedDB.open('image-prompt');
        r.onsuccess = () => res(r.result);
        r.onerror = () => rej(r.error);
      });
      const tx = db.transaction('jobs', 'readwrite');
      const models = ['flux-dev', 'chatgpt-image', 'imagen-3'];
      // Older than anything made in this test, so they sort after it, oldest last.
      const start = Date.now() - 60 * 60 * 1000;
      for (let i = 1; i <= count; i++) {
        const createdAt = start - i * 60_000;
        tx.objectStore('jobs').put({
          id: `seeded-${i}`,
          createdAt,
          updatedAt: createdAt,
          state: 'done',
          request: { prompt: `seeded generation number ${i}`, referenceId: null, modelId: models[i % 3], settings: { influence: null, aspectRatio: null, numImages: 1, seed: null }, fresh: false, description: null },
          routeId: 'fal:fal-ai/flux/dev',
          provider: 'fal',
          cacheKey: `seeded-${i}`,
          resultIds: [],
          attempts: 0,
          deadlineAt: createdAt + 600_000,
        });
      }
      await new Promise<void>((res, rej) => {
        tx.oncomplete = () => res();
        tx.onerror = () => rej(tx.error);
      });
      db.close();
    }, SEEDED);
    await panel.reload();
    await openTab(panel, 'History');
    const total = 3 + SEEDED;
    await expect.poll(() => historyCount(panel).textContent(), { timeout: 20_000 }).toBe(`${total} generations`);

    const list = panel.getByRole('list', { name: 'Generations' });
    const rows = list.getByRole('listitem');
    const rendered = await rows.count();
    expect(rendered, `a window of rows is in the document, not all ${total}`).toBeGreaterThan(3);
    expect(rendered).toBeLessThan(60);
    expect(await rows.first().getAttribute('aria-setsize')).toBe(String(total));

    // Scroll to the end as a user would, with the wheel, a screenful at a time.
    const scroller = panel.locator('.history-scroll');
    await scroller.hover();
    const atEnd = () => scroller.evaluate((el) => el.scrollTop > 0 && Math.abs(el.scrollHeight - el.clientHeight - el.scrollTop) < 2);
    await waitFor(
      'the history list to scroll to its end',
      async () => {
        if (await atEnd()) return true;
        await panel.mouse.wheel(0, 1500);
        return false;
      },
      30_000,
    );
    const last = list.getByRole('listitem').filter({ hasText: `seeded generation number ${SEEDED}` });
    await last.waitFor({ timeout: 5_000 });
    expect(await last.isVisible(), 'the oldest generation is on screen at the end of the list').toBe(true);
    expect(await last.getAttribute('aria-posinset')).toBe(String(total));
    await expect.poll(() => rows.count(), { message: 'still only a window of rows at the end' }).toBeLessThan(60);
    expect(await list.getByRole('listitem').filter({ hasText: 'a red fox in deep snow' }).count(), 'the newest rows left the document').toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------
// 4: Lineage
// ---------------------------------------------------------------------------------------------

describe('lineage', () => {
  let panel: Page;
  panelForBlock((p) => (panel = p));

  async function useAsImagePrompt(card: Locator) {
    await thumbs(card).first().click();
    await viewerImageSize(panel);
    await viewer(panel).getByRole('button', { name: 'Use as image prompt' }).click();
    await viewer(panel).waitFor({ state: 'detached' });
    await expect.poll(() => panel.getByRole('region', { name: 'Image prompt' }).textContent(), { timeout: 10_000 }).toContain('a previous result');
  }

  it('walks A → B → C as a tree, and restarts from A with its prompt and its image', async () => {
    const A = 'lineage A: a wooden chair';
    const B = 'lineage B: the chair painted red';
    const C = 'lineage C: the red chair on a beach';
    const cardA = await create(panel, A);
    const resultA = (await jobByPrompt(panel, A)).resultIds[0]!;
    await useAsImagePrompt(cardA);
    await expect.poll(async () => (await currentReferenceSource(panel))?.resultId).toBe(resultA);
    const cardB = await create(panel, B);
    await useAsImagePrompt(cardB);
    const cardC = await create(panel, C);
    const [jobA, jobB, jobC] = [await jobByPrompt(panel, A), await jobByPrompt(panel, B), await jobByPrompt(panel, C)];
    expect(jobB.parentJobId, 'B was made from A').toBe(jobA.id);
    expect(jobC.parentJobId, 'C was made from B').toBe(jobB.id);

    await thumbs(cardC).first().click();
    // The viewer names what C was made from, as a button that opens it.
    await viewer(panel).getByRole('button', { name: 'Made from this earlier image (open it)' }).waitFor();
    await viewer(panel).getByRole('button', { name: 'Show lineage' }).click();
    await viewer(panel).waitFor({ state: 'detached' });
    await expect.poll(() => panel.getByRole('tab', { name: 'History' }).getAttribute('aria-selected')).toBe('true');

    const tree = panel.getByRole('tree', { name: 'Iterations of this image' });
    const items = tree.getByRole('treeitem');
    await expect.poll(() => items.count()).toBe(3);
    const shape = await items.evaluateAll((els) => els.map((el) => ({ name: el.getAttribute('aria-label'), level: el.getAttribute('aria-level'), current: el.getAttribute('aria-current') })));
    expect(shape).toEqual([
      { name: `${A} · Flux dev`, level: '1', current: null },
      { name: `${B} · Flux dev`, level: '2', current: null },
      { name: `${C} · Flux dev`, level: '3', current: 'true' },
    ]);
    // Keyboard focus starts on C, the image the user came from (the viewer that had it is gone).
    const startsOnC = await waitFor('the focus on C', async () => (await activeLabel(panel)) === `${C} · Flux dev`, 5_000).then(
      () => true,
      () => false,
    );
    expect.soft(startsOnC, `after “Show lineage” the focus is on the current image, not on ${await activeLabel(panel)}`).toBe(true);
    // Walk on from C either way, so the rest is still checked.
    if (!startsOnC) await items.nth(2).focus();
    await panel.keyboard.press('ArrowUp');
    await expect.poll(() => activeLabel(panel)).toBe(`${B} · Flux dev`);
    await panel.keyboard.press('ArrowLeft');
    await expect.poll(() => activeLabel(panel), { message: 'Left on an open node with children closes it' }).toBe(`${B} · Flux dev`);
    await expect.poll(() => items.count(), { message: 'closing B hides C' }).toBe(2);
    await panel.keyboard.press('ArrowRight');
    await expect.poll(() => items.count(), { message: 'Right opens B again' }).toBe(3);
    await panel.keyboard.press('Home');
    await expect.poll(() => activeLabel(panel)).toBe(`${A} · Flux dev`);
    await panel.keyboard.press('End');
    await expect.poll(() => activeLabel(panel)).toBe(`${C} · Flux dev`);
    await panel.keyboard.press('ArrowLeft');
    await expect.poll(() => activeLabel(panel), { message: 'Left on a leaf goes to its parent' }).toBe(`${B} · Flux dev`);
    await panel.keyboard.press('ArrowUp');
    await expect.poll(() => activeLabel(panel)).toBe(`${A} · Flux dev`);
    expect(await items.first().getAttribute('aria-selected')).toBe('true');

    // Restart from A: the Restart button of the active item is the next Tab stop.
    await panel.keyboard.press('Tab');
    await expect.poll(() => activeLabel(panel)).toBe('Restart from here');
    await panel.keyboard.press('Enter');
    const createTab = panel.locator('[role=tab][aria-selected=true]').filter({ hasText: 'Create' });
    await createTab.or(panel.getByRole('alert')).first().waitFor({ timeout: 10_000 });
    if (await panel.getByRole('alert').count()) throw new Error(`Restart from here failed: ${await panel.getByRole('alert').first().textContent()}`);
    await expect.poll(() => panel.getByRole('textbox', { name: 'Prompt' }).inputValue(), { message: 'A’s prompt is back' }).toBe(A);
    await expect.poll(async () => (await currentReferenceSource(panel))?.resultId, { message: 'A’s image is the image prompt' }).toBe(jobA.resultIds[0]);
    await panel.getByRole('img', { name: 'Current image prompt' }).waitFor();
    expect(await panel.getByRole('region', { name: 'Image prompt' }).textContent()).toContain('a previous result');
  });
});

// ---------------------------------------------------------------------------------------------
// 5: Compare three models
// ---------------------------------------------------------------------------------------------

describe('compare', () => {
  let panel: Page;
  panelForBlock((p) => (panel = p));

  it('runs one image prompt on three models as one row, each labelled, and any one becomes the image prompt', async () => {
    const prompt = 'a glass greenhouse in a snowstorm';
    const models = ['Flux dev', 'ChatGPT Image', 'Imagen 3'];
    await panel.getByRole('combobox', { name: 'Model' }).selectOption({ label: models[0]! });
    await panel.getByRole('checkbox', { name: 'Compare models' }).check();
    const picker = panel.getByRole('group', { name: 'Models to compare' });
    expect(await picker.getByRole('checkbox', { name: models[0]!, exact: true }).isChecked(), 'the chosen model starts ticked').toBe(true);
    for (const m of models.slice(1)) await picker.getByRole('checkbox', { name: m, exact: true }).check();
    await picker.getByRole('status').filter({ hasText: '3 chosen' }).waitFor();
    await panel.getByRole('textbox', { name: 'Prompt' }).fill(prompt);
    const submitsBefore = sandbox.requests.filter((r) => r.method === 'POST').length;
    await panel.getByRole('button', { name: 'Create with 3 models' }).click();

    const row = panel.getByRole('region', { name: `Compare: ${prompt}` });
    await row.waitFor({ timeout: 15_000 });
    await expect.poll(() => row.getByRole('button', { name: 'Use this' }).count(), { timeout: RESULT_TIMEOUT, message: 'three results in the compare row' }).toBe(3);
    expect(await panel.getByRole('region', { name: /^Compare: / }).count(), 'one row for the run').toBe(1);
    const captions = await row.locator('figcaption').allTextContents();
    expect(captions).toHaveLength(3);
    for (const [i, m] of models.entries()) expect(captions[i], `caption ${i + 1}`).toMatch(new RegExp(`^${m} · \\S+: .+`));
    for (const m of models) await row.getByRole('button', { name: `Open the image from ${m}` }).waitFor();

    const posts = sandbox.requests.filter((r) => r.method === 'POST').slice(submitsBefore);
    const endpoints = new Set(posts.map((r) => r.path));
    expect([...endpoints], 'three different provider endpoints were called').toHaveLength(3);

    // Iterate on the second model's image.
    const compareJobs = (await jobs(panel)).filter((j) => j.prompt === prompt);
    expect(compareJobs).toHaveLength(3);
    const chatgpt = compareJobs.find((j) => j.modelId === 'chatgpt-image')!;
    await row.getByRole('button', { name: 'Use this' }).nth(1).click();
    await expect.poll(async () => (await currentReferenceSource(panel))?.resultId, { message: '“Use this” makes that image the image prompt' }).toBe(chatgpt.resultIds[0]);
    await expect.poll(() => panel.getByRole('region', { name: 'Image prompt' }).textContent()).toContain('a previous result');
  });
});

// ---------------------------------------------------------------------------------------------
// 6: Keyboard
// ---------------------------------------------------------------------------------------------

describe('presets', () => {
  let panel: Page;
  panelForBlock((p) => (panel = p));

  const presets = () => panel.getByRole('region', { name: 'Presets' });
  const said = (text: string) => presets().getByRole('status').filter({ hasText: text }).waitFor();

  it('saves the form as a preset, applies it back, renames it across a reload, and deletes it', async () => {
    const prompt = panel.getByRole('textbox', { name: 'Prompt' });
    const model = panel.getByRole('combobox', { name: 'Model' });
    await model.selectOption({ label: 'Ideogram v3' });
    await prompt.fill('a lighthouse in fog');
    await presets().getByRole('button', { name: 'Save as preset…' }).click();
    await presets().getByRole('textbox', { name: 'Preset name' }).fill('Fog');
    await panel.keyboard.press('Enter');
    await said('Saved “Fog”.');

    await model.selectOption({ label: 'Flux dev' });
    await prompt.fill('something else entirely');
    await presets().getByRole('button', { name: 'Apply' }).click();
    await said('Applied “Fog”.');
    await expect.poll(() => prompt.inputValue()).toBe('a lighthouse in fog');
    expect(await model.locator('option:checked').textContent()).toContain('Ideogram v3');

    await presets().getByRole('button', { name: 'Rename preset “Fog”' }).click();
    const field = presets().getByRole('textbox', { name: 'New name for “Fog”' });
    await field.fill('Foggy coast');
    await panel.keyboard.press('Enter');
    await said('Renamed “Fog” to “Foggy coast”.');

    await panel.reload();
    await expect.poll(() => presets().getByRole('combobox', { name: 'Preset' }).locator('option:checked').textContent()).toBe('Foggy coast');
    await presets().getByRole('button', { name: 'Delete preset “Foggy coast”' }).click();
    await presets().getByRole('button', { name: 'Delete', exact: true }).click();
    await said('Deleted “Foggy coast”.');
    await expect.poll(() => presets().getByRole('combobox', { name: 'Preset' }).count()).toBe(0);
  });
});

describe('keyboard', () => {
  let panel: Page;
  panelForBlock((p) => (panel = p));

  it('Ctrl+Enter creates from the prompt box', async () => {
    const prompt = 'a kite made of autumn leaves';
    const box = panel.getByRole('textbox', { name: 'Prompt' });
    await box.fill(prompt);
    await box.focus();
    await panel.keyboard.press('Control+Enter');
    await thumbs(generation(panel, prompt)).first().waitFor({ timeout: RESULT_TIMEOUT });
    expect(await box.inputValue(), 'Ctrl+Enter does not type a new line').toBe(prompt);
  });

  it('reaches every control of the Create tab with Tab, each with a visible focus outline', async () => {
    // Results in the list too, so their thumbnails are among the controls.
    await panel.getByRole('textbox', { name: 'Prompt' }).fill('a second kite, for the list');
    await panel.getByRole('button', { name: 'Create', exact: true }).click();
    await thumbs(generation(panel, 'a second kite, for the list')).first().waitFor({ timeout: RESULT_TIMEOUT });

    const controls = await panel.evaluate(() => {
      const root = document.getElementById('tabpanel-create')!;
      const sel = 'a[href], button, input, select, textarea, [tabindex]';
      const all = [...root.querySelectorAll<HTMLElement>(sel)].filter((el) => {
        if ((el as HTMLButtonElement).disabled || el.tabIndex < 0) return false;
        if (el.closest('[hidden]')) return false;
        return true;
      });
      return all.map((el, i) => {
        el.dataset.tabProbe = String(i);
        const name = el.getAttribute('aria-label') || (el.id && document.querySelector(`label[for="${el.id}"]`)?.textContent) || el.closest('label')?.textContent || el.textContent || el.tagName;
        return `${el.tagName.toLowerCase()} “${name.trim().slice(0, 40)}”`;
      });
    });
    expect(controls.length).toBeGreaterThan(8);

    await panel.getByRole('tab', { name: 'Create' }).focus();
    const reached = new Map<number, { outline: string; width: number; visible: boolean; focusVisible: boolean }>();
    for (let i = 0; i < controls.length + 15 && reached.size < controls.length; i++) {
      await panel.keyboard.press('Tab');
      const at = await panel.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        if (!el?.dataset.tabProbe) return null;
        const style = getComputedStyle(el);
        const box = el.getBoundingClientRect();
        return {
          probe: Number(el.dataset.tabProbe),
          outline: style.outlineStyle,
          width: parseFloat(style.outlineWidth),
          // A control one pixel square (visually hidden) cannot show its focus to anyone.
          visible: box.width > 2 && box.height > 2 && style.opacity !== '0',
          focusVisible: el.matches(':focus-visible'),
        };
      });
      if (at) reached.set(at.probe, at);
    }
    const missed = controls.filter((_, i) => !reached.has(i));
    expect(missed, 'controls Tab never reached').toEqual([]);
    const invisible = controls.filter((_, i) => {
      const r = reached.get(i)!;
      return !r.focusVisible || r.outline === 'none' || r.width <= 0 || !r.visible;
    });
    expect(invisible, 'controls focused by Tab without a visible focus outline').toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// 7 and 8: axe in both themes, and screenshots at 360 px
// ---------------------------------------------------------------------------------------------

describe('appearance: axe in both themes and screenshots at 360 × 800', () => {
  let ext: ExtensionBrowser;
  let panel: Page;

  beforeAll(async () => {
    ext = await launchExtension({ extensionDir: SANDBOX_BUILD_DIR });
    panel = await openPanel(ext);
  });
  afterAll(async () => {
    sandbox.setTiming({ queueMs: 150, runMs: 150 });
    await ext?.close();
  });

  it('empty panel', async () => {
    await panel.getByText('Your images will appear here.').waitFor();
    await screenshotBothThemes(panel, 'empty');
    await expectNoHorizontalOverflow(panel, 'empty');
    const found = await axeBothThemes(panel, 'empty');
    expect(found, found.join('\n')).toEqual([]);
  });

  it('working: a job in progress', async () => {
    await addReference(panel, 'sandbox/demo/bubbles.png');
    // Slow the sandbox down so the panel can be seen working.
    sandbox.setTiming({ queueMs: 3000, runMs: 3000 });
    const prompt = 'bubbles rising through green water';
    await panel.getByRole('textbox', { name: 'Prompt' }).fill(prompt);
    await panel.getByRole('combobox', { name: 'Images' }).selectOption('2');
    await panel.getByRole('button', { name: 'Create', exact: true }).click();
    await generation(panel, prompt).getByRole('status').filter({ hasText: /Waiting in line|Generating/ }).waitFor({ timeout: 15_000 });
    await panel.getByRole('heading', { name: 'Results' }).evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await screenshotBothThemes(panel, 'working');
    await expectNoHorizontalOverflow(panel, 'working');
    const found = await axeBothThemes(panel, 'working');
    sandbox.setTiming({ queueMs: 150, runMs: 150 });
    expect(found, found.join('\n')).toEqual([]);
  });

  it('with results', async () => {
    const card = generation(panel, 'bubbles rising through green water');
    await expect.poll(() => card.locator('.result-thumb img').count(), { timeout: RESULT_TIMEOUT }).toBe(2);
    await panel.getByRole('heading', { name: 'Results' }).evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await screenshotBothThemes(panel, 'results');
    await expectNoHorizontalOverflow(panel, 'results');
    const found = await axeBothThemes(panel, 'with results');
    expect(found, found.join('\n')).toEqual([]);
  });

  it('the viewer open, with its settings shown', async () => {
    await generation(panel, 'bubbles rising through green water').getByRole('button', { name: 'Open image 1 of 2' }).click();
    await viewerImageSize(panel);
    await screenshotBothThemes(panel, 'viewer');
    await viewer(panel).getByRole('button', { name: 'Show settings' }).click();
    await viewer(panel).getByRole('region', { name: 'Settings used' }).waitFor();
    // With the settings shown the dialog scrolls; the image must not be drawn over the actions.
    const overlap = await viewer(panel).evaluate((d) => {
      const img = d.querySelector('.result-viewer-stage img')!.getBoundingClientRect();
      const bar = d.querySelector('.result-actions-bar')!.getBoundingClientRect();
      return img.bottom - bar.top;
    });
    expect(overlap, `the image covers the top ${overlap}px of the actions`).toBeLessThanOrEqual(0);
    await screenshotBothThemes(panel, 'viewer-settings');
    const found = await axeBothThemes(panel, 'viewer');
    await panel.keyboard.press('Escape');
    await viewer(panel).waitFor({ state: 'detached' });
    expect(found, found.join('\n')).toEqual([]);
  });

  it('History', async () => {
    await create(panel, 'a lantern in the fog', { images: 1 });
    await openTab(panel, 'History');
    await expect.poll(() => historyCount(panel).textContent()).toBe('2 generations');
    await expect.poll(() => panel.locator('.history-thumb img').count()).toBe(2);
    await screenshotBothThemes(panel, 'history');
    await expectNoHorizontalOverflow(panel, 'history');
    const found = await axeBothThemes(panel, 'History');
    await openTab(panel, 'Create');
    expect(found, found.join('\n')).toEqual([]);
  });

  it('compare', async () => {
    await panel.getByRole('combobox', { name: 'Model' }).selectOption({ label: 'Flux dev' });
    await panel.getByRole('checkbox', { name: 'Compare models' }).check();
    const picker = panel.getByRole('group', { name: 'Models to compare' });
    await picker.getByRole('checkbox', { name: 'ChatGPT Image', exact: true }).check();
    await picker.getByRole('checkbox', { name: 'Imagen 3', exact: true }).check();
    const prompt = 'a paper crane on a windowsill';
    await panel.getByRole('textbox', { name: 'Prompt' }).fill(prompt);
    await panel.getByRole('button', { name: 'Create with 3 models' }).click();
    const row = panel.getByRole('region', { name: `Compare: ${prompt}` });
    await expect.poll(() => row.locator('.compare-open img').count(), { timeout: RESULT_TIMEOUT }).toBe(3);
    await row.scrollIntoViewIfNeeded();
    await screenshotBothThemes(panel, 'compare');
    await expectNoHorizontalOverflow(panel, 'compare');
    const found = await axeBothThemes(panel, 'compare');
    expect(found, found.join('\n')).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// 9: Export, then import into a fresh profile
// ---------------------------------------------------------------------------------------------

describe('export, then import into a fresh profile', () => {
  let source: ExtensionBrowser | undefined;
  let target: ExtensionBrowser | undefined;

  afterAll(async () => {
    await source?.close();
    await target?.close();
  });

  it('brings the same prompts and images across, and a second import adds nothing', async () => {
    source = await launchExtension({ extensionDir: SANDBOX_BUILD_DIR });
    const panel = await openPanel(source);
    await addReference(panel);
    const prompts = ['export one: a harbour at dawn', 'export two: the harbour at dusk'];
    await create(panel, prompts[0]!, { images: 1 });
    await create(panel, prompts[1]!, { images: 2 });
    const sourceJobs = (await jobs(panel)).sort((a, b) => a.prompt.localeCompare(b.prompt));
    const sourceResults = await results(panel);

    await openTab(panel, 'History');
    const exportAll = panel.getByRole('button', { name: 'Export all' });
    await exportAll.waitFor({ timeout: 5_000 }).catch(() => {
      throw new Error('No “Export all” button in the History tab: export and import are not wired into the panel (entrypoints/sidepanel/ExportImportBar.tsx, App.tsx → HistoryTab toolbar).');
    });
    const downloading = panel.waitForEvent('download');
    await exportAll.click();
    const download = await downloading;
    expect(download.suggestedFilename()).toMatch(/^image-prompt-export-\d{4}-\d{2}-\d{2}\.zip$/);
    mkdirSync(DOWNLOADS, { recursive: true });
    const zip = join(DOWNLOADS, `workspace-${Date.now()}.zip`);
    await download.saveAs(zip);
    expect(readFileSync(zip).subarray(0, 2).toString('latin1'), 'the export is a zip').toBe('PK');
    await panel.getByRole('status').filter({ hasText: /^Exported image-prompt-export-/ }).waitFor();

    target = await launchExtension({ extensionDir: SANDBOX_BUILD_DIR });
    const fresh = await openPanel(target);
    await openTab(fresh, 'History');
    await fresh.getByText('No generations yet').waitFor();
    await fresh.getByLabel('Import…').setInputFiles(zip);
    await fresh.getByRole('status').filter({ hasText: 'Imported 2 generations' }).waitFor({ timeout: 30_000 });
    await expect.poll(() => historyCount(fresh).textContent()).toBe('2 generations');
    const list = fresh.getByRole('list', { name: 'Generations' });
    expect((await list.locator('.history-prompt').allTextContents()).sort()).toEqual([...prompts].sort());
    await expect.poll(() => fresh.locator('.history-thumb img').count(), { message: 'imported generations show their pictures' }).toBe(2);

    const importedJobs = (await jobs(fresh)).sort((a, b) => a.prompt.localeCompare(b.prompt));
    expect(importedJobs.map((j) => ({ id: j.id, prompt: j.prompt, modelId: j.modelId, resultIds: j.resultIds }))).toEqual(
      sourceJobs.map((j) => ({ id: j.id, prompt: j.prompt, modelId: j.modelId, resultIds: j.resultIds })),
    );
    const importedResults = await results(fresh);
    const bytes = (rs: StoredResult[]) => rs.map((r) => `${r.id}:${r.size}:${r.type}`).sort();
    expect(bytes(importedResults), 'the same images, byte for byte in size').toEqual(bytes(sourceResults));
    expect(importedJobs.every((j) => j.referenceId !== null), 'the image prompt came along').toBe(true);

    // Opening an imported image shows it large.
    await list.getByRole('button').filter({ hasText: prompts[1]! }).click();
    await expect.poll(() => viewer(fresh).getByRole('heading').textContent()).toBe('Image 1 of 2');
    await viewerImageSize(fresh);
    await fresh.keyboard.press('Escape');

    await fresh.getByLabel('Import…').setInputFiles(zip);
    await fresh.getByRole('status').filter({ hasText: 'Nothing new to import, 2 already here' }).waitFor({ timeout: 30_000 });
    await expect.poll(() => historyCount(fresh).textContent(), { message: 'nothing duplicated' }).toBe('2 generations');
    expect(await jobs(fresh)).toHaveLength(2);
    expect(await results(fresh)).toHaveLength(sourceResults.length);
  });
});
