// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { OptionsApp } from '@/entrypoints/options/OptionsApp';
import { send } from '@/utils/protocol';
import { getKey, setKey } from '@/utils/secrets';
import { loadSettings, updateSettings } from '@/utils/settings';
import { db } from '@/utils/store/schema';
import type { ModelCheckRow } from '@/utils/model-check';

// The worker is not running here: its answers are the test's.
vi.mock('@/utils/protocol', () => ({ send: vi.fn() }));
const sendMock = vi.mocked(send);

beforeEach(async () => {
  const d = await db();
  await d.clear('secrets');
  await d.clear('addresses');
  sendMock.mockReset();
});
afterEach(cleanup);

async function renderPage() {
  render(<OptionsApp />);
  return screen.findByRole('heading', { name: 'Image Prompt settings', level: 1 });
}

const provider = (name: string) => screen.getByRole('group', { name });

describe('options page: provider keys', () => {
  it('saving a key says "Saved.", keeps the key out of the field and offers to remove it', async () => {
    await renderPage();
    const fal = provider('fal');
    expect(within(fal).getByLabelText('fal API key').getAttribute('placeholder')).toBe('Not set');
    await userEvent.type(within(fal).getByLabelText('fal API key'), 'fal-secret-1234');
    await userEvent.click(within(fal).getByRole('button', { name: 'Save fal' }));

    expect(await within(fal).findByRole('status')).toHaveTextContent('Saved.');
    expect(await getKey('fal')).toBe('fal-secret-1234');
    const field = within(fal).getByLabelText('fal API key');
    expect(field).toHaveValue('');
    await waitFor(() => expect(field.getAttribute('placeholder')).toBe('Saved (\u2022\u2022\u2022\u20221234)'));

    await userEvent.click(within(fal).getByRole('button', { name: 'Remove fal key' }));
    expect(await within(fal).findByText('Key removed.')).toBeInTheDocument();
    expect(await getKey('fal')).toBeUndefined();
    await waitFor(() => expect(within(fal).queryByRole('button', { name: 'Remove fal key' })).toBeNull());
  });

  it('refuses an address that is not https, and saves nothing', async () => {
    await renderPage();
    const fal = provider('fal');
    const address = within(fal).getByLabelText('fal API address');
    await userEvent.clear(address);
    await userEvent.type(address, 'http://example.com/fal');
    await userEvent.type(within(fal).getByLabelText('fal API key'), 'k-5678');
    await userEvent.click(within(fal).getByRole('button', { name: 'Save fal' }));
    expect(await within(fal).findByRole('status')).toHaveTextContent('The address must start with https:// (plain http only for this computer).');
    expect(await getKey('fal')).toBeUndefined();
  });

  it('a failed key test shows the provider\u2019s own reason', async () => {
    await setKey('fal', 'fal-wrong');
    sendMock.mockImplementation(async (type, payload) => {
      expect(type).toBe('provider.testKey');
      expect(payload).toEqual({ provider: 'fal' });
      return { ok: false, message: 'fal did not accept the API key.' };
    });
    await renderPage();
    const fal = provider('fal');
    await userEvent.click(within(fal).getByRole('button', { name: 'Test fal key' }));
    const status = await within(fal).findByRole('status');
    expect(status).toHaveTextContent('fal did not accept the API key.');
    expect(status).toHaveClass('error');
  });

  it('says so when the worker cannot be asked to test a key', async () => {
    await setKey('fal', 'fal-key');
    sendMock.mockRejectedValue(new Error('The extension\u2019s background worker did not answer.'));
    await renderPage();
    await userEvent.click(within(provider('fal')).getByRole('button', { name: 'Test fal key' }));
    expect(await within(provider('fal')).findByRole('status')).toHaveTextContent('The extension\u2019s background worker did not answer.');
  });
});

