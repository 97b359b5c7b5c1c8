import { chromium, type BrowserContext, type Page, type Worker } from 'playwright-core';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * Launches Debian's Chromium with the built extension, as ../shared/docs/platform-facts.md
 * describes, and gives tests the pieces they drive: the worker, the extension id, pages.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROME_BUILD = resolve('.output/chrome-mv3');

export interface ExtensionBrowser {
  context: BrowserContext;
  extensionId: string;
  worker: Worker;
  /** Opens an extension page (sidepanel.html, options.html) in a tab. */
  openExtensionPage(path: string): Promise<Page>;
  close(): Promise<void>;
  display?: string;
}

/**
 * `extraArgs` adds Chromium switches, e.g. `--host-resolver-rules=MAP images.example 127.0.0.1`
 * to give local test servers public-looking names.
 */
export async function launchExtension(opts: { extensionDir?: string; headed?: boolean; extraArgs?: string[] } = {}): Promise<ExtensionBrowser> {
  const dir = opts.extensionDir ?? CHROME_BUILD;
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's chromium package (bash .ci/run does).`);
  if (!existsSync(join(dir, 'manifest.json'))) throw new Error(`No built extension in ${dir}: run the build first.`);
  const userDataDir = mkdtempSync(join(tmpdir(), 'image-prompt-e2e-'));
  let xvfb: { display: string; stop(): void } | undefined;
  if (opts.headed) xvfb = await startXvfb();
  const args = [
    `--disable-extensions-except=${dir}`,
    `--load-extension=${dir}`,
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-quic',
    '--window-size=1200,850',
    '--window-position=0,0',
    ...(opts.extraArgs ?? []),
  ];
  if (!opts.headed) args.unshift('--headless=new');
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: !opts.headed,
    args,
    viewport: opts.headed ? null : { width: 1200, height: 850 },
    env: xvfb ? { ...process.env, DISPLAY: xvfb.display } : process.env,
    acceptDownloads: true,
  });
  const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker', { timeout: 30_000 }));
  const extensionId = new URL(worker.url()).host;
  return {
    context,
    extensionId,
    worker,
    display: xvfb?.display,
    async openExtensionPage(path) {
      const page = await context.newPage();
      await page.goto(`chrome-extension://${extensionId}/${path}`);
      return page;
    },
    async close() {
      await context.close().catch(() => {});
      xvfb?.stop();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** The current service worker (it can be replaced after a stop/restart). */
export async function currentWorker(context: BrowserContext, extensionId: string): Promise<Worker> {
  const match = () => context.serviceWorkers().find((w) => w.url().startsWith(`chrome-extension://${extensionId}/`));
  return match() ?? (await context.waitForEvent('serviceworker', { timeout: 30_000 }));
}

async function startXvfb(): Promise<{ display: string; stop(): void }> {
  for (const bin of ['Xvfb', 'xdotool']) {
    try {
      execFileSync('which', [bin], { stdio: 'ignore' });
    } catch {
      throw new Error(`${bin} is missing: install the Debian packages xvfb and xdotool (bash .ci/run does).`);
    }
  }
  const n = 90 + Math.floor(Math.random() * 400);
  const display = `:${n}`;
  const proc: ChildProcess = spawn('Xvfb', [display, '-screen', '0', '1280x900x24', '-nolisten', 'tcp'], { stdio: 'ignore' });
  try {
    await waitFor(`Xvfb to open display ${display}`, async () => existsSync(`/tmp/.X11-unix/X${n}`), 10_000);
  } catch (err) {
    proc.kill('SIGTERM');
    throw err;
  }
  return { display, stop: () => proc.kill('SIGTERM') };
}

/** Visible windows on the display, named or not (Chromium's menus have no name). */
function visibleWindows(env: NodeJS.ProcessEnv): string[] {
  try {
    return execFileSync('xdotool', ['search', '--onlyvisible', '--name', ''], { env, encoding: 'utf8' }).split('\n').filter(Boolean);
  } catch {
    return []; // xdotool exits 1 when no window matches
  }
}

/** Whether a window's rectangle reaches to within a few pixels of a point on the screen. */
function windowNear(id: string, point: { x: number; y: number }, env: NodeJS.ProcessEnv): boolean {
  const shell = execFileSync('xdotool', ['getwindowgeometry', '--shell', id], { env, encoding: 'utf8' });
  const v = (k: string) => Number(new RegExp(`^${k}=(-?\\d+)$`, 'm').exec(shell)?.[1] ?? NaN);
  const [x, y, w, h] = [v('X'), v('Y'), v('WIDTH'), v('HEIGHT')];
  const slack = 3;
  return point.x >= x - slack && point.x <= x + w + slack && point.y >= y - slack && point.y <= y + h + slack;
}

/**
 * Keys in Chromium's native context menu. Our entries for images and image links (use, add,
 * describe) fold into one "Image Prompt" submenu just above "Inspect", the last item: Up twice
 * reaches it, Right opens it on its first entry. Entries keep the order menus.ts creates them.
 */
export const OPEN_OUR_SUBMENU = ['Up', 'Up', 'Right'] as const;
/** The first entry of the submenu: "Use as image prompt" (on an image) or "Use linked image" (on a link). */
export const USE_AS_IMAGE_PROMPT = [...OPEN_OUR_SUBMENU, 'Return'];
/** The second entry: "Add to image prompt" (on an image). */
export const ADD_TO_IMAGE_PROMPT = [...OPEN_OUR_SUBMENU, 'Down', 'Return'];
/** The third entry on an image: "Describe this image". */
export const DESCRIBE_THIS_IMAGE = [...OPEN_OUR_SUBMENU, 'Down', 'Down', 'Return'];

/**
 * A real right-click on an element and a choice in Chromium's native context menu, through
 * the X server: the click is a genuine user gesture, as the side panel requires.
 */
export async function chooseFromNativeContextMenu(page: Page, selector: string, display: string, keys: readonly string[]): Promise<void> {
  await page.bringToFront();
  // A freshly mapped window may not have focus yet; a menu opened before then is lost.
  await waitFor('the page window to have focus', () => page.evaluate(() => document.hasFocus()), 10_000);
  const box = await page.locator(selector).evaluate((el) => {
    el.scrollIntoView({ block: 'center' });
    const r = el.getBoundingClientRect();
    return {
      // No left window border on Linux; the width difference is the docked side panel, on the right.
      x: window.screenX + r.left + r.width / 2,
      y: window.screenY + (window.outerHeight - window.innerHeight) + r.top + r.height / 2,
    };
  });
  const env = { ...process.env, DISPLAY: display };
  const point = { x: Math.round(box.x), y: Math.round(box.y) };
  const before = new Set(visibleWindows(env));
  execFileSync('xdotool', ['mousemove', String(point.x), String(point.y), 'click', '3'], { env });
  // Keys typed before the menu is on screen go to the page: wait for its window, a new one at
  // the click (a notification popup, also new, opens elsewhere).
  await waitFor(
    `Chromium's context menu to open at ${point.x},${point.y} (right-click on ${selector})`,
    async () => visibleWindows(env).some((id) => !before.has(id) && windowNear(id, point, env)),
    10_000,
  );
  execFileSync('xdotool', ['key', ...keys], { env });
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`Timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

/** Saves a provider's key and API address on the options page, as a user does, and waits for "Saved.". */
export async function saveProviderKey(options: Page, name: string, key: string, address: string): Promise<void> {
  await options.getByLabel(`${name} API key`, { exact: true }).fill(key);
  await options.getByLabel(`${name} API address`, { exact: true }).fill(address);
  await options.getByRole('button', { name: `Save ${name}`, exact: true }).click();
  await options.getByRole('group', { name }).getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
}

/** Sends a protocol message from an extension page, as the panel's own code does, and returns the reply's value. */
export async function sendFromPage<T>(page: Page, type: string, payload: unknown): Promise<T> {
  const reply = await page.evaluate(
    ([t, p]) => (globalThis as unknown as { chrome: { runtime: { sendMessage(m: unknown): Promise<unknown> } } }).chrome.runtime.sendMessage({ type: t, payload: p }),
    [type, payload] as const,
  );
  const r = reply as { ok: boolean; value?: T; error?: { message: string } };
  if (!r?.ok) throw new Error(`${type} failed: ${r?.error?.message ?? JSON.stringify(reply)}`);
  return r.value as T;
}
