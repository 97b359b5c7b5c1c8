import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BidiConnection, fromRemote, type RemoteNode, type RemoteValue } from './bidi';
import { waitFor } from '../e2e/harness';

/**
 * Starts Debian's firefox-esr headless with WebDriver BiDi, installs a built extension as a
 * temporary add-on (`webExtension.install`) and opens its pages in tabs.
 *
 * Getting into the extension's pages: Firefox gives every add-on a random internal UUID per
 * profile (its pages live at moz-extension://<uuid>/). The profile pref
 * `extensions.webextensions.uuids` (a JSON map add-on id -> UUID) fixes it in advance, so the
 * URL is known before the browser starts. Firefox 153's WebDriver refuses to navigate to
 * moz-extension: ("is not allowed in this context") unless the browser runs with
 * `--remote-allow-system-access`; with it, `browsingContext.navigate` there works and answers
 * once the page has loaded. (BiDi sends no `browsingContext.load` event for
 * extension documents, so a client that waits for that event, as puppeteer's goto does, hangs.)
 */
export const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';

export interface FirefoxExtension {
  bidi: BidiConnection;
  /** e.g. "153.8.0" */
  browserVersion: string;
  /** moz-extension://<uuid>/ */
  baseUrl: string;
  openExtensionPage(path: string): Promise<Tab>;
  close(): Promise<void>;
}

/**
 * How a test names an element: a CSS selector, or a role and exact accessible name as Firefox's
 * accessibility tree has them (Firefox names the role of `<img>` "image", not "img").
 */
export type Locator = { css: string } | { role: string; name?: string };

const describeLocator = (l: Locator) => ('css' in l ? l.css : `${l.role}${l.name === undefined ? '' : ` "${l.name}"`}`);

