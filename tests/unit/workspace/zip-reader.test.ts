import { describe, expect, it } from 'vitest';
import { Zip, ZipPassThrough, deflateSync, strToU8 } from 'fflate';
import { inflateCapped } from '../../../utils/workspace/inflate';
import { readDirectory, readEntry } from '../../../utils/workspace/zip-reader';
import { ZipError } from '../../../utils/workspace/zip-error';
import { buildZip } from './zip-fixtures';

const LIMITS = { maxEntries: 100, maxDirectoryBytes: 1 << 20 };
const MiB = 1024 * 1024;

async function* pieces(bytes: Uint8Array, size: number, pulled: { count: number }) {
  for (let at = 0; at < bytes.length; at += size) {
    pulled.count++;
    yield bytes.subarray(at, at + size);
  }
}

async function reason(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ZipError);
  return (err as ZipError).reason;
}

describe('inflateCapped', () => {
  it('stops inflating a bomb as soon as it passes the cap, without reading the rest of it', async () => {
    const bomb = deflateSync(new Uint8Array(64 * MiB));
    const pulled = { count: 0 };
    const budget = { remaining: Number.MAX_SAFE_INTEGER };
    expect(await reason(inflateCapped(pieces(bomb, 1024, pulled), 8, MiB, budget))).toBe('entry_too_large');
    const total = Math.ceil(bomb.length / 1024);
    // About 1 MiB of output needs about 1 KiB of input: the inflater stopped right there.
    expect(pulled.count).toBeLessThan(5);
    expect(total).toBeGreaterThan(50);
    // What was inflated is counted against the import's total, overshooting the cap by one slice at most.
    expect(Number.MAX_SAFE_INTEGER - budget.remaining).toBeLessThan(3 * MiB);
  });

  it('stops when the shared total runs out, even below the entry cap', async () => {
    const data = deflateSync(new Uint8Array(4 * MiB));
    const budget = { remaining: MiB };
    expect(await reason(inflateCapped(pieces(data, 4096, { count: 0 }), 8, 10 * MiB, budget))).toBe('total_too_large');
  });

  it('returns the bytes of a stream within the caps, stored or deflated', async () => {
    const text = strToU8('hello '.repeat(1000));
    const budget = { remaining: 1e9 };
    expect(await inflateCapped(pieces(deflateSync(text), 100, { count: 0 }), 8, 1e6, budget)).toEqual(text);
    expect(await inflateCapped(pieces(text, 77, { count: 0 }), 0, 1e6, budget)).toEqual(text);
    expect(budget.remaining).toBe(1e9 - 2 * text.length);
  });

  it('calls a cut-off deflate stream corrupt, wherever it was cut', async () => {
    for (let n = 0; n < 40; n++) {
      const data = deflateSync(strToU8(`${'x'.repeat(100_000)}${n}${'y'.repeat(n * 37)}`));
      for (const cut of [1, 5, 20, 64]) {
        const cutShort = data.subarray(0, data.length - cut);
        expect(await reason(inflateCapped(pieces(cutShort, 64, { count: 0 }), 8, 1e6, { remaining: 1e9 }))).toBe('corrupt');
      }
    }
  });
});

describe('readDirectory and readEntry', () => {
  it('reads entries written by fflate\u2019s streaming Zip, even when stored bytes contain a data-descriptor signature', async () => {
    // fflate's own streaming Unzip cuts such an entry short at "PK\x07\x08"; reading by the
    // central directory must not.
    const data = new Uint8Array(5000).fill(7);
    data.set([0x50, 0x4b, 0x07, 0x08], 1000);
    data.set([0x50, 0x4b, 0x01, 0x02], 3000);
    const chunks: Uint8Array[] = [];
    const zip = new Zip((_err, chunk) => chunks.push(chunk));
    const entry = new ZipPassThrough('results/a.png');
    zip.add(entry);
    entry.push(data, true);
    zip.end();
    const file = new Blob(chunks as BlobPart[]);
    const [only] = await readDirectory(file, LIMITS);
    expect(only?.name).toBe('results/a.png');
    expect(await readEntry(file, only!, 1e6, { remaining: 1e9 })).toEqual(data);
  });

  it('refuses files that are not ZIPs, and directories over the limits', async () => {
    expect(await reason(readDirectory(new Blob(['<html>not a zip</html>']), LIMITS))).toBe('not_zip');
    expect(await reason(readDirectory(new Blob([]), LIMITS))).toBe('not_zip');
    const many = new Blob([buildZip(Array.from({ length: 30 }, (_, i) => ({ name: `f${i}`, data: new Uint8Array([i]) })))]);
    expect(await reason(readDirectory(many, { ...LIMITS, maxEntries: 20 }))).toBe('too_many_entries');
    expect(await reason(readDirectory(many, { ...LIMITS, maxDirectoryBytes: 100 }))).toBe('directory_too_large');
    expect(await readDirectory(many, LIMITS)).toHaveLength(30);
  });

  it('refuses split and ZIP64 archives (never made here, never needed under the size cap)', async () => {
    const split = buildZip([{ name: 'a', data: strToU8('a') }]);
    new DataView(split.buffer).setUint16(split.length - 22 + 4, 1, true);
    expect(await reason(readDirectory(new Blob([split]), LIMITS))).toBe('unsupported');
    const zip64 = buildZip([{ name: 'a', data: strToU8('a') }]);
    new DataView(zip64.buffer).setUint32(zip64.length - 22 + 16, 0xffffffff, true);
    expect(await reason(readDirectory(new Blob([zip64]), LIMITS))).toBe('unsupported');
  });

  it('refuses entries that share bytes, whose CRC is wrong, or that use an unknown method', async () => {
    const file = new Blob([
      buildZip([
        { name: 'a', data: strToU8('aaaa') },
        { name: 'b', data: strToU8('aaaa'), sharesWith: 0 },
        { name: 'c', data: strToU8('cccc'), crc: 1234 },
        { name: 'd', data: strToU8('dddd'), method: 14 },
        { name: 'e', data: strToU8('eeee'), flags: 1 },
        { name: 'f', data: strToU8('ffff') },
      ]),
    ]);
    const entries = await readDirectory(file, LIMITS);
    const read = (i: number) => readEntry(file, entries[i]!, 1e6, { remaining: 1e9 });
    expect(await reason(read(0))).toBe('corrupt');
    expect(await reason(read(1))).toBe('corrupt');
    expect(await reason(read(2))).toBe('corrupt');
    expect(await reason(read(3))).toBe('unsupported');
    expect(await reason(read(4))).toBe('unsupported');
    expect(new TextDecoder().decode(await read(5))).toBe('ffff');
  });

  it('does not believe the uncompressed size a header declares', async () => {
    const file = new Blob([buildZip([{ name: 'bomb', data: new Uint8Array(8 * MiB), method: 8, declaredSize: 10 }])]);
    const [bomb] = await readDirectory(file, LIMITS);
    expect(await reason(readEntry(file, bomb!, MiB, { remaining: 1e9 }))).toBe('entry_too_large');
  });
});
