import { vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import type { Browser } from 'wxt/browser';

/** The menu entries registerMenus creates when the extension is installed, in order. */
export async function installMenus(registerMenus: () => void): Promise<Array<{ id?: string | number; title?: string; contexts?: string[] }>> {
  const created: Array<{ id?: string | number; title?: string; contexts?: string[] }> = [];
  vi.spyOn(fakeBrowser.contextMenus, 'removeAll').mockResolvedValue(undefined);
  vi.spyOn(fakeBrowser.contextMenus, 'create').mockImplementation((props) => {
    created.push(props as (typeof created)[number]);
    return props.id ?? '';
  });
  menuClicks(registerMenus);
  await fakeBrowser.runtime.onInstalled.trigger({ reason: 'install' });
  return created;
}

type OnClicked = (info: Browser.contextMenus.OnClickData, tab?: Browser.tabs.Tab) => void;

/** The listener registerMenus gives contextMenus.onClicked, to call as the browser would. */
export function menuClicks(registerMenus: () => void): OnClicked {
  const add = vi.spyOn(fakeBrowser.contextMenus.onClicked, 'addListener').mockImplementation(() => {});
  if (fakeBrowser.commands) vi.spyOn(fakeBrowser.commands.onCommand, 'addListener').mockImplementation(() => {});
  registerMenus();
  return add.mock.calls.at(-1)![0] as OnClicked;
}

/** The tab a right-click happens in. */
export const pageTab = { id: 7, windowId: 1, url: 'https://example.org/page', title: 'A page' } as Browser.tabs.Tab;
