// Fake "generation": results are derived from the reference image so a human (or a test) can
// see at a glance that the reference really went through, and that the prompt mattered:
// posterize + a luminance-preserving colour tint whose hue comes from a hash of the prompt,
// inside a thin border of the same hue. Without a reference, a gradient from the prompt hash.
import { Jimp, JimpMime } from 'jimp';

export interface GeneratedImage {
  png: Buffer;
  width: number;
  height: number;
}

export interface Size {
  width: number;
  height: number;
}

/** Why a reference could not be used; maps to fal's file_download_error / image_load_error. */
export class ImageInputError extends Error {
  readonly kind: 'download' | 'decode';
  constructor(kind: 'download' | 'decode', message: string) {
    super(message);
    this.name = 'ImageInputError';
    this.kind = kind;
  }
}

export const MAX_SIDE = 1024;
const MAX_INPUT_BYTES = 25 * 1024 * 1024;
const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** FNV-1a, 32 bit. Stable across runs, which keeps results reproducible. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * The bytes of a reference given as a data: URI or an http(s) URL on this machine.
 * Other hosts are refused on purpose: the sandbox must never reach the internet.
 */
export async function loadReference(ref: string): Promise<Buffer> {
  if (ref.startsWith('data:')) {
    const comma = ref.indexOf(',');
    if (comma < 0) throw new ImageInputError('decode', 'Malformed data URI');
    const meta = ref.slice(5, comma);
    const payload = ref.slice(comma + 1);
    const bytes = meta.endsWith(';base64')
      ? Buffer.from(payload, 'base64')
      : Buffer.from(decodeURIComponent(payload), 'latin1');
    if (bytes.length === 0) throw new ImageInputError('decode', 'Empty data URI');
    return bytes;
  }
  let url: URL;
  try {
    url = new URL(ref);
  } catch {
    throw new ImageInputError('download', 'Not a URL');
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !LOCAL_HOSTS.has(url.hostname)) {
    throw new ImageInputError('download', `The sandbox only fetches images from localhost, not ${url.host}`);
  }
  let res: Response;
  try {
    // No redirects: a local redirect must not become a way to reach another host.
    res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(5000) });
  } catch (e) {
    throw new ImageInputError('download', `Could not download ${url.href}: ${String(e)}`);
  }
  if (!res.ok) throw new ImageInputError('download', `Downloading ${url.href} answered ${res.status}`);
  const buf = Buffer.from(await res.arrayBuffer());
  if (buf.length > MAX_INPUT_BYTES) throw new ImageInputError('download', 'Image too large');
  return buf;
}

/** Width and height with the long side = `long`, for ratios like '16:9' (or '16x9'). */
export function sizeForAspect(ratio: string, long = MAX_SIDE): Size | undefined {
  const m = /^(\d+(?:\.\d+)?)[:x](\d+(?:\.\d+)?)$/.exec(ratio.trim());
  if (!m) return undefined;
  const w = Number(m[1]);
  const h = Number(m[2]);
  if (!(w > 0 && h > 0)) return undefined;
  return w >= h
    ? { width: long, height: Math.max(1, Math.round((long * h) / w)) }
    : { width: Math.max(1, Math.round((long * w) / h)), height: long };
}

export interface DeriveOptions {
  prompt: string;
  seed: number;
  /** 0..1: how far the result may move away from the reference (tint strength). */
  strength?: number;
  /** Output size; the reference is cover-fitted into it. Default: reference size, long side <= 1024. */
  size?: Size;
}

export async function deriveFromReference(bytes: Buffer, o: DeriveOptions): Promise<GeneratedImage> {
  let img;
  try {
    img = await Jimp.fromBuffer(bytes);
  } catch (e) {
    throw new ImageInputError('decode', `Unsupported or corrupt image: ${String(e)}`);
  }
  if (o.size) {
    img.cover({ w: o.size.width, h: o.size.height });
  } else {
    const { width, height } = img.bitmap;
    const scale = Math.min(1, MAX_SIDE / Math.max(width, height));
    if (scale < 1) img.resize({ w: Math.max(1, Math.round(width * scale)), h: Math.max(1, Math.round(height * scale)) });
  }

  const h = hashString(`${o.prompt}\u0000${o.seed}`);
  const levels = 3 + (h % 4); // 3..6 grey levels per channel
  const step = 255 / (levels - 1);
  const [tr, tg, tb] = hslToRgb((h >>> 8) % 360, 0.8, 0.5);
  const a = 0.45 + 0.35 * clamp01(o.strength ?? 0.8);
  const { data, width, height } = img.bitmap;
  const border = Math.max(3, Math.round(Math.min(width, height) * 0.015));

  for (let y = 0; y < height; y++) {
    const edgeY = y < border || y >= height - border;
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      if (edgeY || x < border || x >= width - border) {
        data[i] = tr * 0.6;
        data[i + 1] = tg * 0.6;
        data[i + 2] = tb * 0.6;
      } else {
        const r = Math.round((data[i] ?? 0) / step) * step;
        const g = Math.round((data[i + 1] ?? 0) / step) * step;
        const b = Math.round((data[i + 2] ?? 0) / step) * step;
        // Colourize by luminance so the reference's structure stays fully visible.
        const l = (0.299 * r + 0.587 * g + 0.114 * b) / 128;
        data[i] = r * (1 - a) + Math.min(255, tr * l) * a;
        data[i + 1] = g * (1 - a) + Math.min(255, tg * l) * a;
        data[i + 2] = b * (1 - a) + Math.min(255, tb * l) * a;
      }
      data[i + 3] = 255;
    }
  }
  return encode(img);
}

