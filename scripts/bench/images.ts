import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Jimp } from 'jimp';
import type { Page } from 'playwright-core';

/**
 * The bench's test images, generated once and kept in .tmp/bench/ (git-ignored) so every run
 * measures the same bytes.
 */
const DIR = '.tmp/bench';

function cached(name: string, make: () => Promise<Buffer>): Promise<Buffer> {
  const path = `${DIR}/${name}`;
  if (existsSync(path)) return Promise.resolve(readFileSync(path));
  return make().then((buf) => {
    mkdirSync(DIR, { recursive: true });
    writeFileSync(path, buf);
    return buf;
  });
}

/** A photo-like 4000x3000 JPEG: smooth gradients, soft shapes and sensor-like noise. */
export function photo12mp(): Promise<Buffer> {
  return cached('photo-4000x3000-v1.jpg', async () => {
    const width = 4000;
    const height = 3000;
    const img = new Jimp({ width, height, color: 0x000000ff });
    const d = img.bitmap.data;
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff - 0.5) * 18;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = (y * width + x) * 4;
        const sky = y < height * 0.55;
        const hill = Math.sin(x / 380) * 120 + height * 0.55;
        const sun = Math.hypot(x - 2900, y - 900) < 260 ? 80 : 0;
        const r = sky ? 250 - y / 20 + sun : 60 + Math.sin((x + y) / 45) * 20;
        const g = sky ? 150 + y / 30 + sun : y > hill ? 110 + Math.cos(x / 60) * 25 : 90;
        const b = sky ? 90 + y / 12 : 40 + Math.sin(y / 30) * 15;
        d[i] = Math.max(0, Math.min(255, r + rand()));
        d[i + 1] = Math.max(0, Math.min(255, g + rand()));
        d[i + 2] = Math.max(0, Math.min(255, b + rand()));
        d[i + 3] = 255;
      }
    }
    return img.getBuffer('image/jpeg', { quality: 88 });
  });
}

/**
 * A 1024x768 JPEG reference for the 100-generation loop: results stay 1024x768, and the
 * sandbox's own work per image stays short.
 */
export function loopReference(): Promise<Buffer> {
  return cached('loop-1024x768-v1.jpg', async () => {
    const img = new Jimp({ width: 1024, height: 768, color: 0x000000ff });
    const d = img.bitmap.data;
    for (let y = 0; y < 768; y++) {
      for (let x = 0; x < 1024; x++) {
        const i = (y * 1024 + x) * 4;
        d[i] = (x / 4) & 255;
        d[i + 1] = (y / 3) & 255;
        d[i + 2] = 128 + Math.sin((x + y) / 20) * 100;
        d[i + 3] = 255;
      }
    }
    return img.getBuffer('image/jpeg', { quality: 90 });
  });
}

/**
 * A 3840x2160 screenshot-like PNG drawn by the browser itself (real text rendering): a web
 * page with a toolbar, a sidebar, paragraphs, buttons and a few photo-like tiles.
 */
export function screenshot4k(page: Page): Promise<Buffer> {
  return cached('screenshot-3840x2160-v1.png', async () => {
    const b64 = await page.evaluate(async () => {
      const W = 3840;
      const H = 2160;
      const c = new OffscreenCanvas(W, H);
      const g = c.getContext('2d')!;
      let seed = 7;
      const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
      const words = 'the quick brown fox jumps over lazy dog image prompt panel result model create settings reference strength aspect ratio seed provider queue status download history browser extension picture colour light'.split(' ');
      const sentence = (n: number) => Array.from({ length: n }, () => words[Math.floor(rnd() * words.length)]).join(' ');
      g.fillStyle = '#ffffff';
      g.fillRect(0, 0, W, H);
      // Browser chrome and a site header.
      g.fillStyle = '#dee1e6';
      g.fillRect(0, 0, W, 160);
      g.fillStyle = '#ffffff';
      g.fillRect(360, 92, 2400, 56);
      g.fillStyle = '#1a73e8';
      g.fillRect(0, 160, W, 140);
      g.fillStyle = '#ffffff';
      g.font = 'bold 64px sans-serif';
      g.fillText('Image Prompt — a demo page', 80, 255);
      g.fillStyle = '#3c4043';
      g.font = '36px sans-serif';
      g.fillText('https://example.test/articles/a-long-article-about-images', 400, 132);
      // Sidebar.
      g.fillStyle = '#f1f3f4';
      g.fillRect(0, 300, 640, H - 300);
      g.font = '34px sans-serif';
      for (let i = 0; i < 30; i++) {
        g.fillStyle = i % 7 === 2 ? '#1a73e8' : '#202124';
        g.fillText(sentence(2 + Math.floor(rnd() * 2)), 60, 380 + i * 58);
      }
      // Body text and tiles.
      let y = 400;
      for (let block = 0; block < 6; block++) {
        g.fillStyle = '#202124';
        g.font = 'bold 52px serif';
        g.fillText(sentence(5), 760, y);
        y += 70;
        g.font = '32px serif';
        for (let l = 0; l < 5; l++) {
          g.fillText(sentence(14), 760, y);
          y += 44;
        }
        y += 40;
        if (block % 2 === 0) {
          for (let t = 0; t < 3; t++) {
            const x0 = 760 + t * 820;
            const grad = g.createLinearGradient(x0, y, x0 + 760, y + 260);
            grad.addColorStop(0, `hsl(${Math.floor(rnd() * 360)},60%,60%)`);
            grad.addColorStop(1, `hsl(${Math.floor(rnd() * 360)},50%,30%)`);
            g.fillStyle = grad;
            g.fillRect(x0, y - 30, 760, 260);
          }
          y += 270;
        }
        if (y > H - 200) break;
      }
      // Buttons.
      for (let i = 0; i < 4; i++) {
        g.fillStyle = i === 0 ? '#1a73e8' : '#e8eaed';
        g.fillRect(760 + i * 340, H - 150, 300, 80);
        g.fillStyle = i === 0 ? '#ffffff' : '#202124';
        g.font = '34px sans-serif';
        g.fillText(words[i]!, 800 + i * 340, H - 98);
      }
      const blob = await c.convertToBlob({ type: 'image/png' });
      const bytes = new Uint8Array(await blob.arrayBuffer());
      let s = '';
      for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      return btoa(s);
    });
    return Buffer.from(b64, 'base64');
  });
}
