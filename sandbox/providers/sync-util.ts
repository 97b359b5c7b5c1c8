// Helpers shared by the sandbox's synchronous providers (ideogram, minimax, byteplus, vyro):
// the request itself takes the simulated generation time and answers with the result.
import { hashString } from '../image';
import type { ProviderRequest, SandboxServices } from '../types';

/** Prompts containing this marker come back as if the provider's safety check blocked them. */
export const UNSAFE_MARKER = '[sandbox:unsafe]';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A sync call spends the whole simulated queue + run time before answering. */
export async function simulateWork(services: SandboxServices): Promise<void> {
  const t = services.timing();
  const ms = t.queueMs + t.runMs;
  if (ms > 0) await sleep(ms);
}

/** multipart/form-data via the web Request API; null when the body is not a valid form. */
export async function readForm(req: ProviderRequest): Promise<FormData | null> {
  const type = req.headers['content-type'];
  if (typeof type !== 'string' || !type.toLowerCase().startsWith('multipart/form-data')) return null;
  try {
    return await new Request('http://sandbox.invalid/', {
      method: 'POST',
      headers: { 'content-type': type },
      body: new Uint8Array(req.rawBody),
    }).formData();
  } catch {
    return null;
  }
}

export function readJsonBody(req: ProviderRequest): { ok: true; value: unknown } | { ok: false } {
  if (req.rawBody.length === 0) return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(req.rawBody.toString('utf8')) as unknown };
  } catch {
    return { ok: false };
  }
}

/** `Authorization: Bearer <something>`. */
export function hasBearer(req: ProviderRequest): boolean {
  const h = req.headers.authorization;
  return typeof h === 'string' && /^Bearer\s+\S+/.test(h);
}

/** A string form field, or undefined (also for file parts). */
export function field(form: FormData, name: string): string | undefined {
  const v = form.get(name);
  return typeof v === 'string' ? v : undefined;
}

/** Whole number in [min, max] written in decimal, as multipart fields arrive. */
export function intField(v: string | undefined, min: number, max: number): number | 'invalid' | undefined {
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v.trim())) return 'invalid';
  const n = Number(v);
  return n >= min && n <= max ? n : 'invalid';
}

/** JPEG, PNG or WebP by magic bytes. */
export function imageKind(bytes: Buffer): 'image/jpeg' | 'image/png' | 'image/webp' | undefined {
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
  return undefined;
}

/** The given seed, or a stable one derived from `salt`. */
export function seedFrom(value: number | undefined, salt: string): number {
  return value ?? hashString(salt) % 2 ** 31;
}
