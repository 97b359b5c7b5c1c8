// @vitest-environment node
import { describe, expect, it } from 'vitest';
import {
  buildAllowRule,
  buildBlockRules,
  buildProviderAllowRules,
  inIdRange,
  numberRangePattern,
  privateNetworkPatterns,
  RULE_IDS,
  RULE_PRIORITY,
  temporaryRuleId,
} from '@/utils/intake/private-network-rules';
import { classifyHost, ipv4RangeBounds, SPECIAL_IPV4 } from '@/utils/url-policy';

/**
 * The guard's rules must block exactly what the URL policy refuses. Each address below is put
 * through the WHATWG URL parser (the canonical form the browser matches rules against, as
 * Chromium's is) and then judged both ways.
 */
const patterns = privateNetworkPatterns().map((p) => new RegExp(p));
const blocked = (url: string) => patterns.some((re) => re.test(url));

/** A small deterministic generator: the same addresses on every run. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0;
    s = (s ^ (s >>> 13)) >>> 0;
    return s / 2 ** 32;
  };
}

const dotted = (ip: number) => [24, 16, 8, 0].map((shift) => (ip >>> shift) & 0xff).join('.');

/** Every edge of every special range, and random addresses. */
function ipv4Samples(count: number): number[] {
  const out = new Set<number>([0, 1, 0xffffffff, 0x7f000001, 0x08080808]);
  for (const range of SPECIAL_IPV4) {
    const [first, last] = ipv4RangeBounds(range);
    for (const ip of [first - 1, first, first + 1, last - 1, last, last + 1]) if (ip >= 0 && ip <= 0xffffffff) out.add(ip);
  }
  const random = rng(7);
  for (let i = 0; i < count; i++) out.add(Math.floor(random() * 2 ** 32));
  // Near each range, where the partial octet's pattern could be wrong.
  for (const range of SPECIAL_IPV4) {
    const [first, last] = ipv4RangeBounds(range);
    for (let i = 0; i < 40; i++) out.add(Math.min(0xffffffff, Math.max(0, Math.floor(first - 2 ** 24 + random() * (last - first + 2 ** 25)))));
  }
  return [...out];
}

function agrees(url: string): void {
  if (!URL.canParse(url)) throw new Error(`not a URL: ${url}`);
  const canonical = new URL(url);
  const refused = classifyHost(canonical.hostname) !== 'public';
  expect([canonical.href, blocked(canonical.href)]).toEqual([canonical.href, refused]);
}

describe('block patterns agree with the URL policy, address by address', () => {
  const v4 = ipv4Samples(3000);

  it('IPv4 in dotted form, with ports, user info and other schemes', () => {
    for (const ip of v4) agrees(`http://${dotted(ip)}/a.png`);
    for (const ip of v4.slice(0, 400)) {
      agrees(`https://${dotted(ip)}:8443/x?y#z`);
      agrees(`ws://user:pw@${dotted(ip)}/`);
      agrees(`http://${dotted(ip)}`);
      agrees(`http://${dotted(ip)}?q`);
    }
  });

  it('IPv4 written the way browsers also accept (numbers, hex, octal, short forms)', () => {
    for (const host of ['2130706433', '0x7f.1', '0x7f000001', '017700000001', '0177.0.0.1', '127.1', '3232235777', '10.1', '0xa9.0xfe.1.1', '127.0.0.1.']) {
      agrees(`http://${host}/a.png`);
      expect(blocked(new URL(`http://${host}/a.png`).href)).toBe(true);
    }
  });

  it('IPv4 inside NAT64 and 6to4 addresses', () => {
    for (const ip of v4) {
      const hi = (ip >>> 16).toString(16);
      const lo = (ip & 0xffff).toString(16);
      agrees(`http://[64:ff9b::${dotted(ip)}]/`);
      agrees(`http://[2002:${hi}:${lo}::1]/`);
      agrees(`http://[2002:${hi}:${lo}::]/`);
      agrees(`http://[2002:${hi}:${lo}:1:2:3:4:5]/`);
      agrees(`http://[2002:${hi}:${lo}:0:0:1:0:0]/`);
    }
  });

  it('IPv6 prefixes, including the edges of each and every way of writing zeros', () => {
    const random = rng(11);
    const firsts = [0, 1, 0x64, 0xfbff, 0xfc00, 0xfcff, 0xfdff, 0xfe00, 0xfe7f, 0xfe80, 0xfebf, 0xfec0, 0xfeff, 0xff00, 0xffff, 0x2001, 0x2002, 0x2606];
    const group = () => (random() < 0.4 ? 0 : Math.floor(random() * 0x10000));
    for (let i = 0; i < 4000; i++) {
      const g = [firsts[i % firsts.length] ?? 0, ...Array.from({ length: 7 }, group)];
      if (i % 5 === 0) g[1] = 0xdb8;
      if (i % 7 === 0) [g[0], g[1], g[2]] = [0x64, 0xff9b, i % 14 === 0 ? 1 : 0];
      agrees(`http://[${g.map((x) => x.toString(16)).join(':')}]:81/`);
    }
    for (const host of ['::', '::1', '::2', '::ffff:127.0.0.1', '::ffff:8.8.8.8', '::127.0.0.1', '0:1::', '1::', 'fe80::1', 'fc00::', 'fdff:ffff::1', '2001:db8::1', '2001:db9::1', '64:ff9b:1::5', '2606:4700::1111']) {
      agrees(`http://[${host}]/`);
    }
  });

  it('names: localhost, local-network suffixes and single labels; not public look-alikes', () => {
    const names = [
      'localhost',
      'LOCALHOST.',
      'api.localhost',
      'a.b.localhost',
      'printer.local',
      'nas.home.arpa',
      'home.arpa',
      'db.internal',
      'box.localdomain',
      'intranet',
      'router.',
      'localhost.example.com',
      'mylocal.com',
      'local.example',
      'example.com',
      'a.b.c.example',
      'xn--bcher-kva.example',
      'internal.example.org',
    ];
    for (const name of names) {
      agrees(`http://${name}/`);
      agrees(`https://${name}:3000/p?q`);
    }
  });

  it('does not match a private-looking address outside the host', () => {
    for (const url of ['https://example.com/http://127.0.0.1/', 'https://example.com/?u=http://10.0.0.1/', 'https://example.com/#@127.0.0.1', 'https://127.0.0.1.example.com/', 'https://10.0.0.1.nip.io/']) {
      expect([url, blocked(new URL(url).href)]).toEqual([url, false]);
    }
  });

  it('matches only http(s) and ws(s): the extension\u2019s own pages and data: are not network requests to guard', () => {
    expect(blocked('chrome-extension://abcdefghijklmnopabcdefghijklmnop/sidepanel.html')).toBe(false);
    expect(blocked('moz-extension://0f1e2d3c/x.js')).toBe(false);
    expect(blocked('data:text/plain,localhost')).toBe(false);
  });
});

