// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, cleanup, render, renderHook } from '@testing-library/react';
import type { ResultRecord } from '@/utils/store/types';

const stored = new Map<string, ResultRecord>();
const saved: Array<[string, Blob]> = [];
vi.mock('@/utils/store/results', () => ({
  getResult: vi.fn(async (id: string) => stored.get(id)),
  saveThumb: vi.fn(async (id: string, thumb: Blob) => void saved.push([id, thumb])),
}));
const makeThumbnail = vi.fn<(blob: Blob) => Promise<Blob>>();
vi.mock('@/utils/image/thumbnail', () => ({ makeThumbnail: (blob: Blob) => makeThumbnail(blob) }));

const { useThumbUrl, useThumbUrls, liveThumbUrlCount, offerThumbs, RELEASE_GRACE_MS } = await import('@/entrypoints/sidepanel/thumbs');
const { getResult } = await import('@/utils/store/results');

let urlOf: Map<string, Blob>;
let revoked: string[];
let n = 0;

function record(id: string, fields: Partial<ResultRecord> = {}): ResultRecord {
  const r: ResultRecord = {
    id,
    jobId: id.split(':')[0]!,
    index: 0,
    blob: new Blob(['full'], { type: 'image/png' }),
    mime: 'image/png',
    createdAt: 0,
    lastUsedAt: 0,
    starred: false,
    ...fields,
  };
  stored.set(id, r);
  return r;
}

beforeEach(() => {
  urlOf = new Map();
  revoked = [];
  Object.defineProperty(URL, 'createObjectURL', {
    configurable: true,
    value: (blob: Blob) => {
      const url = `blob:thumb-${++n}`;
      urlOf.set(url, blob);
      return url;
    },
  });
  Object.defineProperty(URL, 'revokeObjectURL', { configurable: true, value: (url: string) => void revoked.push(url) });
  makeThumbnail.mockReset();
  saved.length = 0;
  // Only the release timers are faked; loading is promises alone (the store is mocked).
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
});

afterEach(() => {
  cleanup();
  // Whatever a test left mounted is released too, so no test sees another's URLs.
  vi.advanceTimersByTime(RELEASE_GRACE_MS + 1);
  vi.useRealTimers();
});

/** Lets every pending load finish (the mocked store and thumbnailer answer in microtasks). */
async function loaded() {
  await act(async () => {
    for (let i = 0; i < 50; i++) await Promise.resolve();
  });
}

/** Unmounts, then lets the release grace pass. */
function unmountAndWait(...unmounts: Array<() => void>) {
  for (const u of unmounts) u();
  act(() => void vi.advanceTimersByTime(RELEASE_GRACE_MS + 1));
}

describe('offered thumbnails', () => {
  it('shows a thumbnail the reader already holds without reading the result again, once', async () => {
    const thumb = new Blob(['held'], { type: 'image/webp' });
    const storedThumb = new Blob(['stored'], { type: 'image/webp' });
    record('o:0', { thumb: storedThumb });
    offerThumbs([{ id: 'o:0', thumb }]);
    const reads = vi.mocked(getResult).mock.calls.length;
    const one = renderHook(() => useThumbUrl('o:0'));
    await loaded();
    expect(urlOf.get(one.result.current!)).toBe(thumb);
    expect(vi.mocked(getResult).mock.calls.length).toBe(reads);
    unmountAndWait(one.unmount);
    // The offer was taken: the next load reads the stored record.
    const again = renderHook(() => useThumbUrl('o:0'));
    await loaded();
    expect(urlOf.get(again.result.current!)).toBe(storedThumb);
    expect(vi.mocked(getResult).mock.calls.length).toBe(reads + 1);
    unmountAndWait(again.unmount);
  });
});