/** Text-to-image stand-in: a diagonal two-hue gradient with soft bands, both from the prompt hash. */
export async function generateFromPrompt(prompt: string, seed: number, size: Size): Promise<GeneratedImage> {
  const h = hashString(`${prompt}\u0000${seed}`);
  const hue = h % 360;
  const c1 = hslToRgb(hue, 0.7, 0.55);
  const c2 = hslToRgb((hue + 120 + ((h >>> 9) % 120)) % 360, 0.7, 0.35);
  const bands = 4 + ((h >>> 17) % 9);
  const img = new Jimp({ width: size.width, height: size.height, color: 0x000000ff });
  const { data, width, height } = img.bitmap;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const t = (x / width + y / height) / 2;
      const shade = 0.85 + 0.15 * Math.sin(t * Math.PI * 2 * bands);
      const i = (y * width + x) * 4;
      data[i] = (c1[0] * (1 - t) + c2[0] * t) * shade;
      data[i + 1] = (c1[1] * (1 - t) + c2[1] * t) * shade;
      data[i + 2] = (c1[2] * (1 - t) + c2[2] * t) * shade;
    }
  }
  return encode(img);
}

/** Average colour and size, for the fake "describe the reference" vision endpoint. */
export async function describeImage(bytes: Buffer): Promise<string> {
  let img;
  try {
    img = await Jimp.fromBuffer(bytes);
  } catch (e) {
    throw new ImageInputError('decode', `Unsupported or corrupt image: ${String(e)}`);
  }
  img.resize({ w: 32, h: 32 });
  const { data } = img.bitmap;
  let r = 0;
  let g = 0;
  let b = 0;
  for (let i = 0; i < data.length; i += 4) {
    r += data[i] ?? 0;
    g += data[i + 1] ?? 0;
    b += data[i + 2] ?? 0;
  }
  const n = data.length / 4;
  const [hue, sat, light] = rgbToHsl(r / n, g / n, b / n);
  const colour = sat < 0.15 ? (light > 0.6 ? 'light grey' : light < 0.3 ? 'dark grey' : 'grey') : hueName(hue);
  return `A mostly ${colour} image with ${light > 0.55 ? 'bright' : light < 0.35 ? 'dark' : 'moderate'} lighting (sandbox description).`;
}

async function encode(img: { bitmap: { width: number; height: number }; getBuffer(mime: 'image/png'): Promise<Buffer> }) {
  const png = await img.getBuffer(JimpMime.png);
  return { png, width: img.bitmap.width, height: img.bitmap.height };
}

function clamp01(v: number) {
  return Math.min(1, Math.max(0, v));
}

function hslToRgb(h: number, s: number, l: number): [number, number, number] {
  const k = (n: number) => (n + h / 30) % 12;
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => l - a * Math.max(-1, Math.min(k(n) - 3, 9 - k(n), 1));
  return [Math.round(f(0) * 255), Math.round(f(8) * 255), Math.round(f(4) * 255)];
}

function rgbToHsl(r: number, g: number, b: number): [number, number, number] {
  const [rr, gg, bb] = [r / 255, g / 255, b / 255];
  const max = Math.max(rr, gg, bb);
  const min = Math.min(rr, gg, bb);
  const l = (max + min) / 2;
  const d = max - min;
  if (d === 0) return [0, 0, l];
  const s = d / (1 - Math.abs(2 * l - 1));
  const h = max === rr ? ((gg - bb) / d) % 6 : max === gg ? (bb - rr) / d + 2 : (rr - gg) / d + 4;
  return [(h * 60 + 360) % 360, s, l];
}

function hueName(h: number) {
  const names: Array<[number, string]> = [
    [15, 'red'], [45, 'orange'], [70, 'yellow'], [160, 'green'], [200, 'cyan'], [255, 'blue'], [290, 'purple'], [335, 'pink'], [360, 'red'],
  ];
  return names.find(([max]) => h < max)?.[1] ?? 'red';
}
