/**
 * Identify an image by its first bytes and read what its headers say (size, orientation,
 * alpha, animation, bit depth). Pure: runs the same in Node, the worker and extension pages.
 *
 * The name and the Content-Type of a download are never trusted: servers send HTML error
 * pages as `image/jpeg`, and users rename files. Every reader here is bounds-checked and
 * returns what it learned so far when the bytes run out; nothing in this module throws on
 * truncated or corrupt input.
 */

export type ImageFormat =
  | 'jpeg'
  | 'png'
  | 'webp'
  | 'gif'
  | 'avif'
  | 'bmp'
  | 'svg'
  | 'heic'
  | 'tiff'
  | 'ico'
  | 'pdf'
  | 'html'
  | 'unknown';

export interface SniffResult {
  format: ImageFormat;
  mime?: string;
  /** Stored (unrotated) width in pixels, when the header says. */
  width?: number;
  /** Stored (unrotated) height in pixels, when the header says. */
  height?: number;
  /** EXIF orientation 1-8 (JPEG APP1, WebP EXIF chunk, TIFF IFD0; AVIF/HEIC `irot` mapped onto it). Chromium ignores it in WebP: see plan.appliedOrientation. */
  orientation?: number;
  /** True when the format can carry transparency and this file declares it. */
  hasAlpha?: boolean;
  animated?: boolean;
  /** Bits per sample (JPEG precision, PNG bit depth, BMP bits per pixel, AVIF pixi). */
  bitDepth?: number;
  /** JPEG with four components (CMYK or YCCK). */
  cmyk?: boolean;
}

const MIME: Record<ImageFormat, string | undefined> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  avif: 'image/avif',
  bmp: 'image/bmp',
  svg: 'image/svg+xml',
  heic: 'image/heic',
  tiff: 'image/tiff',
  ico: 'image/x-icon',
  pdf: 'application/pdf',
  html: 'text/html',
  unknown: undefined,
};

/** The width and height as displayed once EXIF orientation is applied (5-8 swap the sides). */
export function orientedSize(width: number, height: number, orientation: number | undefined): { width: number; height: number } {
  return orientation !== undefined && orientation >= 5 && orientation <= 8 ? { width: height, height: width } : { width, height };
}

export function sniffImage(bytes: Uint8Array): SniffResult {
  const r = new Reader(bytes);
  let result: SniffResult;
  try {
    result = identify(r);
  } catch {
    // The readers are bounds-checked, so this is a safety net only: never let a bad file throw.
    result = { format: guessFormatOnly(r) };
  }
  const { format, ...rest } = result;
  const mime = MIME[format];
  return mime ? { format, mime, ...rest } : result;
}

function identify(r: Reader): SniffResult {
  if (r.u8(0) === 0xff && r.u8(1) === 0xd8 && r.u8(2) === 0xff) return sniffJpeg(r);
  if (r.matches(0, PNG_SIGNATURE)) return sniffPng(r);
  if (r.ascii(0, 6) === 'GIF87a' || r.ascii(0, 6) === 'GIF89a') return sniffGif(r);
  if (r.ascii(0, 4) === 'RIFF' && r.ascii(8, 4) === 'WEBP') return sniffWebp(r);
  if (r.ascii(4, 4) === 'ftyp') {
    const isobmff = sniffIsoBmff(r);
    if (isobmff) return isobmff;
  }
  if (r.ascii(0, 2) === 'BM' && looksLikeBmp(r)) return sniffBmp(r);
  if (r.ascii(0, 4) === 'II*\0' || r.ascii(0, 4) === 'MM\0*') return sniffTiff(r);
  if (looksLikeIco(r)) return sniffIco(r);
  return sniffText(r);
}

/** Only the format, from magic bytes; used if a detailed reader ever fails unexpectedly. */
function guessFormatOnly(r: Reader): ImageFormat {
  if (r.u8(0) === 0xff && r.u8(1) === 0xd8 && r.u8(2) === 0xff) return 'jpeg';
  if (r.matches(0, PNG_SIGNATURE)) return 'png';
  if (r.ascii(0, 3) === 'GIF') return 'gif';
  if (r.ascii(0, 4) === 'RIFF' && r.ascii(8, 4) === 'WEBP') return 'webp';
  return 'unknown';
}

