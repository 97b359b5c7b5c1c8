/**
 * The URL policy's private ranges (url-policy.ts) as declarativeNetRequest session rules, so
 * that the browser refuses every request the extension makes into them, redirect hops
 * included, before anything is sent. Pure: network-guard.ts installs them.
 *
 * Rules match URLs as the browser has canonicalised them: hosts lowercase, IPv4 in dotted
 * decimal (2130706433 and 0x7f.1 are already 127.0.0.1), IPv6 compressed and lowercase without
 * a dotted tail. Each range gets its own small regex: Chromium compiles regexFilter with RE2
 * under a 2 KB memory cap and refuses larger patterns.
 *
 * Scope: `initiatorDomains` = the host of the extension's own URL (the id in Chromium, the
 * internal UUID in Firefox, where `runtime.id` is the add-on id and would never match). Pages,
 * their service workers and other extensions are not affected. (`tabIds: [-1]` also matches
 * the worker's requests in Chromium, measured, but it matches web pages' service workers too.)
 */
import { IPV4_IN_IPV6, ipv4RangeBounds, LOCAL_SUFFIXES, privateOrigin, SPECIAL_IPV4, SPECIAL_IPV6, type Ipv4Range, type Ipv6Prefix } from '../url-policy';

/** Block below allow below header rules: an allowed origin still gets its Referer rule. */
export const RULE_PRIORITY = { block: 1, allow: 2, headers: 3 } as const;

/** Session rule ids by purpose, so each part can be replaced without touching the others. */
export const RULE_IDS = {
  block: { first: 1, last: 999 },
  providerAllow: { first: 1000, last: 1999 },
  /** Rules that live for one request (page-origin allows, Referer): random ids in this range. */
  temporary: { first: 1_000_000, last: 2_000_000_000 },
} as const;

type IdRange = { first: number; last: number };
export const inIdRange = (id: number, range: IdRange): boolean => id >= range.first && id <= range.last;

/** A random id for a rule that lives for one request (random: session rules outlive a worker restart, a counter would not). */
export function temporaryRuleId(random: () => number = Math.random): number {
  const { first, last } = RULE_IDS.temporary;
  return first + Math.floor(random() * (last - first));
}

export interface GuardRule {
  id: number;
  priority: number;
  action: { type: 'block' | 'allow' };
  condition: { regexFilter?: string; urlFilter?: string; initiatorDomains: string[] };
}

// ---------------------------------------------------------------------------------------------
// Patterns

/** Scheme and optional user info, up to the host. */
const START = '^(?:https?|wss?)://(?:[^/?#@]*@)?';
/** After a name or IPv4 host: an optional root dot and port, then the path, query, fragment or end. */
const HOST_END = '\\.?(?::[0-9]*)?(?:[/?#]|$)';

const DIGITS = '0123456789abcdef';

function charClass(from: number, to: number): string {
  if (from === to) return DIGITS[from] ?? '';
  const span = (a: number, b: number) => (a === b ? DIGITS[a] : b === a + 1 ? `${DIGITS[a]}${DIGITS[b]}` : `${DIGITS[a]}-${DIGITS[b]}`);
  const parts: string[] = [];
  if (from <= 9) parts.push(span(from, Math.min(to, 9)) ?? '');
  if (to >= 10) parts.push(span(Math.max(from, 10), to) ?? '');
  return `[${parts.join('')}]`;
}

function anyDigits(base: number, n: number): string {
  const any = base === 10 ? '[0-9]' : '[0-9a-f]';
  return n === 0 ? '' : n === 1 ? any : `${any}{${n}}`;
}

function digitsOf(value: number, base: number, length: number): number[] {
  return value.toString(base).padStart(length, '0').split('').map((d) => parseInt(d, base));
}

/** Alternatives matching every digit string from lo to hi (same length, leading zeros allowed inside). */
function sameLength(lo: number[], hi: number[], base: number): string[] {
  const n = lo.length;
  const [l0 = 0, ...loRest] = lo;
  const [h0 = 0, ...hiRest] = hi;
  if (n === 0) return [''];
  if (l0 === h0) return sameLength(loRest, hiRest, base).map((p) => `${DIGITS[l0]}${p}`);
  const max = base - 1;
  const out: string[] = [];
  const tail: string[] = [];
  let first = l0;
  let last = h0;
  if (!loRest.every((d) => d === 0)) {
    out.push(...sameLength(loRest, new Array<number>(n - 1).fill(max), base).map((p) => `${DIGITS[l0]}${p}`));
    first++;
  }
  if (!hiRest.every((d) => d === max)) {
    tail.push(...sameLength(new Array<number>(n - 1).fill(0), hiRest, base).map((p) => `${DIGITS[h0]}${p}`));
    last--;
  }
  if (first === 0 && last === max) out.push(anyDigits(base, n));
  else if (first <= last) out.push(`${charClass(first, last)}${anyDigits(base, n - 1)}`);
  return [...out, ...tail];
}

