import { useRef, useState, type DragEvent } from 'react';
import type { SerializedError } from '@/utils/errors';
import { intakeNextStep, offersScreenshot } from '@/utils/intake/messages';
import { ErrorNotice } from './ErrorNotice';

export interface ImagePromptFieldProps {
  /** Object URL of the thumbnail, when there is a reference. */
  thumbUrl: string | null;
  width?: number;
  height?: number;
  sourceUrl?: string;
  pageUrl?: string;
  sourceLabel?: string;
  loading: boolean;
  error: SerializedError | null;
  onFiles: (files: File[]) => void;
  /** An image dragged from a web page arrives as a URL. */
  onUrl: (url: string) => void;
  onClear: () => void;
  /** When the image can't be had: capture the visible tab and crop it. */
  onScreenshot?: () => void;
}

const ACCEPT = 'image/jpeg,image/png,image/webp,image/gif,image/avif,image/bmp';

/** The "Image prompt" field: thumbnail, "+" to pick a file, and a drop target. */
export function ImagePromptField(props: ImagePromptFieldProps) {
  const input = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);

  function onDrop(e: DragEvent) {
    e.preventDefault();
    setDragging(false);
    const files = [...e.dataTransfer.files].filter((f) => f.size > 0);
    if (files.length) return props.onFiles(files);
    const url = e.dataTransfer.getData('text/uri-list').split(/\r?\n/).find((l) => l && !l.startsWith('#')) || e.dataTransfer.getData('text/plain');
    if (url) props.onUrl(url.trim());
  }

  return (
    <section
      aria-label="Image prompt"
      className={`image-prompt${dragging ? ' dragging' : ''}`}
      onDragOver={(e) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
    >
      <h2>Image prompt</h2>
      <div className="image-prompt-body">
        {props.thumbUrl ? (
          <figure className="thumb">
            <img src={props.thumbUrl} alt="Current image prompt" />
            <figcaption>
              {props.width && props.height ? `${props.width} \u00d7 ${props.height}` : null}
              {props.pageUrl ? (
                <>
                  {' \u00b7 from '}
                  <a href={props.pageUrl} target="_blank" rel="noreferrer noopener" title={props.pageUrl}>
                    {hostOf(props.pageUrl)}
                  </a>
                </>
              ) : props.sourceLabel ? (
                ` \u00b7 ${props.sourceLabel}`
              ) : null}
            </figcaption>
          </figure>
        ) : (
          <p className="hint">Right-click an image on any page and choose “Use as image prompt”, or add one here.</p>
        )}
        <div className="image-prompt-actions">
          <button type="button" className="add" aria-label="Add image" title="Add an image from your device" onClick={() => input.current?.click()}>
            +
          </button>
          {props.thumbUrl ? (
            <button type="button" onClick={props.onClear}>
              Remove
            </button>
          ) : null}
        </div>
        <input
          ref={input}
          type="file"
          accept={ACCEPT}
          aria-label="Image file"
          className="visually-hidden"
          onChange={(e) => {
            const files = [...(e.target.files ?? [])];
            e.target.value = '';
            if (files.length) props.onFiles(files);
          }}
        />
      </div>
      {props.loading ? (
        <p role="status" className="loading">
          Loading image…
        </p>
      ) : null}
      {props.error ? (
        <ErrorNotice
          error={props.error}
          step={intakeNextStep(props.error.kind) || undefined}
          action={
            props.onScreenshot && offersScreenshot(props.error.kind) ? (
              <button type="button" onClick={props.onScreenshot}>
                Take a screenshot instead
              </button>
            ) : null
          }
        />
      ) : null}
    </section>
  );
}

function hostOf(url: string): string {
  try {
    return new URL(url).host || url;
  } catch {
    return url;
  }
}
