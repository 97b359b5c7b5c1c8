// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, cleanup, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ExportImport, exportFileName } from '@/components/workspace/ExportImport';
import type { ImportSummary, Progress } from '@/utils/workspace/types';
import { AppError } from '@/utils/errors';

afterEach(cleanup);

/** A promise the test settles when it wants, with the progress callback it was handed. */
function controlled<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const summary = (fields: Partial<ImportSummary> = {}): ImportSummary => ({
  jobsAdded: 12,
  jobsSkipped: 3,
  resultsAdded: 20,
  referencesAdded: 2,
  referencesReused: 1,
  problems: [],
  ...fields,
});

let clicked: { href: string; download: string }[];
let created: Blob[];
let revoked: string[];

beforeEach(() => {
  clicked = [];
  created = [];
  revoked = [];
  // jsdom has no object URLs and does not download: record what would happen.
  URL.createObjectURL = vi.fn((blob: Blob) => {
    created.push(blob);
    return `blob:test/${created.length}`;
  });
  URL.revokeObjectURL = vi.fn((url: string) => {
    revoked.push(url);
  });
  vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
    clicked.push({ href: this.href, download: this.download });
  });
});

describe('ExportImport', () => {
  it('offers Export all and Import…, and Export selected only when something is selected', () => {
    const props = { onExport: vi.fn(), onImport: vi.fn() };
    const { rerender } = render(<ExportImport {...props} />);
    const region = screen.getByRole('region', { name: 'Export and import' });
    expect(within(region).getByRole('button', { name: 'Export all' })).toBeEnabled();
    expect(within(region).queryByRole('button', { name: /Export selected/ })).toBeNull();
    const input = within(region).getByLabelText('Import…');
    expect(input).toHaveAttribute('type', 'file');
    expect(input).toHaveAttribute('accept', '.zip,application/zip');
    rerender(<ExportImport {...props} selectedJobIds={['a', 'b', 'c']} />);
    expect(screen.getByRole('button', { name: 'Export selected (3)' })).toBeEnabled();
  });

  it('exports the selection with a progress bar, then downloads a dated .zip and revokes its URL', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
      const work = controlled<Blob>();
      let report: Progress = () => {};
      const onExport = vi.fn((_ids: string[] | undefined, onProgress: Progress) => {
        report = onProgress;
        return work.promise;
      });
      render(<ExportImport selectedJobIds={['j1', 'j2']} onExport={onExport} onImport={vi.fn()} today={() => new Date(2025, 2, 7)} />);
      await user.click(screen.getByRole('button', { name: 'Export selected (2)' }));
      expect(onExport).toHaveBeenCalledWith(['j1', 'j2'], expect.any(Function));

      const bar = screen.getByRole('progressbar', { name: 'Export progress' });
      expect(bar).not.toHaveAttribute('value');
      expect(screen.getByRole('button', { name: 'Export all' })).toBeDisabled();
      act(() => report(3, 10));
      expect(bar).toHaveAttribute('value', '3');
      expect(bar).toHaveAttribute('max', '10');

      const zip = new Blob(['zip'], { type: 'application/zip' });
      await act(async () => work.resolve(zip));
      expect(created).toEqual([zip]);
      expect(clicked).toEqual([{ href: 'blob:test/1', download: 'image-prompt-export-2025-03-07.zip' }]);
      expect(screen.getByRole('status')).toHaveTextContent('Exported image-prompt-export-2025-03-07.zip');
      expect(screen.queryByRole('progressbar')).toBeNull();
      expect(revoked).toEqual([]);
      act(() => vi.advanceTimersByTime(10_000));
      expect(revoked).toEqual(['blob:test/1']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('exports everything with Export all', async () => {
    const user = userEvent.setup();
    const onExport = vi.fn(async () => new Blob(['zip']));
    render(<ExportImport onExport={onExport} onImport={vi.fn()} />);
    await user.click(screen.getByRole('button', { name: 'Export all' }));
    expect(onExport).toHaveBeenCalledWith(undefined, expect.any(Function));
    expect(await screen.findByRole('status')).toHaveTextContent(/^Exported image-prompt-export-\d{4}-\d{2}-\d{2}\.zip$/);
  });

  it('imports the chosen file with a progress bar and says what it did', async () => {
    const user = userEvent.setup();
    const work = controlled<ImportSummary>();
    let report: Progress = () => {};
    const onImport = vi.fn((_file: File, onProgress: Progress) => {
      report = onProgress;
      return work.promise;
    });
    render(<ExportImport onExport={vi.fn()} onImport={onImport} />);
    const file = new File(['PK'], 'export.zip', { type: 'application/zip' });
    await user.upload(screen.getByLabelText('Import…'), file);
    expect(onImport).toHaveBeenCalledWith(file, expect.any(Function));
    const bar = screen.getByRole('progressbar', { name: 'Import progress' });
    act(() => report(1, 4));
    expect(bar).toHaveAttribute('value', '1');
    expect(screen.getByLabelText('Import…')).toBeDisabled();

    await act(async () => work.resolve(summary({ problems: ['Ignored “../evil.png”: not part of the export.'] })));
    expect(screen.getByRole('status')).toHaveTextContent('Imported 12 generations, 3 already here');
    const list = screen.getByRole('list', { name: 'Left out' });
    expect(within(list).getAllByRole('listitem').map((li) => li.textContent)).toEqual(['Ignored “../evil.png”: not part of the export.']);
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.getByLabelText('Import…')).toBeEnabled();
  });

  it('words the summary for one, none and nothing skipped', async () => {
    const user = userEvent.setup();
    const results = [summary({ jobsAdded: 1, jobsSkipped: 0 }), summary({ jobsAdded: 0, jobsSkipped: 5 })];
    const onImport = vi.fn(async () => results.shift()!);
    render(<ExportImport onExport={vi.fn()} onImport={onImport} />);
    const file = new File(['PK'], 'export.zip');
    await user.upload(screen.getByLabelText('Import…'), file);
    expect(await screen.findByText('Imported 1 generation')).toHaveAttribute('role', 'status');
    await user.upload(screen.getByLabelText('Import…'), file);
    expect(await screen.findByText('Nothing new to import, 5 already here')).toHaveAttribute('role', 'status');
  });

  it('shows a refused import as an alert', async () => {
    const user = userEvent.setup();
    const onImport = vi.fn(async () => {
      throw new AppError('invalid_input', 'This file is not an Image Prompt export.');
    });
    render(<ExportImport onExport={vi.fn()} onImport={onImport} />);
    await user.upload(screen.getByLabelText('Import…'), new File(['x'], 'photo.zip'));
    expect(await screen.findByRole('alert')).toHaveTextContent('This file is not an Image Prompt export.');
    expect(screen.queryByRole('progressbar')).toBeNull();
    expect(screen.getByRole('status')).toHaveTextContent('');
  });

  it('shows a failed export as an alert and downloads nothing', async () => {
    const user = userEvent.setup();
    const onExport = vi.fn(async () => {
      throw new AppError('internal', 'The export could not be written.');
    });
    render(<ExportImport onExport={onExport} onImport={vi.fn()} />);
    await user.click(screen.getByRole('button', { name: 'Export all' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('The export could not be written.');
    expect(clicked).toEqual([]);
  });

  it('names the file after the local date', () => {
    expect(exportFileName(new Date(2024, 11, 31, 23, 59))).toBe('image-prompt-export-2024-12-31.zip');
  });
});
