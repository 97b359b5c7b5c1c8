import { describe, expect, it, vi } from 'vitest';
import { installMenus, menuClicks, pageTab } from './menus-harness';

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
    const created = await installMenus(registerMenus);
    await vi.waitFor(() => expect(created.find((m) => m.title === 'Describe this image')).toMatchObject({ contexts: ['image'] }));
  });

  it('opens the panel first, then stores the image (not as the image prompt) and describes it', () => {
    const onClicked = menuClicks(registerMenus);
    onClicked({ menuItemId: 'describe-image', srcUrl: 'https://example.org/a.jpg', frameId: 0, editable: false, pageUrl: 'https://example.org/page' }, pageTab);
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