describe('options page: models and routes', () => {
  it('Check my models says what it found and lists each route\u2019s finding', async () => {
    await setKey('fal', 'fal-key');
    const rows: ModelCheckRow[] = [
      { routeId: 'fal:fal-ai/flux/dev/image-to-image', model: 'fal-ai/flux/dev/image-to-image', status: 'present', detail: 'fal lists fal-ai/flux/dev/image-to-image.' },
      { routeId: 'fal:fal-ai/nano-banana-pro/edit', model: 'fal-ai/nano-banana-pro/edit', status: 'missing', detail: 'fal no longer offers fal-ai/nano-banana-pro/edit.' },
      { routeId: 'replicate:black-forest-labs/flux-dev', model: 'black-forest-labs/flux-dev', status: 'unchecked', detail: 'No Replicate key.' },
    ];
    let answer: (value: { checkedAt: number; rows: ModelCheckRow[] }) => void = () => {};
    sendMock.mockImplementation(() => new Promise((resolve) => (answer = resolve as typeof answer)));
    await renderPage();

    const button = screen.getByRole('button', { name: 'Check my models' });
    await userEvent.click(button);
    expect(button).toBeDisabled();
    expect(screen.getByText('Checking with free model lookups\u2026')).toHaveAttribute('role', 'status');
    answer({ checkedAt: 1, rows });

    expect(await screen.findByText('Checked 2 routes with free lookups; 1 no longer offered, now marked unavailable.')).toHaveAttribute('role', 'status');
    expect(button).toBeEnabled();
    await userEvent.click(screen.getByText('Flux dev: routes and model ids'));
    const list = screen.getByRole('list', { name: 'Every route of Flux dev' });
    const falRoute = within(list).getByRole('listitem', { name: /^fal: / });
    expect(falRoute).toHaveTextContent('Check: fal lists fal-ai/flux/dev/image-to-image.');
    expect(within(list).getByRole('listitem', { name: /^Replicate: / })).toHaveTextContent('Check: No Replicate key.');
  });

  it('choosing a route saves it, and the table says why that route runs', async () => {
    await setKey('fal', 'fal-key');
    await setKey('replicate', 'r8-key');
    await renderPage();
    const row = screen.getByRole('row', { name: /^Flux dev/ });
    expect(row).toHaveTextContent('Uses your fal key.');
    await userEvent.selectOptions(within(row).getByRole('combobox', { name: 'Flux dev route' }), 'replicate:black-forest-labs/flux-dev');
    await waitFor(() => expect(screen.getByRole('row', { name: /^Flux dev/ })).toHaveTextContent('Chosen in Settings.'));
    expect((await loadSettings()).routes['flux-dev']).toBe('replicate:black-forest-labs/flux-dev');

    await userEvent.selectOptions(screen.getByRole('combobox', { name: 'Flux dev route' }), 'Automatic');
    await waitFor(async () => expect((await loadSettings()).routes['flux-dev']).toBeUndefined());
  });

  it('a route marked unavailable can be marked available again', async () => {
    await setKey('fal', 'fal-key');
    const routeId = 'fal:fal-ai/nano-banana-pro/edit';
    await updateSettings((s) => ({ ...s, unavailableRoutes: { [routeId]: { since: Date.UTC(2026, 11, 1), message: 'fal no longer offers fal-ai/nano-banana-pro/edit.' } } }));
    await renderPage();
    expect(screen.getByRole('option', { name: /^fal: Gemini 3 Pro Image.*: unavailable$/ })).toBeInTheDocument();
    await userEvent.click(screen.getByText('Imagen 3: routes and model ids'));
    const item = within(screen.getByRole('list', { name: 'Every route of Imagen 3' })).getByRole('listitem', { name: /^fal: Gemini 3 Pro Image/ });
    expect(item).toHaveTextContent('Unavailable on this browser since 1 December 2026: fal no longer offers fal-ai/nano-banana-pro/edit.');
    await userEvent.click(within(item).getByRole('button', { name: 'Mark as available again' }));
    await waitFor(async () => expect((await loadSettings()).unavailableRoutes[routeId]).toBeUndefined());
    await waitFor(() => expect(within(item).queryByRole('button', { name: 'Mark as available again' })).toBeNull());
  });

  it('saves a model id for a route, and refuses one that is not a model id', async () => {
    await renderPage();
    await userEvent.click(screen.getByText('ChatGPT Image: routes and model ids'));
    const item = within(screen.getByRole('list', { name: 'Every route of ChatGPT Image' })).getByRole('listitem', { name: /^OpenAI: GPT Image 2/ });
    const field = within(item).getByLabelText('Model id');
    await userEvent.type(field, '../evil');
    await userEvent.click(within(item).getByRole('button', { name: 'Save model id' }));
    expect(within(item).getByRole('status')).toHaveTextContent('Use letters, digits and . _ : / - only.');

    await userEvent.clear(field);
    await userEvent.type(field, 'gpt-image-2-2026-04-21');
    await userEvent.click(within(item).getByRole('button', { name: 'Save model id' }));
    await waitFor(() => expect(within(item).getByRole('status')).toHaveTextContent('Requests will ask for gpt-image-2-2026-04-21.'));
    expect((await loadSettings()).modelOverrides['openai:gpt-image-2']).toBe('gpt-image-2-2026-04-21');
  });
});

describe('options page: spending this month', () => {
  it('adds up the costs recorded on this month’s jobs, per provider', async () => {
    const d = await db();
    await d.clear('jobs');
    const now = Date.now();
    const job = (id: string, fields: Record<string, unknown>) => ({
      id,
      createdAt: now,
      updatedAt: now,
      state: 'done' as const,
      request: { prompt: 'p', referenceId: null, modelId: 'flux-ultra' as const, settings: { influence: null, aspectRatio: null, numImages: 1, seed: null }, fresh: false, description: null },
      routeId: 'bfl:flux-pro-1.1-ultra',
      provider: 'bfl' as const,
      cacheKey: id,
      resultIds: [],
      attempts: 0,
      deadlineAt: now + 1,
      ...fields,
    });
    await d.put('jobs', job('c1', { cost: { usd: 0.06, source: 'reported' } }));
    await d.put('jobs', job('c2', { cost: { usd: 0.06, source: 'reported' } }));
    await d.put('jobs', job('c3', { cachedFrom: 'c1' }));
    await renderPage();
    const totals = screen.getByRole('region', { name: 'Spending this month' });
    const row = await within(totals).findByRole('row', { name: /Black Forest Labs/ });
    expect(Array.from(row.children, (c) => c.textContent)).toEqual(['Black Forest Labs', '$0.12', '2']);
    await d.clear('jobs');
  });
});
