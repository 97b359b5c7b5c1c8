/**
 * Which image addresses the extension will download. Pure; called before the first request and
 * again for every redirect target.
 *
 * An `<all_urls>` worker can fetch file: URLs and anything on the user's own network, so a page
 * could point us (via an image's address) at a router admin page or a local service. We allow
 * http(s) and `data:image/*` only, and refuse loopback, private, link-local and other special
 * addresses unless the user is on a page of that very origin (then they can see it anyway).
 *
 * Limitation: only literal addresses and reserved names are recognised. A public host name that
 * resolves to a private address (DNS rebinding) can't be detected without DNS, which extensions
 * don't have in Chromium.
 */
import { AppError } from './errors';

export type SourceRefusal = 'bad_url' | 'blob' | 'file' | 'scheme' | 'not_image_data' | 'credentials' | 'loopback' | 'private_network';

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

const LOCAL_SUFFIXES = ['.localhost', '.local', '.internal', '.home.arpa', '.localdomain'];

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

function inV4(ip: number, base: [number, number, number, number], bits: number): boolean {
  const b = ((base[0] << 24) >>> 0) + (base[1] << 16) + (base[2] << 8) + base[3];
  const size = 2 ** (32 - bits);
  return ip >= b && ip < b + size;
}

function classifyIpv4(ip: number): HostKind {
  if (inV4(ip, [127, 0, 0, 0], 8)) return 'loopback';
  if (inV4(ip, [169, 254, 0, 0], 16)) return 'link_local';
  if (inV4(ip, [10, 0, 0, 0], 8) || inV4(ip, [172, 16, 0, 0], 12) || inV4(ip, [192, 168, 0, 0], 16) || inV4(ip, [100, 64, 0, 0], 10)) {
    return 'private';
  }
  if (
    inV4(ip, [0, 0, 0, 0], 8) || // "this network", including 0.0.0.0
    inV4(ip, [192, 0, 0, 0], 24) || // IETF protocol assignments
    inV4(ip, [198, 18, 0, 0], 15) || // benchmarking
    inV4(ip, [224, 0, 0, 0], 4) || // multicast
    inV4(ip, [240, 0, 0, 0], 4) // reserved and broadcast
  ) {
    return 'reserved';
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

function classifyIpv6(g: number[]): HostKind {
  const at = (i: number) => g[i] ?? 0;
  const zeroUpTo = (n: number) => g.slice(0, n).every((x) => x === 0);
  const v4 = (hi: number, lo: number) => ((hi << 16) >>> 0) + lo;
  if (zeroUpTo(7) && at(7) === 0) return 'reserved'; // ::
  if (zeroUpTo(7) && at(7) === 1) return 'loopback'; // ::1
  // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d): refused outright; real sites
  // never need them and they are a classic way to smuggle 127.0.0.1 past a filter.
  if (zeroUpTo(5) && at(5) === 0xffff) return 'reserved';
  if (zeroUpTo(6)) return 'reserved';
  // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) embed an IPv4 address: judge that address.
  if (at(0) === 0x64 && at(1) === 0xff9b && g.slice(2, 6).every((x) => x === 0)) {
    const inner = classifyIpv4(v4(at(6), at(7)));
    return inner === 'public' ? 'public' : inner;
  }
  if (at(0) === 0x64 && at(1) === 0xff9b && at(2) === 1) return 'private'; // local-use NAT64
  if (at(0) === 0x2002) {
    const inner = classifyIpv4(v4(at(1), at(2)));
    return inner === 'public' ? 'public' : inner;
  }
  if ((at(0) & 0xfe00) === 0xfc00) return 'private'; // fc00::/7 unique local
  if ((at(0) & 0xffc0) === 0xfe80) return 'link_local'; // fe80::/10
  if ((at(0) & 0xffc0) === 0xfec0) return 'private'; // fec0::/10 site-local (deprecated)
  if ((at(0) & 0xff00) === 0xff00) return 'reserved'; // multicast
  if (at(0) === 0x2001 && at(1) === 0x0db8) return 'reserved'; // documentation
  return 'public';
}
