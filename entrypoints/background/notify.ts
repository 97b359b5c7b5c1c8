import { browser } from 'wxt/browser';
import { noticeId, parseNoticeId } from '@/utils/jobs/notice';
import { getModel } from '@/utils/models';
import type { JobRecord } from '@/utils/store/types';
import { i18n } from '#i18n';

/**
 * A system notification when a job ends while no panel is open to show it (the worker keeps
 * running jobs after the user closed the panel). Clicking it opens the panel.
 */

const PANEL_PATH = '/sidepanel.html';

export async function notifyIfUnseen(job: JobRecord): Promise<void> {
  const notice = jobEndNotice(job);
  if (!notice) return;
  if (await panelIsOpen()) return;
  const windowId = await browser.windows
    .getLastFocused()
    .then((w) => w.id)
    .catch(() => undefined);
  await browser.notifications.create(noticeId(job.id, windowId), {
    type: 'basic',
    iconUrl: browser.runtime.getURL('/icon/128.png'),
    title: notice.title,
    message: notice.message,
  });
}

/**
 * Whether a panel document is open anywhere: Chrome's side panel, or the panel page in a
 * tab (Chrome 116+ `runtime.getContexts`); Firefox's sidebar (`extension.getViews`). When
 * neither can be asked, say no: a notification too many beats a result nobody hears about.
 */
export async function panelIsOpen(): Promise<boolean> {
  const panelUrl = browser.runtime.getURL(PANEL_PATH);
  const runtime = browser.runtime as unknown as {
    getContexts?: (filter: { contextTypes: string[] }) => Promise<Array<{ contextType: string; documentUrl?: string }>>;
  };
  if (typeof runtime.getContexts === 'function') {
    try {
      const contexts = await runtime.getContexts({ contextTypes: ['SIDE_PANEL', 'TAB'] });
      return contexts.some((c) => c.contextType === 'SIDE_PANEL' || (c.documentUrl ?? '').startsWith(panelUrl));
    } catch {
      // An older browser that knows getContexts but not a context type: fall through.
    }
  }
  const extension = (browser as unknown as { extension?: { getViews?: (f?: { type?: string }) => Window[] } }).extension;
  if (typeof extension?.getViews === 'function') {
    try {
      if (extension.getViews({ type: 'sidebar' }).length > 0) return true;
      return extension.getViews({ type: 'tab' }).some((w) => w.location.href.startsWith(panelUrl));
    } catch {
      return false;
    }
  }
  return false;
}

/**
 * What the notification says: plain words, the prompt so the user knows which one, and nothing
 * for jobs the user ended or that never ran (canceled, or answered from the cache while they
 * watched).
 */
export function jobEndNotice(job: JobRecord): { title: string; message: string } | null {
  if (job.cachedFrom) return null;
  const what = i18n.t('notify.what', [shorten(job.request.prompt, 80), modelName(job)]);
  switch (job.state) {
    case 'done': {
      const count = job.resultIds.length;
      return { title: i18n.t('notify.ready', count), message: i18n.t('notify.readyText', count, [what]) };
    }
    case 'failed':
      return { title: i18n.t('notify.failed'), message: i18n.t('notify.endedText', [what, job.error?.message ?? i18n.t('notify.failedReason')]) };
    case 'timed_out':
      return { title: i18n.t('notify.timedOut'), message: i18n.t('notify.endedText', [what, job.error?.message ?? i18n.t('notify.timedOutReason')]) };
    default:
      return null;
  }
}

function modelName(job: JobRecord): string {
  try {
    return getModel(job.request.modelId).name;
  } catch {
    return job.request.modelId;
  }
}

function shorten(text: string, max: number): string {
  const t = text.trim().replace(/\s+/g, ' ');
  return t.length <= max ? t : `${t.slice(0, max - 1).trimEnd()}\u2026`;
}

/** Registered at the top level of the worker, so a click wakes it and is delivered. */
export function registerNotificationClicks(): void {
  browser.notifications.onClicked.addListener((id) => {
    const parsed = parseNoticeId(id);
    if (!parsed) return;
    openPanelFromClick(parsed.windowId); // first, while the click still counts as a user gesture
    void browser.notifications.clear(id);
  });
}

function openPanelFromClick(windowId: number | undefined): void {
  if (import.meta.env.FIREFOX) {
    const sidebar = (browser as unknown as { sidebarAction?: { open(): Promise<void> } }).sidebarAction;
    void sidebar?.open().catch(() => {});
    return;
  }
  if (windowId === undefined) return;
  void browser.sidePanel.open({ windowId }).catch(() => {
    // The window is gone, or the browser did not count the click as a gesture: bring the
    // window forward at least; the results are waiting in the panel.
    void browser.windows.update(windowId, { focused: true }).catch(() => {});
  });
}