export async function launchFirefoxWithExtension(opts: { extensionDir: string; timeoutMs?: number }): Promise<FirefoxExtension> {
  if (!existsSync(FIREFOX)) throw new Error(`Firefox not found at ${FIREFOX}: install Debian's firefox-esr package (bash .ci/run does).`);
  const dir = resolve(opts.extensionDir);
  const manifestPath = join(dir, 'manifest.json');
  if (!existsSync(manifestPath)) throw new Error(`No built extension in ${dir}: run the Firefox build first.`);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { browser_specific_settings?: { gecko?: { id?: string; strict_min_version?: string } } };
  const addonId = manifest.browser_specific_settings?.gecko?.id;
  if (!addonId) throw new Error(`${manifestPath} has no browser_specific_settings.gecko.id: Firefox would invent one.`);

  const uuid = randomUUID();
  const profile = mkdtempSync(join(tmpdir(), 'image-prompt-firefox-'));
  writeFileSync(join(profile, 'user.js'), profilePrefs({ [addonId]: uuid }));

  // Firefox's Remote Agent applies its own automation prefs (no updates, telemetry or first-run
  // pages) when started with --remote-debugging-port.
  const child = spawn(
    FIREFOX,
    ['--headless', '--no-remote', '--profile', profile, '--remote-debugging-port=0', '--remote-allow-system-access', 'about:blank'],
    { stdio: ['ignore', 'ignore', 'pipe'], detached: true, env: { ...process.env, MOZ_CRASHREPORTER_DISABLE: '1' } },
  );
  const stderrTail: string[] = [];
  let bidi: BidiConnection | undefined;
  // If the test process ends without close() (a killed run), take Firefox down with it.
  const killOnExit = () => killGroup(child, 'SIGKILL');
  process.once('exit', killOnExit);
  const cleanup = async () => {
    // browser.close ends the session and Firefox; the signals in stopProcess are the fallback.
    await bidi?.send('browser.close', {}, 5_000).catch(() => {});
    bidi?.close();
    await stopProcess(child);
    process.off('exit', killOnExit);
    rmSync(profile, { recursive: true, force: true });
  };
  try {
    const wsUrl = await new Promise<string>((resolveUrl, reject) => {
      const timer = setTimeout(() => reject(new Error(`Firefox did not start WebDriver BiDi within ${opts.timeoutMs ?? 60_000} ms:\n${stderrTail.join('\n')}`)), opts.timeoutMs ?? 60_000);
      let buffered = '';
      child.stderr!.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) {
          stderrTail.push(line);
          if (stderrTail.length > 40) stderrTail.shift();
          const m = /WebDriver BiDi listening on (ws:\/\/\S+)/.exec(line);
          if (m) {
            clearTimeout(timer);
            resolveUrl(m[1]!);
          }
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`Firefox exited (${code ?? signal}) before WebDriver BiDi started:\n${stderrTail.join('\n')}`));
      });
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
    const connection = await BidiConnection.connect(`${wsUrl.replace(/\/$/, '')}/session`);
    bidi = connection;
    const session = await connection.send<{ capabilities: { browserVersion: string } }>('session.new', { capabilities: {} });
    const minVersion = manifest.browser_specific_settings?.gecko?.strict_min_version;
    if (minVersion && parseFloat(session.capabilities.browserVersion) < parseFloat(minVersion)) {
      throw new Error(`${FIREFOX} is Firefox ${session.capabilities.browserVersion}; the add-on needs ${minVersion} or later (Debian bookworm's firefox-esr comes from bookworm-security).`);
    }
    // No console subscription: Firefox 153 sends no log.entryAdded (and runs no preload script)
    // for moz-extension documents, only for web content.
    const installed = await connection.send<{ extension: string }>('webExtension.install', { extensionData: { type: 'path', path: dir } });
    if (installed.extension !== addonId) throw new Error(`Installed ${installed.extension}, expected ${addonId}`);
    const baseUrl = `moz-extension://${uuid}/`;
    return {
      bidi: connection,
      browserVersion: session.capabilities.browserVersion,
      baseUrl,
      async openExtensionPage(path) {
        const { context } = await connection.send<{ context: string }>('browsingContext.create', { type: 'tab' });
        const tab = new Tab(connection, context);
        const url = baseUrl + path;
        await connection.send('browsingContext.navigate', { context, url, wait: 'complete' });
        const at = await tab.evaluate<string>(() => location.href);
        if (at !== url) throw new Error(`Opened ${url} but the tab shows ${at}`);
        return tab;
      },
      close: cleanup,
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/** One tab, driven through BiDi: scripts, element lookup, real pointer and key input. */
export class Tab {
  constructor(
    readonly bidi: BidiConnection,
    readonly context: string,
  ) {}

  /** Runs `fn` in the page with `args` (strings, numbers, booleans, or nodes) and returns its result. */
  async evaluate<R = unknown>(fn: string | ((...args: never[]) => unknown), ...args: Array<string | number | boolean | RemoteNode>): Promise<R> {
    const result = await this.bidi.send<{ type: 'success'; result: RemoteValue } | { type: 'exception'; exceptionDetails: { text: string } }>('script.callFunction', {
      functionDeclaration: String(fn),
      target: { context: this.context },
      arguments: args.map((a) => (typeof a === 'object' ? { sharedId: a.sharedId } : { type: typeof a, value: a })),
      awaitPromise: true,
      resultOwnership: 'none',
    });
    if (result.type === 'exception') throw new Error(`Page script threw: ${result.exceptionDetails.text}`);
    return fromRemote(result.result) as R;
  }

  /** Polls until `fn` gives a value; a page that is navigating has no realm for a moment, so errors are retried. */
  waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 20_000): Promise<T> {
    return waitFor(what, fn, timeoutMs);
  }

  /** Nodes matching `locator`, optionally inside `within`. */
  async findAll(locator: Locator, within?: RemoteNode): Promise<RemoteNode[]> {
    const bidiLocator = 'css' in locator ? { type: 'css', value: locator.css } : { type: 'accessibility', value: { role: locator.role, ...(locator.name === undefined ? {} : { name: locator.name }) } };
    const { nodes } = await this.bidi.send<{ nodes: RemoteNode[] }>('browsingContext.locateNodes', {
      context: this.context,
      locator: bidiLocator,
      ...(within ? { startNodes: [{ sharedId: within.sharedId }] } : {}),
    });
    return nodes;
  }

  /** Waits until exactly one node matches, and returns it. */
  async find(locator: Locator, opts: { within?: RemoteNode; timeoutMs?: number } = {}): Promise<RemoteNode> {
    let count = 0;
    return this.waitFor(
      `one ${describeLocator(locator)}`,
      async () => {
        const nodes = await this.findAll(locator, opts.within);
        count = nodes.length;
        if (count > 1) throw new Error(`${count} nodes match ${describeLocator(locator)}`);
        return nodes[0];
      },
      opts.timeoutMs,
    ).catch((err: Error) => {
      throw new Error(`${err.message}${count > 1 ? '' : ' (found none)'}`);
    });
  }

  /** A real click (pointer move, down, up) in the middle of the element, once it is enabled. */
  async click(node: RemoteNode): Promise<void> {
    await this.waitFor('the element to be enabled and visible', () =>
      this.evaluate((el: HTMLElement) => {
        el.scrollIntoView({ block: 'center' });
        const r = el.getBoundingClientRect();
        return !(el as HTMLButtonElement).disabled && r.width > 0 && r.height > 0;
      }, node),
    );
    await this.bidi.send('input.performActions', {
      context: this.context,
      actions: [
        {
          type: 'pointer',
          id: 'mouse',
          parameters: { pointerType: 'mouse' },
          actions: [
            { type: 'pointerMove', x: 0, y: 0, origin: { type: 'element', element: { sharedId: node.sharedId } } },
            { type: 'pointerDown', button: 0 },
            { type: 'pointerUp', button: 0 },
          ],
        },
      ],
    });
  }

  /** Clicks into a text field and types `text` key by key. */
  async type(node: RemoteNode, text: string): Promise<void> {
    await this.click(node);
    await this.bidi.send('input.performActions', {
      context: this.context,
      actions: [{ type: 'key', id: 'keyboard', actions: [...text].flatMap((ch) => [{ type: 'keyDown', value: ch }, { type: 'keyUp', value: ch }]) }],
    });
  }

  /**
   * Chooses an option of a `<select>` by its label. The open list is drawn by the browser, outside
   * the page; this sets the value and fires the events a choice fires (as Playwright does).
   */
  async selectOption(node: RemoteNode, label: string): Promise<void> {
    const found = await this.evaluate<boolean>(
      (el: HTMLSelectElement, wanted: string) => {
        const option = [...el.options].find((o) => o.label === wanted);
        if (!option) return false;
        el.focus();
        el.value = option.value;
        el.dispatchEvent(new Event('input', { bubbles: true }));
        el.dispatchEvent(new Event('change', { bubbles: true }));
        return true;
      },
      node,
      label,
    );
    if (!found) throw new Error(`No option labelled "${label}"`);
  }

  /** Sets the files of an `<input type=file>` as a file chooser would (BiDi `input.setFiles`). */
  async setFiles(node: RemoteNode, paths: string[]): Promise<void> {
    await this.bidi.send('input.setFiles', { context: this.context, element: { sharedId: node.sharedId }, files: paths.map((p) => resolve(p)) });
  }

  /** Reloads the page and waits for the new document to load. */
  async reload(): Promise<void> {
    await this.bidi.send('browsingContext.reload', { context: this.context, wait: 'complete' });
  }

  text(): Promise<string> {
    return this.evaluate(() => document.body.innerText);
  }

  /** A PNG of the viewport (for failure reports). */
  async screenshot(path: string): Promise<void> {
    const { data } = await this.bidi.send<{ data: string }>('browsingContext.captureScreenshot', { context: this.context });
    writeFileSync(path, Buffer.from(data, 'base64'));
  }
}

