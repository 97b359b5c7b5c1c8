// Draws the extension icons (a framed picture with a spark). Run once: npx tsx scripts/make-icons.ts
import { Jimp, rgbaToInt } from 'jimp';

for (const size of [16, 32, 48, 128]) {
  const img = new Jimp({ width: size, height: size, color: 0x00000000 });
  const r = size / 2;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const inside = Math.max(Math.abs(x + 0.5 - r), Math.abs(y + 0.5 - r)) < r * 0.92;
      if (!inside) continue;
      const t = y / size;
      let color = rgbaToInt(Math.round(91 + 60 * t), 91, Math.round(214 - 40 * t), 255);
      const hill = y > size * (0.62 + 0.18 * Math.sin((x / size) * Math.PI * 1.4));
      if (hill) color = rgbaToInt(40, 40, 120, 255);
      const sun = Math.hypot(x - size * 0.68, y - size * 0.32) < size * 0.13;
      if (sun) color = rgbaToInt(255, 209, 102, 255);
      img.setPixelColor(color, x, y);
    }
  }
  await img.write(`public/icon/${size}.png`);
}
