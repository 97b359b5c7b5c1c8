import type { ImageMime } from './models';

/** Where a reference image came from; shown in the panel under the thumbnail. */
export interface ReferenceSource {
  kind: 'page' | 'file' | 'drop' | 'paste' | 'screenshot' | 'result';
  /** The image's own address, when it had one. */
  url?: string;
  /** The page the user found it on. */
  pageUrl?: string;
  pageTitle?: string;
  /** File name for uploads. */
  name?: string;
  /** For kind 'result': the job that produced it. */
  jobId?: string;
}

/** A normalised reference image, stored once and passed around by id. */
export interface ReferenceRecord {
  id: string;
  createdAt: number;
  /** Normalised bytes (oriented, capped in size), ready to be prepared for any route. */
  blob: Blob;
  mime: ImageMime;
  width: number;
  height: number;
  /** Small preview for the panel. */
  thumb: Blob;
  /** Hex SHA-256 of `blob`: part of the cache key, and de-duplicates repeated intake. */
  sha256: string;
  source: ReferenceSource;
}
