import { browser } from 'wxt/browser';

/**
 * Keeps the worker from being stopped for idleness while jobs run: any extension API call
 * resets Chrome's 30 s idle timer, so we make a cheap one every 20 s. Held only while a job
 * is active. The resume alarm is the safety net when the worker is stopped anyway.
 */
export const RESUME_ALARM = 'resume-jobs';

let holders = 0;
let timer: ReturnType<typeof setInterval> | undefined;

export const keepAlive = {
  hold(): void {
    holders++;
    if (timer) return;
    timer = setInterval(() => void browser.runtime.getPlatformInfo(), 20_000);
    // 30 s is the shortest period Chrome allows for a packed extension.
    void browser.alarms.create(RESUME_ALARM, { periodInMinutes: 0.5 });
  },
  release(): void {
    holders = Math.max(0, holders - 1);
    if (holders > 0 || !timer) return;
    clearInterval(timer);
    timer = undefined;
    void browser.alarms.clear(RESUME_ALARM);
  },
};

/**
 * Runs on every worker start and every resume alarm: picks unfinished jobs up again, and drops
 * the alarm once there is nothing left to watch (an alarm left behind by a worker that was
 * stopped mid-job would otherwise wake the extension every 30 s for nothing).
 */
export async function resumeJobs(engine: { resumeUnfinished(): Promise<number>; activeCount(): number }): Promise<number> {
  const resumed = await engine.resumeUnfinished();
  if (resumed === 0 && engine.activeCount() === 0) await browser.alarms.clear(RESUME_ALARM);
  return resumed;
}
