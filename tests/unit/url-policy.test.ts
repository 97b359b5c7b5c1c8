// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { AppError } from '../../utils/errors';
import { checkImageSource, classifyHost, imageCredentials, isPrivateHost, ipv4RangeBounds, parseIpv4, parseIpv6, privateOrigin, SPECIAL_IPV4 } from '../../utils/url-policy';

function refused(url: string, pageUrl?: string) {
  const r = checkImageSource(url, { pageUrl });
  if (r.ok) throw new Error(`expected ${url} to be refused`);
  expect(r.error).toBeInstanceOf(AppError);
  expect(r.error.kind).toBe('source_refused');
  return r;
}

function allowed(url: string, pageUrl?: string): URL {
  const r = checkImageSource(url, { pageUrl });
  if (!r.ok) throw new Error(`expected ${url} to be allowed, got: ${r.error.message}`);
  return r.url;
}

describe('checkImageSource: schemes', () => {
  it('allows http(s) images on public hosts', () => {
    expect(allowed('https://images.example.com/cat.jpg?w=800').hostname).toBe('images.example.com');
    expect(allowed('http://93.184.216.34/a.png').href).toBe('http://93.184.216.34/a.png');
    expect(allowed('https://[2606:4700::1111]/x.webp').hostname).toBe('[2606:4700::1111]');
    expect(allowed('  HTTPS://Example.COM/A.PNG  ').href).toBe('https://example.com/A.PNG');
  });

  it('allows data: URLs that hold an image, whatever their case or parameters', () => {
    allowed('data:image/png;base64,iVBORw0KGgo=');
    allowed('data:IMAGE/JPEG;base64,/9j/');
    allowed('data:image/svg+xml;charset=utf-8,%3Csvg%3E');
  });

  it('refuses data: URLs that are not images', () => {
    expect(refused('data:text/html,<script>alert(1)</script>').reason).toBe('not_image_data');
    expect(refused('data:,hello').reason).toBe('not_image_data');
    expect(refused('data:application/octet-stream;base64,AAAA').reason).toBe('not_image_data');
    expect(refused('data:image/png').reason).toBe('not_image_data'); // no comma: malformed
  });

  it('refuses blob: URLs with a message saying they must be read in the page', () => {
    const r = refused('blob:https://example.com/5d6f-11');
    expect(r.reason).toBe('blob');
    expect(r.error.message).toMatch(/read in the page/);
  });

  it('refuses file:, browser-internal and other schemes', () => {
    expect(refused('file:///home/me/photo.jpg').reason).toBe('file');
    for (const url of [
      'chrome://settings/',
      'chrome-extension://abcdefghijklmnop/icon.png',
      'moz-extension://1234/icon.png',
      'about:blank',
      'javascript:alert(1)',
      'ftp://ftp.example.com/pic.jpg',
      'ws://example.com/',
      'view-source:https://example.com/',
      'filesystem:https://example.com/temporary/a.png',
    ]) {
      const r = refused(url);
      expect(r.reason).toBe('scheme');
      expect(r.error.message).toMatch(/which the extension doesn\u2019t download/);
    }
  });

  it('refuses what is not a URL at all', () => {
    expect(refused('not a url').reason).toBe('bad_url');
    expect(refused('').reason).toBe('bad_url');
    expect(refused('http://').reason).toBe('bad_url');
  });

  it('refuses addresses with a user name or password', () => {
    expect(refused('https://user:pass@example.com/a.png').reason).toBe('credentials');
  });
});