// ---------------------------------------------------------------------------------------------
// Bounds-checked reading

class Reader {
  readonly length: number;
  constructor(readonly bytes: Uint8Array) {
    this.length = bytes.length;
  }
  has(offset: number, count: number): boolean {
    return offset >= 0 && count >= 0 && offset + count <= this.length;
  }
  /** Byte at offset, or -1 past the end. */
  u8(offset: number): number {
    return offset >= 0 && offset < this.length ? (this.bytes[offset] ?? -1) : -1;
  }
  u16be(o: number): number | undefined {
    return this.has(o, 2) ? (this.u8(o) << 8) | this.u8(o + 1) : undefined;
  }
  u16le(o: number): number | undefined {
    return this.has(o, 2) ? this.u8(o) | (this.u8(o + 1) << 8) : undefined;
  }
  u24le(o: number): number | undefined {
    return this.has(o, 3) ? this.u8(o) | (this.u8(o + 1) << 8) | (this.u8(o + 2) << 16) : undefined;
  }
  u32be(o: number): number | undefined {
    return this.has(o, 4) ? this.u8(o) * 0x1000000 + ((this.u8(o + 1) << 16) | (this.u8(o + 2) << 8) | this.u8(o + 3)) : undefined;
  }
  u32le(o: number): number | undefined {
    return this.has(o, 4) ? this.u8(o + 3) * 0x1000000 + ((this.u8(o + 2) << 16) | (this.u8(o + 1) << 8) | this.u8(o)) : undefined;
  }
  i32le(o: number): number | undefined {
    const v = this.u32le(o);
    return v === undefined ? undefined : v | 0;
  }
  /** Latin-1 text of exactly `count` bytes, or '' if they are not all there. */
  ascii(o: number, count: number): string {
    if (!this.has(o, count)) return '';
    let s = '';
    for (let i = 0; i < count; i++) s += String.fromCharCode(this.u8(o + i));
    return s;
  }
  matches(o: number, sig: readonly number[]): boolean {
    if (!this.has(o, sig.length)) return false;
    return sig.every((b, i) => this.u8(o + i) === b);
  }
}

// ---------------------------------------------------------------------------------------------
// JPEG

function isSofMarker(m: number): boolean {
  // SOF0-SOF15, except DHT (C4), JPG (C8) and DAC (CC), which share the range.
  return m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;
}

