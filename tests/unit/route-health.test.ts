import { describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { applyModelFindings, markRouteUnavailable } from '@/utils/route-health';
import { loadSettings } from '@/utils/settings';

describe('route marks from a model check', () => {
  it('marks what the provider no longer lists and clears what it lists again, in one write', async () => {
    await markRouteUnavailable('fal:a', 'gone earlier', 'a', 1);
    await markRouteUnavailable('fal:b', 'gone earlier', 'b', 1);
    let writes = 0;
    const count = () => void writes++;
    fakeBrowser.storage.local.onChanged.addListener(count);
    await applyModelFindings({ missing: [{ routeId: 'openai:gpt-image-2', message: 'OpenAI does not list gpt-image-2 for your key.', model: 'gpt-image-2' }], present: ['fal:a'] }, 5);
    fakeBrowser.storage.local.onChanged.removeListener(count);
    const marks = (await loadSettings()).unavailableRoutes;
    expect(Object.keys(marks).sort()).toEqual(['fal:b', 'openai:gpt-image-2']);
    expect(marks['openai:gpt-image-2']).toEqual({ since: 5, message: 'OpenAI does not list gpt-image-2 for your key.', model: 'gpt-image-2' });
    expect(writes).toBe(1);
  });
});