/**
 * A regex for the numbers lo..hi written in `base` without leading zeros (lowercase hex), as
 * canonical IPv4 octets and IPv6 groups are.
 */
export function numberRangePattern(lo: number, hi: number, base: 10 | 16): string {
  if (lo > hi || lo < 0) throw new Error(`Bad range ${lo}..${hi}`);
  const alternatives: string[] = [];
  for (let length = 1; ; length++) {
    const min = length === 1 ? 0 : base ** (length - 1);
    const max = base ** length - 1;
    if (min > hi) break;
    const a = Math.max(lo, min);
    const b = Math.min(hi, max);
    if (a <= b) alternatives.push(...sameLength(digitsOf(a, base, length), digitsOf(b, base, length), base));
  }
  return alternatives.length === 1 ? (alternatives[0] ?? '') : `(?:${alternatives.join('|')})`;
}

/** A canonical IPv6 group from lo to hi; any group at all is simply 1-4 hex digits. */
const hex = (lo: number, hi: number) => (lo === 0 && hi === 0xffff ? '[0-9a-f]{1,4}' : numberRangePattern(lo, hi, 16));

/** `64:ff9b` and `2002`: the prefixes url-policy.ts judges by the IPv4 address inside. */
const NAT64 = IPV4_IN_IPV6.nat64.groups.slice(0, 2).map((g) => g.toString(16)).join(':');
const SIX_TO_FOUR = IPV4_IN_IPV6.sixToFour.groups[0].toString(16);

/** 127.0.0.0/8 as dotted decimal: `127\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}`. */
function dottedIpv4(range: Ipv4Range): string {
  const [first, last] = ipv4RangeBounds(range);
  const octets: string[] = [];
  for (let i = 0; i < 4; i++) {
    const shift = 24 - 8 * i;
    const lo = (first >>> shift) & 0xff;
    const hi = (last >>> shift) & 0xff;
    octets.push(lo === 0 && hi === 255 ? '[0-9]{1,3}' : numberRangePattern(lo, hi, 10));
  }
  return `${START}${octets.join('\\.')}${HOST_END}`;
}

/** The IPv4 range as (high group, low group) hex ranges. */
function groupRanges(range: Ipv4Range): { high: [number, number]; low: [number, number] } {
  const [first, last] = ipv4RangeBounds(range);
  const high: [number, number] = [first >>> 16, last >>> 16];
  const low: [number, number] = range.bits >= 16 ? [first & 0xffff, last & 0xffff] : [0, 0xffff];
  return { high, low };
}

/**
 * The range inside 64:ff9b::/96 (NAT64). Canonical forms: `64:ff9b::H:L`, or `64:ff9b::L` and
 * `64:ff9b::` when the high group is zero (the zero run then reaches it).
 */
function nat64Patterns(range: Ipv4Range): string[] {
  const { high, low } = groupRanges(range);
  const out: string[] = [];
  if (high[0] === 0) {
    if (range.bits > 16) throw new Error('NAT64 patterns for ranges under 0.0.0.0/16 are not supported');
    out.push(`${START}\\[${NAT64}::(?:[0-9a-f]{1,4})?\\]`);
  }
  const hiFrom = Math.max(high[0], 1);
  if (hiFrom <= high[1]) out.push(`${START}\\[${NAT64}::${hex(hiFrom, high[1])}:${hex(low[0], low[1])}\\]`);
  return out;
}

/** The range inside 2002::/16 (6to4): `2002:H:L:...`, with H or L possibly inside a `::`. */
function sixToFourPatterns(range: Ipv4Range): string[] {
  const { high, low } = groupRanges(range);
  const out: string[] = [];
  if (high[0] === 0) {
    if (range.bits > 16) throw new Error('6to4 patterns for ranges under 0.0.0.0/16 are not supported');
    out.push(`${START}\\[${SIX_TO_FOUR}:(?::|0:)`);
  }
  const hiFrom = Math.max(high[0], 1);
  if (hiFrom <= high[1]) {
    if (range.bits <= 16) out.push(`${START}\\[${SIX_TO_FOUR}:${hex(hiFrom, high[1])}:`);
    else out.push(`${START}\\[${SIX_TO_FOUR}:${hex(hiFrom, high[1])}:(?:${low[0] === 0 ? ':|' : ''}${hex(low[0], low[1])}:)`);
  }
  return out;
}

