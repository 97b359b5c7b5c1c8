import { Inflate } from 'fflate';
import { ZipError } from './zip-error';

/** What is left of the import's total; shared by every entry it reads. */
export interface InflateBudget {
  remaining: number;
}

/**
 * Compressed bytes handed to the inflater at a time. Deflate expands at most about 1032 to 1,
 * so a cap is passed by at most about 1 MB before the inflater is stopped.
 */
const SLICE = 1024;

/**
 * One entry's bytes, inflated (method 8) or copied (method 0) as they are read, never past
 * `cap` or the shared budget: the sizes the archive declares are not consulted at all, so a
 * header that lies about a bomb changes nothing. Stops pulling from `source` the moment a
 * limit is passed.
 */
export async function inflateCapped(source: AsyncIterable<Uint8Array>, method: 0 | 8, cap: number, budget: InflateBudget): Promise<Uint8Array<ArrayBuffer>> {
  const chunks: Uint8Array[] = [];
  let produced = 0;
  let over: ZipError | undefined;
  const take = (data: Uint8Array) => {
    produced += data.length;
    budget.remaining -= data.length;
    if (produced > cap) over ??= new ZipError('entry_too_large');
    else if (budget.remaining < 0) over ??= new ZipError('total_too_large');
    else if (data.length) chunks.push(data);
  };
  const inflater = method === 8 ? new Inflate((data) => take(data)) : undefined;
  const push = (slice: Uint8Array, final: boolean) => {
    if (!inflater) return take(slice);
    try {
      inflater.push(slice, final);
    } catch (err) {
      throw new ZipError('corrupt', { cause: err });
    }
  };

  // The last slice is held back and pushed as the final one: fflate only notices a stream that
  // was cut short when the final push still carries data.
  let held: Uint8Array | undefined;
  for await (const chunk of source) {
    const step = inflater ? SLICE : Math.max(chunk.length, 1);
    for (let at = 0; at < chunk.length; at += step) {
      if (held) push(held, false);
      if (over) throw over;
      held = chunk.subarray(at, at + step);
    }
  }
  push(held ?? new Uint8Array(0), true);
  if (over) throw over;
  return concat(chunks, produced);
}

function concat(chunks: readonly Uint8Array[], length: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(length);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
