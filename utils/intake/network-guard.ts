import { browser } from 'wxt/browser';
import { buildAllowRule, buildBlockRules, buildProviderAllowRules, inIdRange, RULE_IDS, temporaryRuleId, type GuardRule } from './private-network-rules';

/**
 * Installs and maintains the session rules that keep the extension's own requests out of
 * loopback, private and link-local space (see private-network-rules.ts), with two exceptions:
 *
 * - provider addresses the user configured on this computer or network stay reachable
 *   (syncProviderAllowRules, rebuilt whenever they change; network-guard-settings.ts);
 * - while an image is fetched for a page that is itself on a private origin (an intranet page),
 *   that one origin is reachable until the fetch ends (allowOriginFor).
 *
 * Session rules survive a worker restart but not a browser restart: the worker installs them
 * each time it starts (installNetworkGuard is idempotent) and image fetches wait for that.
 */

/** The two calls used, so tests can hand in a fake. */
export interface SessionRulesApi {
  getSessionRules(): Promise<Array<{ id: number }>>;
  updateSessionRules(options: { addRules?: GuardRule[]; removeRuleIds?: number[] }): Promise<void>;
}

function sessionRules(): SessionRulesApi {
  return browser.declarativeNetRequest as unknown as SessionRulesApi;
}

/**
 * The host rules use to recognise the extension's own requests: the extension id in Chromium,
 * the internal UUID in Firefox (`runtime.id` there is the add-on id, which never matches).
 */
export function extensionHost(): string {
  return new URL(browser.runtime.getURL('/')).hostname;
}

export interface GuardDeps {
  dnr?: SessionRulesApi;
  host?: string;
  /** How long install waits for the provider addresses before blocking without their allows. */
  addressesTimeoutMs?: number;
}

/** Image fetches wait for the install; a stuck IndexedDB must not hold them forever. */
const ADDRESSES_TIMEOUT_MS = 3_000;

// Installs and provider syncs run one at a time, in the order asked, so the last one wins.
let queue: Promise<unknown> = Promise.resolve();
function serially<T>(task: () => Promise<T>): Promise<T> {
  const run = queue.then(task, task);
  queue = run.catch(() => {});
  return run;
}

let installed: Promise<void> | undefined;

/**
 * Replaces every guard rule (blocks, provider allows) in one update, and drops rules left from
 * requests a stopped worker never finished (a leftover allow would keep an intranet origin
 * open for the rest of the session). Blocks and allows arrive together: nothing is ever
 * blocked for want of its allow rule.
 */
export function installNetworkGuard(providerAddresses: () => Promise<readonly string[]> | readonly string[], deps: GuardDeps = {}): Promise<void> {
  const run = serially(async () => {
    const dnr = deps.dnr ?? sessionRules();
    const host = deps.host ?? extensionHost();
    let addresses: readonly string[] = [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timed out')), deps.addressesTimeoutMs ?? ADDRESSES_TIMEOUT_MS)));
      addresses = await Promise.race([Promise.resolve().then(providerAddresses), late]);
    } catch {
      // Addresses unreadable or too slow: block everything now; the next change of address adds the allows.
    } finally {
      clearTimeout(timer);
    }
    const wanted = [...buildBlockRules(host), ...buildProviderAllowRules(addresses, host)];
    const ours = (await dnr.getSessionRules()).map((r) => r.id).filter((id) => inIdRange(id, RULE_IDS.block) || inIdRange(id, RULE_IDS.providerAllow) || inIdRange(id, RULE_IDS.temporary));
    try {
      await dnr.updateSessionRules({ removeRuleIds: ours, addRules: wanted });
    } catch {
      // One rule the browser refuses must not leave every range open: add them one by one.
      await dnr.updateSessionRules({ removeRuleIds: ours }).catch(() => {});
      for (const rule of wanted) await dnr.updateSessionRules({ addRules: [rule] }).catch(() => {});
    }
  });
  installed = run;
  return run;
}

/** Resolves once the guard this worker installed is in place (at once where none was installed). */
export function networkGuardReady(): Promise<void> {
  return (installed ?? Promise.resolve()).catch(() => {});
}

/**
 * Keeps the provider addresses the user configured reachable: exactly those origins, and only
 * the ones on this computer or network (public ones are never blocked). Replaces the previous
 * set. Call it whenever provider addresses change; installNetworkGuard also sets them.
 */
export function syncProviderAllowRules(origins: readonly string[], deps: GuardDeps = {}): Promise<void> {
  return serially(async () => {
    const dnr = deps.dnr ?? sessionRules();
    const host = deps.host ?? extensionHost();
    const previous = (await dnr.getSessionRules()).map((r) => r.id).filter((id) => inIdRange(id, RULE_IDS.providerAllow));
    await dnr.updateSessionRules({ removeRuleIds: previous, addRules: buildProviderAllowRules(origins, host) });
  });
}

/**
 * Opens one private origin to the extension until the returned function is called (in a
 * `finally`): the intranet page the user is on, while its image is fetched.
 */
export function allowOriginFor(origin: string, deps: GuardDeps = {}): Promise<() => Promise<void>> {
  return serially(async () => {
    const dnr = deps.dnr ?? sessionRules();
    const id = temporaryRuleId();
    await dnr.updateSessionRules({ addRules: [buildAllowRule(id, origin, deps.host ?? extensionHost())] });
    return () => dnr.updateSessionRules({ removeRuleIds: [id] }).catch(() => {});
  });
}

/** What an image download needs from the guard (fetch-image.ts); tests hand in a fake. */
export interface ImageFetchGuard {
  ready(): Promise<void>;
  allowOrigin(origin: string): Promise<() => Promise<void>>;
}

export const networkGuard: ImageFetchGuard = {
  ready: networkGuardReady,
  allowOrigin: (origin) => allowOriginFor(origin),
};