function profilePrefs(uuids: Record<string, string>): string {
  const prefs: Record<string, string | number | boolean> = {
    // The add-on's internal UUID, so its pages' URL is known in advance.
    'extensions.webextensions.uuids': JSON.stringify(uuids),
    // Hermetic: everything but loopback goes to a closed local port, so Firefox's own background
    // requests (remote settings, captive portal, safe browsing) fail at once and leave no trace.
    'network.proxy.type': 1,
    'network.proxy.http': '127.0.0.1',
    'network.proxy.http_port': 9,
    'network.proxy.ssl': '127.0.0.1',
    'network.proxy.ssl_port': 9,
    'network.proxy.no_proxies_on': 'localhost, 127.0.0.1, [::1]',
    'network.proxy.allow_hijacking_localhost': false,
    'network.dns.disablePrefetch': true,
    'network.trr.mode': 5,
    'network.captive-portal-service.enabled': false,
    'network.connectivity-service.enabled': false,
    'browser.safebrowsing.update.enabled': false,
    'browser.shell.checkDefaultBrowser': false,
    'browser.startup.page': 0,
    'datareporting.policy.dataSubmissionEnabled': false,
  };
  return Object.entries(prefs)
    .map(([k, v]) => `user_pref(${JSON.stringify(k)}, ${JSON.stringify(v)});`)
    .join('\n');
}

/** Signals Firefox's whole process group (it was started detached, with its helper processes). */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  killGroup(child, 'SIGTERM');
  const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 5_000));
  if ((await Promise.race([exited, timeout])) === 'timeout') {
    killGroup(child, 'SIGKILL');
    await exited;
  }
}
