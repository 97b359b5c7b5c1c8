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
  routeLabel: 'fal \u00b7 fal-ai/flux/dev',
  results: [{ id: 'job-1:0', alt: 'Result 1 for \u201ca red fox\u201d', fileName: 'flux-dev_a-red-fox_1.png', starred: false }],
  removedCount: 0,
};

function renderCard(job: Partial<JobView> = {}) {
  const actions = { onCancel: vi.fn(), onRetry: vi.fn(), onOpenSettings: vi.fn() };
  render(<JobCard job={{ ...base, ...job }} images={<p>the images</p>} {...actions} />);
  return { actions, card: screen.getByRole('article', { name: 'Generation: a red fox' }) };
}

describe('JobCard', () => {
  it('shows the images it is given once there are results, and none while there are none', () => {
    const { card } = renderCard();
    expect(within(card).getByText('the images')).toBeTruthy();
    cleanup();
    const empty = renderCard({ results: [], state: 'polling' });
    expect(within(empty.card).queryByText('the images')).toBeNull();
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

  it('does not offer to run again (and pay again) when the result could not be saved for lack of room', () => {
    const { card } = renderCard({
      state: 'failed',
      results: [],
      error: { kind: 'storage_full', message: 'There is no room left to save this image, even after removing older images that are not starred.' },
    });
    expect(within(card).getByRole('alert').textContent).toContain('Free up disk space');
    expect(within(card).queryByRole('button', { name: 'Try again' })).toBeNull();
  });

  it('offers the next route in one click when the provider no longer has this one', async () => {
    const error = { kind: 'route_unavailable' as const, message: 'fal no longer offers fal-ai/nano-banana-pro/edit.', routeId: 'fal:fal-ai/nano-banana-pro/edit' };
    const { actions, card } = renderCard({ state: 'failed', results: [], error, alternative: 'Google Gemini: Nano Banana 2.1 (sends the image)' });
    expect(within(card).getByRole('alert').textContent).toContain('fal no longer offers fal-ai/nano-banana-pro/edit.');
    expect(within(card).queryByRole('button', { name: 'Try again' })).toBeNull();
    await userEvent.click(within(card).getByRole('button', { name: 'Try again with Google Gemini: Nano Banana 2.1 (sends the image)' }));
    expect(actions.onRetry).toHaveBeenCalledWith('job-1');
    cleanup();
    // No other route: the way forward is Settings (another key, or a new model id), not a retry that fails the same way.
    const none = renderCard({ state: 'failed', results: [], error, alternative: null });
    expect(within(none.card).queryByRole('button', { name: /Try again/ })).toBeNull();
    await userEvent.click(within(none.card).getByRole('button', { name: 'Open Settings' }));
    expect(none.actions.onOpenSettings).toHaveBeenCalled();
  });

  it('says plainly when the result came from a successor model, a model id of the user\u2019s, or lost flagged images', () => {
    const { card } = renderCard({
      successorNote: 'Imagen 3 was retired by Google on 30 June 2026; this uses Gemini 3 Pro Image, its successor.',
      modelOverride: 'gemini-3-pro-image-0912',
      notice: 'fal\u2019s safety checker blocked 1 of 2 images; they were not saved.',
    });
    expect(card.textContent).toContain('Imagen 3 was retired by Google on 30 June 2026; this uses Gemini 3 Pro Image, its successor.');
    expect(card.textContent).toContain('model gemini-3-pro-image-0912');
    expect(card.textContent).toContain('blocked 1 of 2 images');
  });

  it('shows the steps a provider reports beside "Generating", with a progress bar that has a name', () => {
    const { card } = renderCard({ state: 'polling', progress: { stage: 'running', step: { value: 12, max: 20 } }, results: [] });
    // The live region keeps its one short message; the count sits beside it.
    expect(within(card).getByRole('status').textContent).toBe('Generating\u2026');
    expect(card.textContent).toContain('Generating\u2026 \u00b7 Step 12 of 20');
    const bar = within(card).getByRole('progressbar', { name: 'Generation progress' }) as HTMLProgressElement;
    expect([bar.value, bar.max]).toEqual([12, 20]);
    expect(bar.getAttribute('aria-valuetext')).toBe('Step 12 of 20');
    cleanup();
    // Without steps (other providers, or ComfyUI after a restart until its socket speaks) the bar just moves.
    const plain = renderCard({ state: 'polling', progress: { stage: 'running' }, results: [] });
    expect(plain.card.textContent).not.toMatch(/Step \d/);
    expect(within(plain.card).getByRole('progressbar', { name: 'Generation progress' }).hasAttribute('value')).toBe(false);
    cleanup();
    // Steps are only shown while running, and only when they make sense.
    for (const progress of [{ stage: 'queued' as const, step: { value: 1, max: 20 } }, { stage: 'running' as const, step: { value: 30, max: 20 } }]) {
      const other = renderCard({ state: 'polling', progress, results: [] });
      expect(other.card.textContent).not.toMatch(/Step \d/);
      cleanup();
    }
  });

  it('names each running stage in plain words', () => {
    expect(progressText({ state: 'queued' })).toMatch(/Preparing/);
    expect(progressText({ state: 'polling', progress: { stage: 'running' } })).toBe('Generating…');
    expect(progressText({ state: 'downloading' })).toMatch(/Saving/);
  });
});
