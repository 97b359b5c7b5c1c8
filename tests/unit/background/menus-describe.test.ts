import { describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import type { Browser } from 'wxt/browser';

// "Describe this image" on the page menu: the panel opens first, and the image is stored and
// described without being adopted as the image prompt.
const calls = vi.hoisted(() => ({ order: [] as string[], store: vi.fn(), adopt: vi.fn(), describe: vi.fn() }));
vi.mock('../../../entrypoints/background/panel', () => ({ openPanel: () => calls.order.push('openPanel') }));
vi.mock('../../../entrypoints/background/intake', () => ({
  adoptPageImage: calls.adopt,
  storePageImage: calls.store,
  startPicking: vi.fn(),
}));
vi.mock('../../../entrypoints/background/describe-on-demand', () => ({
  describePageImage: (store: () => unknown) => {
    calls.order.push('describe');
    calls.describe(store);
    store();
  },
  workerDescribeDeps: () => ({}),
}));

const { registerMenus } = await import('../../../entrypoints/background/menus');

describe('"Describe this image" menu entry', () => {
  it('is offered on images, named from the texts file', async () => {
    const created: Array<{ id?: string | number; title?: string; contexts?: string[] }> = [];
    vi.spyOn(fakeBrowser.contextMenus, 'removeAll').mockResolvedValue(undefined);
    vi.spyOn(fakeBrowser.contextMenus, 'create').mockImplementation((props) => {
      created.push(props as (typeof created)[number]);
      return props.id ?? '';
    });
    vi.spyOn(fakeBrowser.contextMenus.onClicked, 'addListener').mockImplementation(() => {});
    if (fakeBrowser.commands) vi.spyOn(fakeBrowser.commands.onCommand, 'addListener').mockImplementation(() => {});
    registerMenus();
    await fakeBrowser.runtime.onInstalled.trigger({ reason: 'install' });
    await vi.waitFor(() => expect(created.find((m) => m.title === 'Describe this image')).toMatchObject({ contexts: ['image'] }));
  });

  it('opens the panel first, then stores the image (not as the image prompt) and describes it', () => {
    const add = vi.spyOn(fakeBrowser.contextMenus.onClicked, 'addListener').mockImplementation(() => {});
    if (fakeBrowser.commands) vi.spyOn(fakeBrowser.commands.onCommand, 'addListener').mockImplementation(() => {});
    registerMenus();
    const onClicked = add.mock.calls[0]![0] as (info: Browser.contextMenus.OnClickData, tab?: Browser.tabs.Tab) => void;
    const tab = { id: 7, windowId: 1, url: 'https://example.org/page', title: 'A page' } as Browser.tabs.Tab;
    onClicked({ menuItemId: 'describe-image', srcUrl: 'https://example.org/a.jpg', frameId: 0, editable: false, pageUrl: 'https://example.org/page' }, tab);
    expect(calls.order).toEqual(['openPanel', 'describe']);
    expect(calls.adopt).not.toHaveBeenCalled();
    expect(calls.store).toHaveBeenCalledWith(
      'https://example.org/a.jpg',
      { kind: 'page', url: 'https://example.org/a.jpg', pageUrl: 'https://example.org/page', pageTitle: 'A page' },
      { tabId: 7, frameId: 0 },
      true,
    );
  });
});
