// zod/mini: these schemas are shared with the panel, which must stay small (issue 13).
import * as z from 'zod/mini';
import { storage } from 'wxt/utils/storage';
import { KEYLESS_PROVIDERS, ModelId, type ProviderId } from './models';
import { classifyHost } from './url-policy';

/**
 * All user settings except API keys and provider addresses (those live in IndexedDB, out of
 * reach of content scripts: utils/secrets.ts, utils/provider-addresses.ts). One schema with a
 * default per field: a damaged field falls back to its default instead of throwing the whole
 * object away.
 */

const SETTINGS_VERSION = 1;

/**
 * https anywhere; plain http only on this machine (local gateways and the sandbox). A keyless
 * provider that runs on the user's own hardware (ComfyUI) may also be on their local network
 * over plain http: the user typed that address as its address, and no key travels with it.
 * Image sources never get this exception (url-policy.ts decides those).
 */
export function isAllowedBaseUrl(value: string, provider?: ProviderId): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.username || url.password || url.search || url.hash) return false;
  if (url.protocol === 'https:') return true;
  if (url.protocol !== 'http:') return false;
  const host = url.hostname;
  if (host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host)) return true;
  if (!provider || !KEYLESS_PROVIDERS.has(provider)) return false;
  const kind = classifyHost(host);
  return kind === 'loopback' || kind === 'private' || kind === 'local_name';
}

export function normalizeBaseUrl(value: string): string {
  return value.trim().replace(/\/+$/, '');
}

/**
 * A provider model id or path: letters, digits and `._:/-`, no `..`, no leading slash. It
 * becomes part of a request path on the provider's own host, never a host.
 */
export const ModelIdOverride = z.string().check(
  z.trim(),
  z.minLength(1),
  z.maxLength(200),
  z.regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]*$/, 'Use letters, digits and . _ : / - only.'),
  z.refine((v) => !v.includes('..') && !v.includes('//') && !v.endsWith('/'), 'That is not a model id.'),
);

const RouteMark = z.object({
  since: z.number(),
  message: z.string().check(z.maxLength(500)),
  /** The model id that was refused (an override may differ from the catalogue's). */
  model: z.optional(z.string().check(z.maxLength(200))),
});
type RouteMark = z.infer<typeof RouteMark>;

export const Settings = z.object({
  /** The route the user chose per model; absent means "automatic". */
  routes: z.catch(z.partialRecord(ModelId, z.string()), {}),
  /**
   * The user's own model id per route id, for when a provider renames or replaces a model
   * before we ship an update (a BytePlus `ep-...` endpoint id, OpenAI's next image model).
   */
  modelOverrides: z.catch(z.record(z.string(), ModelIdOverride), {}),
  /**
   * Routes the provider said no longer exist, by route id, on this browser. Set when a job or
   * "Check my models" hears so; cleared by the user in Settings or when a check finds the model.
   */
  unavailableRoutes: z.catch(z.record(z.string(), RouteMark), {}),
});
export type Settings = z.infer<typeof Settings>;

export const DEFAULT_SETTINGS: Settings = Settings.parse({});

export function parseSettings(raw: unknown): Settings {
  return Settings.parse(raw && typeof raw === 'object' ? raw : {});
}

const settingsItem = storage.defineItem<unknown>('local:settings', {
  fallback: DEFAULT_SETTINGS,
  version: SETTINGS_VERSION,
});

export async function loadSettings(): Promise<Settings> {
  return parseSettings(await settingsItem.getValue());
}

let pendingUpdate: Promise<unknown> = Promise.resolve();

/**
 * The one way to write settings: each change is applied to freshly read settings, one after
 * the other, so quick successive edits never undo each other with a stale copy. (storage.local
 * has no transactions: two pages saving in the same instant can still race; edits are by hand.)
 */
export function updateSettings(change: (current: Settings) => Settings): Promise<Settings> {
  const run = pendingUpdate.then(async () => {
    const next = Settings.parse(change(await loadSettings()));
    await settingsItem.setValue(next);
    return next;
  });
  pendingUpdate = run.catch(() => {});
  return run;
}

/**
 * Provider addresses as version 0.1 stored them here (`providers.<id>.baseUrl`), removed from
 * storage.local as they are handed over; see utils/provider-addresses.ts.
 */
export function takeLegacyProviderAddresses(): Promise<Record<string, string>> {
  const run = pendingUpdate.then(async () => {
    const raw = (await settingsItem.getValue()) as { providers?: Record<string, { baseUrl?: unknown }> } | null;
    const out: Record<string, string> = {};
    if (!raw || typeof raw !== 'object' || !raw.providers || typeof raw.providers !== 'object') return out;
    for (const [p, v] of Object.entries(raw.providers)) if (v && typeof v.baseUrl === 'string') out[p] = normalizeBaseUrl(v.baseUrl);
    const { providers: _moved, ...rest } = raw;
    await settingsItem.setValue(rest);
    return out;
  });
  pendingUpdate = run.catch(() => {});
  return run;
}

export function watchSettings(onChange: (s: Settings) => void): () => void {
  return settingsItem.watch((v) => onChange(parseSettings(v)));
}

/** True in the build that `npm start` makes: keyless providers go to the local sandbox. */
export const SANDBOX_BUILD = import.meta.env.MODE === 'sandbox';

export const SANDBOX_URL: string = (import.meta.env.WXT_SANDBOX_URL as string | undefined) || 'http://127.0.0.1:8787';

/** The key sent to the sandbox when the user has none; the sandbox only checks that one is present. */
export const SANDBOX_KEY = 'sandbox';
