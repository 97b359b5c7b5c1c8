/**
 * Which image addresses the extension will download. Pure; called before the first request and
 * again on the final address after redirects.
 *
 * An `<all_urls>` worker can fetch file: URLs and anything on the user's own network, so a page
 * could point us (via an image's address) at a router admin page or a local service. We allow
 * http(s) and `data:image/*` only, and refuse loopback, private, link-local and other special
 * addresses unless the user is on a page of that very origin (then they can see it anyway).
 *
 * This check runs before the first request and on the final URL. The hops in between are
 * stopped in the browser itself, before they are sent, by declarativeNetRequest rules built from
 * the same ranges (intake/private-network-rules.ts, installed by intake/network-guard.ts).
 *
 * Limitation: only literal addresses and reserved names are recognised. A public host name that
 * resolves to a private address (DNS rebinding) can't be detected without DNS, which extensions
 * don't have in Chromium.
 */
import { AppError } from './errors';

type SourceRefusal = 'bad_url' | 'blob' | 'file' | 'scheme' | 'not_image_data' | 'credentials' | 'loopback' | 'private_network';

export type SourceCheck = { ok: true; url: URL } | { ok: false; error: AppError; reason: SourceRefusal };

const SAVE_AND_DRAG = 'Save it and drag it into the panel instead.';

function refuse(reason: SourceRefusal, message: string): SourceCheck {
  return { ok: false, reason, error: new AppError('source_refused', message) };
}

export function checkImageSource(url: string, ctx: { pageUrl?: string } = {}): SourceCheck {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return refuse('bad_url', `This image\u2019s address could not be understood, so the extension can\u2019t download it. ${SAVE_AND_DRAG}`);
  }

  switch (parsed.protocol) {
    case 'http:':
    case 'https:':
      break;
    case 'data:':
      return isImageDataUrl(parsed.href)
        ? { ok: true, url: parsed }
        : refuse('not_image_data', 'This data: address does not hold an image, so the extension won\u2019t use it.');
    case 'blob:':
      return refuse(
        'blob',
        'This image only exists inside the page (a blob: address), so it must be read in the page rather than downloaded.',
      );
    case 'file:':
      return refuse('file', `This image is a file on your computer, and the extension doesn\u2019t read local files from pages. Drag the file into the panel instead.`);
    default:
      return refuse(
        'scheme',
        `This image\u2019s address starts with \u201c${parsed.protocol}\u201d, which the extension doesn\u2019t download. ${SAVE_AND_DRAG}`,
      );
  }

  // fetch() refuses URLs with credentials; say so plainly instead of failing with a network error.
  if (parsed.username || parsed.password) {
    return refuse('credentials', `This image\u2019s address contains a user name or password, so the extension won\u2019t download it. ${SAVE_AND_DRAG}`);
  }

  const kind = classifyHost(parsed.hostname);
  if (kind === 'public') return { ok: true, url: parsed };
  if (sameOriginAsPage(parsed, ctx.pageUrl)) return { ok: true, url: parsed };
  if (kind === 'loopback') {
    return refuse('loopback', `This image is on your own computer (a localhost address), so the extension won\u2019t download it. ${SAVE_AND_DRAG}`);
  }
  return refuse('private_network', `This image is on a private network address, so the extension won\u2019t download it. ${SAVE_AND_DRAG}`);
}

function sameOriginAsPage(image: URL, pageUrl: string | undefined): boolean {
  if (!pageUrl) return false;
  try {
    const page = new URL(pageUrl);
    return (page.protocol === 'http:' || page.protocol === 'https:') && page.origin === image.origin;
  } catch {
    return false;
  }
}

/**
 * Whether an image request may carry cookies: only when the image is on the very host of the
 * page the user is on. "Same site" proper (same registrable domain) needs the public-suffix
 * list, which the extension doesn't ship; same host is the conservative reading of it, so
 * `cdn.example.com` under `www.example.com` gets no cookies. Third-party images never do.
 */
export function imageCredentials(imageUrl: string | URL, pageUrl: string | undefined): 'include' | 'omit' {
  if (!pageUrl) return 'omit';
  try {
    const image = new URL(imageUrl);
    const page = new URL(pageUrl);
    const web = (u: URL) => u.protocol === 'http:' || u.protocol === 'https:';
    return web(image) && web(page) && image.hostname !== '' && image.hostname === page.hostname ? 'include' : 'omit';
  } catch {
    return 'omit';
  }
}

/**
 * The origin of an http(s) address on a private, loopback or local host, else undefined. For a
 * page (an intranet page, a router's admin page): the one private origin the extension may
 * reach while it fetches an image for that page. For a provider address: one to keep reachable.
 */
export function privateOrigin(address: string | undefined): string | undefined {
  if (!address) return undefined;
  try {
    const url = new URL(address.trim());
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    return classifyHost(url.hostname) === 'public' ? undefined : url.origin;
  } catch {
    return undefined;
  }
}

