import { RULE_PRIORITY } from './private-network-rules';

/**
 * A declarativeNetRequest session rule that sends the page's origin as `Referer` for exactly one
 * image request made by the extension itself (fetch() can't set Referer). Only the origin, as
 * browsers send by default to other sites (strict-origin-when-cross-origin): hotlink checks look
 * at the site, and the page's path and query stay private. Scoped to that URL, to requests
 * outside any tab and to the extension's own requests, and removed right after the fetch. Its
 * priority is above the network guard's allow rules, which would otherwise cancel it.
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
    initiatorDomains?: string[];
    resourceTypes: string[];
  };
}

/** Characters with a meaning in urlFilter (`*` wildcard, `^` separator, `|` anchor). */
const URL_FILTER_SPECIAL = /[*^|]/;

export function buildRefererRule(id: number, imageUrl: string, pageUrl: string, extensionHost?: string): RefererRule {
  const image = new URL(imageUrl);
  const page = new URL(pageUrl);
  if (!/^https?:$/.test(image.protocol) || !/^https?:$/.test(page.protocol)) throw new Error('Only http(s) images get a Referer.');
  image.hash = '';
  const exact = image.href;
  const condition: RefererRule['condition'] = {
    isUrlFilterCaseSensitive: true,
    tabIds: [TAB_ID_NONE],
    ...(extensionHost ? { initiatorDomains: [extensionHost] } : {}),
    resourceTypes: ['xmlhttprequest', 'other'],
    // `|...|` anchors both ends: this URL and nothing longer or shorter.
    ...(URL_FILTER_SPECIAL.test(exact) ? { regexFilter: `^${escapeRegex(exact)}$` } : { urlFilter: `|${exact}|` }),
  };
  return {
    id,
    priority: RULE_PRIORITY.headers,
    action: { type: 'modifyHeaders', requestHeaders: [{ header: 'referer', operation: 'set', value: `${page.origin}/` }] },
    condition,
  };
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
