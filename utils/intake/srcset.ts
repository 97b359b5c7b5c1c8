/**
 * Picks the largest resolution of the picture the user is looking at. Chrome's `info.srcUrl` is
 * the `currentSrc` (the candidate chosen for the current viewport and pixel density), which is
 * often smaller than the best one the site offers.
 *
 * Only candidates from the srcset that contains the current source are considered: other
 * `<source>` elements of a `<picture>` can be a different crop or format (art direction).
 */
export interface SrcsetCandidate {
  url: string;
  /** Width descriptor (`800w`), if given. */
  width?: number;
  /** Density descriptor (`2x`), if given; 1 when the candidate has no descriptor. */
  density?: number;
}

/** Parses a srcset attribute (URLs may contain commas; descriptors follow whitespace). */
export function parseSrcset(srcset: string): SrcsetCandidate[] {
  const out: SrcsetCandidate[] = [];
  let i = 0;
  const s = srcset;
  while (i < s.length) {
    while (i < s.length && /[\s,]/.test(s[i]!)) i++;
    if (i >= s.length) break;
    let j = i;
    while (j < s.length && !/\s/.test(s[j]!)) j++;
    let url = s.slice(i, j);
    i = j;
    let descriptor = '';
    if (url.endsWith(',')) {
      url = url.replace(/,+$/, '');
    } else {
      let k = i;
      while (k < s.length && s[k] !== ',') k++;
      descriptor = s.slice(i, k).trim();
      i = k + 1;
    }
    if (!url) continue;
    const cand: SrcsetCandidate = { url };
    const w = /^(\d+)w$/i.exec(descriptor);
    const x = /^(\d*\.?\d+)x$/i.exec(descriptor);
    if (w) cand.width = Number(w[1]);
    else if (x) cand.density = Number(x[1]);
    else if (descriptor === '') cand.density = 1;
    else continue; // unknown descriptor (e.g. "100h"): skip, as browsers do
    out.push(cand);
  }
  return out;
}

/**
 * The best candidate from the srcsets the shown image belongs to, or `currentSrc` when none of
 * them contains it (or they are empty). URLs are resolved against `baseUrl`.
 */
export function pickBestSource(currentSrc: string, srcsets: string[], baseUrl: string): string {
  const resolve = (u: string) => {
    try {
      return new URL(u, baseUrl).href;
    } catch {
      return undefined;
    }
  };
  const current = resolve(currentSrc) ?? currentSrc;
  for (const set of srcsets) {
    const cands = parseSrcset(set)
      .map((c) => ({ ...c, url: resolve(c.url) }))
      .filter((c): c is SrcsetCandidate => !!c.url);
    if (!cands.some((c) => c.url === current)) continue;
    const widths = cands.filter((c) => c.width !== undefined);
    const pool = widths.length ? widths : cands;
    const score = (c: SrcsetCandidate) => c.width ?? c.density ?? 1;
    const best = pool.reduce((a, b) => (score(b) > score(a) ? b : a));
    return best.url;
  }
  return current;
}
