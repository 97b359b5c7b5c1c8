/**
 * Which links get "Use linked image as image prompt". Chrome matches `targetUrlPatterns` on the
 * link's path only by glob, so the patterns cover the common image extensions; `isImageLink` is
 * the same rule in code, for the click handler (a page can change a link after the menu opened).
 */
const IMAGE_LINK_EXTENSIONS = ['jpg', 'jpeg', 'png', 'webp', 'gif', 'avif', 'bmp'] as const;

/** Match patterns for `contextMenus.create({ targetUrlPatterns })`, upper and lower case. */
export const IMAGE_LINK_PATTERNS: string[] = IMAGE_LINK_EXTENSIONS.flatMap((ext) =>
  [ext, ext.toUpperCase()].flatMap((e) => [`*://*/*.${e}`, `*://*/*.${e}?*`]),
);

export function isImageLink(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return false;
  const ext = /\.([a-z0-9]+)$/i.exec(parsed.pathname)?.[1]?.toLowerCase();
  return !!ext && (IMAGE_LINK_EXTENSIONS as readonly string[]).includes(ext);
}
