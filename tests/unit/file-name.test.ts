import { describe, expect, it } from 'vitest';
import { MAX_FILE_NAME, resultFileName, slug, type ResultFileNameInput } from '../../utils/file-name';

const base: ResultFileNameInput = {
  modelName: 'Flux dev',
  prompt: 'A red fox in the snow, at dawn, photographed with a long lens',
  seed: 1234,
  index: 1,
  mime: 'image/png',
  createdAt: new Date(2024, 4, 1, 9, 30, 5).getTime(),
};

/** What every name must be, whatever went in. */
function expectSafe(name: string) {
  expect(name).toMatch(/^[a-z0-9][a-z0-9_-]*\.(png|jpg|webp|gif|avif|img)$/);
  expect(name.length).toBeLessThanOrEqual(MAX_FILE_NAME);
  expect(name).not.toContain('..');
  expect(name).not.toMatch(/[-_]{2}|[-_]\./);
}

describe('resultFileName', () => {
  it('names model, first prompt words, seed and position', () => {
    expect(resultFileName(base)).toBe('flux-dev_a-red-fox-in-the-snow_seed-1234_2.png');
    expect(resultFileName({ ...base, prompt: 'red fox in the snow' })).toBe('flux-dev_red-fox-in-the-snow_seed-1234_2.png');
  });

  it('uses the time the image was made when the seed was random, so runs do not share a name', () => {
    expect(resultFileName({ ...base, seed: null, index: 0 })).toBe('flux-dev_a-red-fox-in-the-snow_20240501-093005_1.png');
    expect(resultFileName({ ...base, seed: undefined })).not.toContain('seed');
    expect(resultFileName({ ...base, seed: 0 })).toContain('_seed-0_');
    expect(resultFileName({ ...base, seed: -3, createdAt: Number.NaN })).toBe('flux-dev_a-red-fox-in-the-snow_2.png');
  });

  it('takes the extension from the MIME type', () => {
    expect(resultFileName({ ...base, mime: 'image/jpeg' })).toMatch(/\.jpg$/);
    expect(resultFileName({ ...base, mime: 'IMAGE/WEBP' })).toMatch(/\.webp$/);
    expect(resultFileName({ ...base, mime: 'image/avif' })).toMatch(/\.avif$/);
    expect(resultFileName({ ...base, mime: 'image/gif' })).toMatch(/\.gif$/);
    expect(resultFileName({ ...base, mime: 'text/html' })).toMatch(/\.img$/);
    expect(resultFileName({ ...base, mime: '' })).toMatch(/\.img$/);
  });

  it('strips accents and keeps the rest ASCII', () => {
    expect(resultFileName({ ...base, modelName: 'Ideogram 3.0', prompt: 'Crème brûlée à la façade' })).toBe(
      'ideogram-3-0_creme-brulee-a-la-facade_seed-1234_2.png',
    );
  });

  it('is never empty and never a path, whatever the prompt', () => {
    const hostile = [
      '',
      '   ',
      '../../etc/passwd',
      '..',
      '/',
      'C:\\Windows\\System32\\con',
      '\u{1F98A}\u{1F332}\u2744\uFE0F',
      '\u05E9\u05D5\u05E2\u05DC \u05D0\u05D3\u05D5\u05DD \u05D1\u05E9\u05DC\u05D2',
      '\u202Egnp.exe\u202C fox',
      'fox\u0000\u0007\nin\tsnow',
      '<script>alert(1)</script>',
      '"quotes" & *stars* | pipes? :colons:',
      'x'.repeat(10_000),
      'word '.repeat(2_000),
      '\u0301\u0301\u0301',
    ];
    for (const prompt of hostile) {
      const name = resultFileName({ ...base, prompt });
      expectSafe(name);
      expect(name.startsWith('flux-dev_')).toBe(true);
    }
    expect(resultFileName({ ...base, prompt: '\u{1F98A}\u{1F332}' })).toBe('flux-dev_image_seed-1234_2.png');
    expect(resultFileName({ ...base, prompt: '../../etc/passwd' })).toBe('flux-dev_etc-passwd_seed-1234_2.png');
    expect(resultFileName({ ...base, prompt: '\u202Egnp.exe\u202C fox' })).toBe('flux-dev_gnp-exe-fox_seed-1234_2.png');
  });

  it('stays short with long words, long model names and the largest seed', () => {
    const name = resultFileName({
      ...base,
      modelName: 'A model with a very long display name indeed, version two',
      prompt: 'supercalifragilisticexpialidocious '.repeat(6),
      seed: 2 ** 32 - 1,
    });
    expectSafe(name);
    expect(name).toContain('_seed-4294967295_2.png');
    expectSafe(resultFileName({ ...base, modelName: '', prompt: '' }));
    expect(resultFileName({ ...base, modelName: '\u{1F98A}', prompt: '' })).toBe('image_seed-1234_2.png');
  });

  it('keeps only the first six words', () => {
    expect(resultFileName({ ...base, prompt: 'one two three four five six seven eight' })).toBe('flux-dev_one-two-three-four-five-six_seed-1234_2.png');
  });
});

describe('slug', () => {
  it('lower-cases, drops accents and joins the rest with single hyphens', () => {
    expect(slug('  Ça  va?  Très--bien!  ')).toBe('ca-va-tres-bien');
    expect(slug('ﬁne ①')).toBe('fine-1');
    expect(slug('\u{1F98A}')).toBe('');
  });
});
