import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { parseMessagesFile } from '@wxt-dev/i18n/build';
import { DEFAULT_SETTINGS } from '@/utils/settings';
import { chooseRoute } from '@/utils/routing';

/**
 * The texts file and the code agree: every text is used, every text the code asks for exists,
 * none is empty, and the manifest's __MSG_name__ texts exist. A translation is then a copy of
 * locales/en.yml, and nothing in the code.
 */

const messages = await parseMessagesFile('locales/en.yml');
const entries = messages.map((m) => ({
  key: m.key.join('.'),
  texts: m.type === 'plural' ? Object.values(m.plurals as Record<string, string>) : [m.message as string],
}));
// Chrome's predefined texts (@@ui_locale, ...) come with every file; they are not ours to use.
const keys = new Set(entries.map((e) => e.key).filter((key) => !key.startsWith('@@')));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx)$/.test(name) ? [path] : [];
  });
}
const sources = ['entrypoints', 'components', 'utils'].flatMap(sourceFiles).map((path) => ({ path, text: readFileSync(path, 'utf8') }));
const manifestSource = readFileSync('wxt.config.ts', 'utf8');
const manifestNames = [...manifestSource.matchAll(/__MSG_(\w+)__/g)].map((m) => m[1]!);

/** Keys the code asks for: i18n.t('a.b'), and both branches of a chosen one (x === 'y' ? 'a.b' : 'a.c'). */
function requestedKeys(): Array<{ key: string; path: string }> {
  const out: Array<{ key: string; path: string }> = [];
  for (const { path, text } of sources) {
    for (const call of text.matchAll(/\bi18n\.t\(\s*([^,)]*)/g)) {
      const arg = call[1]!.trim();
      const whole = /^(['"`])([^'"`$]+)\1$/.exec(arg);
      const branches = [...arg.matchAll(/[?:]\s*(['"`])([^'"`$]+)\1/g)].map((m) => m[2]!);
      const found = whole ? [whole[2]!] : branches;
      // A key built at run time cannot be checked here, nor found by the "every text is used" check.
      if (found.length === 0) out.push({ key: `<computed: ${arg}>`, path });
      for (const key of found) out.push({ key, path });
    }
  }
  return out;
}

/** Groups whose components other work is wiring in now; their keys are checked all the same. */
const WIRED_ELSEWHERE = ['history', 'results', 'workspace', 'lineage', 'compare', 'panel', 'settings'];

describe('texts (locales/en.yml)', () => {
  it('has no empty text', () => {
    const empty = entries.filter((e) => e.texts.some((t) => !t.trim())).map((e) => e.key);
    expect(empty).toEqual([]);
  });

  it('has every text the code asks for, with a key written out in full', () => {
    const requested = requestedKeys();
    expect(requested.length).toBeGreaterThan(100);
    const missing = requested.filter((r) => !keys.has(r.key)).map((r) => `${r.key} (${r.path})`);
    expect(missing).toEqual([]);
  });

  it('has every text the manifest names', () => {
    expect(manifestNames).toEqual(expect.arrayContaining(['extName', 'extDescription']));
    expect(manifestNames.filter((name) => !keys.has(name.replace(/_/g, '.')) && !keys.has(name))).toEqual([]);
  });

  it('uses every text somewhere: in the code as a quoted key, or in the manifest', () => {
    const all = sources.map((s) => s.text).join('\n');
    const used = (key: string) => manifestNames.includes(key.replace(/\./g, '_')) || new RegExp(`(['"\`])${key.replace(/\./g, '\\.')}\\1`).test(all);
    const unused = [...keys].filter((key) => !used(key));
    // Reported by group, so a failure names whose component does not show its texts yet.
    const wiredElsewhere = (key: string) => WIRED_ELSEWHERE.includes(key.split('.')[0]!);
    expect.soft(unused.filter((key) => !wiredElsewhere(key)), 'texts no code uses').toEqual([]);
    expect.soft(unused.filter(wiredElsewhere), 'texts of components being wired in elsewhere that no code uses yet').toEqual([]);
  });
});

describe('a translation is a file', () => {
  it('reads every sentence, and the dates inside them, from the texts of the browser\u2019s language', () => {
    const german: Record<string, string> = {
      routing_textLocale: 'de',
      routing_successorRetired: '$1 wurde am $3 von $2 eingestellt; hier läuft $4, der Nachfolger.',
      routing_usesKey: 'Nutzt Ihren $1-Schlüssel.',
    };
    const english = fakeBrowser.i18n.getMessage;
    fakeBrowser.i18n.getMessage = ((name: string, subs?: string | string[]) =>
      name in german ? german[name]!.replace(/\$(\d)/g, (_m, d: string) => [subs ?? []].flat()[Number(d) - 1] ?? '') : english(name, subs)) as typeof fakeBrowser.i18n.getMessage;
    const imagen = chooseRoute('imagen-3', { settings: DEFAULT_SETTINGS, configured: new Set(['fal'] as const), sandbox: false });
    expect(imagen.reason).toBe('Nutzt Ihren fal-Schlüssel.');
    expect(imagen.successorNote).toBe('Imagen 3 wurde am 30. Juni 2026 von Google eingestellt; hier läuft Gemini 3 Pro Image, der Nachfolger.');
  });
});