function prefixContains(outer: Ipv6Prefix, inner: Ipv6Prefix): boolean {
  if (outer.bits > inner.bits) return false;
  for (let i = 0, left = outer.bits; left > 0; i++, left -= 16) {
    const mask = (0xffff << (16 - Math.min(16, left))) & 0xffff;
    if (((outer.groups[i] ?? 0) & mask) !== ((inner.groups[i] ?? 0) & mask)) return false;
  }
  return true;
}

/** An IPv6 prefix as the start of a canonical bracketed host. */
function ipv6PrefixPattern(prefix: Ipv6Prefix): string {
  const full = Math.floor(prefix.bits / 16);
  const partialBits = prefix.bits % 16;
  const fixed = prefix.groups.slice(0, full).map((g) => g ?? 0);
  if (full === 1 && partialBits === 0 && fixed[0] === 0) return `${START}\\[(?::|0:)`; // ::/16
  if (fixed.some((g) => g === 0)) throw new Error(`IPv6 prefix with a zero group is not supported: ${prefix.groups.join(':')}/${prefix.bits}`);
  let pattern = fixed.map((g) => g.toString(16)).join(':');
  if (partialBits) {
    const mask = (0xffff << (16 - partialBits)) & 0xffff;
    const lo = (prefix.groups[full] ?? 0) & mask;
    const hi = lo | (~mask & 0xffff);
    if (lo === 0) throw new Error('IPv6 prefix whose partial group can be zero is not supported');
    pattern += `${pattern ? ':' : ''}${hex(lo, hi)}`;
  }
  return `${START}\\[${pattern}:`;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Every pattern the guard blocks: the special IPv4 ranges (dotted, and inside NAT64 and 6to4
 * addresses), the special IPv6 prefixes, `localhost` and the local-network suffixes, and
 * single-label names (they resolve through the local network's DNS). Exactly what
 * classifyHost calls non-public, as the unit tests check address by address.
 */
export function privateNetworkPatterns(): string[] {
  const patterns: string[] = [];
  for (const range of SPECIAL_IPV4) patterns.push(dottedIpv4(range));
  for (const range of SPECIAL_IPV4) patterns.push(...nat64Patterns(range));
  for (const range of SPECIAL_IPV4) patterns.push(...sixToFourPatterns(range));
  SPECIAL_IPV6.forEach((prefix, i) => {
    const coveredByBroader = SPECIAL_IPV6.some((other, j) => j !== i && other.bits < prefix.bits && prefixContains(other, prefix));
    if (!coveredByBroader) patterns.push(ipv6PrefixPattern(prefix));
  });
  const names = LOCAL_SUFFIXES.map((s) => escapeRegex(s.slice(1))).join('|');
  patterns.push(`${START}(?:[^/?#@:\\[\\]]*\\.)?(?:${names})${HOST_END}`);
  patterns.push(`${START}[^./?#@:\\[\\]]+${HOST_END}`);
  return patterns;
}

// ---------------------------------------------------------------------------------------------
// Rules

/** The block rules, ids 1.. in a fixed order (installing them again replaces them). */
export function buildBlockRules(extensionHost: string): GuardRule[] {
  const patterns = privateNetworkPatterns();
  if (patterns.length > RULE_IDS.block.last - RULE_IDS.block.first + 1) throw new Error('Too many block patterns for their id range');
  return patterns.map((regexFilter, i) => ({
    id: RULE_IDS.block.first + i,
    priority: RULE_PRIORITY.block,
    action: { type: 'block' },
    condition: { regexFilter, initiatorDomains: [extensionHost] },
  }));
}

/** Lets the extension reach exactly `origin` (scheme, host and port) again. */
export function buildAllowRule(id: number, origin: string, extensionHost: string): GuardRule {
  const normal = new URL(origin).origin;
  // `|` anchors at the start; the slash ends the origin, so :8080 does not also allow :80801.
  return { id, priority: RULE_PRIORITY.allow, action: { type: 'allow' }, condition: { urlFilter: `|${normal}/`, initiatorDomains: [extensionHost] } };
}

/**
 * Allow rules for the provider addresses the user configured that are on this computer or the
 * local network (the sandbox, a local ComfyUI); public addresses need none.
 */
export function buildProviderAllowRules(addresses: readonly string[], extensionHost: string): GuardRule[] {
  const origins = [...new Set(addresses.map(privateOrigin).filter((o): o is string => o !== undefined))].sort();
  const room = RULE_IDS.providerAllow.last - RULE_IDS.providerAllow.first + 1;
  return origins.slice(0, room).map((origin, i) => buildAllowRule(RULE_IDS.providerAllow.first + i, origin, extensionHost));
}
