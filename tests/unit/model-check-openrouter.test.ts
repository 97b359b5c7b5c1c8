// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { AppError } from '@/utils/errors';
import { checkModels, reachableModels } from '@/utils/model-check';
import { PROVIDER_NAMES, type ProviderId } from '@/utils/models';
import { getAdapter } from '@/utils/providers';
import { DEFAULT_SETTINGS } from '@/utils/settings';
import { useSandbox } from './providers/contract-helpers';

/** "Check my models" with only an OpenRouter key: each OpenRouter route is looked up in its free model list. */
describe('model check with an OpenRouter key', () => {
  const sandbox = useSandbox();
  const deps = (settings = DEFAULT_SETTINGS) => ({
    settings,
    adapterFor: getAdapter,
    fetch,
    targetFor: async (provider: ProviderId) => {
      if (provider !== 'openrouter') throw new AppError('no_key', `Add your ${PROVIDER_NAMES[provider]} key.`);
      return { baseUrl: `${sandbox().url}/openrouter`, key: 'sk-or-v1-test' };
    },
  });

  it('finds every OpenRouter route\u2019s model, and reports one the provider dropped as missing', async () => {
    sandbox().retire('openrouter', 'black-forest-labs/flux.2-pro');
    const rows = (await checkModels(deps())).filter((r) => r.routeId.startsWith('openrouter:'));
    expect(rows.map((r) => [r.model, r.status])).toEqual([
      ['openai/gpt-image-2', 'present'],
      ['google/gemini-3.1-flash-image', 'present'],
      ['google/gemini-3-pro-image', 'present'],
      ['black-forest-labs/flux.2-pro', 'missing'],
      ['bytedance-seed/seedream-4.5', 'present'],
    ]);
    expect(rows[0]!.detail).toBe('OpenRouter lists openai/gpt-image-2.');
    expect(rows[3]!.detail).toBe('OpenRouter does not list black-forest-labs/flux.2-pro for your key.');
    // Only the free listing was asked, once.
    const calls = sandbox().requests.filter((r) => r.provider === 'openrouter');
    expect(calls.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /openrouter/api/v1/images/models']);
  });

  it('checks the user\u2019s own model id where they set one', async () => {
    const settings = { ...DEFAULT_SETTINGS, modelOverrides: { 'openrouter:bytedance-seed/seedream-4.5': 'bytedance-seed/seedream-9' } };
    const row = (await checkModels(deps(settings))).find((r) => r.routeId === 'openrouter:bytedance-seed/seedream-4.5');
    expect(row).toMatchObject({ model: 'bytedance-seed/seedream-9', status: 'missing' });
  });

  it('lists every image model the key can reach, and leaves out providers without a key', async () => {
    const lists = await reachableModels(deps());
    expect(lists.map((l) => l.provider)).toEqual(['OpenRouter']);
    const models = lists[0]!.models;
    expect(models).toEqual([...models].sort());
    expect(models).toEqual(expect.arrayContaining(['openai/gpt-image-2', 'bytedance-seed/seedream-4.5', 'black-forest-labs/flux.2-pro']));
    sandbox().retire('openrouter', 'black-forest-labs/flux.2-pro');
    expect((await reachableModels(deps()))[0]!.models).not.toContain('black-forest-labs/flux.2-pro');
  });
});
