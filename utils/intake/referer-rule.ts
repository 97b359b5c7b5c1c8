/**
 * A declarativeNetRequest session rule that sends the page as `Referer` for exactly one image
 * request made by the extension itself (fetch() can't set Referer). Scoped to that URL and to
 * requests outside any tab (the worker's), and removed right after the fetch.
 */
export const TAB_ID_NONE = -1;

export interface RefererRule {
  id: number;
  priority: number;
  action: { type: 'modifyHeaders'; requestHeaders: Array<{ header: string; operation: 'set'; value: string }> };
  condition: {
    urlFilter?: string;
    regexFilter?: string;
    isUrlFilterCaseSensitive: boolean;
    tabIds: number[];
    resourceTypes: string[];
  };
}

/** Characters with a meaning in urlFilter (`*` wildcard, `^` separator, `|` anchor). */
const URL_FILTER_SPECIAL = /[*^|]/;

export function buildRefererRule(id: number, imageUrl: string, pageUrl: string): RefererRule {
  const image = new URL(imageUrl);
  const page = new URL(pageUrl);
  if (!/^https?:$/.test(image.protocol) || !/^https?:$/.test(page.protocol)) throw new Error('Only http(s) images get a Referer.');
  // Like a browser's default policy, never leak the page's fragment; the rest of the page URL
  // is what the site itself would have seen.
  page.hash = '';
  image.hash = '';
  const exact = image.href;
  const condition: RefererRule['condition'] = {
    isUrlFilterCaseSensitive: true,
    tabIds: [TAB_ID_NONE],
    resourceTypes: ['xmlhttprequest', 'other'],
    // `|...|` anchors both ends: this URL and nothing longer or shorter.
    ...(URL_FILTER_SPECIAL.test(exact) ? { regexFilter: `^${escapeRegex(exact)}$` } : { urlFilter: `|${exact}|` }),
  };
  return {
    id,
    priority: 1,
    action: { type: 'modifyHeaders', requestHeaders: [{ header: 'referer', operation: 'set', value: page.href }] },
    condition,
  };
}

export function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
