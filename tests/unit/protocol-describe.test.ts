import { describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { createRouter, isTrustedSender, send, type Handlers } from '@/utils/protocol';

// The panel's "Describe" message: its payload and reply schemas, through the real router.
const EXT_ID = 'abcdefghijklmnop';
const ORIGIN = `chrome-extension://${EXT_ID}/`;
const panel = { id: EXT_ID, url: `${ORIGIN}sidepanel.html` };
const trust = (s: { id?: string; url?: string }) => isTrustedSender(s, EXT_ID, ORIGIN);

function routerWith(handler: Handlers['reference.describeOnDemand']) {
  // Only this message is sent in these tests.
  return createRouter({ 'reference.describeOnDemand': handler } as unknown as Handlers, trust);
}

function deliverTo(route: ReturnType<typeof createRouter>) {
  fakeBrowser.runtime.onMessage.addListener(((m: unknown, s: object, sendResponse: (r: unknown) => void) => {
    void route(m, { ...s, ...panel })?.then(sendResponse);
    return true;
  }) as never);
}

describe('reference.describeOnDemand', () => {
  it('carries the reference id in and the words and provider out', async () => {
    const handler = vi.fn<Handlers['reference.describeOnDemand']>(async () => ({ description: 'A blue field.', provider: 'google' }));
    deliverTo(routerWith(handler));
    await expect(send('reference.describeOnDemand', { referenceId: 'r1' })).resolves.toEqual({ description: 'A blue field.', provider: 'google' });
    expect(handler).toHaveBeenCalledWith({ referenceId: 'r1' });
  });

  it('refuses an empty reference id before the handler runs', async () => {
    const handler = vi.fn<Handlers['reference.describeOnDemand']>();
    const reply = await routerWith(handler)({ type: 'reference.describeOnDemand', payload: { referenceId: '' } }, panel);
    expect(reply).toMatchObject({ ok: false, error: { kind: 'invalid_input' } });
    expect(handler).not.toHaveBeenCalled();
  });

  it('rejects a reply that names no known provider', async () => {
    deliverTo(routerWith(async () => ({ description: 'x', provider: 'someone' }) as never));
    await expect(send('reference.describeOnDemand', { referenceId: 'r1' })).rejects.toThrow();
  });
});