/** `data:image/png;base64,...` and friends; the media type is case-insensitive and may have parameters. */
function isImageDataUrl(href: string): boolean {
  const comma = href.indexOf(',');
  if (comma < 0) return false;
  const mediaType = href.slice(5, comma).split(';')[0]?.trim().toLowerCase() ?? '';
  return /^image\/[a-z0-9.+-]+$/.test(mediaType);
}

// ---------------------------------------------------------------------------------------------
// Hosts

export type HostKind = 'public' | 'loopback' | 'private' | 'link_local' | 'local_name' | 'reserved' | 'invalid';

/** True for any host the extension must not fetch on a page's say-so (see classifyHost). */
export function isPrivateHost(hostname: string): boolean {
  return classifyHost(hostname) !== 'public';
}

/** Names that resolve on this computer or the local network, never on the public internet. */
export const LOCAL_SUFFIXES = ['.localhost', '.local', '.internal', '.home.arpa', '.localdomain'] as const;

/**
 * Classifies a URL host name (as `URL.hostname` gives it, IPv6 in brackets, or raw). Numeric
 * IPv4 spellings browsers accept (2130706433, 0x7f.1, 017700000001) are parsed the way the URL
 * standard parses them, so they can't sneak past as "names".
 */
export function classifyHost(hostname: string): HostKind {
  let host = hostname.trim().toLowerCase();
  if (host.startsWith('[') && host.endsWith(']')) {
    const groups = parseIpv6(host.slice(1, -1));
    return groups ? classifyIpv6(groups) : 'invalid';
  }
  if (host.includes(':')) {
    const groups = parseIpv6(host);
    return groups ? classifyIpv6(groups) : 'invalid';
  }
  if (host.endsWith('.')) host = host.slice(0, -1);
  if (host === '') return 'invalid';
  if (endsInNumber(host)) {
    const v4 = parseIpv4(host);
    return v4 === undefined ? 'invalid' : classifyIpv4(v4);
  }
  if (host === 'localhost' || host.endsWith('.localhost')) return 'loopback';
  if (LOCAL_SUFFIXES.some((s) => host.endsWith(s) || host === s.slice(1))) return 'local_name';
  // A single-label name ("router", "intranet") resolves through the local network's DNS.
  if (!host.includes('.')) return 'local_name';
  return 'public';
}

/** The URL standard's "ends in a number": the last label is decimal digits or 0x-hex. */
function endsInNumber(host: string): boolean {
  const last = host.split('.').pop() ?? '';
  return /^[0-9]+$/.test(last) || /^0x[0-9a-f]*$/.test(last);
}

function parsePart(part: string): number | undefined {
  if (part === '') return undefined;
  if (/^0x[0-9a-f]*$/.test(part)) return part.length === 2 ? 0 : parseInt(part.slice(2), 16);
  if (/^0[0-7]+$/.test(part)) return parseInt(part.slice(1), 8);
  if (/^[0-9]+$/.test(part)) return /^0[0-9]+$/.test(part) ? undefined : parseInt(part, 10);
  return undefined;
}

/** IPv4 as one 32-bit number, accepting 1-4 parts in decimal, octal or hex. */
export function parseIpv4(host: string): number | undefined {
  const h = host.toLowerCase();
  const parts = (h.endsWith('.') ? h.slice(0, -1) : h).split('.');
  if (parts.length > 4) return undefined;
  const nums: number[] = [];
  for (const p of parts) {
    const n = parsePart(p);
    if (n === undefined || !Number.isFinite(n)) return undefined;
    nums.push(n);
  }
  const last = nums.pop() ?? 0;
  if (nums.some((n) => n > 255)) return undefined;
  if (last >= 256 ** (4 - nums.length)) return undefined;
  let value = last;
  nums.forEach((n, i) => {
    value += n * 256 ** (3 - i);
  });
  return value;
}

/**
 * IPv4 ranges that are not the public internet, with what each is. The one list both the URL
 * check (classifyHost) and the browser-level guard (intake/private-network-rules.ts) use.
 */
export interface Ipv4Range {
  base: readonly [number, number, number, number];
  bits: number;
  kind: Exclude<HostKind, 'public' | 'invalid' | 'local_name'>;
}

export const SPECIAL_IPV4: readonly Ipv4Range[] = [
  { base: [127, 0, 0, 0], bits: 8, kind: 'loopback' },
  { base: [169, 254, 0, 0], bits: 16, kind: 'link_local' },
  { base: [10, 0, 0, 0], bits: 8, kind: 'private' },
  { base: [172, 16, 0, 0], bits: 12, kind: 'private' },
  { base: [192, 168, 0, 0], bits: 16, kind: 'private' },
  { base: [100, 64, 0, 0], bits: 10, kind: 'private' }, // carrier-grade NAT, and Tailscale-style overlays
  { base: [0, 0, 0, 0], bits: 8, kind: 'reserved' }, // "this network", including 0.0.0.0
  { base: [192, 0, 0, 0], bits: 24, kind: 'reserved' }, // IETF protocol assignments
  { base: [198, 18, 0, 0], bits: 15, kind: 'reserved' }, // benchmarking
  { base: [224, 0, 0, 0], bits: 4, kind: 'reserved' }, // multicast
  { base: [240, 0, 0, 0], bits: 4, kind: 'reserved' }, // reserved and broadcast
];

