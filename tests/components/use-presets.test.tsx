// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { act, cleanup, renderHook, waitFor } from '@testing-library/react';
import { IDBFactory } from 'fake-indexeddb';
import { usePresets } from '../../entrypoints/sidepanel/use-presets';
import { loadDraft } from '../../utils/store/drafts';
import { DEFAULT_DRAFT, type DraftRecord } from '../../utils/store/types';

// The panel's own database (the default one): a fresh factory before the first open.
globalThis.indexedDB = new IDBFactory();

afterEach(cleanup);

const draft: DraftRecord = { ...DEFAULT_DRAFT, prompt: 'a fox in snow', modelId: 'chatgpt-image', referenceId: 'gone', references: [{ referenceId: 'gone' }] };

describe('usePresets: the Create tab’s presets', () => {
  it('saves what the panel shows, asks on a taken name, applies in one go and deletes', async () => {
    const patch = vi.fn();
    const { result } = renderHook(() => usePresets(draft, patch));

    let saved: Awaited<ReturnType<typeof result.current.onSave>> | undefined;
    await act(async () => {
      saved = await result.current.onSave('Fox', false);
    });
    expect(saved).toMatchObject({ status: 'saved' });
    await waitFor(() => expect(result.current.presets.map((p) => p.name)).toEqual(['Fox']));
    expect(result.current.status).toEqual({ text: 'Saved “Fox”.' });
    await act(async () => {
      saved = await result.current.onSave('fox', false);
    });
    expect(saved).toEqual({ status: 'exists' });

    act(() => result.current.onApply(result.current.presets[0]!.id));
    await waitFor(() => expect(result.current.status?.text).toBe('Applied “Fox”. 1 of its images is no longer stored, so it was left out.'));
    expect(patch).toHaveBeenCalledWith({ prompt: 'a fox in snow', modelId: 'chatgpt-image', settings: DEFAULT_DRAFT.settings });
    expect(await loadDraft()).toMatchObject({ prompt: 'a fox in snow', references: [] });

    act(() => result.current.onDelete(result.current.presets[0]!.id));
    await waitFor(() => expect(result.current.presets).toEqual([]));
    expect(result.current.status).toEqual({ text: 'Deleted “Fox”.' });
  });

  it('says why a save failed', async () => {
    const { result } = renderHook(() => usePresets(draft, vi.fn()));
    await act(async () => {
      expect(await result.current.onSave('   ', false)).toEqual({ status: 'failed' });
    });
    expect(result.current.status).toEqual({ text: 'Give the preset a name.', failed: true });
  });

  it('renames, and refuses a name another preset has', async () => {
    const { result } = renderHook(() => usePresets(draft, vi.fn()));
    await act(async () => {
      await result.current.onSave('Harbour', false);
      await result.current.onSave('Portrait', false);
    });
    await waitFor(() => expect(result.current.presets.map((p) => p.name).sort()).toEqual(['Harbour', 'Portrait']));
    const harbour = result.current.presets.find((p) => p.name === 'Harbour')!;
    await act(async () => {
      expect(await result.current.onRename(harbour.id, 'portrait')).toEqual({ status: 'exists' });
    });
    expect(result.current.presets.map((p) => p.name).sort()).toEqual(['Harbour', 'Portrait']);
    await act(async () => {
      expect(await result.current.onRename(harbour.id, 'Night harbour')).toEqual({ status: 'renamed' });
    });
    await waitFor(() => expect(result.current.presets.map((p) => p.name).sort()).toEqual(['Night harbour', 'Portrait']));
    expect(result.current.status).toEqual({ text: 'Renamed “Harbour” to “Night harbour”.' });
  });
});
