import { browser, type Browser } from 'wxt/browser';
import { adoptImageFromUrl } from '@/utils/intake/ingest';
import { openPanel } from './panel';

export const MENU_USE_IMAGE = 'use-as-image-prompt';

export function registerMenus(): void {
  browser.runtime.onInstalled.addListener(() => {
    // removeAll first: onInstalled also fires on update, and ids must be unique.
    void browser.contextMenus.removeAll().then(() => {
      browser.contextMenus.create({ id: MENU_USE_IMAGE, title: 'Use as image prompt', contexts: ['image'] });
    });
  });
  browser.contextMenus.onClicked.addListener(onMenuClicked);
}

export function onMenuClicked(info: Browser.contextMenus.OnClickData, tab?: Browser.tabs.Tab): void {
  if (info.menuItemId !== MENU_USE_IMAGE || !info.srcUrl) return;
  openPanel(tab); // first, while the click still counts as a user gesture
  void adoptImageFromUrl(info.srcUrl, {
    kind: 'page',
    url: info.srcUrl.startsWith('data:') ? undefined : info.srcUrl,
    pageUrl: info.pageUrl ?? tab?.url,
    pageTitle: tab?.title,
  }).catch(() => {
    // The reason is already in the draft, where the panel shows it.
  });
}
