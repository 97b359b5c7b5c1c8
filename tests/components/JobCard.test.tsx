// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { JobCard, progressText, type JobView } from '@/components/JobCard';

afterEach(cleanup);

const base: JobView = {
  id: 'job-1',
  state: 'done',
  prompt: 'a red fox',
  modelName: 'Flux dev',
  createdAt: 0,
  cached: false,
  via: 'fal',
  results: [{ id: 'job-1:0', url: 'blob:r0', fileName: 'image-prompt-job-1-1.png', starred: false }],
  removedCount: 0,
};

function renderCard(job: Partial<JobView> = {}) {
  const actions = { onUseAsReference: vi.fn(), onCancel: vi.fn(), onRetry: vi.fn(), onToggleStar: vi.fn() };
  render(<JobCard job={{ ...base, ...job }} {...actions} />);
  return { actions, card: screen.getByRole('article', { name: 'Generation: a red fox' }) };
}

describe('JobCard', () => {
  it('offers each result as the next image prompt and for download', async () => {
    const { actions, card } = renderCard();
    await userEvent.click(within(card).getByRole('button', { name: 'Use as image prompt' }));
    expect(actions.onUseAsReference).toHaveBeenCalledWith('job-1:0');
    const link = within(card).getByRole('link', { name: 'Download' });
    expect(link.getAttribute('href')).toBe('blob:r0');
    expect(link.getAttribute('download')).toBe('image-prompt-job-1-1.png');
    expect(within(card).getByRole('img').getAttribute('alt')).toBe('Result 1 for “a red fox”');
  });

  it('says when images were removed to free space, instead of showing nothing', () => {
    const { card } = renderCard({ results: [], removedCount: 2 });
    expect(card.textContent).toContain('2 images of this generation were removed to free up space');
    cleanup();
    const { card: whole } = renderCard();
    expect(whole.textContent).not.toContain('removed to free up space');
  });

  it('marks results served from the cache', () => {
    const { card } = renderCard({ cached: true });
    expect(within(card).getByText('from cache')).toBeTruthy();
  });

  it('shows progress and a cancel button while running', async () => {
    const { actions, card } = renderCard({ state: 'polling', progress: { stage: 'queued', queuePosition: 2 }, results: [] });
    expect(within(card).getByRole('status').textContent).toBe('Waiting in line (position 3)…');
    await userEvent.click(within(card).getByRole('button', { name: 'Cancel' }));
    expect(actions.onCancel).toHaveBeenCalledWith('job-1');
  });

  it('explains a failure and offers to try again', async () => {
    const { actions, card } = renderCard({ state: 'failed', results: [], error: { kind: 'rate_limited', message: 'fal is limiting requests right now.' } });
    expect(within(card).getByRole('alert').textContent).toContain('Wait a moment');
    await userEvent.click(within(card).getByRole('button', { name: 'Try again' }));
    expect(actions.onRetry).toHaveBeenCalledWith('job-1');
  });

  it('does not offer a one-click retry when the job may already have been charged', () => {
    const { card } = renderCard({
      state: 'failed',
      results: [],
      error: { kind: 'may_have_been_charged', message: 'The extension was interrupted while sending this job.' },
    });
    expect(within(card).getByRole('alert').textContent).toContain('Check your provider account');
    expect(within(card).queryByRole('button', { name: 'Try again' })).toBeNull();
  });

  it('stars and unstars a result with a toggle button', async () => {
    const { actions, card } = renderCard();
    const star = within(card).getByRole('button', { name: 'Star' });
    expect(star.getAttribute('aria-pressed')).toBe('false');
    await userEvent.click(star);
    expect(actions.onToggleStar).toHaveBeenCalledWith('job-1:0', true);
    cleanup();
    const again = renderCard({ results: [{ ...base.results[0]!, starred: true }] });
    const starred = within(again.card).getByRole('button', { name: 'Star' });
    expect(starred.getAttribute('aria-pressed')).toBe('true');
    await userEvent.click(starred);
    expect(again.actions.onToggleStar).toHaveBeenCalledWith('job-1:0', false);
  });

  it('does not offer to run again (and pay again) when the result could not be saved for lack of room', () => {
    const { card } = renderCard({
      state: 'failed',
      results: [],
      error: { kind: 'storage_full', message: 'There is no room left to save this image, even after removing older images that are not starred.' },
    });
    expect(within(card).getByRole('alert').textContent).toContain('Free up disk space');
    expect(within(card).queryByRole('button', { name: 'Try again' })).toBeNull();
  });

  it('names each running stage in plain words', () => {
    expect(progressText({ state: 'queued' })).toMatch(/Preparing/);
    expect(progressText({ state: 'polling', progress: { stage: 'running' } })).toBe('Generating…');
    expect(progressText({ state: 'downloading' })).toMatch(/Saving/);
  });
});
