import type { ImageMime } from './models';

/** One generated image, downloaded into IndexedDB as soon as the provider made it. */
export interface ResultRecord {
  id: string;
  jobId: string;
  /** Position within the job's outputs. */
  index: number;
  blob: Blob;
  mime: ImageMime | string;
  width?: number;
  height?: number;
  createdAt: number;
  /** Updated whenever the result is served (cache hit or shown); drives eviction order. */
  lastUsedAt: number;
  /** Starred results are never evicted. */
  starred: boolean;
}