/** The first and last address of a range, as 32-bit numbers. */
export function ipv4RangeBounds(range: Ipv4Range): [number, number] {
  const [a, b, c, d] = range.base;
  const first = ((a << 24) >>> 0) + (b << 16) + (c << 8) + d;
  return [first, first + 2 ** (32 - range.bits) - 1];
}

function classifyIpv4(ip: number): HostKind {
  for (const range of SPECIAL_IPV4) {
    const [first, last] = ipv4RangeBounds(range);
    if (ip >= first && ip <= last) return range.kind;
  }
  return 'public';
}

/** Eight 16-bit groups, or undefined when not a valid IPv6 address. Accepts `::` and a dotted IPv4 tail. */
export function parseIpv6(text: string): number[] | undefined {
  let s = text;
  // A dotted IPv4 tail (::ffff:127.0.0.1) is two groups written differently: rewrite it as hex.
  const lastColon = s.lastIndexOf(':');
  if (lastColon < 0) return undefined;
  const tail = s.slice(lastColon + 1);
  if (tail.includes('.')) {
    if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(tail)) return undefined;
    const [a = 0, b = 0, c = 0, d = 0] = tail.split('.').map(Number);
    if ([a, b, c, d].some((o) => o > 255)) return undefined;
    s = `${s.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const toGroups = (h: string): number[] | undefined => {
    if (h === '') return [];
    const out: number[] = [];
    for (const g of h.split(':')) {
      if (!/^[0-9a-f]{1,4}$/i.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = toGroups(halves[0] ?? '');
  const rest = halves.length === 2 ? toGroups(halves[1] ?? '') : [];
  if (!head || !rest) return undefined;
  if (halves.length === 2) {
    const known = head.length + rest.length;
    if (known > 7) return undefined;
    return [...head, ...new Array<number>(8 - known).fill(0), ...rest];
  }
  return head.length === 8 ? head : undefined;
}

/**
 * IPv6 prefixes that are not the public internet, in the order they are tried (::1 before the
 * ::/16 that holds it). Prefixes that carry an IPv4 address (NAT64, 6to4) are judged by that
 * address instead; see IPV4_IN_IPV6.
 */
export interface Ipv6Prefix {
  /** The leading groups of the prefix; the rest are zero. */
  groups: readonly number[];
  bits: number;
  kind: Exclude<HostKind, 'public' | 'invalid' | 'local_name'>;
}

export const SPECIAL_IPV6: readonly Ipv6Prefix[] = [
  { groups: [0, 0, 0, 0, 0, 0, 0, 1], bits: 128, kind: 'loopback' }, // ::1
  // ::/16 holds the unspecified address, IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible
  // (::a.b.c.d) addresses: refused outright, real sites never need them and they are a classic
  // way to smuggle 127.0.0.1 past a filter.
  { groups: [0], bits: 16, kind: 'reserved' },
  { groups: [0x64, 0xff9b, 1], bits: 48, kind: 'private' }, // local-use NAT64
  { groups: [0xfc00], bits: 7, kind: 'private' }, // unique local
  { groups: [0xfe80], bits: 10, kind: 'link_local' },
  { groups: [0xfec0], bits: 10, kind: 'private' }, // site-local (deprecated)
  { groups: [0xff00], bits: 8, kind: 'reserved' }, // multicast
  { groups: [0x2001, 0x0db8], bits: 32, kind: 'reserved' }, // documentation
];

/** IPv6 prefixes that embed an IPv4 address: where it sits (the index of its high group). */
export const IPV4_IN_IPV6 = {
  /** 64:ff9b::/96, the address in the last two groups. */
  nat64: { groups: [0x64, 0xff9b, 0, 0, 0, 0], bits: 96, at: 6 },
  /** 2002::/16, the address in groups 1 and 2. */
  sixToFour: { groups: [0x2002], bits: 16, at: 1 },
} as const;

function inIpv6Prefix(g: readonly number[], prefix: { groups: readonly number[]; bits: number }): boolean {
  for (let i = 0, left = prefix.bits; left > 0; i++, left -= 16) {
    const take = Math.min(16, left);
    const mask = (0xffff << (16 - take)) & 0xffff;
    if (((g[i] ?? 0) & mask) !== ((prefix.groups[i] ?? 0) & mask)) return false;
  }
  return true;
}

function classifyIpv6(g: number[]): HostKind {
  for (const embed of [IPV4_IN_IPV6.nat64, IPV4_IN_IPV6.sixToFour]) {
    if (inIpv6Prefix(g, embed)) return classifyIpv4((((g[embed.at] ?? 0) << 16) >>> 0) + (g[embed.at + 1] ?? 0));
  }
  for (const prefix of SPECIAL_IPV6) {
    if (inIpv6Prefix(g, prefix)) return prefix.kind;
  }
  return 'public';
}
