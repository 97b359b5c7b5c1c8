// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { act, cleanup, renderHook, waitFor } from '@testing-library/react';
import { moduleLoader, useModule } from '@/entrypoints/sidepanel/use-module';

afterEach(cleanup);

describe('useModule', () => {
  it('loads only once wanted, then hands the module to every later mount at once', async () => {
    const load = vi.fn(async () => ({ name: 'history' }));
    const loader = moduleLoader(load);
    const { result, rerender } = renderHook(({ wanted }) => useModule(loader, wanted), { initialProps: { wanted: false } });
    await act(async () => {});
    expect(load).not.toHaveBeenCalled();
    expect(result.current).toBeNull();
    rerender({ wanted: true });
    await waitFor(() => expect(result.current).toEqual({ name: 'history' }));
    const later = renderHook(() => useModule(loader, true));
    // No render without it: the first render already has the module.
    expect(later.result.current).toEqual({ name: 'history' });
    expect(load).toHaveBeenCalledOnce();
  });

  it('tries again after a failed load', async () => {
    const load = vi.fn<() => Promise<{ ok: boolean }>>().mockRejectedValueOnce(new Error('chunk failed')).mockResolvedValue({ ok: true });
    const loader = moduleLoader(load);
    await expect(loader.load()).rejects.toThrow('chunk failed');
    const { result } = renderHook(() => useModule(loader, true));
    await waitFor(() => expect(result.current).toEqual({ ok: true }));
    expect(load).toHaveBeenCalledTimes(2);
  });
});
