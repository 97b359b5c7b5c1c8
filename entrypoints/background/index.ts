import '@/utils/zod-setup';
import { browser } from 'wxt/browser';
import { defineBackground } from 'wxt/utils/define-background';
import { jobEngine } from './jobs';
import { RESUME_ALARM } from './keep-alive';
import { registerMenus } from './menus';
import { registerActionBehavior } from './panel';
import { registerMessageRouter } from './router';

// Every listener is registered synchronously here, so events that wake the worker are
// delivered; the work itself lives in the modules.
export default defineBackground(() => {
  registerMenus();
  registerMessageRouter();
  registerActionBehavior();
  browser.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name === RESUME_ALARM) void jobEngine().resumeUnfinished();
  });
  // A (re)started worker picks up every unfinished job from its persisted state.
  void jobEngine().resumeUnfinished();
});