describe('checkImageSource: private and special hosts', () => {
  const PRIVATE = [
    'http://127.0.0.1/a.png',
    'http://127.1.2.3:8080/a.png',
    'http://localhost/a.png',
    'http://LOCALHOST./a.png',
    'http://api.localhost/a.png',
    'http://[::1]/a.png',
    'http://10.0.0.5/a.png',
    'http://172.16.0.1/a.png',
    'http://172.31.255.255/a.png',
    'http://192.168.1.1/a.png',
    'http://169.254.169.254/latest/meta-data/',
    'http://100.64.0.1/a.png',
    'http://100.127.255.254/a.png',
    'http://0.0.0.0/a.png',
    'http://[fc00::1]/a.png',
    'http://[fd12:3456:789a::1]/a.png',
    'http://[fe80::1]/a.png',
    'http://[::ffff:127.0.0.1]/a.png',
    'http://[::ffff:8.8.8.8]/a.png', // mapped addresses are refused outright
    'http://[::ffff:7f00:1]/a.png',
    'http://[::127.0.0.1]/a.png',
    'http://[64:ff9b::10.0.0.1]/a.png',
    'http://[2002:c0a8:0101::1]/a.png', // 6to4 around 192.168.1.1
    'http://2130706433/a.png', // decimal 127.0.0.1
    'http://0x7f.1/a.png', // hex + short form
    'http://0x7f000001/a.png',
    'http://017700000001/a.png', // octal
    'http://0177.0.0.1/a.png',
    'http://127.1/a.png',
    'http://3232235777/a.png', // 192.168.1.1
    'http://printer.local/a.png',
    'http://nas.home.arpa/a.png',
    'http://intranet/a.png', // single-label names resolve on the local network
    'http://224.0.0.1/a.png',
    'http://255.255.255.255/a.png',
    'http://[::1:2:3:4:5]/a.png', // anything in ::/16 (reserved), not only mapped and compatible
    'http://[0:1::]/a.png',
  ];

  it.each(PRIVATE)('refuses %s', (url) => {
    const r = refused(url);
    expect(['loopback', 'private_network']).toContain(r.reason);
    expect(r.error.message).toMatch(/so the extension won\u2019t download it\. Save it and drag it into the panel instead\.$/);
  });

  it('words the message plainly', () => {
    expect(refused('http://192.168.0.10/cam.jpg').error.message).toBe(
      'This image is on a private network address, so the extension won\u2019t download it. Save it and drag it into the panel instead.',
    );
    expect(refused('http://localhost:3000/a.png').error.message).toMatch(/your own computer/);
  });

  it.each([
    'http://172.15.255.255/a.png',
    'http://172.32.0.1/a.png',
    'http://100.63.255.255/a.png',
    'http://100.128.0.1/a.png',
    'http://11.0.0.1/a.png',
    'http://192.169.0.1/a.png',
    'http://[64:ff9b::8.8.8.8]/a.png',
    'http://localhost.example.com/a.png',
    'http://mylocal.com/a.png',
  ])('allows the public neighbour %s', (url) => {
    allowed(url);
  });

  it('allows a private image when the user is on a page of that same origin', () => {
    allowed('http://192.168.1.1/logo.png', 'http://192.168.1.1/admin/status');
    allowed('http://localhost:5173/img/a.png', 'http://localhost:5173/');
    allowed('http://2130706433/a.png', 'http://127.0.0.1/'); // same origin once normalised
  });

  it('still refuses when the page is on another origin (port, scheme or host differ)', () => {
    refused('http://localhost:5173/a.png', 'http://localhost:3000/');
    refused('http://192.168.1.1/a.png', 'https://192.168.1.1/');
    refused('http://192.168.1.2/a.png', 'http://192.168.1.1/');
    refused('http://127.0.0.1/a.png', 'https://evil.example/');
    refused('http://127.0.0.1/a.png', 'not a url');
    refused('http://127.0.0.1/a.png', 'file:///tmp/x.html');
  });

  it('is usable for each redirect hop: a public URL redirecting to a private one is refused', () => {
    const page = 'https://news.example/article';
    allowed('https://cdn.example/img.jpg', page);
    refused('http://169.254.169.254/latest/meta-data/', page);
  });
});

