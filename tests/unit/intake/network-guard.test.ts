// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { allowOriginFor, installNetworkGuard, networkGuardReady, syncProviderAllowRules, type SessionRulesApi } from '@/utils/intake/network-guard';
import { RULE_IDS, type GuardRule } from '@/utils/intake/private-network-rules';

const EXT = 'abcdefghijklmnopabcdefghijklmnop';

/**
 * Session rules in memory, with Chromium's behaviour where it matters here: an update removes
 * first, then adds, and fails as a whole on a duplicate id or a refused rule; a request gets
 * the action of the highest-priority matching block/allow rule, allow winning a tie.
 */
class FakeSessionRules implements SessionRulesApi {
  rules = new Map<number, GuardRule>();
  updates = 0;
  refuse: (rule: GuardRule) => boolean = () => false;

  async getSessionRules() {
    return [...this.rules.values()];
  }

  async updateSessionRules({ addRules = [], removeRuleIds = [] }: { addRules?: GuardRule[]; removeRuleIds?: number[] }) {
    this.updates++;
    const next = new Map(this.rules);
    for (const id of removeRuleIds) next.delete(id);
    for (const rule of addRules) {
      if (next.has(rule.id)) throw new Error(`Rule with id ${rule.id} already exists`);
      if (this.refuse(rule)) throw new Error(`Rule ${rule.id} refused`);
      next.set(rule.id, rule);
    }
    this.rules = next;
  }

  /** What happens to a request `initiator` makes to `url`. */
  outcome(url: string, initiator = EXT): 'blocked' | 'sent' {
    const href = new URL(url).href;
    const matching = [...this.rules.values()].filter((r) => {
      if (!r.condition.initiatorDomains.includes(initiator)) return false;
      if (r.condition.regexFilter) return new RegExp(r.condition.regexFilter).test(href);
      const filter = r.condition.urlFilter ?? '';
      return filter.startsWith('|') ? href.startsWith(filter.slice(1)) : href.includes(filter);
    });
    matching.sort((a, b) => b.priority - a.priority || (a.action.type === 'allow' ? -1 : 1));
    return matching[0]?.action.type === 'block' ? 'blocked' : 'sent';
  }
}

const ours = (rules: Iterable<GuardRule>, range: { first: number; last: number }) => [...rules].filter((r) => r.id >= range.first && r.id <= range.last);

