import { useEffect, useState } from 'react';
import { subscribe } from '@/utils/events';
import { db } from '@/utils/store/schema';
import { getReference } from '@/utils/store/references';
import { getResult } from '@/utils/store/results';
import type { JobRecord, ReferenceRecord, ResultRecord } from '@/utils/store/types';

/** Which image the large viewer shows: one result among its job's images (its siblings). */
export interface ViewerTarget {
  jobId: string;
  resultId: string;
}

export interface ViewerData {
  job: JobRecord;
  /** The job's stored images, in their order. */
  results: ResultRecord[];
  reference: ReferenceRecord | null;
}

/** The job, its images and its image prompt, for the viewer; re-read when results change (a star, a delete). */
export function useViewerData(jobId: string | null): ViewerData | null {
  const [data, setData] = useState<{ jobId: string; value: ViewerData | null } | null>(null);
  useEffect(() => {
    if (!jobId) return;
    let alive = true;
    const read = async () => {
      const d = await db();
      const job = await d.get('jobs', jobId);
      if (!job) return alive && setData({ jobId, value: null });
      const results = (await Promise.all(job.resultIds.map((id) => d.get('results', id)))).filter((r): r is ResultRecord => !!r);
      results.sort((a, b) => a.index - b.index);
      const reference = job.request.referenceId ? ((await getReference(job.request.referenceId)) ?? null) : null;
      if (alive) setData({ jobId, value: { job, results, reference } });
    };
    void read();
    const off = subscribe((e) => {
      if (e.type === 'results.changed' || (e.type === 'job.changed' && e.jobId === jobId)) void read();
    });
    return () => {
      alive = false;
      off();
    };
  }, [jobId]);
  return jobId && data?.jobId === jobId ? data.value : null;
}

/**
 * An object URL for one full-size image, made only for the image on screen (lists show
 * thumbnails) and revoked as soon as another is shown. Keyed by result id and read here: the
 * record re-read after a star elsewhere must not reload the picture on screen.
 */
export function useFullImageUrl(resultId: string | undefined): string | null {
  const [url, setUrl] = useState<{ id: string; url: string } | null>(null);
  useEffect(() => {
    if (!resultId) return;
    let made: string | null = null;
    let alive = true;
    void getResult(resultId).then((r) => {
      if (!alive || !r) return;
      made = URL.createObjectURL(r.blob);
      setUrl({ id: resultId, url: made });
    });
    return () => {
      alive = false;
      if (made) URL.revokeObjectURL(made);
    };
  }, [resultId]);
  return resultId && url?.id === resultId ? url.url : null;
}
