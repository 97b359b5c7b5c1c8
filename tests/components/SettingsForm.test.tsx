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
    fireEvent.change(screen.getByLabelText('Number of images'), { target: { value: '99' } });
    expect(onChange).toHaveBeenLastCalledWith({ numImages: ultra.maxImages });
    fireEvent.change(screen.getByLabelText('Seed'), { target: { value: '42' } });
    expect(onChange).toHaveBeenLastCalledWith({ seed: 42 });
    fireEvent.change(screen.getByLabelText('Reference strength'), { target: { value: '80' } });
    expect(onChange).toHaveBeenLastCalledWith({ influence: 0.8 });
  });
});