describe('installNetworkGuard', () => {
  it('blocks the extension\u2019s own requests into private space, keeps configured local providers reachable, in one update', async () => {
    const dnr = new FakeSessionRules();
    await installNetworkGuard(() => ['https://fal.run', 'http://127.0.0.1:8787/fal'], { dnr, host: EXT });
    expect(dnr.updates).toBe(1);
    for (const url of ['http://127.0.0.2:9000/secret.png', 'http://192.168.1.1/', 'http://10.0.0.5/a', 'http://[::1]/', 'http://[fe80::1]/', 'http://localhost:3000/', 'http://x.localhost/', 'http://169.254.169.254/latest/meta-data/', 'http://127.0.0.1:8788/']) {
      expect([url, dnr.outcome(url)]).toEqual([url, 'blocked']);
    }
    expect(dnr.outcome('http://127.0.0.1:8787/fal/queue')).toBe('sent');
    expect(dnr.outcome('https://images.example.com/a.png')).toBe('sent');
    // Pages (another initiator) are not the extension's business.
    expect(dnr.outcome('http://192.168.1.1/', 'news.example')).toBe('sent');
  });

  it('is idempotent, and clears rules left by requests a stopped worker never finished', async () => {
    const dnr = new FakeSessionRules();
    await installNetworkGuard(() => [], { dnr, host: EXT });
    const first = [...dnr.rules.values()];
    // A leftover temporary allow for an intranet origin, and someone else's rule.
    dnr.rules.set(RULE_IDS.temporary.first + 42, { id: RULE_IDS.temporary.first + 42, priority: 2, action: { type: 'allow' }, condition: { urlFilter: '|http://10.0.0.5/', initiatorDomains: [EXT] } });
    dnr.rules.set(5000, { id: 5000, priority: 1, action: { type: 'block' }, condition: { urlFilter: 'ads', initiatorDomains: [EXT] } });
    expect(dnr.outcome('http://10.0.0.5/cam.jpg')).toBe('sent');
    await installNetworkGuard(() => [], { dnr, host: EXT });
    expect(dnr.outcome('http://10.0.0.5/cam.jpg')).toBe('blocked');
    expect([...dnr.rules.values()].filter((r) => r.id !== 5000)).toEqual(first);
    expect(dnr.rules.has(5000)).toBe(true);
  });

  it('still installs every other rule when the browser refuses one', async () => {
    const dnr = new FakeSessionRules();
    dnr.refuse = (rule) => rule.condition.regexFilter?.includes('2001:db8') ?? false;
    await installNetworkGuard(() => [], { dnr, host: EXT });
    expect(dnr.outcome('http://192.168.0.1/')).toBe('blocked');
    expect(dnr.outcome('http://[2001:db8::1]/')).toBe('sent');
    expect(ours(dnr.rules.values(), RULE_IDS.block).length).toBeGreaterThan(40);
  });

  it('blocks everything when the provider addresses can\u2019t be read', async () => {
    const dnr = new FakeSessionRules();
    await installNetworkGuard(
      () => {
        throw new Error('IndexedDB closed');
      },
      { dnr, host: EXT },
    );
    expect(dnr.outcome('http://127.0.0.1:8787/')).toBe('blocked');
  });

  it('does not wait forever for addresses that never come', async () => {
    const dnr = new FakeSessionRules();
    await installNetworkGuard(() => new Promise<string[]>(() => {}), { dnr, host: EXT, addressesTimeoutMs: 20 });
    expect(dnr.outcome('http://127.0.0.1:8787/')).toBe('blocked');
  });

  it('image fetches can wait for it', async () => {
    const dnr = new FakeSessionRules();
    let release!: () => void;
    const slow = new Promise<string[]>((r) => (release = () => r([])));
    const done = installNetworkGuard(() => slow, { dnr, host: EXT });
    let ready = false;
    const waiting = networkGuardReady().then(() => (ready = true));
    // A turn of the event loop: anything not waiting on the addresses has settled by now.
    await new Promise((r) => setImmediate(r));
    expect(ready).toBe(false);
    release();
    await done;
    await waiting;
    expect(ready).toBe(true);
    expect(dnr.outcome('http://10.1.1.1/')).toBe('blocked');
  });
});

describe('syncProviderAllowRules', () => {
  it('replaces the provider allows when the addresses change, and only those', async () => {
    const dnr = new FakeSessionRules();
    await installNetworkGuard(() => ['http://127.0.0.1:8787/fal'], { dnr, host: EXT });
    const blocks = ours(dnr.rules.values(), RULE_IDS.block);
    await syncProviderAllowRules(['http://localhost:8188', 'https://comfy.local/'], { dnr, host: EXT });
    expect(dnr.outcome('http://127.0.0.1:8787/fal')).toBe('blocked');
    expect(dnr.outcome('http://localhost:8188/prompt')).toBe('sent');
    expect(dnr.outcome('https://comfy.local/view?x')).toBe('sent');
    expect(dnr.outcome('https://comfy.local:444/view')).toBe('blocked');
    expect(ours(dnr.rules.values(), RULE_IDS.block)).toEqual(blocks);
    await syncProviderAllowRules([], { dnr, host: EXT });
    expect(ours(dnr.rules.values(), RULE_IDS.providerAllow)).toEqual([]);
    expect(dnr.outcome('http://localhost:8188/prompt')).toBe('blocked');
  });
});

describe('allowOriginFor', () => {
  it('opens exactly one origin until released; other private origins stay blocked', async () => {
    const dnr = new FakeSessionRules();
    await installNetworkGuard(() => [], { dnr, host: EXT });
    const release = await allowOriginFor('http://127.0.0.2:8080', { dnr, host: EXT });
    expect(dnr.outcome('http://127.0.0.2:8080/cam.jpg')).toBe('sent');
    expect(dnr.outcome('http://127.0.0.2:8081/cam.jpg')).toBe('blocked');
    expect(dnr.outcome('http://127.0.0.3:8080/cam.jpg')).toBe('blocked');
    const second = await allowOriginFor('http://127.0.0.2:8080', { dnr, host: EXT });
    await release();
    expect(dnr.outcome('http://127.0.0.2:8080/cam.jpg')).toBe('sent'); // the other fetch is still running
    await second();
    expect(dnr.outcome('http://127.0.0.2:8080/cam.jpg')).toBe('blocked');
    expect(ours(dnr.rules.values(), RULE_IDS.temporary)).toEqual([]);
  });
});
