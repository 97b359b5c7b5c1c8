import { browser, type Browser } from 'wxt/browser';
import { IMAGE_LINK_PATTERNS, isImageLink } from '@/utils/intake/link-targets';
import { adoptPageImage, startPicking, storePageImage } from './intake';
import { describePageImage, workerDescribeDeps } from './describe-on-demand';
import { openPanel } from './panel';
import { i18n } from '#i18n';

const MENU_USE_IMAGE = 'use-as-image-prompt';
const MENU_USE_LINK = 'use-linked-image';
/** "Add to image prompt": one more reference in the tray, the image prompt stays first. */
const MENU_ADD_IMAGE = 'add-to-image-prompt';
const MENU_ADD_LINK = 'add-linked-image';
const MENU_PICK = 'pick-image-on-page';
const MENU_DESCRIBE = 'describe-image';
/** The `commands` entry (keyboard shortcut) for pick mode; see wxt.config.ts. */
const PICK_COMMAND = 'pick-image';

export function registerMenus(): void {
  browser.runtime.onInstalled.addListener(() => {
    // removeAll first: onInstalled also fires on update, and ids must be unique.
    void browser.contextMenus.removeAll().then(() => {
      browser.contextMenus.create({ id: MENU_USE_IMAGE, title: i18n.t('menus.useImage'), contexts: ['image'] });
      browser.contextMenus.create({ id: MENU_ADD_IMAGE, title: i18n.t('tray.menuAdd'), contexts: ['image'] });
      browser.contextMenus.create({
        id: MENU_USE_LINK,
        title: i18n.t('menus.useLink'),
        contexts: ['link'],
        targetUrlPatterns: IMAGE_LINK_PATTERNS,
      });
      browser.contextMenus.create({ id: MENU_ADD_LINK, title: i18n.t('tray.menuAddLink'), contexts: ['link'], targetUrlPatterns: IMAGE_LINK_PATTERNS });
      // "page" shows only where no other context applies: for pages that block right-click on
      // images, draw them as CSS backgrounds or canvas.
      browser.contextMenus.create({ id: MENU_PICK, title: i18n.t('menus.pick'), contexts: ['page'] });
      browser.contextMenus.create({ id: MENU_DESCRIBE, title: i18n.t('describe.menu'), contexts: ['image'] });
    });
  });
  browser.contextMenus.onClicked.addListener(onMenuClicked);
  browser.commands?.onCommand.addListener((command, tab) => {
    if (command === PICK_COMMAND) startPicking(tab);
  });
}

function onMenuClicked(info: Browser.contextMenus.OnClickData, tab?: Browser.tabs.Tab): void {
  const target = { tabId: tab?.id, frameId: info.frameId };
  const pageUrl = info.pageUrl ?? tab?.url;
  switch (info.menuItemId) {
    case MENU_USE_IMAGE: {
      if (!info.srcUrl) return;
      openPanel(tab); // first, while the click still counts as a user gesture
      const url = info.srcUrl;
      void adoptPageImage(url, { kind: 'page', url: /^(data|blob):/.test(url) ? undefined : url, pageUrl, pageTitle: tab?.title }, target, true);
      return;
    }
    case MENU_USE_LINK: {
      if (!info.linkUrl || !isImageLink(info.linkUrl)) return;
      openPanel(tab);
      void adoptPageImage(info.linkUrl, { kind: 'page', url: info.linkUrl, pageUrl, pageTitle: tab?.title }, target, false);
      return;
    }
    case MENU_ADD_IMAGE: {
      if (!info.srcUrl) return;
      openPanel(tab);
      const url = info.srcUrl;
      void adoptPageImage(url, { kind: 'page', url: /^(data|blob):/.test(url) ? undefined : url, pageUrl, pageTitle: tab?.title }, target, true, 'add');
      return;
    }
    case MENU_ADD_LINK: {
      if (!info.linkUrl || !isImageLink(info.linkUrl)) return;
      openPanel(tab);
      void adoptPageImage(info.linkUrl, { kind: 'page', url: info.linkUrl, pageUrl, pageTitle: tab?.title }, target, false, 'add');
      return;
    }
    case MENU_PICK:
      startPicking(tab);
      return;
    case MENU_DESCRIBE: {
      if (!info.srcUrl) return;
      openPanel(tab); // first, while the click still counts as a user gesture
      const url = info.srcUrl;
      const source = { kind: 'page' as const, url: /^(data|blob):/.test(url) ? undefined : url, pageUrl, pageTitle: tab?.title };
      // Stored, not adopted: the user's image prompt stays as it is.
      void describePageImage(() => storePageImage(url, source, target, true), workerDescribeDeps());
      return;
    }
  }
}
