import { crc32 } from './crc32';
import { inflateCapped, type InflateBudget } from './inflate';
import type { ImportLimits } from './limits';
import { ZipError } from './zip-error';

/**
 * Reads a ZIP file from its central directory, one entry at a time, straight from the Blob.
 *
 * Not fflate's streaming `Unzip`: that finds the end of an entry written with a data descriptor
 * (which is how fflate's own `Zip` writes every entry) by scanning for the descriptor's
 * signature, so stored image bytes that happen to contain "PK\x07\x08" were cut short there.
 * The directory gives each entry's place and compressed length instead; fflate still inflates.
 *
 * Nothing declared is taken on trust beyond framing: the directory and every entry must lie
 * inside the file, entries may not share or overlap their bytes, and uncompressed sizes are not
 * read at all (the inflater counts what it actually produces).
 */

export interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  crc: number;
  compressedSize: number;
  localOffset: number;
  /** Where the next entry (or the directory) starts: this entry's bytes must end before it. */
  end: number;
  /** Another directory record points at the same bytes. */
  shared: boolean;
}

const EOCD_SIGNATURE = 0x06054b50;
const DIRECTORY_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;
const READ_CHUNK = 1024 * 1024;
const FLAG_ENCRYPTED = 1;
const FLAG_UTF8 = 1 << 11;

/** The entries, in directory order. Throws a ZipError for anything that is not a plain ZIP within the limits. */
export async function readDirectory(file: Blob, limits: Pick<ImportLimits, 'maxEntries' | 'maxDirectoryBytes'>): Promise<ZipEntry[]> {
  const tailStart = Math.max(0, file.size - EOCD_SIZE - MAX_COMMENT);
  const tail = await bytesOf(file, tailStart, file.size);
  const at = findEndRecord(tail);
  if (at < 0) throw new ZipError('not_zip');
  const view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  const disk = view.getUint16(at + 4, true);
  const directoryDisk = view.getUint16(at + 6, true);
  const onDisk = view.getUint16(at + 8, true);
  const count = view.getUint16(at + 10, true);
  const size = view.getUint32(at + 12, true);
  const offset = view.getUint32(at + 16, true);
  // ZIP64 and split archives: never made here, and never needed under the file size cap.
  if (disk !== 0 || directoryDisk !== 0 || onDisk !== count || count === 0xffff || size === 0xffffffff || offset === 0xffffffff) {
    throw new ZipError('unsupported');
  }
  if (count > limits.maxEntries) throw new ZipError('too_many_entries');
  if (size > limits.maxDirectoryBytes) throw new ZipError('directory_too_large');
  if (offset + size > tailStart + at) throw new ZipError('not_zip');

  const dir = await bytesOf(file, offset, offset + size);
  const d = new DataView(dir.buffer, dir.byteOffset, dir.byteLength);
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > dir.length || d.getUint32(p, true) !== DIRECTORY_SIGNATURE) throw new ZipError('not_zip');
    const nameLength = d.getUint16(p + 28, true);
    const next = p + 46 + nameLength + d.getUint16(p + 30, true) + d.getUint16(p + 32, true);
    if (next > dir.length) throw new ZipError('not_zip');
    const flags = d.getUint16(p + 8, true);
    entries.push({
      name: decodeName(dir.subarray(p + 46, p + 46 + nameLength), (flags & FLAG_UTF8) !== 0),
      method: d.getUint16(p + 10, true),
      flags,
      crc: d.getUint32(p + 16, true),
      compressedSize: d.getUint32(p + 20, true),
      localOffset: d.getUint32(p + 42, true),
      end: offset,
      shared: false,
    });
    p = next;
  }
  bound(entries, offset);
  return entries;
}

/**
 * One entry's bytes, at most `cap` of them, counted against the shared budget as they are
 * inflated; checked against the entry's CRC. Throws a ZipError.
 */
export async function readEntry(file: Blob, entry: ZipEntry, cap: number, budget: InflateBudget): Promise<Uint8Array<ArrayBuffer>> {
  if (entry.shared) throw new ZipError('corrupt');
  if (entry.flags & FLAG_ENCRYPTED || (entry.method !== 0 && entry.method !== 8)) throw new ZipError('unsupported');
  const header = await bytesOf(file, entry.localOffset, Math.min(entry.localOffset + 30, entry.end));
  const h = new DataView(header.buffer, header.byteOffset, header.byteLength);
  if (header.length < 30 || h.getUint32(0, true) !== LOCAL_SIGNATURE) throw new ZipError('corrupt');
  const nameLength = h.getUint16(26, true);
  const start = entry.localOffset + 30 + nameLength + h.getUint16(28, true);
  const end = start + entry.compressedSize;
  if (end > entry.end) throw new ZipError('corrupt');
  const localName = await bytesOf(file, entry.localOffset + 30, entry.localOffset + 30 + nameLength);
  if (decodeName(localName, (h.getUint16(6, true) & FLAG_UTF8) !== 0) !== entry.name) throw new ZipError('corrupt');
  // Stored bytes are their own size; deflated ones are never much smaller than their output
  // could be legitimately, so a compressed length past the cap is refused unread.
  if (entry.compressedSize > cap) throw new ZipError('entry_too_large');

  const bytes = await inflateCapped(chunksOf(file, start, end), entry.method, cap, budget);
  const check = crc32();
  check.update(bytes);
  if (check.value() !== entry.crc) throw new ZipError('corrupt');
  return bytes;
}

/** Sets each entry's upper bound (the next entry's start) and marks entries that share a start. */
function bound(entries: ZipEntry[], directoryOffset: number): void {
  const byOffset = [...entries].sort((a, b) => a.localOffset - b.localOffset);
  for (let i = 0; i < byOffset.length; i++) {
    const entry = byOffset[i]!;
    const prev = byOffset[i - 1];
    const next = byOffset[i + 1];
    if (prev?.localOffset === entry.localOffset || next?.localOffset === entry.localOffset) entry.shared = true;
    let j = i + 1;
    while (byOffset[j] && byOffset[j]!.localOffset === entry.localOffset) j++;
    entry.end = byOffset[j]?.localOffset ?? directoryOffset;
  }
}

function findEndRecord(tail: Uint8Array): number {
  const view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  for (let i = tail.length - EOCD_SIZE; i >= 0; i--) {
    // The record ends the file exactly: its comment length must reach the last byte.
    if (view.getUint32(i, true) === EOCD_SIGNATURE && i + EOCD_SIZE + view.getUint16(i + 20, true) === tail.length) return i;
  }
  return -1;
}

function decodeName(bytes: Uint8Array, utf8: boolean): string {
  if (utf8) return new TextDecoder().decode(bytes);
  // Names without the UTF-8 flag are CP437; every name an export uses is ASCII, the same in both.
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

async function bytesOf(file: Blob, from: number, to: number): Promise<Uint8Array> {
  return new Uint8Array(await file.slice(from, to).arrayBuffer());
}

async function* chunksOf(file: Blob, from: number, to: number): AsyncGenerator<Uint8Array> {
  for (let at = from; at < to; at += READ_CHUNK) yield bytesOf(file, at, Math.min(at + READ_CHUNK, to));
}
