import { describe, expect, it, vi } from 'vitest';
import { installMenus, menuClicks, pageTab } from './menus-harness';

const calls = vi.hoisted(() => ({ adopt: vi.fn() }));
vi.mock('../../../entrypoints/background/panel', () => ({ openPanel: () => {} }));
vi.mock('../../../entrypoints/background/intake', () => ({ adoptPageImage: calls.adopt, storePageImage: vi.fn(), startPicking: vi.fn() }));

const { registerMenus } = await import('../../../entrypoints/background/menus');

describe('context menus', () => {
  it('are named from the texts file when the extension is installed or updated', async () => {
    const created = await installMenus(registerMenus);
    await vi.waitFor(() => expect(created).toHaveLength(6));
    expect(created.map((m) => [m.title, m.contexts])).toEqual([
      ['Use as image prompt', ['image']],
      ['Add to image prompt', ['image']],
      ['Use linked image as image prompt', ['link']],
      ['Add linked image to image prompt', ['link']],
      ['Pick an image on this page', ['page']],
      ['Describe this image', ['image']],
    ]);
  });

  it('"Add to image prompt" adopts the image into the tray, "Use as image prompt" as the image prompt', () => {
    const onClicked = menuClicks(registerMenus);
    const tab = pageTab;
    const info = { srcUrl: 'https://example.org/a.jpg', frameId: 0, editable: false, pageUrl: 'https://example.org/page' };
    const source = { kind: 'page', url: 'https://example.org/a.jpg', pageUrl: 'https://example.org/page', pageTitle: 'A page' };
    onClicked({ ...info, menuItemId: 'add-to-image-prompt' }, tab);
    expect(calls.adopt).toHaveBeenLastCalledWith('https://example.org/a.jpg', source, { tabId: 7, frameId: 0 }, true, 'add');
    onClicked({ ...info, menuItemId: 'use-as-image-prompt' }, tab);
    expect(calls.adopt).toHaveBeenLastCalledWith('https://example.org/a.jpg', source, { tabId: 7, frameId: 0 }, true);
    onClicked({ ...info, menuItemId: 'add-linked-image', linkUrl: 'https://example.org/big.png' }, tab);
    expect(calls.adopt).toHaveBeenLastCalledWith('https://example.org/big.png', { ...source, url: 'https://example.org/big.png' }, { tabId: 7, frameId: 0 }, false, 'add');
  });
});
