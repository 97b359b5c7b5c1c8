import '@/utils/zod-setup';
import { browser } from 'wxt/browser';
import { defineBackground } from 'wxt/utils/define-background';
import { jobEngine } from './jobs';
import { RESUME_ALARM, resumeJobs } from './keep-alive';
import { registerNotificationClicks } from './notify';
import { registerPickerListener } from './intake';
import { startNetworkGuard } from '@/utils/intake/network-guard-settings';
import { registerMenus } from './menus';
import { registerActionBehavior } from './panel';
import { guardStorage } from './storage-guard';
import { registerMessageRouter } from './router';

// Every listener is registered synchronously here, so events that wake the worker are
// delivered; the work itself lives in the modules.
export default defineBackground(() => {
  startNetworkGuard();
  void guardStorage();
  registerMenus();
  registerMessageRouter();
  registerPickerListener();
  registerActionBehavior();
  registerNotificationClicks();
  browser.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name === RESUME_ALARM) void resumeJobs(jobEngine());
  });
  // Jobs left running when the browser closed resume when it opens (the listener is what
  // starts the worker then; alarms are not promised to survive a browser restart).
  browser.runtime.onStartup.addListener(() => void resumeJobs(jobEngine()));
  // A (re)started worker picks up every unfinished job from its persisted state.
  void resumeJobs(jobEngine());
});
