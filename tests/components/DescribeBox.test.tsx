// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useState } from 'react';
import { cleanup, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { DescribeBox, type DescribeBoxProps } from '@/components/DescribeBox';
import { AppError } from '@/utils/errors';
import { DEFAULT_DRAFT, type DescribeState, type DraftRecord } from '@/utils/store/types';
import { describeView, DESCRIBE_STALE_MS, useDescribe, withDescription } from '@/entrypoints/sidepanel/use-describe';

const sent = vi.hoisted(() => ({ send: vi.fn() }));
vi.mock('@/utils/protocol', () => ({ send: sent.send }));

afterEach(cleanup);

const noop = () => {};
const base: DescribeBoxProps = {
  canDescribe: true,
  view: null,
  thumbUrl: null,
  notice: null,
  onDescribe: noop,
  onChange: noop,
  onInsert: noop,
  onCopy: noop,
  onClose: noop,
};

describe('DescribeBox', () => {
  it('offers "Describe" for the image prompt when nothing is open, and nothing without an image', () => {
    const onDescribe = vi.fn();
    const { rerender } = render(<DescribeBox {...base} onDescribe={onDescribe} />);
    screen.getByRole('button', { name: 'Describe' }).click();
    expect(onDescribe).toHaveBeenCalled();
    rerender(<DescribeBox {...base} canDescribe={false} />);
    expect(screen.queryByRole('button', { name: 'Describe' })).toBeNull();
  });

  it('says which provider is describing, with the picture', () => {
    render(<DescribeBox {...base} view={{ status: 'working', providerName: 'OpenAI' }} thumbUrl="blob:x" />);
    expect(screen.getByRole('status')).toHaveTextContent('Describing with OpenAI…');
    expect(screen.getByRole('img', { name: 'The image being described' })).toHaveAttribute('src', 'blob:x');
    expect(screen.queryByRole('button', { name: 'Insert into prompt' })).toBeNull();
  });

  it('shows the words to edit, insert and copy, and who wrote them', async () => {
    const onChange = vi.fn();
    const onInsert = vi.fn();
    const onCopy = vi.fn();
    render(<DescribeBox {...base} view={{ status: 'done', providerName: 'Google Gemini', text: 'A blue field.' }} onChange={onChange} onInsert={onInsert} onCopy={onCopy} notice="Copied." />);
    const box = screen.getByRole('textbox', { name: 'Description' });
    expect(box).toHaveValue('A blue field.');
    await userEvent.type(box, '!');
    expect(onChange).toHaveBeenLastCalledWith('A blue field.!');
    await userEvent.click(screen.getByRole('button', { name: 'Insert into prompt' }));
    await userEvent.click(screen.getByRole('button', { name: 'Copy' }));
    expect(onInsert).toHaveBeenCalled();
    expect(onCopy).toHaveBeenCalled();
    expect(screen.getByText('Described by Google Gemini')).toBeInTheDocument();
    expect(screen.getByRole('status')).toHaveTextContent('Copied.');
  });

  it('shows an error with what to do, a retry when possible, and closes', async () => {
    const onRetry = vi.fn();
    const onClose = vi.fn();
    render(
      <DescribeBox
        {...base}
        view={{ status: 'error', error: { kind: 'no_key', message: 'Describing an image needs a fal, OpenAI, Google Gemini or OpenRouter key.' } }}
        onRetry={onRetry}
        onClose={onClose}
      />,
    );
    expect(screen.getByRole('alert')).toHaveTextContent('needs a fal, OpenAI, Google Gemini or OpenRouter key');
    await userEvent.click(screen.getByRole('button', { name: 'Try again' }));
    await userEvent.click(screen.getByRole('button', { name: 'Close' }));
    expect(onRetry).toHaveBeenCalled();
    expect(onClose).toHaveBeenCalled();
  });

  it('says "Getting the image…" while a page image is still on its way', () => {
    render(<DescribeBox {...base} view={{ status: 'fetching' }} />);
    expect(screen.getByRole('status')).toHaveTextContent('Getting the image…');
  });
});

describe('useDescribe with the box', () => {
  const done: DescribeState = { id: 'run-1', referenceId: 'pic', status: 'done', provider: 'openai', text: 'A blue field.', startedAt: Date.now() };

  function Harness({ initial, onDraft }: { initial: DraftRecord; onDraft?: (d: DraftRecord) => void }) {
    const [draft, setDraft] = useState(initial);
    const patch = (p: Partial<Omit<DraftRecord, 'id'>>) =>
      setDraft((d) => {
        const next = { ...d, ...p };
        onDraft?.(next);
        return next;
      });
    return (
      <>
        <pre aria-label="Prompt">{draft.prompt}</pre>
        <DescribeBox {...useDescribe(draft, patch)} />
      </>
    );
  }

  it('inserts the (edited) words after the prompt, or as the prompt when it is empty', async () => {
    render(<Harness initial={{ ...DEFAULT_DRAFT, prompt: 'a castle', describe: done }} />);
    expect(screen.getByText('Described by OpenAI')).toBeInTheDocument();
    const box = screen.getByRole('textbox', { name: 'Description' });
    await userEvent.clear(box);
    await userEvent.type(box, 'Fog over hills.');
    await userEvent.click(screen.getByRole('button', { name: 'Insert into prompt' }));
    expect(screen.getByLabelText('Prompt').textContent).toBe('a castle\n\nFog over hills.');
    expect(screen.getByRole('status')).toHaveTextContent('Added to the prompt.');
    expect(withDescription('  ', ' Fog. ')).toBe('Fog.');
  });

  it('copies the words and confirms it; a refused copy says so', async () => {
    const user = userEvent.setup();
    const writeText = vi.fn(async () => {});
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    render(<Harness initial={{ ...DEFAULT_DRAFT, describe: done }} />);
    await user.click(screen.getByRole('button', { name: 'Copy' }));
    expect(writeText).toHaveBeenCalledWith('A blue field.');
    expect(await screen.findByText('Copied.')).toBeInTheDocument();
    writeText.mockRejectedValueOnce(new Error('NotAllowedError'));
    await user.click(screen.getByRole('button', { name: 'Copy' }));
    expect(await screen.findByText(/did not allow copying/)).toBeInTheDocument();
  });

  it('"Describe" asks the worker about the current image prompt; closing clears the draft field', async () => {
    sent.send.mockResolvedValue({ description: 'x', provider: 'fal' });
    const drafts: DraftRecord[] = [];
    render(<Harness initial={{ ...DEFAULT_DRAFT, referenceId: 'mine' }} onDraft={(d) => drafts.push(d)} />);
    await userEvent.click(screen.getByRole('button', { name: 'Describe' }));
    expect(sent.send).toHaveBeenCalledWith('reference.describeOnDemand', { referenceId: 'mine' });
    cleanup();
    render(<Harness initial={{ ...DEFAULT_DRAFT, describe: done }} onDraft={(d) => drafts.push(d)} />);
    await userEvent.click(screen.getByRole('button', { name: 'Close' }));
    expect(drafts.at(-1)?.describe).toBeNull();
  });

  it('shows a failed send when the worker never wrote anything', async () => {
    sent.send.mockRejectedValue(new AppError('internal', 'The background worker did not answer.'));
    render(<Harness initial={{ ...DEFAULT_DRAFT, referenceId: 'mine' }} />);
    await userEvent.click(screen.getByRole('button', { name: 'Describe' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('did not answer');
  });

  it('treats a run the browser cut short as an error to retry', async () => {
    expect(describeView({ id: 'r', referenceId: 'pic', status: 'working', provider: 'fal', startedAt: 0 }, false)).toEqual({ status: 'working', providerName: 'fal' });
    expect(describeView({ id: 'r', status: 'working', startedAt: 0 }, false)).toEqual({ status: 'fetching' });
    // A run that began longer ago than the stale limit shows as an error at once.
    render(<Harness initial={{ ...DEFAULT_DRAFT, describe: { id: 'r', referenceId: 'pic', status: 'working', provider: 'fal', startedAt: Date.now() - DESCRIBE_STALE_MS - 1 } }} />);
    expect(await screen.findByRole('alert')).toHaveTextContent('did not finish');
    expect(screen.getByRole('button', { name: 'Try again' })).toBeInTheDocument();
  });
});
