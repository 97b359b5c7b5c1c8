// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ImagePromptField, type ImagePromptFieldProps } from '@/components/ImagePromptField';

afterEach(cleanup);

function setup(overrides: Partial<ImagePromptFieldProps> = {}) {
  const props: ImagePromptFieldProps = {
    thumbUrl: null,
    loading: false,
    error: null,
    onFiles: vi.fn(),
    onUrl: vi.fn(),
    onClear: vi.fn(),
    ...overrides,
  };
  render(<ImagePromptField {...props} />);
  return { props, region: screen.getByRole('region', { name: 'Image prompt' }) };
}

describe('ImagePromptField', () => {
  it('invites the user to add an image when empty, and "+" opens the file picker', async () => {
    const { props, region } = setup();
    expect(region.textContent).toContain('Use as image prompt');
    const file = new File([new Uint8Array([0xff, 0xd8, 0xff])], 'cat.jpg', { type: 'image/jpeg' });
    await userEvent.upload(within(region).getByLabelText('Image file'), file);
    expect(props.onFiles).toHaveBeenCalledWith([file]);
    expect(within(region).getByRole('button', { name: 'Add image' })).toBeTruthy();
  });

  it('shows the thumbnail, its size and the page it came from', () => {
    const { region } = setup({ thumbUrl: 'blob:thumb', width: 960, height: 640, pageUrl: 'https://example.org/gallery' });
    expect(within(region).getByRole('img', { name: 'Current image prompt' }).getAttribute('src')).toBe('blob:thumb');
    expect(region.textContent).toContain('960 × 640 · from example.org');
    expect(within(region).getByRole('link', { name: 'example.org' }).getAttribute('href')).toBe('https://example.org/gallery');
  });

  it('takes dropped files, and images dragged from a page as their URL', () => {
    const { props, region } = setup();
    const file = new File([new Uint8Array([1])], 'a.png', { type: 'image/png' });
    fireEvent.drop(region, { dataTransfer: { files: [file], getData: () => '' } });
    expect(props.onFiles).toHaveBeenCalledWith([file]);
    fireEvent.drop(region, {
      dataTransfer: { files: [], getData: (t: string) => (t === 'text/uri-list' ? '# comment\r\nhttps://img.example/a.webp' : '') },
    });
    expect(props.onUrl).toHaveBeenCalledWith('https://img.example/a.webp');
  });

  it('says what went wrong and what to do next', () => {
    const { region } = setup({ error: { kind: 'source_refused', message: 'This site blocks image downloads from other places.' } });
    const alert = within(region).getByRole('alert');
    expect(alert.textContent).toContain('This site blocks image downloads');
    expect(alert.textContent).toContain('Drag it into the panel, choose \u201cPick an image on this page\u201d (Alt+Shift+I), or take a screenshot instead.');
  });

  it('offers a screenshot when the image cannot be had, not for other failures', async () => {
    const onScreenshot = vi.fn();
    setup({ error: { kind: 'timed_out', message: 'The site took too long to send the image.' }, onScreenshot });
    await userEvent.click(screen.getByRole('button', { name: 'Take a screenshot instead' }));
    expect(onScreenshot).toHaveBeenCalledOnce();
    cleanup();
    setup({ error: { kind: 'internal', message: 'Something went wrong.' }, onScreenshot });
    expect(screen.queryByRole('button', { name: 'Take a screenshot instead' })).toBeNull();
  });

  it('shows the tray instead of the single thumbnail, says that "+" adds, and leaves removing to the tray', () => {
    const { region } = setup({
      thumbUrl: 'blob:thumb',
      width: 960,
      height: 640,
      pageUrl: 'https://example.org/gallery',
      tray: <ol aria-label="Images in the image prompt"><li>tray</li></ol>,
    });
    expect(within(region).getByRole('list', { name: 'Images in the image prompt' })).toBeTruthy();
    expect(within(region).queryByRole('img')).toBeNull();
    expect(region.textContent).toContain('960 × 640 · from example.org');
    expect(region.textContent).toContain('adds another image');
    expect(within(region).getByRole('button', { name: 'Add image' })).toBeTruthy();
    expect(within(region).queryByRole('button', { name: 'Remove' })).toBeNull();
  });

  it('ignores a reorder inside the tray that is dropped beside it', () => {
    const { props, region } = setup({ tray: <p>tray</p> });
    fireEvent.drop(region, { dataTransfer: { files: [], types: ['application/x-image-prompt-tray-index'], getData: () => 'https://img.example/a.webp' } });
    expect(props.onUrl).not.toHaveBeenCalled();
  });

  it('announces loading', () => {
    const { region } = setup({ loading: true });
    expect(within(region).getByRole('status').textContent).toContain('Loading image');
  });

  it('shows the incoming image in the loading line, and only while loading', () => {
    const preview = <img src="blob:preview" alt="Image being prepared" />;
    setup({ loading: true, preview });
    expect(within(screen.getByRole('status')).getByRole('img', { name: 'Image being prepared' })).toBeTruthy();
    cleanup();
    setup({ loading: false, preview });
    expect(screen.queryByRole('img', { name: 'Image being prepared' })).toBeNull();
  });
});
