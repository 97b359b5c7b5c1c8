import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { keepAlive, RESUME_ALARM, resumeJobs } from '../../../entrypoints/background/keep-alive';

afterEach(() => {
  vi.useRealTimers();
});

describe('keep-alive and the resume alarm', () => {
  it('holds an alarm and a heartbeat exactly while jobs run', async () => {
    vi.useFakeTimers();
    const beat = vi.spyOn(fakeBrowser.runtime, 'getPlatformInfo').mockResolvedValue({ os: 'linux', arch: 'x86-64' } as never);
    keepAlive.hold();
    keepAlive.hold();
    await vi.advanceTimersByTimeAsync(0);
    expect(await fakeBrowser.alarms.get(RESUME_ALARM)).toBeDefined();
    await vi.advanceTimersByTimeAsync(20_000);
    expect(beat).toHaveBeenCalledTimes(1);
    keepAlive.release();
    await vi.advanceTimersByTimeAsync(0);
    expect(await fakeBrowser.alarms.get(RESUME_ALARM)).toBeDefined();
    keepAlive.release();
    await vi.advanceTimersByTimeAsync(0);
    expect(await fakeBrowser.alarms.get(RESUME_ALARM)).toBeUndefined();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(beat).toHaveBeenCalledTimes(1);
  });

  it('resumes unfinished jobs on start, and drops a leftover alarm when there are none', async () => {
    await fakeBrowser.alarms.create(RESUME_ALARM, { periodInMinutes: 0.5 });
    const engine = { resumeUnfinished: vi.fn(async () => 2), activeCount: () => 2 };
    expect(await resumeJobs(engine)).toBe(2);
    expect(await fakeBrowser.alarms.get(RESUME_ALARM)).toBeDefined();
    const idle = { resumeUnfinished: vi.fn(async () => 0), activeCount: () => 0 };
    expect(await resumeJobs(idle)).toBe(0);
    expect(idle.resumeUnfinished).toHaveBeenCalledTimes(1);
    expect(await fakeBrowser.alarms.get(RESUME_ALARM)).toBeUndefined();
  });
});
