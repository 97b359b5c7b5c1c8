import { getModel } from '../models';
import type { JobRecord } from '../store/types';

/**
 * What a system notification says when a job ends while no panel is open: plain words, the
 * prompt so the user knows which one, and nothing for jobs the user ended or that never ran
 * (canceled, or answered from the cache while they watched).
 */
export function jobEndNotice(job: JobRecord): { title: string; message: string } | null {
  if (job.cachedFrom) return null;
  const what = `\u201c${shorten(job.request.prompt, 80)}\u201d with ${modelName(job)}`;
  switch (job.state) {
    case 'done': {
      const many = job.resultIds.length > 1;
      return {
        title: many ? `Your ${job.resultIds.length} images are ready` : 'Your image is ready',
        message: `${what}. Open Image Prompt to see ${many ? 'them' : 'it'}.`,
      };
    }
    case 'failed':
      return { title: 'An image could not be made', message: `${what}: ${job.error?.message ?? 'something went wrong.'}` };
    case 'timed_out':
      return { title: 'An image took too long', message: `${what}: ${job.error?.message ?? 'the provider did not finish in time.'}` };
    default:
      return null;
  }
}

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
