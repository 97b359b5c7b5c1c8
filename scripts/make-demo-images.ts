// Paints the demo page's pictures (our own, procedurally). Run once: npx tsx scripts/make-demo-images.ts
import { Jimp, rgbaToInt } from 'jimp';

async function paint(name: string, w: number, h: number, fn: (x: number, y: number) => [number, number, number]) {
  const img = new Jimp({ width: w, height: h, color: 0xffffffff });
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const [r, g, b] = fn(x / w, y / h);
    img.setPixelColor(rgbaToInt(clamp(r), clamp(g), clamp(b), 255), x, y);
  }
  await img.write(`sandbox/demo/${name}` as `${string}.${'jpg' | 'png'}`, name.endsWith('.jpg') ? { quality: 88 } : {});
}
const clamp = (v: number) => Math.max(0, Math.min(255, Math.round(v)));

// A sunset over hills.
await paint('sunset.jpg', 960, 640, (x, y) => {
  const hill = y > 0.62 + 0.12 * Math.sin(x * 7) * Math.cos(x * 3);
  if (hill) return [30 + 40 * y, 40 + 30 * x, 60];
  const sun = Math.hypot(x - 0.7, (y - 0.45) * 1.5) < 0.09;
  if (sun) return [255, 220, 120];
  return [250 - 80 * y, 120 + 90 * y, 90 + 140 * y];
});
// A checkered tile floor in perspective.
await paint('tiles.jpg', 800, 800, (x, y) => {
  const depth = 0.2 + y;
  const u = Math.floor((x - 0.5) / depth * 8), v = Math.floor(8 / depth);
  const dark = (u + v) % 2 === 0;
  return dark ? [40, 60 + 100 * y, 90] : [230, 225 - 60 * y, 200];
});
// A portrait-shaped abstract with soft circles.
await paint('bubbles.png', 480, 720, (x, y) => {
  let r = 30, g = 40, b = 80;
  for (const [cx, cy, rad, c] of [[0.3, 0.3, 0.2, [255, 120, 160]], [0.7, 0.55, 0.25, [120, 220, 255]], [0.4, 0.8, 0.15, [255, 230, 120]]] as const) {
    const d = Math.hypot(x - cx, (y - cy) * 0.66) / rad;
    if (d < 1) { const k = 1 - d * d; r += c[0] * k; g += c[1] * k; b += c[2] * k; }
  }
  return [r, g, b];
});
