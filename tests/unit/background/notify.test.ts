import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { jobEndNotice, notifyIfUnseen, panelIsOpen, registerNotificationClicks } from '../../../entrypoints/background/notify';
import { noticeId, parseNoticeId } from '../../../utils/jobs/notice';
import { jobRecord } from '../jobs/fixtures';

type Context = { contextType: string; documentUrl?: string };
const runtime = fakeBrowser.runtime as unknown as { getContexts?: (f: object) => Promise<Context[]> };
const extension = fakeBrowser.extension as unknown as { getViews?: (f?: object) => Array<{ location: { href: string } }> };
const originalGetContexts = runtime.getContexts;
const originalGetViews = extension.getViews;

function openContexts(contexts: Context[]) {
  runtime.getContexts = vi.fn(async () => contexts);
}

afterEach(() => {
  runtime.getContexts = originalGetContexts;
  extension.getViews = originalGetViews;
});

const done = jobRecord('job-1', { state: 'done', resultIds: ['job-1:0'] });

describe('job end notice', () => {
  it('says in plain words what finished, failed or ran out of time, and nothing otherwise', () => {
    expect(jobEndNotice(done)).toEqual({ title: 'Your image is ready', message: '\u201ca lighthouse at dusk\u201d with Flux dev. Open Image Prompt to see it.' });
    expect(jobEndNotice({ ...done, resultIds: ['a', 'b'] })?.title).toBe('Your 2 images are ready');
    const failed = jobEndNotice({ ...done, state: 'failed', error: { kind: 'bad_key', message: 'fal did not accept the API key.' } });
    expect(failed).toEqual({ title: 'An image could not be made', message: '\u201ca lighthouse at dusk\u201d with Flux dev: fal did not accept the API key.' });
    expect(jobEndNotice({ ...done, state: 'timed_out' })?.title).toBe('An image took too long');
    expect(jobEndNotice({ ...done, state: 'canceled' })).toBeNull();
    expect(jobEndNotice({ ...done, cachedFrom: 'job-0' })).toBeNull();
    expect(jobEndNotice({ ...done, state: 'polling' })).toBeNull();
    const long = jobEndNotice({ ...done, request: { ...done.request, prompt: 'x'.repeat(300) } });
    expect(long!.message.length).toBeLessThan(140);
  });

  it('carries the job and window in the notification id', () => {
    expect(parseNoticeId(noticeId('a:b-c', 7))).toEqual({ jobId: 'a:b-c', windowId: 7 });
    expect(parseNoticeId(noticeId('j', undefined))).toEqual({ jobId: 'j' });
    expect(parseNoticeId('something-else')).toBeNull();
  });
});

describe('notifications', () => {
  it('notifies when a job ends and no panel is open, with the extension icon', async () => {
    openContexts([{ contextType: 'BACKGROUND' }, { contextType: 'TAB', documentUrl: 'chrome-extension://test/options.html' }]);
    await notifyIfUnseen(done);
    const created = Object.entries(fakeBrowser.notifications.getAllCreateOptions());
    expect(created).toHaveLength(1);
    const [id, options] = created[0]!;
    expect(parseNoticeId(id)?.jobId).toBe('job-1');
    expect(options).toMatchObject({ type: 'basic', title: 'Your image is ready' });
    expect(String(options.iconUrl)).toMatch(/\/icon\/128\.png$/);
  });

  it('stays quiet while a panel shows the job, docked or in a tab', async () => {
    openContexts([{ contextType: 'SIDE_PANEL', documentUrl: fakeBrowser.runtime.getURL('/sidepanel.html') }]);
    await notifyIfUnseen(done);
    openContexts([{ contextType: 'TAB', documentUrl: fakeBrowser.runtime.getURL('/sidepanel.html') }]);
    await notifyIfUnseen(done);
    expect(Object.keys(fakeBrowser.notifications.getAllCreateOptions())).toHaveLength(0);
  });

  it('asks Firefox for its sidebar when getContexts is missing', async () => {
    runtime.getContexts = undefined;
    extension.getViews = vi.fn((f?: { type?: string }) => (f?.type === 'sidebar' ? [{ location: { href: 'moz-extension://x/sidepanel.html' } }] : []));
    expect(await panelIsOpen()).toBe(true);
    extension.getViews = vi.fn(() => []);
    expect(await panelIsOpen()).toBe(false);
    await notifyIfUnseen(done);
    expect(Object.keys(fakeBrowser.notifications.getAllCreateOptions())).toHaveLength(1);
  });

  it('opens the panel in the window the notification was made for when clicked', async () => {
    const open = vi.spyOn(fakeBrowser.sidePanel, 'open').mockResolvedValue(undefined);
    registerNotificationClicks();
    const id = noticeId('job-1', 42);
    await fakeBrowser.notifications.create(id, { type: 'basic', title: 't', message: 'm', iconUrl: 'i' });
    await fakeBrowser.notifications.onClicked.trigger(id);
    expect(open).toHaveBeenCalledWith({ windowId: 42 });
    expect(Object.keys(fakeBrowser.notifications.getAllCreateOptions())).toHaveLength(0);
    await fakeBrowser.notifications.onClicked.trigger('not-ours');
    expect(open).toHaveBeenCalledTimes(1);
  });
});
