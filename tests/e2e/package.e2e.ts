import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CHROME_BUILD } from './harness';

/**
 * What the built Chrome package asks for and ships (SECURITY.md, "Code" and "Permissions"): the
 * permissions the README justifies and no others, no content script on every page, no remote
 * code, and the default extension CSP (no eval, no remote scripts).
 */
const manifest = JSON.parse(readFileSync(join(CHROME_BUILD, 'manifest.json'), 'utf8')) as Record<string, unknown>;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

describe('the built package', () => {
  it('asks for exactly the permissions the README justifies', () => {
    expect([...(manifest.permissions as string[])].sort()).toEqual(
      ['activeTab', 'alarms', 'contextMenus', 'declarativeNetRequestWithHostAccess', 'notifications', 'scripting', 'sidePanel', 'storage', 'unlimitedStorage'].sort(),
    );
    expect(manifest.host_permissions).toEqual(['<all_urls>']);
    expect(manifest.optional_permissions).toBeUndefined();
  });

  it('runs nothing in web pages by default: no declared content scripts, no page-visible resources', () => {
    expect(manifest.content_scripts).toBeUndefined();
    expect(manifest.web_accessible_resources).toBeUndefined();
    expect(manifest.externally_connectable).toBeUndefined();
  });

  it('keeps the default extension CSP and loads no code from the network', () => {
    expect(manifest.content_security_policy).toBeUndefined();
    const shipped = files(CHROME_BUILD);
    for (const html of shipped.filter((f) => f.endsWith('.html'))) {
      const text = readFileSync(html, 'utf8');
      expect(text, html).not.toMatch(/<script[^>]+src=["']?(https?:)?\/\//i);
    }
    for (const js of shipped.filter((f) => f.endsWith('.js'))) {
      const text = readFileSync(js, 'utf8');
      expect(text, js).not.toMatch(/importScripts\(\s*["'`]https?:/);
      expect(text, js).not.toMatch(/import\(\s*["'`]https?:/);
    }
  });
});