describe('host helpers', () => {
  it('parses IPv4 the way the URL standard does', () => {
    expect(parseIpv4('127.0.0.1')).toBe(0x7f000001);
    expect(parseIpv4('2130706433')).toBe(0x7f000001);
    expect(parseIpv4('0x7f.1')).toBe(0x7f000001);
    expect(parseIpv4('0177.0.0.01')).toBe(0x7f000001);
    expect(parseIpv4('127.65536')).toBe(0x7f010000);
    expect(parseIpv4('127.16777216')).toBeUndefined();
    expect(parseIpv4('256.0.0.1')).toBeUndefined();
    expect(parseIpv4('1.2.3.4.5')).toBeUndefined();
    expect(parseIpv4('0x')).toBe(0);
  });

  it('parses IPv6 with :: and dotted tails', () => {
    expect(parseIpv6('::1')).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
    expect(parseIpv6('fe80::')).toEqual([0xfe80, 0, 0, 0, 0, 0, 0, 0]);
    expect(parseIpv6('::ffff:192.168.0.1')).toEqual([0, 0, 0, 0, 0, 0xffff, 0xc0a8, 0x0001]);
    expect(parseIpv6('1:2:3:4:5:6:7:8')).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(parseIpv6('1:2:3:4:5:6:1.2.3.4')).toEqual([1, 2, 3, 4, 5, 6, 0x0102, 0x0304]);
    expect(parseIpv6('1::2::3')).toBeUndefined();
    expect(parseIpv6('1:2:3')).toBeUndefined();
    expect(parseIpv6('12345::')).toBeUndefined();
    expect(parseIpv6('::1.2.3.256')).toBeUndefined();
  });

  it('classifies hosts', () => {
    expect(classifyHost('example.com')).toBe('public');
    expect(classifyHost('127.0.0.1')).toBe('loopback');
    expect(classifyHost('[::1]')).toBe('loopback');
    expect(classifyHost('::1')).toBe('loopback');
    expect(classifyHost('169.254.1.1')).toBe('link_local');
    expect(classifyHost('[fe80::1]')).toBe('link_local');
    expect(classifyHost('10.1.2.3')).toBe('private');
    expect(classifyHost('router')).toBe('local_name');
    expect(classifyHost('0.0.0.0')).toBe('reserved');
    expect(classifyHost('999.1.1.1')).toBe('invalid');
    expect(classifyHost('')).toBe('invalid');
  });

  it('isPrivateHost is true for everything but public hosts', () => {
    expect(isPrivateHost('example.com')).toBe(false);
    expect(isPrivateHost('8.8.8.8')).toBe(false);
    expect(isPrivateHost('[2001:4860:4860::8888]')).toBe(false);
    for (const h of ['localhost', 'LocalHost', 'a.b.localhost', '127.0.0.1', '0x7f.1', '2130706433', '[::1]', '[fd00::1]', '192.168.0.1', 'x.local', '']) {
      expect([h, isPrivateHost(h)]).toEqual([h, true]);
    }
  });
});

describe('the range table', () => {
  it('classifies each range from its first to its last address, and not one address beyond', () => {
    const dotted = (ip: number) => [24, 16, 8, 0].map((s) => (ip >>> s) & 0xff).join('.');
    for (const range of SPECIAL_IPV4) {
      const [first, last] = ipv4RangeBounds(range);
      expect(classifyHost(dotted(first))).toBe(range.kind);
      expect(classifyHost(dotted(last))).toBe(range.kind);
    }
    expect(classifyHost('172.15.255.255')).toBe('public');
    expect(classifyHost('172.32.0.0')).toBe('public');
    expect(classifyHost('198.17.255.255')).toBe('public');
    expect(classifyHost('198.20.0.0')).toBe('public');
    expect(classifyHost('192.0.1.0')).toBe('public');
    expect(classifyHost('223.255.255.255')).toBe('public');
  });
});

describe('imageCredentials (cookies only for the page\u2019s own host)', () => {
  it.each([
    ['https://www.example.com/a.png', 'https://www.example.com/post', 'include'],
    ['http://www.example.com:8080/a.png', 'https://www.example.com/', 'include'],
    ['https://WWW.EXAMPLE.COM/a.png', 'https://www.example.com/', 'include'],
    ['https://cdn.example.com/a.png', 'https://www.example.com/', 'omit'],
    ['https://example.com/a.png', 'https://www.example.com/', 'omit'],
    ['https://tracker.example.net/p.gif', 'https://www.example.com/', 'omit'],
    ['https://www.example.com/a.png', undefined, 'omit'],
    ['https://www.example.com/a.png', 'not a url', 'omit'],
    ['https://www.example.com/a.png', 'file:///tmp/x.html', 'omit'],
  ] as const)('%s on %s: %s', (image, page, expected) => {
    expect(imageCredentials(image, page)).toBe(expected);
  });
});

describe('privateOrigin', () => {
  it('gives the origin of private, loopback and local web addresses only', () => {
    expect(privateOrigin('http://192.168.1.1/admin/status?x=1')).toBe('http://192.168.1.1');
    expect(privateOrigin('http://127.0.0.2:8080/wiki')).toBe('http://127.0.0.2:8080');
    expect(privateOrigin('https://nas.local/')).toBe('https://nas.local');
    expect(privateOrigin('http://[fd00::5]:81/')).toBe('http://[fd00::5]:81');
    expect(privateOrigin('https://news.example/story')).toBeUndefined();
    expect(privateOrigin('file:///etc/passwd')).toBeUndefined();
    expect(privateOrigin('chrome://settings')).toBeUndefined();
    expect(privateOrigin(undefined)).toBeUndefined();
    expect(privateOrigin('nonsense')).toBeUndefined();
  });
});
