import { describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { registerMenus } from '../../../entrypoints/background/menus';

describe('context menus', () => {
  it('are named from the texts file when the extension is installed or updated', async () => {
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
    await vi.waitFor(() => expect(created).toHaveLength(3));
    expect(created.map((m) => [m.title, m.contexts])).toEqual([
      ['Use as image prompt', ['image']],
      ['Use linked image as image prompt', ['link']],
      ['Pick an image on this page', ['page']],
    ]);
  });
});
