import type { ReferenceRecord, ReferenceSource } from '../store/types';
import { fetchImage, type FetchImageOptions } from './fetch-image';
import { adoptFrom, type TrayPlace } from './ingest';

/**
 * The worker's way in for an image address: fetches it (URL policy, network guard, byte cap),
 * then converts and stores it like any other source. Kept apart from ingest.ts so that the
 * panel, which only adopts bytes it already has, does not carry the fetching code.
 */
export async function adoptImageFromUrl(
  url: string,
  source: ReferenceSource,
  fetchFn: typeof fetch = fetch,
  opts: FetchImageOptions = {},
  place: TrayPlace = 'prompt',
): Promise<ReferenceRecord> {
  return adoptFrom(url, source, () => fetchImage(url, { pageUrl: source.pageUrl }, fetchFn, opts), { place });
}
