/**
 * Names for downloaded results that say what the file is (model, prompt, seed) and that every
 * file system accepts: lower-case ASCII letters, digits, '-' and '_' only, never empty, never
 * starting with a dot, and short enough for any path.
 */

export interface ResultFileNameInput {
  /** The model's display name, e.g. "Flux dev". */
  modelName: string;
  prompt: string;
  /** The fixed seed the image was made with; null or undefined when it was random. */
  seed?: number | null;
  /** The result's position among its job's images (ResultRecord.index, 0-based); shown 1-based. */
  index: number;
  mime: string;
  /** When the image was made (ms). Names an image made with a random seed, so two runs differ. */
  createdAt: number;
}

const PROMPT_WORDS = 6;
const MAX_MODEL = 24;
const MAX_PROMPT = 48;
const MIN_PROMPT = 8;
/** Far under every file system's 255, leaving room for the browser's " (1)" and a folder path. */
export const MAX_FILE_NAME = 100;

const EXTENSIONS: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
  'image/gif': 'gif',
  'image/avif': 'avif',
};

/** `flux-dev_red-fox-in-the-snow_seed-1234_2.png` */
export function resultFileName(input: ResultFileNameInput): string {
  const ext = EXTENSIONS[input.mime.toLowerCase().split(';')[0]!.trim()] ?? 'img';
  const position = Number.isSafeInteger(input.index) && input.index >= 0 ? input.index + 1 : 1;
  const tail = `${[validSeed(input.seed) ? `seed-${input.seed}` : timeStamp(input.createdAt), position].filter(Boolean).join('_')}.${ext}`;
  const model = cut(slug(input.modelName.slice(0, 200)), MAX_MODEL);
  // Only the first words matter, so a 10,000-character prompt is never slugged whole.
  const words = input.prompt.slice(0, 500).split(/\s+/).map(slug).filter(Boolean).slice(0, PROMPT_WORDS);
  const room = Math.max(MIN_PROMPT, MAX_FILE_NAME - tail.length - model.length - 2);
  const prompt = cut(words.join('-'), Math.min(MAX_PROMPT, room)) || 'image';
  return [model, prompt, tail].filter(Boolean).join('_');
}

/** Lower-case ASCII: accents dropped (é -> e), everything else that is not a letter or digit becomes '-'. */
export function slug(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** At most `max` characters, cut at a word boundary when there is one. */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  const head = text.slice(0, max + 1);
  const boundary = head.lastIndexOf('-');
  return (boundary > 0 ? head.slice(0, boundary) : text.slice(0, max)).replace(/-+$/, '');
}

function validSeed(seed: number | null | undefined): seed is number {
  return typeof seed === 'number' && Number.isSafeInteger(seed) && seed >= 0;
}

/** Local date and time to the second, e.g. 20240501-093005; empty for an impossible date. */
function timeStamp(ms: number): string {
  const d = new Date(ms);
  if (!Number.isFinite(d.getTime())) return '';
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${two(d.getMonth() + 1)}${two(d.getDate())}-${two(d.getHours())}${two(d.getMinutes())}${two(d.getSeconds())}`;
}
