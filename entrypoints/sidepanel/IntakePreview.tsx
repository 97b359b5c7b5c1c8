import { useEffect, useState } from 'react';
import { i18n } from '#i18n';
import { subscribe } from '@/utils/events';
import { useObjectUrl } from './hooks';

/**
 * The thumbnail of the image being taken in, sent by whoever converts it (the "intake.preview"
 * event) before the image is stored: the user sees the picture while it is still encoded and
 * saved. Rendered only while the draft's intake is loading; `startedAt` names that intake, so a
 * preview of an earlier one is never shown. Its own component: the preview arriving renders
 * this image alone, not the Create tab.
 */
export function IntakePreview({ startedAt }: { startedAt: number }) {
  const [thumb, setThumb] = useState<Blob | null>(null);
  useEffect(
    () =>
      subscribe((e) => {
        if (e.type === 'intake.preview' && e.startedAt === startedAt) setThumb(e.thumb);
      }),
    [startedAt],
  );
  const url = useObjectUrl(thumb);
  return url ? <img className="preview" src={url} alt={i18n.t('field.previewImage')} /> : null;
}
