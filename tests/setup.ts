import 'fake-indexeddb/auto';
import '@testing-library/jest-dom/vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { beforeEach } from 'vitest';
import { installI18n } from './i18n-setup';

// @wxt-dev/i18n reads `browser` (or `chrome`) from the global scope when it is imported.
(globalThis as { chrome?: unknown }).chrome ??= fakeBrowser;
installI18n();

beforeEach(() => {
  fakeBrowser.reset();
  installI18n();
});
