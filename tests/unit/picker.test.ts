// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import picker from '../../entrypoints/picker';

/**
 * Pick mode runs inside web pages, which can dispatch synthetic events of their own. Events a
 * script makes are untrusted (isTrusted false), in jsdom as in a browser: they must be ignored.
 */
describe('pick mode in a hostile page', () => {
  afterEach(() => {
    document.body.innerHTML = '';
    (globalThis as { imagePromptPicking?: boolean }).imagePromptPicking = false;
  });

  it('ignores synthetic clicks and Escape, and lets them through to the page', () => {
    const send = vi.spyOn(fakeBrowser.runtime, 'sendMessage').mockResolvedValue(undefined);
    document.body.innerHTML = '<img id="bait" src="https://example.com/bait.png" width="50" height="50">';
    picker.main();
    const pageSaw: string[] = [];
    document.addEventListener('click', () => pageSaw.push('click'));
    document.addEventListener('keydown', () => pageSaw.push('keydown'));
    document.getElementById('bait')!.dispatchEvent(new MouseEvent('click', { bubbles: true, clientX: 10, clientY: 10 }));
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    expect(send).not.toHaveBeenCalled();
    expect(pageSaw).toEqual(['click', 'keydown']);
    // Still picking: the outline and banner are still there for the user's real click.
    expect(document.querySelector('[role="status"]')?.textContent).toContain('click an image');
  });

  it('keeps its on/off state out of the page\u2019s DOM', () => {
    picker.main();
    expect(document.documentElement.outerHTML).not.toMatch(/imagePrompt|image-prompt-picking/i);
    // A page that fakes a marker cannot stop picking either.
    document.querySelectorAll('[role="status"]').forEach((n) => n.remove());
    document.documentElement.dataset.imagePromptPicking = '1';
    (globalThis as { imagePromptPicking?: boolean }).imagePromptPicking = false;
    picker.main();
    expect(document.querySelector('[role="status"]')).not.toBeNull();
  });
});
