import { browser, type Browser } from 'wxt/browser';

/**
 * Opens the side panel (Chrome) or sidebar (Firefox). Must be called synchronously inside the
 * user gesture (menu click, action click): no await may come before it.
 */
export function openPanel(tab: Browser.tabs.Tab | undefined): void {
  if (import.meta.env.FIREFOX) {
    void (browser as unknown as { sidebarAction: { open(): Promise<void> } }).sidebarAction.open().catch(() => {});
    return;
  }
  if (tab?.windowId === undefined) return;
  void browser.sidePanel.open({ windowId: tab.windowId }).catch(() => {
    // Without a gesture (e.g. tests that call the handler directly) Chrome refuses; the
    // reference is still stored and shows up when the user opens the panel.
  });
}

/** The toolbar button opens the panel. */
export function registerActionBehavior(): void {
  if (import.meta.env.FIREFOX) {
    browser.action.onClicked.addListener(() => {
      void (browser as unknown as { sidebarAction: { toggle(): Promise<void> } }).sidebarAction.toggle();
    });
    return;
  }
  void browser.sidePanel.setPanelBehavior({ openPanelOnActionClick: true }).catch(() => {});
}
