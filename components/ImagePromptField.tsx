import { useRef, useState, type DragEvent, type ReactNode } from 'react';
import type { SerializedError } from '@/utils/errors';
import { intakeNextStep, offersScreenshot } from '@/utils/intake/messages';
import { ErrorNotice } from './ErrorNotice';
import { TRAY_DRAG_TYPE } from './ReferenceTray';
import { i18n } from '#i18n';

export interface ImagePromptFieldProps {
  /** Object URL of the thumbnail, when there is a reference. */
  thumbUrl: string | null;
  width?: number;
  height?: number;
  sourceUrl?: string;
  pageUrl?: string;
  sourceLabel?: string;
  loading: boolean;
  /**
   * Shown with "Loading image…": the incoming image's thumbnail once it exists (a component of
   * its own, so that the preview arriving renders only itself).
   */
  preview?: ReactNode;
  error: SerializedError | null;
  onFiles: (files: File[]) => void;
  /** An image dragged from a web page arrives as a URL. */
  onUrl: (url: string) => void;
  onClear: () => void;
  /** When the image can't be had: capture the visible tab and crop it. */
  onScreenshot?: () => void;
  /**
   * The tray (ReferenceTray), shown instead of the single thumbnail when the image prompt holds
   * images; then "+", drop and paste add another image, and each image has its own Remove.
   */
  tray?: ReactNode;
}

const ACCEPT = 'image/jpeg,image/png,image/webp,image/gif,image/avif,image/bmp';

/** The "Image prompt" field: thumbnail, "+" to pick a file, and a drop target. */
export function ImagePromptField(props: ImagePromptFieldProps) {
  const input = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);

  function onDrop(e: DragEvent) {
    e.preventDefault();
    setDragging(false);
    if (e.dataTransfer.types?.includes(TRAY_DRAG_TYPE)) return; // a reorder that missed its target
    const files = [...e.dataTransfer.files].filter((f) => f.size > 0);
    if (files.length) return props.onFiles(files);
    const url = e.dataTransfer.getData('text/uri-list').split(/\r?\n/).find((l) => l && !l.startsWith('#')) || e.dataTransfer.getData('text/plain');
    if (url) props.onUrl(url.trim());
  }

  return (
    <section
      aria-label={i18n.t('field.imagePrompt')}
      className={`image-prompt${dragging ? ' dragging' : ''}`}
      onDragOver={(e) => {
        e.preventDefault();
        if (!e.dataTransfer.types?.includes(TRAY_DRAG_TYPE)) setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
    >
      <h2>{i18n.t('field.imagePrompt')}</h2>
      <div className="image-prompt-body">
        {props.tray ? (
          <div className="image-prompt-tray">
            {props.tray}
            <SourceCaption {...props} />
            <p className="hint">{i18n.t('tray.addsHint')}</p>
          </div>
        ) : props.thumbUrl ? (
          <figure className="thumb">
            <img src={props.thumbUrl} alt={i18n.t('field.currentImage')} />
            <figcaption>
              <SourceCaption {...props} />
            </figcaption>
          </figure>
        ) : (
          <p className="hint">{i18n.t('field.emptyHint', [i18n.t('menus.useImage')])}</p>
        )}
        <div className="image-prompt-actions">
          <button type="button" className="add" aria-label={i18n.t('field.addImage')} title={i18n.t('field.addImageHint')} onClick={() => input.current?.click()}>
            +
          </button>
          {props.thumbUrl && !props.tray ? (
            <button type="button" onClick={props.onClear}>
              {i18n.t('field.remove')}
            </button>
          ) : null}
        </div>
        {/* Out of the Tab order: hidden, it could not show its focus; "+" opens it for the keyboard. */}
        <input
          ref={input}
          type="file"
          accept={ACCEPT}
          aria-label={i18n.t('field.imageFile')}
          tabIndex={-1}
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
          {props.preview}
          {i18n.t('field.loadingImage')}
        </p>
      ) : null}
      {props.error ? (
        <ErrorNotice
          error={props.error}
          step={intakeNextStep(props.error.kind) || undefined}
          action={
            props.onScreenshot && offersScreenshot(props.error.kind) ? (
              <button type="button" onClick={props.onScreenshot}>
                {i18n.t('field.screenshotInstead')}
              </button>
            ) : null
          }
        />
      ) : null}
    </section>
  );
}

/** "960 × 640 · from example.org": the image prompt's size and where it came from. */
function SourceCaption(props: Pick<ImagePromptFieldProps, 'width' | 'height' | 'pageUrl' | 'sourceLabel' | 'tray'>) {
  const size = props.width && props.height ? i18n.t('field.size', [props.width, props.height]) : null;
  const from = props.pageUrl ? <FromPage url={props.pageUrl} /> : props.sourceLabel || null;
  const caption = (
    <>
      {size}
      {size && from ? ' \u00b7 ' : null}
      {from}
    </>
  );
  if (!props.tray) return caption;
  return size || from ? <p className="thumb-caption">{caption}</p> : null;
}

/**
 * "from example.org", with the host as a link: the sentence is one text, so a translation may put
 * the link where its language wants it.
 */
function FromPage({ url }: { url: string }) {
  const marker = '\ue000';
  const [before = '', after = ''] = i18n.t('field.fromPage', [marker]).split(marker);
  return (
    <>
      {before}
      <a href={url} target="_blank" rel="noreferrer noopener" title={url}>
        {hostOf(url)}
      </a>
      {after}
    </>
  );
}

function hostOf(url: string): string {
  try {
    return new URL(url).host || url;
  } catch {
    return url;
  }
}