function sniffJpeg(r: Reader): SniffResult {
  const out: SniffResult = { format: 'jpeg', hasAlpha: false };
  let o = 2;
  while (o < r.length) {
    if (r.u8(o) !== 0xff) {
      // Not on a marker: stray bytes (decoders skip them with a warning). Look a little ahead.
      let next = o;
      while (next < r.length && next - o < 256 && r.u8(next) !== 0xff) next++;
      if (r.u8(next) !== 0xff) break;
      o = next;
    }
    // Any number of 0xFF fill bytes may precede a marker.
    while (r.u8(o) === 0xff) o++;
    const marker = r.u8(o);
    o++;
    if (marker < 0) break;
    // Standalone markers carry no length.
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue;
    if (marker === 0xd9 || marker === 0xda) break; // EOI, or SOS: entropy-coded data follows; SOF must precede it.
    const len = r.u16be(o);
    if (len === undefined || len < 2) break;
    const body = o + 2;
    const bodyLen = len - 2;
    if (isSofMarker(marker)) {
      const precision = r.u8(body);
      const height = r.u16be(body + 1);
      const width = r.u16be(body + 3);
      const components = r.u8(body + 5);
      if (precision > 0) out.bitDepth = precision;
      // A height of 0 means "defined later by a DNL marker"; leave it unknown.
      if (height !== undefined && height > 0) out.height = height;
      if (width !== undefined && width > 0) out.width = width;
      if (components > 0) out.cmyk = components === 4;
      break;
    }
    if (marker === 0xe1 && out.orientation === undefined && r.ascii(body, 6) === 'Exif\0\0') {
      const end = Math.min(body + bodyLen, r.length);
      const orientation = readTiffOrientation(r, body + 6, end);
      if (orientation !== undefined) out.orientation = orientation;
    }
    o = body + bodyLen;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// TIFF structures (EXIF payloads and TIFF files)

interface TiffIfd {
  little: boolean;
  entries: Map<number, number>;
}

/** Reads IFD0 of a TIFF structure starting at `start`; only single-valued SHORT/LONG tags. */
function readTiffIfd0(r: Reader, start: number, end: number): TiffIfd | undefined {
  const order = r.ascii(start, 2);
  if (order !== 'II' && order !== 'MM') return undefined;
  const little = order === 'II';
  const u16 = (o: number) => (o + 2 <= end ? (little ? r.u16le(o) : r.u16be(o)) : undefined);
  const u32 = (o: number) => (o + 4 <= end ? (little ? r.u32le(o) : r.u32be(o)) : undefined);
  if (u16(start + 2) !== 42) return undefined;
  const ifdOffset = u32(start + 4);
  if (ifdOffset === undefined || ifdOffset < 8) return undefined;
  const ifd = start + ifdOffset;
  const count = u16(ifd);
  if (count === undefined) return undefined;
  const entries = new Map<number, number>();
  for (let i = 0; i < count; i++) {
    const e = ifd + 2 + i * 12;
    const tag = u16(e);
    const type = u16(e + 2);
    const n = u32(e + 4);
    if (tag === undefined || type === undefined || n === undefined) break;
    if (n !== 1) continue;
    const value = type === 3 ? u16(e + 8) : type === 4 ? u32(e + 8) : undefined;
    if (value !== undefined && !entries.has(tag)) entries.set(tag, value);
  }
  return { little, entries };
}

const TAG_WIDTH = 0x0100;
const TAG_HEIGHT = 0x0101;
const TAG_BITS_PER_SAMPLE = 0x0102;
const TAG_ORIENTATION = 0x0112;

function validOrientation(v: number | undefined): number | undefined {
  return v !== undefined && v >= 1 && v <= 8 ? v : undefined;
}

function readTiffOrientation(r: Reader, start: number, end: number): number | undefined {
  return validOrientation(readTiffIfd0(r, start, end)?.entries.get(TAG_ORIENTATION));
}

function sniffTiff(r: Reader): SniffResult {
  const out: SniffResult = { format: 'tiff' };
  const ifd = readTiffIfd0(r, 0, r.length);
  if (!ifd) return out;
  const width = ifd.entries.get(TAG_WIDTH);
  const height = ifd.entries.get(TAG_HEIGHT);
  const bits = ifd.entries.get(TAG_BITS_PER_SAMPLE);
  const orientation = validOrientation(ifd.entries.get(TAG_ORIENTATION));
  if (width) out.width = width;
  if (height) out.height = height;
  if (bits) out.bitDepth = bits;
  if (orientation !== undefined) out.orientation = orientation;
  return out;
}

// ---------------------------------------------------------------------------------------------
// PNG

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] as const;

function sniffPng(r: Reader): SniffResult {
  const out: SniffResult = { format: 'png' };
  if (r.ascii(12, 4) !== 'IHDR') return out;
  const width = r.u32be(16);
  const height = r.u32be(20);
  const depth = r.u8(24);
  const colourType = r.u8(25);
  if (width) out.width = width;
  if (height) out.height = height;
  if (depth > 0) out.bitDepth = depth;
  if (colourType < 0) return out;
  // 4 = grey + alpha, 6 = RGB + alpha. 0, 2 and 3 get alpha only from a tRNS chunk.
  if (colourType === 4 || colourType === 6) out.hasAlpha = true;
  // Walk the chunks before the image data: tRNS and acTL must both come before IDAT. What they
  // say is only final once IDAT is reached; a file cut short earlier leaves it unknown.
  let trns = false;
  let animated = false;
  let o = 8;
  for (let guard = 0; guard < 10_000; guard++) {
    const len = r.u32be(o);
    const type = r.ascii(o + 4, 4);
    if (len === undefined || type === '') return out;
    if (type === 'IDAT' || type === 'IEND') break;
    if (type === 'tRNS') trns = true;
    if (type === 'acTL') {
      const frames = r.u32be(o + 8);
      if (frames === undefined) return out;
      animated = frames > 1;
    }
    o += 12 + len;
  }
  out.hasAlpha = out.hasAlpha === true || trns;
  out.animated = animated;
  return out;
}

// ---------------------------------------------------------------------------------------------
// GIF

function sniffGif(r: Reader): SniffResult {
  const out: SniffResult = { format: 'gif', bitDepth: 8 };
  const width = r.u16le(6);
  const height = r.u16le(8);
  if (width) out.width = width;
  if (height) out.height = height;
  const packed = r.u8(10);
  if (packed < 0) return out;
  let o = 13;
  if (packed & 0x80) o += 3 * (1 << ((packed & 0x07) + 1));

  // Count image descriptors, skipping extensions and image data sub-blocks. Stops at the
  // second frame, so the cost is one pass over the first frame's data at most.
  let frames = 0;
  let transparent = false;
  const skipSubBlocks = (from: number): number => {
    let p = from;
    for (;;) {
      const size = r.u8(p);
      if (size < 0) return -1;
      p += 1;
      if (size === 0) return p;
      p += size;
    }
  };
  for (;;) {
    const block = r.u8(o);
    if (block === 0x3b) {
      out.animated = frames > 1;
      break;
    }
    if (block === 0x21) {
      const label = r.u8(o + 1);
      // Graphic Control Extension before the first frame: its transparency flag.
      if (label === 0xf9 && frames === 0 && r.u8(o + 2) === 4 && (r.u8(o + 3) & 0x01) === 1) transparent = true;
      const next = skipSubBlocks(o + 2);
      if (next < 0) break;
      o = next;
      continue;
    }
    if (block === 0x2c) {
      frames++;
      if (frames === 1) out.hasAlpha = transparent;
      if (frames > 1) {
        out.animated = true;
        break;
      }
      const imgPacked = r.u8(o + 9);
      if (imgPacked < 0) break;
      o += 10;
      if (imgPacked & 0x80) o += 3 * (1 << ((imgPacked & 0x07) + 1));
      o += 1; // LZW minimum code size
      const next = skipSubBlocks(o);
      if (next < 0) break;
      o = next;
      continue;
    }
    // Truncated or garbage: don't guess about animation.
    break;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// WebP

function sniffWebp(r: Reader): SniffResult {
  const out: SniffResult = { format: 'webp', bitDepth: 8 };
  const first = r.ascii(12, 4);
  const data = 20;
  if (first === 'VP8 ') {
    out.hasAlpha = false;
    out.animated = false;
    // 3-byte frame tag, then the key frame start code 9D 01 2A, then 14-bit sizes.
    if (r.u8(data + 3) === 0x9d && r.u8(data + 4) === 0x01 && r.u8(data + 5) === 0x2a) {
      const w = r.u16le(data + 6);
      const h = r.u16le(data + 8);
      if (w !== undefined && (w & 0x3fff) > 0) out.width = w & 0x3fff;
      if (h !== undefined && (h & 0x3fff) > 0) out.height = h & 0x3fff;
    }
  } else if (first === 'VP8L') {
    out.animated = false;
    if (r.u8(data) === 0x2f) {
      const bits = r.u32le(data + 1);
      if (bits !== undefined) {
        out.width = (bits & 0x3fff) + 1;
        out.height = ((bits >>> 14) & 0x3fff) + 1;
        out.hasAlpha = ((bits >>> 28) & 1) === 1;
      }
    }
  } else if (first === 'VP8X') {
    const flags = r.u8(data);
    if (flags >= 0) {
      out.hasAlpha = (flags & 0x10) !== 0;
      out.animated = (flags & 0x02) !== 0;
    }
    const w = r.u24le(data + 4);
    const h = r.u24le(data + 7);
    if (w !== undefined) out.width = w + 1;
    if (h !== undefined) out.height = h + 1;
    if (flags >= 0 && flags & 0x08) {
      const orientation = findWebpExifOrientation(r);
      if (orientation !== undefined) out.orientation = orientation;
    }
  }
  return out;
}

function findWebpExifOrientation(r: Reader): number | undefined {
  // Chunks start after the RIFF header; each is fourcc, little-endian size, data, pad to even.
  let o = 12;
  for (let guard = 0; guard < 1000; guard++) {
    const type = r.ascii(o, 4);
    const size = r.u32le(o + 4);
    if (type === '' || size === undefined) return undefined;
    if (type === 'EXIF') {
      let start = o + 8;
      // Some writers keep the JPEG-style "Exif\0\0" prefix; the spec says raw TIFF.
      if (r.ascii(start, 6) === 'Exif\0\0') start += 6;
      return readTiffOrientation(r, start, Math.min(o + 8 + size, r.length));
    }
    o += 8 + size + (size & 1);
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// AVIF / HEIC (ISO base media file format)

const AVIF_BRANDS = new Set(['avif', 'avis']);
const HEIC_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'hevm', 'hevs', 'mif1', 'msf1', 'mif2']);

interface Box {
  type: string;
  start: number;
  /** First byte of the payload. */
  body: number;
  end: number;
  /** False when the box runs past the end of the data (a truncated file). */
  complete: boolean;
}

/** Iterates the boxes between `from` and `to`, stopping at the first malformed one. */
function* boxes(r: Reader, from: number, to: number): Generator<Box> {
  let o = from;
  let count = 0;
  while (o + 8 <= to && count++ < 10_000) {
    let size = r.u32be(o);
    const type = r.ascii(o + 4, 4);
    if (size === undefined || type === '') return;
    let body = o + 8;
    if (size === 1) {
      const hi = r.u32be(o + 8);
      const lo = r.u32be(o + 12);
      if (hi === undefined || lo === undefined || hi !== 0) return; // >4 GiB boxes: not in images we accept
      size = lo;
      body = o + 16;
    } else if (size === 0) {
      size = to - o; // extends to the end
    }
    if (size < body - o) return;
    const end = o + size;
    // A truncated last box is still yielded (clamped), so partial files give what they can.
    yield { type, start: o, body, end: Math.min(end, to), complete: end <= to && end <= r.length };
    if (end > to) return;
    o = end;
  }
}

function findBox(r: Reader, from: number, to: number, type: string): Box | undefined {
  for (const b of boxes(r, from, to)) if (b.type === type) return b;
  return undefined;
}

function sniffIsoBmff(r: Reader): SniffResult | undefined {
  const ftypSize = r.u32be(0);
  if (ftypSize === undefined || ftypSize < 16) return undefined;
  const major = r.ascii(8, 4);
  const brands = [major];
  for (let o = 16; o + 4 <= Math.min(ftypSize, r.length, 16 + 4 * 64); o += 4) brands.push(r.ascii(o, 4));
  let format: ImageFormat | undefined;
  if (brands.some((b) => AVIF_BRANDS.has(b))) format = 'avif';
  else if (brands.some((b) => HEIC_BRANDS.has(b))) format = 'heic';
  if (!format) return undefined; // e.g. an MP4 video: not ours

  const out: SniffResult = { format };
  if (major === 'avis' || major === 'msf1' || major === 'hevs') out.animated = true;
  readHeifProperties(r, ftypSize, out);
  return out;
}

/** Reads the primary item's ispe (size), pixi (bit depth) and irot (rotation) from the meta box. */
function readHeifProperties(r: Reader, from: number, out: SniffResult): void {
  const meta = findBox(r, from, r.length, 'meta');
  if (!meta) return;
  const metaBody = meta.body + 4; // full box: version + flags
  let primaryId: number | undefined;
  const pitm = findBox(r, metaBody, meta.end, 'pitm');
  if (pitm) primaryId = r.u8(pitm.body) === 0 ? r.u16be(pitm.body + 4) : r.u32be(pitm.body + 4);

  const iprp = findBox(r, metaBody, meta.end, 'iprp');
  if (!iprp) return;
  const ipco = findBox(r, iprp.body, iprp.end, 'ipco');
  if (!ipco) return;
  const props: Box[] = [...boxes(r, ipco.body, ipco.end)];

  // ipma: which properties (1-based indexes into ipco) belong to which item.
  let primaryProps: number[] | undefined;
  const ipma = findBox(r, iprp.body, iprp.end, 'ipma');
  if (ipma?.complete && primaryId !== undefined) {
    const version = r.u8(ipma.body);
    const flags = r.u8(ipma.body + 3);
    const entryCount = r.u32be(ipma.body + 4) ?? 0;
    let o = ipma.body + 8;
    for (let i = 0; i < entryCount && o < ipma.end; i++) {
      const itemId = version < 1 ? r.u16be(o) : r.u32be(o);
      o += version < 1 ? 2 : 4;
      const n = r.u8(o);
      o += 1;
      if (itemId === undefined || n < 0) break;
      const list: number[] = [];
      for (let j = 0; j < n; j++) {
        if (flags & 1) {
          const v = r.u16be(o);
          if (v === undefined) break;
          list.push(v & 0x7fff);
          o += 2;
        } else {
          const v = r.u8(o);
          if (v < 0) break;
          list.push(v & 0x7f);
          o += 1;
        }
      }
      if (itemId === primaryId) {
        primaryProps = list;
        break;
      }
    }
  }

  // An alpha plane is an auxiliary item tagged with an auxC property naming the alpha URN
  // (AVIF: urn:mpeg:mpegB:cicp:systems:auxiliary:alpha; HEIF: urn:mpeg:hevc:2015:auxid:1).
  // Only decided when the whole property container was read.
  if (ipco.complete) {
    out.hasAlpha = props.some((p) => {
      if (p.type !== 'auxC') return false;
      const urn = r.ascii(p.body + 4, Math.max(0, Math.min(p.end, r.length) - p.body - 4));
      return urn.includes('auxiliary:alpha') || urn.includes('auxid:1');
    });
  }

  // Without the association table (missing or cut short) a lone ispe can only be the image's;
  // with several (grid tiles, thumbnails) we can't tell which, so the size stays unknown.
  let chosen: Box[] = [];
  if (primaryProps) chosen = primaryProps.map((i) => props[i - 1]).filter((b): b is Box => b !== undefined && b.complete);
  else if (ipco.complete && props.filter((p) => p.type === 'ispe').length === 1) chosen = props;

  for (const p of chosen) {
    if (p.type === 'ispe' && out.width === undefined) {
      const w = r.u32be(p.body + 4);
      const h = r.u32be(p.body + 8);
      if (w && h) {
        out.width = w;
        out.height = h;
      }
    } else if (p.type === 'pixi' && out.bitDepth === undefined) {
      const channels = r.u8(p.body + 4);
      const bits = r.u8(p.body + 5);
      if (channels > 0 && bits > 0) out.bitDepth = bits;
    } else if (p.type === 'irot' && out.orientation === undefined) {
      // irot turns the image anticlockwise by angle * 90 degrees; the same as these EXIF values.
      const angle = r.u8(p.body) & 0x03;
      const hasMirror = chosen.some((q) => q.type === 'imir');
      if (!hasMirror) out.orientation = [1, 8, 3, 6][angle];
    }
  }
}

// ---------------------------------------------------------------------------------------------
// BMP

const BMP_HEADER_SIZES = new Set([12, 16, 40, 52, 56, 64, 108, 124]);

function looksLikeBmp(r: Reader): boolean {
  // "BM" alone is too weak (a text file can start with it): check the DIB header size and the
  // reserved fields too. A header cut short before these is still called BMP if what's there fits.
  const dibSize = r.u32le(14);
  const reserved = r.u32le(6);
  if (reserved !== undefined && reserved !== 0) return false;
  if (dibSize === undefined) return r.length >= 6 && r.length < 18;
  return BMP_HEADER_SIZES.has(dibSize);
}

function sniffBmp(r: Reader): SniffResult {
  const out: SniffResult = { format: 'bmp' };
  const dibSize = r.u32le(14);
  if (dibSize === undefined) return out;
  let bpp: number | undefined;
  if (dibSize === 12) {
    const w = r.u16le(18);
    const h = r.u16le(20);
    bpp = r.u16le(24);
    if (w) out.width = w;
    if (h) out.height = h;
  } else {
    const w = r.i32le(18);
    const h = r.i32le(22); // negative: rows stored top-down
    bpp = r.u16le(28);
    if (w !== undefined && w > 0) out.width = w;
    if (h !== undefined && h !== 0) out.height = Math.abs(h);
  }
  if (bpp) {
    out.bitDepth = bpp;
    // 32-bit BMPs may or may not use their fourth byte as alpha; say "maybe" so that the
    // pixels decide. Every other depth is opaque.
    if (bpp !== 32) out.hasAlpha = false;
  }
  out.animated = false;
  return out;
}

// ---------------------------------------------------------------------------------------------
// ICO / CUR

function looksLikeIco(r: Reader): boolean {
  if (r.u16le(0) !== 0) return false;
  const type = r.u16le(2);
  const count = r.u16le(4);
  if ((type !== 1 && type !== 2) || !count || count > 256) return false;
  // First directory entry: reserved byte is 0 and planes/bits fields are small.
  if (r.has(6, 16)) return r.u8(9) === 0 || r.u8(9) === 0xff;
  return true;
}

function sniffIco(r: Reader): SniffResult {
  const out: SniffResult = { format: 'ico', animated: false };
  const count = r.u16le(4) ?? 0;
  // Pick the largest entry, but only once every entry (and the start of its data) is present:
  // a cut-short directory would otherwise report a smaller icon as the image.
  for (let i = 0; i < count; i++) {
    const e = 6 + i * 16;
    const offset = r.u32le(e + 12);
    if (offset === undefined || !r.has(offset, 24)) return out;
  }
  let best = 0;
  for (let i = 0; i < count; i++) {
    const e = 6 + i * 16;
    let w = r.u8(e) || 256;
    let h = r.u8(e + 1) || 256;
    // Entries may hold a whole PNG, whose own header is the real size (the byte fields cap at 256).
    const offset = r.u32le(e + 12);
    if (offset !== undefined && r.matches(offset, PNG_SIGNATURE) && r.ascii(offset + 12, 4) === 'IHDR') {
      w = r.u32be(offset + 16) || w;
      h = r.u32be(offset + 20) || h;
    }
    if (w * h > best) {
      best = w * h;
      out.width = w;
      out.height = h;
      const bits = r.u16le(e + 6);
      if (bits) out.bitDepth = bits;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Text formats: SVG, HTML, PDF

/** The markup start tags the WHATWG MIME sniffing algorithm treats as HTML (lowercase, no '<'). */
const HTML_TAGS = [
  '!doctype html',
  'html',
  'head',
  'script',
  'iframe',
  'h1',
  'div',
  'font',
  'table',
  'a',
  'style',
  'title',
  'b',
  'body',
  'br',
  'p',
  'meta',
  'link',
  'form',
  'noscript',
];

function decodeHead(r: Reader, max: number): string {
  const n = Math.min(r.length, max);
  // UTF-16 byte-order marks: decode the pairs naively (markup is ASCII).
  if (r.u8(0) === 0xff && r.u8(1) === 0xfe) return utf16(r, 2, n, true);
  if (r.u8(0) === 0xfe && r.u8(1) === 0xff) return utf16(r, 2, n, false);
  const start = r.u8(0) === 0xef && r.u8(1) === 0xbb && r.u8(2) === 0xbf ? 3 : 0;
  let s = '';
  for (let i = start; i < n; i++) s += String.fromCharCode(r.u8(i));
  return s;
}

function utf16(r: Reader, from: number, to: number, little: boolean): string {
  let s = '';
  for (let i = from; i + 1 < to; i += 2) s += String.fromCharCode(little ? r.u8(i) | (r.u8(i + 1) << 8) : (r.u8(i) << 8) | r.u8(i + 1));
  return s;
}

function sniffText(r: Reader): SniffResult {
  const text = decodeHead(r, 16 * 1024);
  let i = skipSpace(text, 0);
  if (text.startsWith('%PDF-', i)) return { format: 'pdf' };
  // Skip the prolog an SVG or XHTML file may have: XML declaration, comments, doctype, PIs.
  for (let guard = 0; guard < 100 && text[i] === '<'; guard++) {
    const rest = text.slice(i, i + 200).toLowerCase();
    if (rest.startsWith('<?')) {
      const end = text.indexOf('?>', i);
      if (end < 0) break;
      i = skipSpace(text, end + 2);
    } else if (rest.startsWith('<!--')) {
      const end = text.indexOf('-->', i + 4);
      if (end < 0) break;
      i = skipSpace(text, end + 3);
    } else if (rest.startsWith('<!doctype html')) {
      return { format: 'html' };
    } else if (rest.startsWith('<!doctype')) {
      const end = findDoctypeEnd(text, i);
      if (end < 0) {
        return rest.startsWith('<!doctype svg') ? { format: 'svg' } : { format: 'unknown' };
      }
      i = skipSpace(text, end + 1);
    } else {
      break;
    }
  }
  if (text[i] !== '<') return { format: 'unknown' };
  const tagName = /^<([a-zA-Z][\w:.-]*)/.exec(text.slice(i, i + 100))?.[1]?.toLowerCase();
  if (tagName === 'svg' || tagName?.endsWith(':svg')) return sniffSvgSize(text, i);
  const head = text.slice(i + 1, i + 20).toLowerCase();
  for (const tag of HTML_TAGS) {
    if (head.startsWith(tag)) {
      const after = head.charAt(tag.length);
      if (after === '' || after === ' ' || after === '>' || after === '\t' || after === '\n' || after === '\r' || after === '/') {
        return { format: 'html' };
      }
    }
  }
  return { format: 'unknown' };
}

function skipSpace(s: string, from: number): number {
  let i = from;
  while (i < s.length && (s[i] === ' ' || s[i] === '\t' || s[i] === '\n' || s[i] === '\r' || s[i] === '\f')) i++;
  return i;
}

/** A doctype may hold an internal subset in brackets: `<!DOCTYPE svg [ <!ENTITY ...> ]>`. */
function findDoctypeEnd(s: string, from: number): number {
  let depth = 0;
  for (let i = from; i < s.length; i++) {
    const c = s[i];
    if (c === '[') depth++;
    else if (c === ']') depth--;
    else if (c === '>' && depth <= 0) return i;
  }
  return -1;
}

function sniffSvgSize(text: string, tagStart: number): SniffResult {
  const out: SniffResult = { format: 'svg', animated: false };
  const tagEnd = text.indexOf('>', tagStart);
  if (tagEnd < 0) return out;
  const tag = text.slice(tagStart, tagEnd);
  const attr = (name: string): string | undefined =>
    new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`).exec(tag)?.slice(1).find((v) => v !== undefined);
  const px = (v: string | undefined): number | undefined => {
    const m = v === undefined ? null : /^\s*([0-9]*\.?[0-9]+(?:e[+-]?\d+)?)\s*(px)?\s*$/i.exec(v);
    const n = m ? Number(m[1]) : NaN;
    return Number.isFinite(n) && n > 0 ? Math.round(n) || 1 : undefined;
  };
  let width = px(attr('width'));
  let height = px(attr('height'));
  const viewBox = attr('viewBox')
    ?.trim()
    .split(/[\s,]+/)
    .map(Number);
  if (viewBox && viewBox.length === 4 && viewBox.every(Number.isFinite)) {
    const vw = viewBox[2] ?? 0;
    const vh = viewBox[3] ?? 0;
    if (vw > 0 && vh > 0) {
      if (width === undefined && height === undefined) {
        width = Math.round(vw) || 1;
        height = Math.round(vh) || 1;
      } else if (width === undefined && height !== undefined) {
        width = Math.round((height * vw) / vh) || 1;
      } else if (height === undefined && width !== undefined) {
        height = Math.round((width * vh) / vw) || 1;
      }
    }
  }
  if (width !== undefined && height !== undefined) {
    out.width = width;
    out.height = height;
  }
  return out;
}
