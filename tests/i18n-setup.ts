import { fakeBrowser } from 'wxt/testing/fake-browser';
import { generateChromeMessages, parseMessagesFile } from '@wxt-dev/i18n/build';

/**
 * Component tests read the real English texts: browser.i18n.getMessage answers from
 * locales/en.yml the way the browser answers from the built _locales/en/messages.json
 * (including $1-style substitutions), and a key missing from the file is an error, not ''.
 */
const messages = generateChromeMessages(await parseMessagesFile('locales/en.yml'));

function getMessage(name: string, substitutions?: string | string[]): string {
  const entry = messages[name];
  if (!entry) throw new Error(`No text "${name}" in locales/en.yml`);
  const subs = substitutions === undefined ? [] : Array.isArray(substitutions) ? substitutions : [substitutions];
  return entry.message.replace(/\$(\d)/g, (_m, d: string) => subs[Number(d) - 1] ?? '');
}

export function installI18n(): void {
  fakeBrowser.i18n.getMessage = getMessage as typeof fakeBrowser.i18n.getMessage;
  fakeBrowser.i18n.getUILanguage = () => 'en';
}
