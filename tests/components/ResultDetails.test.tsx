// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ResultDetails, type ResultDetailsProps } from '@/components/results/ResultDetails';

afterEach(cleanup);

const base: ResultDetailsProps = {
  prompt: 'A red fox\n  in the snow',
  modelName: 'Flux dev',
  routeLabel: 'fal \u00b7 fal-ai/flux/dev/image-to-image',
  strength: 0.65,
  aspectRatio: '16:9',
  numImages: 4,
  seed: 1234,
  reference: { thumbUrl: 'blob:ref', source: 'Foxes of the north', href: 'https://example.com/foxes' },
  onReuse: vi.fn(),
};

/** The value shown for a term of the list. */
function valueOf(term: string): string {
  const dt = screen.getByText(term, { selector: 'dt' });
  return dt.nextElementSibling?.textContent ?? '';
}

describe('ResultDetails', () => {
  it('shows every setting the image was made with', () => {
    render(<ResultDetails {...base} />);
    expect(screen.getByRole('region', { name: 'Settings used' })).toBeTruthy();
    expect(valueOf('Prompt')).toBe('A red fox\n  in the snow');
    expect(valueOf('Model')).toBe('Flux dev');
    expect(valueOf('Route')).toBe('fal \u00b7 fal-ai/flux/dev/image-to-image');
    expect(valueOf('Reference strength')).toBe('65%');
    expect(valueOf('Aspect ratio')).toBe('16:9');
    expect(valueOf('Images')).toBe('4');
    expect(valueOf('Seed')).toBe('1234');
    expect(screen.getByRole('img', { name: 'The image prompt used' }).getAttribute('src')).toBe('blob:ref');
    expect(valueOf('Image prompt')).toContain('From Foxes of the north');
    const link = screen.getByRole('link', { name: 'Open the page it came from' });
    expect(link.getAttribute('href')).toBe('https://example.com/foxes');
    expect(link.getAttribute('rel')).toContain('noreferrer');
  });

  it('says "random" and "model default" for what was left open, and "none" without an image prompt', () => {
    render(<ResultDetails {...base} seed={null} strength={null} aspectRatio={null} reference={null} />);
    expect(valueOf('Seed')).toBe('random');
    expect(valueOf('Reference strength')).toBe('Model default');
    expect(valueOf('Aspect ratio')).toBe('Model default');
    expect(valueOf('Image prompt')).toBe('None (text only)');
    expect(screen.queryByRole('img')).toBeNull();
  });

  it('links only to web pages', () => {
    render(<ResultDetails {...base} reference={{ thumbUrl: null, source: 'a page', href: 'javascript:alert(1)' }} />);
    expect(screen.queryByRole('link')).toBeNull();
    expect(valueOf('Image prompt')).toBe('From a page');
  });

  it('reuses the settings', async () => {
    const onReuse = vi.fn();
    render(<ResultDetails {...base} onReuse={onReuse} />);
    await userEvent.click(screen.getByRole('button', { name: 'Reuse these settings' }));
    expect(onReuse).toHaveBeenCalledTimes(1);
  });
});

describe('ResultDetails: cost', () => {
  it('shows a reported cost with who reported it', () => {
    render(<ResultDetails {...base} cost={{ kind: 'known', usd: 0.06, source: 'reported', providerName: 'Black Forest Labs' }} />);
    expect(valueOf('Cost')).toBe('$0.06, reported by Black Forest Labs');
  });

  it('says a computed cost was estimated from reported usage, not billed', () => {
    render(<ResultDetails {...base} cost={{ kind: 'known', usd: 0.0421, source: 'computed', providerName: 'OpenAI' }} />);
    expect(valueOf('Cost')).toBe('$0.042, estimated from the usage OpenAI reported');
  });

  it('says a cached job cost nothing, and an unreported one is unknown', () => {
    render(<ResultDetails {...base} cost={{ kind: 'cached' }} />);
    expect(valueOf('Cost')).toMatch(/^Nothing: .*earlier identical job/);
    cleanup();
    render(<ResultDetails {...base} cost={{ kind: 'unknown', providerName: 'fal' }} />);
    expect(valueOf('Cost')).toBe('Not reported by fal');
  });

  it('has no cost row when the caller does not know the job', () => {
    render(<ResultDetails {...base} />);
    expect(screen.queryByText('Cost', { selector: 'dt' })).toBeNull();
  });
});