describe('block rules', () => {
  const rules = buildBlockRules('abcdefghijklmnopabcdefghijklmnop');

  it('are block rules for the extension\u2019s own requests only, at the lowest priority, with stable ids', () => {
    expect(rules.length).toBeGreaterThan(40);
    expect(new Set(rules.map((r) => r.id)).size).toBe(rules.length);
    for (const rule of rules) {
      expect(inIdRange(rule.id, RULE_IDS.block)).toBe(true);
      expect(rule.action).toEqual({ type: 'block' });
      expect(rule.priority).toBe(RULE_PRIORITY.block);
      expect(rule.condition.initiatorDomains).toEqual(['abcdefghijklmnopabcdefghijklmnop']);
      expect(rule.condition.regexFilter).toBeDefined();
    }
    expect(buildBlockRules('abcdefghijklmnopabcdefghijklmnop')).toEqual(rules);
  });

  it('use only RE2 syntax and stay small (Chromium refuses patterns over its 2 KB program limit)', () => {
    for (const { condition } of rules) {
      const re = condition.regexFilter ?? '';
      expect(re).not.toMatch(/\(\?[=!<]|\\[1-9]|\\d/);
      expect(re.length).toBeLessThan(160);
      expect(/^[\x20-\x7e]+$/.test(re)).toBe(true);
    }
  });

  it('priorities: blocks under allows under the Referer rule', () => {
    expect(RULE_PRIORITY.block).toBeLessThan(RULE_PRIORITY.allow);
    expect(RULE_PRIORITY.allow).toBeLessThan(RULE_PRIORITY.headers);
  });
});

describe('allow rules', () => {
  it('open exactly one origin: scheme, host and port', () => {
    const rule = buildAllowRule(5, 'http://127.0.0.1:8787/fal', 'ext');
    expect(rule).toEqual({ id: 5, priority: RULE_PRIORITY.allow, action: { type: 'allow' }, condition: { urlFilter: '|http://127.0.0.1:8787/', initiatorDomains: ['ext'] } });
    expect(buildAllowRule(5, 'http://intranet', 'ext').condition.urlFilter).toBe('|http://intranet/');
    expect(buildAllowRule(5, 'https://[fd00::1]:8443', 'ext').condition.urlFilter).toBe('|https://[fd00::1]:8443/');
  });

  it('for providers: only addresses on this computer or network, each origin once, ids in their own range', () => {
    const rules = buildProviderAllowRules(
      ['https://fal.run', 'http://127.0.0.1:8787/fal', 'http://127.0.0.1:8787/openai', 'https://comfy.local:8188/', 'http://localhost:3000', 'not a url', 'ftp://10.0.0.1/'],
      'ext',
    );
    expect(rules.map((r) => r.condition.urlFilter)).toEqual(['|http://127.0.0.1:8787/', '|http://localhost:3000/', '|https://comfy.local:8188/']);
    expect(rules.every((r) => inIdRange(r.id, RULE_IDS.providerAllow) && r.action.type === 'allow')).toBe(true);
    expect(buildProviderAllowRules([], 'ext')).toEqual([]);
  });

  it('temporary ids never collide with the fixed ranges', () => {
    for (const r of [0, 0.5, 0.999999999]) {
      const id = temporaryRuleId(() => r);
      expect(inIdRange(id, RULE_IDS.temporary)).toBe(true);
      expect(inIdRange(id, RULE_IDS.block) || inIdRange(id, RULE_IDS.providerAllow)).toBe(false);
    }
  });
});

describe('numberRangePattern', () => {
  it('matches exactly the numbers in the range, written without leading zeros', () => {
    for (const [lo, hi, base] of [
      [16, 31, 10],
      [64, 127, 10],
      [0, 255, 10],
      [224, 239, 10],
      [7, 130, 10],
      [0xfe80, 0xfebf, 16],
      [0xfc00, 0xfdff, 16],
      [1, 0xff, 16],
      [0, 0x1234, 16],
    ] as const) {
      const re = new RegExp(`^${numberRangePattern(lo, hi, base)}$`);
      const top = base === 10 ? 300 : 0x10000;
      const wrong: number[] = [];
      for (let n = 0; n < top; n++) if (re.test(n.toString(base)) !== (n >= lo && n <= hi)) wrong.push(n);
      expect([lo, hi, wrong]).toEqual([lo, hi, []]);
    }
  });
});
