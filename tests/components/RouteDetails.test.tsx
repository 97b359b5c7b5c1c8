// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { RouteDetails, type RouteDetailView } from '@/components/RouteDetails';

afterEach(cleanup);

const live: RouteDetailView = {
  id: 'openai:gpt-image-2',
  label: 'OpenAI: GPT Image 2 (gpt-image-2) (sends the image)',
  defaultModel: 'gpt-image-2',
  override: '',
  lifecycle: 'Live (source: openai-node).',
  retired: false,
  unavailable: { since: '1 December 2026', message: 'OpenAI does not list gpt-image-2 for your key.' },
};
const retired: RouteDetailView = { ...live, id: 'openai:gpt-image-1', label: 'OpenAI: gpt-image-1 (sends the image)', lifecycle: 'Retired on 23 October 2026; never chosen.', retired: true, unavailable: undefined };

describe('RouteDetails', () => {
  it('shows each route\u2019s standing, lets the user undo a mark and set a model id', async () => {
    const onClearMark = vi.fn();
    const onSaveOverride = vi.fn(async () => null);
    render(<RouteDetails modelName="ChatGPT Image" routes={[live, retired]} onClearMark={onClearMark} onSaveOverride={onSaveOverride} />);
    await userEvent.click(screen.getByText('ChatGPT Image: routes and model ids'));
    const item = screen.getByRole('listitem', { name: live.label });
    expect(item.textContent).toContain('Unavailable on this browser since 1 December 2026: OpenAI does not list gpt-image-2 for your key.');
    await userEvent.click(within(item).getByRole('button', { name: 'Mark as available again' }));
    expect(onClearMark).toHaveBeenCalledWith('openai:gpt-image-2');

    const field = within(item).getByLabelText('Model id');
    expect(field.getAttribute('placeholder')).toBe('gpt-image-2');
    await userEvent.type(field, 'gpt-image-2-2026-04-21');
    await userEvent.click(within(item).getByRole('button', { name: 'Save model id' }));
    expect(onSaveOverride).toHaveBeenCalledWith('openai:gpt-image-2', 'gpt-image-2-2026-04-21');
    expect(within(item).getByRole('status').textContent).toBe('Requests will ask for gpt-image-2-2026-04-21.');

    // A retired route is listed for what it was, with nothing to set.
    const gone = screen.getByRole('listitem', { name: retired.label });
    expect(gone.textContent).toContain('Retired on 23 October 2026');
    expect(within(gone).queryByLabelText('Model id')).toBeNull();
  });

  it('shows the reason a model id was refused', async () => {
    render(<RouteDetails modelName="Imagen 3" routes={[{ ...live, unavailable: undefined }]} onClearMark={vi.fn()} onSaveOverride={async () => 'Use letters, digits and . _ : / - only.'} />);
    await userEvent.click(screen.getByText('Imagen 3: routes and model ids'));
    await userEvent.type(screen.getByLabelText('Model id'), '../evil');
    await userEvent.click(screen.getByRole('button', { name: 'Save model id' }));
    expect(screen.getByRole('status').textContent).toBe('Use letters, digits and . _ : / - only.');
  });
});
