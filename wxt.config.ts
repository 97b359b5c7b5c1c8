import { defineConfig } from 'wxt';

// One source builds Chrome (MV3 service worker + side panel) and Firefox (MV3 event page +
// sidebar). `--mode sandbox` (used by `npm start`) points providers without a key at the
// local sandbox; the normal build never does.
export default defineConfig({
  // i18n: every text lives in locales/en.yml and ships as _locales/en/messages.json, so a
  // translation is a file, not a code change.
  modules: ['@wxt-dev/module-react', '@wxt-dev/webextension-polyfill', '@wxt-dev/i18n/module'],
  // Explicit imports everywhere: modules read the same in the build, in tests and in an editor.
  imports: false,
  manifest: ({ browser }) => ({
    name: '__MSG_extName__',
    description: '__MSG_extDescription__',
    default_locale: 'en',
    permissions: [
      'contextMenus',
      'storage',
      'alarms',
      'unlimitedStorage',
      // "Your image is ready" when a job ends while the panel is closed.
      'notifications',
      // Reading blob:/canvas/SVG images in the page and pick mode: an injected function or the
      // picker, only in the tab the user clicked in (activeTab keeps this working when the user
      // restricts the extension's site access to "on click").
      'scripting',
      'activeTab',
      // Hotlink-protected images: a session rule sets Referer on that one request, then goes.
      'declarativeNetRequestWithHostAccess',
      ...(browser === 'firefox' ? [] : ['sidePanel']),
    ],
    commands: {
      'pick-image': { suggested_key: { default: 'Alt+Shift+I' }, description: '__MSG_pickImageCommand__' },
    },
    // Images come from any site (the worker fetches them itself, so the page cannot tamper
    // with or withhold them) and provider base URLs are user-configurable (proxies, regional
    // hosts): both need broad host access.
    host_permissions: ['<all_urls>'],
    action: { default_title: '__MSG_actionTitle__' },
    icons: { 16: '/icon/16.png', 32: '/icon/32.png', 48: '/icon/48.png', 128: '/icon/128.png' },
    ...(browser === 'firefox'
      ? {
          browser_specific_settings: {
            gecko: {
              id: 'image-prompt@image-prompt.dev',
              strict_min_version: '142.0',
              data_collection_permissions: { required: ['none'] },
            },
          },
        }
      : {}),
  }),
});