describe('useThumbUrl', () => {
  it('has a thumbnail another component shows already in its first render', async () => {
    record('f:0', { thumb: new Blob(['f'], { type: 'image/webp' }) });
    const shown = renderHook(() => useThumbUrl('f:0'));
    await loaded();
    const url = shown.result.current!;
    expect(url).toMatch(/^blob:/);
    // A new card for the same result (a cache hit): no render without its image first.
    const firsts: Array<string | null> = [];
    const card = renderHook(() => {
      const u = useThumbUrl('f:0');
      firsts.push(u);
      return u;
    });
    expect(firsts[0]).toBe(url);
    unmountAndWait(shown.unmount, card.unmount);
  });

  it('shows the stored thumbnail, one URL however many components show it, revoked when the last goes', async () => {
    const thumb = new Blob(['t'], { type: 'image/webp' });
    record('a:0', { thumb });
    const one = renderHook(() => useThumbUrl('a:0'));
    const two = renderHook(() => useThumbUrl('a:0'));
    await loaded();
    expect(one.result.current).not.toBeNull();
    expect(two.result.current).toBe(one.result.current);
    const url = one.result.current!;
    expect(urlOf.get(url)).toBe(thumb);
    expect(urlOf.size).toBe(1);
    expect(makeThumbnail).not.toHaveBeenCalled();

    unmountAndWait(one.unmount);
    expect(revoked).toEqual([]);
    unmountAndWait(two.unmount);
    expect(revoked).toEqual([url]);
    expect(liveThumbUrlCount()).toBe(0);
  });

  it('makes and saves a thumbnail for a result stored before thumbnails existed', async () => {
    const full = record('old:0').blob;
    const made = new Blob(['small'], { type: 'image/webp' });
    makeThumbnail.mockResolvedValue(made);
    const { result } = renderHook(() => useThumbUrl('old:0'));
    await loaded();
    expect(result.current).not.toBeNull();
    expect(makeThumbnail).toHaveBeenCalledWith(full);
    expect(urlOf.get(result.current!)).toBe(made);
    await loaded();
    expect(saved).toEqual([['old:0', made]]);
  });

  it('shows the full image when no thumbnail can be made, and nothing for a result that is gone', async () => {
    const full = record('odd:0').blob;
    makeThumbnail.mockRejectedValue(new Error('cannot decode'));
    const { result } = renderHook(() => useThumbUrl('odd:0'));
    await loaded();
    expect(result.current).not.toBeNull();
    expect(urlOf.get(result.current!)).toBe(full);
    expect(saved).toEqual([]);

    const gone = renderHook(() => useThumbUrl('missing:0'));
    const undef = renderHook(() => useThumbUrl(undefined));
    await loaded();
    expect(gone.result.current).toBeNull();
    expect(undef.result.current).toBeNull();
  });

  it('reuses the URL when a row comes back within the grace period', async () => {
    record('back:0', { thumb: new Blob(['t']) });
    const first = renderHook(() => useThumbUrl('back:0'));
    await loaded();
    expect(first.result.current).not.toBeNull();
    const url = first.result.current;
    first.unmount();
    const again = renderHook(() => useThumbUrl('back:0'));
    await loaded();
    expect(again.result.current).toBe(url);
    expect(revoked).not.toContain(url);
    unmountAndWait(again.unmount);
    expect(revoked).toContain(url);
  });

  it('follows a changed id, letting the old URL go', async () => {
    record('x:0', { thumb: new Blob(['x']) });
    record('y:0', { thumb: new Blob(['y']) });
    const hook = renderHook(({ id }) => useThumbUrl(id), { initialProps: { id: 'x:0' as string | undefined } });
    await loaded();
    expect(hook.result.current).not.toBeNull();
    const x = hook.result.current!;
    hook.rerender({ id: 'y:0' });
    // Never the previous result's picture under the new id.
    expect(hook.result.current).not.toBe(x);
    await loaded();
    expect(hook.result.current).not.toBeNull();
    expect(urlOf.get(hook.result.current!)?.size).toBe(1);
    unmountAndWait(() => hook.rerender({ id: undefined }));
    expect(revoked).toEqual(expect.arrayContaining([x]));
    expect(hook.result.current).toBeNull();
    unmountAndWait(hook.unmount);
  });

  it('leaks no URL after thousands of rows scroll past', async () => {
    const ids = Array.from({ length: 300 }, (_, i) => `many${i}:0`);
    for (const id of ids) record(id, { thumb: new Blob([id]) });
    function Row({ id }: { id: string }) {
      return <span>{useThumbUrl(id) ?? 'loading'}</span>;
    }
    // A virtualised list: a window of 20 rows moving down the list.
    const view = render(<div />);
    for (let start = 0; start < ids.length; start += 20) {
      view.rerender(
        <div>
          {ids.slice(start, start + 20).map((id) => (
            <Row key={id} id={id} />
          ))}
        </div>,
      );
      await loaded();
      expect(view.container.textContent).not.toContain('loading');
    }
    unmountAndWait(view.unmount);
    expect(liveThumbUrlCount()).toBe(0);
    expect(new Set(revoked).size).toBe(urlOf.size);
    expect(urlOf.size).toBeGreaterThanOrEqual(ids.length);
  });
});

describe('useThumbUrls', () => {
  it('gives one URL per result of a job, in one hook', async () => {
    record('j:0', { thumb: new Blob(['0']) });
    record('j:1', { thumb: new Blob(['1']) });
    const { result, unmount } = renderHook(() => useThumbUrls(['j:0', 'j:1', 'j:0']));
    await loaded();
    expect([...result.current.values()].every(Boolean) && result.current.size === 2).toBe(true);
    expect(new Set(result.current.values()).size).toBe(2);
    unmountAndWait(unmount);
    expect(liveThumbUrlCount()).toBe(0);
  });
});
