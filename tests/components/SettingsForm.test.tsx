// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { SettingsForm } from '@/components/SettingsForm';
import { getModel } from '@/utils/models';

afterEach(cleanup);

const settings = { influence: null, aspectRatio: null, numImages: 1, seed: null };

describe('SettingsForm', () => {
  it('shows Reference strength only for routes with a knob and an image to steer', () => {
    const fluxDev = getModel('flux-dev').routes[0]!;
    const { rerender } = render(<SettingsForm route={fluxDev} hasReference value={settings} onChange={vi.fn()} />);
    // Flux dev's img2img default strength 0.95 keeps little of the reference: the slider starts low.
    expect((screen.getByLabelText('Reference strength') as HTMLInputElement).value).toBe('5');
    rerender(<SettingsForm route={fluxDev} hasReference={false} value={settings} onChange={vi.fn()} />);
    expect(screen.queryByLabelText('Reference strength')).toBeNull();
    const character = getModel('ideogram-character').routes[0]!;
    rerender(<SettingsForm route={character} hasReference value={settings} onChange={vi.fn()} />);
    expect(screen.queryByLabelText('Reference strength')).toBeNull();
  });

  it('offers the route\u2019s own aspect ratios and clamps the number of images to its maximum', () => {
    const onChange = vi.fn();
    const ultra = getModel('flux-ultra').routes[0]!;
    render(<SettingsForm route={ultra} hasReference value={settings} onChange={onChange} />);
    const aspect = screen.getByLabelText('Aspect ratio') as HTMLSelectElement;
    expect([...aspect.options].map((o) => o.value)).toEqual(['', ...(ultra.aspectRatios ?? [])]);
    const count = screen.getByLabelText('Images') as HTMLSelectElement;
    // Only counts the route can make are offered.
    expect([...count.options].map((o) => Number(o.value))).toEqual(Array.from({ length: ultra.maxImages }, (_, i) => i + 1));
    fireEvent.change(count, { target: { value: String(ultra.maxImages) } });
    expect(onChange).toHaveBeenLastCalledWith({ numImages: ultra.maxImages });
    fireEvent.change(screen.getByLabelText('Seed'), { target: { value: '42' } });
    expect(onChange).toHaveBeenLastCalledWith({ seed: 42 });
    fireEvent.change(screen.getByLabelText('Reference strength'), { target: { value: '80' } });
    expect(onChange).toHaveBeenLastCalledWith({ influence: 0.8 });
  });

  it('locks a seed: a random one is kept until unlocked, and a typed one counts as locked', () => {
    const onChange = vi.fn();
    const dev = getModel('flux-dev').routes[0]!;
    const { rerender } = render(<SettingsForm route={dev} hasReference value={settings} onChange={onChange} randomSeed={() => 777} />);
    const lock = screen.getByRole('button', { name: 'Keep this seed' });
    expect(lock.getAttribute('aria-pressed')).toBe('false');
    fireEvent.click(lock);
    expect(onChange).toHaveBeenLastCalledWith({ seed: 777 });
    rerender(<SettingsForm route={dev} hasReference value={{ ...settings, seed: 777 }} onChange={onChange} />);
    expect(screen.getByRole('button', { name: 'Keep this seed' }).getAttribute('aria-pressed')).toBe('true');
    expect((screen.getByLabelText('Seed') as HTMLInputElement).value).toBe('777');
    fireEvent.click(screen.getByRole('button', { name: 'Keep this seed' }));
    expect(onChange).toHaveBeenLastCalledWith({ seed: null });
  });

  it('hides the seed for a route that takes none', () => {
    const noSeed = getModel('chatgpt-image').routes.find((r) => !r.seed);
    if (!noSeed) throw new Error('expected a ChatGPT Image route without a seed');
    render(<SettingsForm route={noSeed} hasReference value={settings} onChange={vi.fn()} />);
    expect(screen.queryByLabelText('Seed')).toBeNull();
    expect(screen.queryByRole('button', { name: 'Keep this seed' })).toBeNull();
  });
});
