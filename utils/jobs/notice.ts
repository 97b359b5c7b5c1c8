/** Notification ids carry the job and the window to open the panel in when clicked. */
const PREFIX = 'job-ended:';

export function noticeId(jobId: string, windowId: number | undefined): string {
  return `${PREFIX}${windowId ?? ''}:${jobId}`;
}

export function parseNoticeId(id: string): { jobId: string; windowId?: number } | null {
  if (!id.startsWith(PREFIX)) return null;
  const rest = id.slice(PREFIX.length);
  const colon = rest.indexOf(':');
  if (colon < 0) return null;
  const win = rest.slice(0, colon);
  const jobId = rest.slice(colon + 1);
  if (!jobId) return null;
  return { jobId, ...(win && /^\d+$/.test(win) ? { windowId: Number(win) } : {}) };
}


