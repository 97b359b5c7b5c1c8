// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { CreateBar } from '@/components/CreateBar';
import { createBlockReason } from '@/entrypoints/sidepanel/create-block';
import type { RouteState } from '@/entrypoints/sidepanel/hooks';
import { getModel } from '@/utils/models';

afterEach(cleanup);

const okRoute = { ok: true, choice: { route: getModel('chatgpt-image').routes.find((r) => r.provider === 'openai')! } } as RouteState;
const base = { loaded: true, prompt: 'a fox', route: okRoute, intakeLoading: false, busy: false };

describe('createBlockReason', () => {
  it('says what to do, most basic first, and nothing when Create can run', () => {
    expect(createBlockReason(base)).toBeNull();
    expect(createBlockReason({ ...base, loaded: false })).toBe('Loading your settings…');
    expect(createBlockReason({ ...base, prompt: '   ' })).toBe('Write a prompt to create.');
    expect(createBlockReason({ ...base, intakeLoading: true })).toBe('Wait for the image to finish loading.');
    expect(createBlockReason({ ...base, busy: true })).toBe('Sending…');
    const gone: RouteState = { ok: false, error: { kind: 'no_key', message: 'Add a fal key in Settings.' } };
    expect(createBlockReason({ ...base, route: gone })).toBe('Add a fal key in Settings.');
    expect(createBlockReason({ ...base, compareCount: 1 })).toBe('Choose 2 to 6 models to compare.');
    expect(createBlockReason({ ...base, compareCount: 7 })).toBe('Choose 2 to 6 models to compare.');
    // A fal edit route cannot run text-only: say so before Create is pressed.
    const falEdit = { ok: true, choice: { route: getModel('flux-dev').routes.find((r) => r.provider === 'fal')! } } as RouteState;
    expect(createBlockReason({ ...base, route: falEdit, hasReference: false })).toMatch(/^This model runs here from an image prompt/);
    expect(createBlockReason({ ...base, route: falEdit, hasReference: true })).toBeNull();
    // Compare runs each model on its own route: the single model's route does not block it.
    expect(createBlockReason({ ...base, route: gone, compareCount: 3 })).toBeNull();
  });
});

describe('CreateBar', () => {
  it('disables Create with the reason as its description', () => {
    render(<CreateBar blockedBy="Write a prompt to create." onCreate={vi.fn()} onVariation={vi.fn()} />);
    const create = screen.getByRole('button', { name: 'Create' }) as HTMLButtonElement;
    expect(create.disabled).toBe(true);
    expect(create).toHaveAccessibleDescription('Write a prompt to create.');
  });

  it('runs Create and New variation, and names the compare count', async () => {
    const user = userEvent.setup();
    const onCreate = vi.fn();
    const onVariation = vi.fn();
    const { rerender } = render(<CreateBar blockedBy={null} onCreate={onCreate} onVariation={onVariation} />);
    await user.click(screen.getByRole('button', { name: 'Create' }));
    await user.click(screen.getByRole('button', { name: 'New variation' }));
    expect(onCreate).toHaveBeenCalledTimes(1);
    expect(onVariation).toHaveBeenCalledTimes(1);
    rerender(<CreateBar blockedBy={null} compareCount={3} onCreate={onCreate} onVariation={onVariation} />);
    screen.getByRole('button', { name: 'Create with 3 models' });
    expect(screen.queryByRole('button', { name: 'New variation' })).toBeNull();
  });
});

describe('CreateBar: cost estimate', () => {
  it('shows "about" the estimate, called an estimate, with the price date and provider in its title', () => {
    render(<CreateBar blockedBy={null} onCreate={vi.fn()} onVariation={vi.fn()} estimate={{ usd: 0.06, partial: false, checkedOn: '2026-12-06', providerName: 'Black Forest Labs' }} />);
    const line = screen.getByText(/about \$0\.06/);
    expect(line.textContent).toMatch(/^Estimate: about \$0\.06/);
    const title = line.getAttribute('title') ?? '';
    expect(title).toContain('estimate');
    expect(title).toContain('Black Forest Labs');
    expect(title).toContain('6 December 2026');
    // Create's description carries it too, for screen readers.
    expect(screen.getByRole('button', { name: 'Create' })).toHaveAccessibleDescription(expect.stringContaining('about $0.06'));
  });

  it('sums a compare run and says when some models have no published price', () => {
    render(<CreateBar blockedBy={null} compareCount={3} onCreate={vi.fn()} onVariation={vi.fn()} estimate={{ usd: 0.09, partial: true, checkedOn: '2026-12-06' }} />);
    const line = screen.getByText(/about \$0\.09/);
    expect(line.textContent).toContain('Estimate for 3 models: about $0.09');
    expect(line.textContent).toContain('without a published price not counted');
    expect(line.getAttribute('title')).toContain('providers’ published prices');
  });

  it('says "no price published" rather than inventing one', () => {
    render(<CreateBar blockedBy={null} onCreate={vi.fn()} onVariation={vi.fn()} estimate={{ usd: null, partial: false }} />);
    expect(screen.getByText('No price published for this route')).toBeTruthy();
    expect(screen.queryByText(/\$/)).toBeNull();
  });

  it('shows nothing about cost while the estimate is unknown', () => {
    render(<CreateBar blockedBy={null} onCreate={vi.fn()} onVariation={vi.fn()} estimate={null} />);
    expect(screen.queryByText(/Estimate|price/)).toBeNull();
  });
});
