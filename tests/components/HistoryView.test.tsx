// @vitest-environment jsdom
import { useState } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, cleanup, fireEvent, render, renderHook, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { HistoryView } from '@/components/history/HistoryView';
import { OVERSCAN, ROW_HEIGHT } from '@/components/history/HistoryList';
import { coalesce, useHistory } from '@/entrypoints/sidepanel/use-history';
import { publish } from '@/utils/events';
import { MODELS, type ModelId } from '@/utils/models';
import { DEFAULT_HISTORY_FILTER, type HistoryEntry, type HistoryFilter } from '@/utils/store/history';
import { freshDb } from '../unit/helpers';
import { jobRecord, until } from '../unit/jobs/fixtures';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** What the stubbed scroller shows at once: 8 rows. */
const VIEWPORT = 8 * ROW_HEIGHT;
const SUBJECTS = ['lighthouse', 'red fox', 'mountain lake', 'city street'];
const MODEL_IDS: ModelId[] = ['flux-dev', 'imagen-3', 'ideogram-v3'];

function entry(i: number, fields: Partial<HistoryEntry> = {}): HistoryEntry {
  return {
    jobId: `job-${i}`,
    createdAt: Date.now() - i * 10 * MINUTE,
    prompt: `${SUBJECTS[i % 4]} #${i}`,
    modelId: MODEL_IDS[i % 3]!,
    routeId: 'fal:fal-ai/flux/dev',
    provider: 'fal',
    state: 'done',
    resultIds: [`job-${i}:0`],
    starred: i % 7 === 0,
    referenceId: null,
    settings: { influence: null, aspectRatio: null, numImages: 1, seed: null },
    ...fields,
  };
}

const many = (n: number) => Array.from({ length: n }, (_, i) => entry(i));
const modelName = (id: string) => MODELS.find((m) => m.id === id)?.name ?? id;
const fmt = (n: number) => n.toLocaleString();

interface HarnessProps {
  entries: HistoryEntry[] | null;
  initial?: HistoryFilter;
  selectable?: boolean;
  complete?: boolean;
}

function setup(props: HarnessProps) {
  const onOpen = vi.fn();
  const onSelection = vi.fn();
  const renderThumb = vi.fn((id: string) => <img src={`blob:${id}`} alt="" />);
  function Harness({ entries, initial = DEFAULT_HISTORY_FILTER, selectable = false, complete }: HarnessProps) {
    const [filter, setFilter] = useState(initial);
    const [selection, setSelection] = useState<Set<string>>(() => new Set());
    return (
      <HistoryView
        entries={entries}
        complete={complete}
        filter={filter}
        onFilterChange={setFilter}
        renderThumb={renderThumb}
        modelName={modelName}
        onOpen={onOpen}
        toolbar={<button type="button">Export</button>}
        {...(selectable
          ? {
              selection,
              onSelectionChange: (ids: Set<string>) => {
                onSelection(ids);
                setSelection(ids);
              },
            }
          : {})}
      />
    );
  }
  const user = userEvent.setup();
  render(<Harness {...props} />);
  return { onOpen, onSelection, renderThumb, user };
}

const list = () => screen.getByRole('list', { name: 'Generations' });
const rows = () => within(list()).getAllByRole('listitem');
const status = () => screen.getByRole('status');
const prompts = () => rows().map((r) => r.querySelector('.history-prompt')!.textContent);

beforeEach(() => {
  // jsdom lays nothing out: give every element the scroller's height, so the virtualiser has a
  // window to fill.
  vi.spyOn(HTMLElement.prototype, 'clientHeight', 'get').mockReturnValue(VIEWPORT);
  vi.spyOn(HTMLElement.prototype, 'clientWidth', 'get').mockReturnValue(360);
});
afterEach(cleanup);

describe('HistoryView: a long history', () => {
  it('puts only a window of 5,000 rows in the document, newest first', () => {
    const { renderThumb } = setup({ entries: many(5000) });
    expect(status().textContent).toBe(`${fmt(5000)} generations`);
    const shown = rows();
    expect(shown.length).toBeGreaterThanOrEqual(8);
    expect(shown.length).toBeLessThanOrEqual(8 + 2 * OVERSCAN + 2);
    expect(shown[0]!.getAttribute('aria-posinset')).toBe('1');
    expect(shown[0]!.getAttribute('aria-setsize')).toBe('5000');
    expect(prompts()[0]).toBe('lighthouse #0');
    // Thumbnails are asked for only for the rows that exist.
    expect(renderThumb.mock.calls.length).toBeLessThan(60);
    expect(list().style.height).toBe(`${5000 * ROW_HEIGHT}px`);
  });

  it('renders later rows when scrolled, and lets the earlier ones go', () => {
    setup({ entries: many(5000) });
    const scroller = list().parentElement!;
    act(() => {
      scroller.scrollTop = 3000 * ROW_HEIGHT;
      fireEvent.scroll(scroller);
    });
    const shown = rows();
    expect(shown.length).toBeLessThan(60);
    const positions = shown.map((r) => Number(r.getAttribute('aria-posinset')));
    expect(positions).toContain(3001);
    expect(Math.min(...positions)).toBeGreaterThan(3000 - OVERSCAN - 1);
    expect(prompts()).toContain('mountain lake #3002');
    expect(prompts()).not.toContain('lighthouse #0');
    const row = shown.find((r) => r.getAttribute('aria-posinset') === '3001')!;
    expect(row.style.transform).toBe(`translateY(${3000 * ROW_HEIGHT}px)`);
  });

  it('goes back to the top when the filter changes', async () => {
    const { user } = setup({ entries: many(5000) });
    const scroller = list().parentElement!;
    act(() => {
      scroller.scrollTop = 1000 * ROW_HEIGHT;
      fireEvent.scroll(scroller);
    });
    await user.click(screen.getByRole('checkbox', { name: 'Starred first' }));
    expect(scroller.scrollTop).toBe(0);
  });
});

describe('HistoryView: search and filters', () => {
  it('narrows by every word of the search, in any case', async () => {
    const { user } = setup({ entries: many(400) });
    await user.type(screen.getByRole('searchbox', { name: 'Search prompts' }), 'FOX');
    expect(status().textContent).toBe('100 of 400 generations');
    expect(prompts().every((p) => p!.startsWith('red fox'))).toBe(true);
    await user.type(screen.getByRole('searchbox', { name: 'Search prompts' }), ' #13');
    expect(prompts()).toEqual(['red fox #13', 'red fox #133', 'red fox #137']);
    expect(status().textContent).toBe('3 of 400 generations');
  });

  it('keeps one model, picked by name from the ten', async () => {
    const { user } = setup({ entries: many(30) });
    const select = screen.getByRole('combobox', { name: 'Model' });
    const options = within(select).getAllByRole('option').map((o) => o.textContent);
    expect(options).toEqual(['All models', ...MODELS.map((m) => m.name)]);
    expect(options).toHaveLength(11);
    await user.selectOptions(select, 'Imagen 3');
    expect(status().textContent).toBe('10 of 30 generations');
    for (const row of rows()) expect(row.textContent).toContain('Imagen 3');
    await user.selectOptions(select, 'Seedream v3');
    expect(screen.getByText('Nothing matches')).toBeTruthy();
  });

  it('keeps starred generations only, and marks them', async () => {
    const { user } = setup({ entries: many(30) });
    await user.click(screen.getByRole('checkbox', { name: 'Starred only' }));
    expect(prompts()).toEqual(['lighthouse #0', 'city street #7', 'mountain lake #14', 'red fox #21', 'lighthouse #28']);
    for (const row of rows()) expect(within(row).getByRole('button').textContent).toContain('Starred');
  });

  it('keeps today, the last 7 days or the last 30 days', async () => {
    const now = Date.now();
    const entries = [
      entry(1, { prompt: 'just made', createdAt: now + MINUTE }),
      entry(2, { prompt: 'three days ago', createdAt: now - 3 * DAY }),
      entry(3, { prompt: 'twenty days ago', createdAt: now - 20 * DAY }),
      entry(4, { prompt: 'last year', createdAt: now - 400 * DAY }),
    ];
    const { user } = setup({ entries });
    const date = screen.getByRole('combobox', { name: 'Date' });
    expect(within(date).getAllByRole('option').map((o) => o.textContent)).toEqual(['Any time', 'Today', 'Last 7 days', 'Last 30 days']);
    await user.selectOptions(date, 'Today');
    expect(prompts()).toEqual(['just made']);
    await user.selectOptions(date, 'Last 7 days');
    expect(prompts()).toEqual(['just made', 'three days ago']);
    await user.selectOptions(date, 'Last 30 days');
    expect(prompts()).toEqual(['just made', 'three days ago', 'twenty days ago']);
    await user.selectOptions(date, 'Any time');
    expect(status().textContent).toBe('4 generations');
  });

  it('puts starred generations first, each group newest first', async () => {
    const { user } = setup({ entries: many(15) });
    await user.click(screen.getByRole('checkbox', { name: 'Starred first' }));
    expect(prompts().slice(0, 4)).toEqual(['lighthouse #0', 'city street #7', 'mountain lake #14', 'red fox #1']);
    expect(status().textContent).toBe('15 generations');
    await user.click(screen.getByRole('checkbox', { name: 'Starred first' }));
    expect(prompts().slice(0, 2)).toEqual(['lighthouse #0', 'red fox #1']);
  });

  it('says when nothing matches and clears the filters, keeping the order', async () => {
    const { user } = setup({ entries: many(20), initial: { ...DEFAULT_HISTORY_FILTER, starredFirst: true, starredOnly: true } });
    await user.type(screen.getByRole('searchbox', { name: 'Search prompts' }), 'submarine');
    expect(screen.queryByRole('list', { name: 'Generations' })).toBeNull();
    expect(screen.getByText('Nothing matches')).toBeTruthy();
    expect(status().textContent).toBe('0 of 20 generations');
    await user.click(screen.getByRole('button', { name: 'Clear filters' }));
    expect(screen.getByRole('searchbox', { name: 'Search prompts' })).toHaveValue('');
    expect(screen.getByRole('checkbox', { name: 'Starred only' })).not.toBeChecked();
    expect(screen.getByRole('checkbox', { name: 'Starred first' })).toBeChecked();
    expect(status().textContent).toBe('20 generations');
    expect(prompts()[1]).toBe('city street #7');
  });
});

describe('HistoryView: states', () => {
  it('says when there is nothing yet', () => {
    setup({ entries: [] });
    expect(screen.getByText('No generations yet')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Clear filters' })).toBeNull();
    expect(status().textContent).toBe('0 generations');
  });

  it('says it is loading, and shows the first page while the rest arrives', () => {
    setup({ entries: null });
    expect(status().textContent).toBe('Loading history…');
    expect(screen.queryByRole('list', { name: 'Generations' })).toBeNull();
    expect(screen.queryByText('No generations yet')).toBeNull();
    cleanup();
    setup({ entries: many(3), complete: false });
    expect(status().textContent).toBe('Loading history…');
    expect(rows()).toHaveLength(3);
  });

  it('counts one generation in the singular', () => {
    setup({ entries: many(1) });
    expect(status().textContent).toBe('1 generation');
  });

  it('shows the toolbar it is given', () => {
    setup({ entries: many(2) });
    expect(screen.getByRole('button', { name: 'Export' })).toBeTruthy();
  });
});

describe('HistoryView: rows', () => {
  it('opens a row with the image its thumbnail shows', async () => {
    const entries = [entry(0, { prompt: 'a red fox', resultIds: ['job-0:0', 'job-0:1'] }), entry(1, { prompt: 'a failed one', state: 'failed', resultIds: [] })];
    const { user, onOpen, renderThumb } = setup({ entries });
    const fox = screen.getByRole('button', { name: /^a red fox/ });
    expect(fox.textContent).toContain('Flux dev');
    expect(fox.textContent).toContain('Starred');
    expect(fox.querySelector('time')?.getAttribute('datetime')).toBe(new Date(entries[0]!.createdAt).toISOString());
    expect(renderThumb).toHaveBeenCalledWith('job-0:0');
    expect(renderThumb).not.toHaveBeenCalledWith('job-0:1');
    await user.click(fox);
    expect(onOpen).toHaveBeenCalledWith(entries[0], 'job-0:0');

    const failed = screen.getByRole('button', { name: /^a failed one/ });
    expect(failed.textContent).toContain('No image');
    expect(failed.textContent).toContain('Failed');
    expect(failed.textContent).not.toContain('Starred');
    await user.click(failed);
    expect(onOpen).toHaveBeenLastCalledWith(entries[1], undefined);
  });

  it('reaches the rows with Tab', async () => {
    const { user } = setup({ entries: many(3), selectable: true });
    screen.getByRole('checkbox', { name: 'Starred first' }).focus();
    await user.tab(); // select all
    await user.tab();
    expect(screen.getByRole('button', { name: 'Export' })).toHaveFocus();
    await user.tab();
    expect(screen.getByRole('checkbox', { name: 'Select “lighthouse #0”' })).toHaveFocus();
    await user.tab();
    expect(screen.getByRole('button', { name: /^lighthouse #0/ })).toHaveFocus();
    await user.tab();
    expect(screen.getByRole('checkbox', { name: 'Select “red fox #1”' })).toHaveFocus();
  });

  it('has no checkboxes unless selection is wanted', () => {
    setup({ entries: many(3) });
    expect(screen.queryByRole('checkbox', { name: /^Select/ })).toBeNull();
  });

  it('selects rows one by one and all shown at once', async () => {
    const { user, onSelection } = setup({ entries: many(12), selectable: true });
    await user.click(screen.getByRole('checkbox', { name: 'Select “red fox #1”' }));
    expect(onSelection).toHaveBeenLastCalledWith(new Set(['job-1']));
    expect(screen.getByRole('checkbox', { name: 'Select “red fox #1”' })).toBeChecked();
    const all = screen.getByRole('checkbox', { name: 'Select all shown' });
    expect(all).toHaveProperty('indeterminate', true);
    await user.click(screen.getByRole('checkbox', { name: 'Select “red fox #1”' }));
    expect(onSelection).toHaveBeenLastCalledWith(new Set());
    expect(all).toHaveProperty('indeterminate', false);

    // "All shown" follows the filter: only the foxes.
    await user.type(screen.getByRole('searchbox', { name: 'Search prompts' }), 'fox');
    await user.click(screen.getByRole('checkbox', { name: 'Select all shown' }));
    expect(onSelection).toHaveBeenLastCalledWith(new Set(['job-1', 'job-5', 'job-9']));
    expect(screen.getByRole('checkbox', { name: 'Select all shown' })).toBeChecked();
    await user.click(screen.getByRole('checkbox', { name: 'Select all shown' }));
    expect(onSelection).toHaveBeenLastCalledWith(new Set());
  });
});

describe('coalesce', () => {
  it('runs one at a time, and once more after a burst, shared by every call in it', async () => {
    let runs = 0;
    const gates: Array<() => void> = [];
    const task = coalesce(() => {
      runs++;
      return new Promise<void>((resolve) => gates.push(resolve));
    });
    const first = task();
    const burst = [task(), task(), task()];
    expect(runs).toBe(1);
    expect(new Set(burst).size).toBe(1);
    gates[0]!();
    await first;
    await until('the booked run to start', () => runs === 2);
    let burstDone = false;
    void burst[0]!.then(() => (burstDone = true));
    await Promise.resolve();
    expect(burstDone).toBe(false);
    gates[1]!();
    await Promise.all(burst);
    expect(runs).toBe(2);
    // Idle again: the next call runs at once.
    const later = task();
    expect(runs).toBe(3);
    gates[2]!();
    await later;
  });

  it('runs the booked read even when the running one failed', async () => {
    let runs = 0;
    const task = coalesce(async () => {
      runs++;
      if (runs === 1) throw new Error('blocked');
    });
    const first = task();
    const second = task();
    await expect(first).rejects.toThrow('blocked');
    await second;
    expect(runs).toBe(2);
  });
});

describe('useHistory', () => {
  it('shows the first page while the whole history is still being read', async () => {
    const database = freshDb();
    const d = await database();
    for (let i = 0; i < 5; i++) await d.put('jobs', jobRecord(`job-${i}`, { state: 'done' }, 1_000 + i));
    // The whole read waits until the test lets it through; the first page does not.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = new Proxy(d, {
      get(target, prop) {
        if (prop === 'getAllFromIndex') {
          return async (...args: unknown[]) => {
            await gate;
            return (target.getAllFromIndex as (...a: unknown[]) => unknown)(...args);
          };
        }
        const v = Reflect.get(target, prop, target) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const slowDb = () => Promise.resolve(slow);
    const { result } = renderHook(() => useHistory({ database: slowDb, firstPage: 2 }));
    expect(result.current.entries).toBeNull();
    expect(result.current.complete).toBe(false);
    await waitFor(() => expect(result.current.entries?.map((e) => e.jobId)).toEqual(['job-4', 'job-3']));
    expect(result.current.complete).toBe(false);
    release();
    await waitFor(() => expect(result.current.complete).toBe(true));
    expect(result.current.entries!.map((e) => e.jobId)).toEqual(['job-4', 'job-3', 'job-2', 'job-1', 'job-0']);
    expect(result.current.error).toBeNull();
  });

  it('asks for the whole history only after the first page has painted, or when frames never come', async () => {
    const database = freshDb();
    const d = await database();
    for (let i = 0; i < 3; i++) await d.put('jobs', jobRecord(`job-${i}`, { state: 'done' }, 1_000 + i));
    let wholeReads = 0;
    const counted = new Proxy(d, {
      get(target, prop) {
        if (prop === 'getAllFromIndex') wholeReads++;
        const v = Reflect.get(target, prop, target) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const countedDb = () => Promise.resolve(counted);
    // Frames come only when the test says so.
    const frames: FrameRequestCallback[] = [];
    vi.stubGlobal('requestAnimationFrame', (cb: FrameRequestCallback) => frames.push(cb));
    try {
      const { result, unmount } = renderHook(() => useHistory({ database: countedDb, firstPage: 2, paintWaitMs: 60_000 }));
      await waitFor(() => expect(result.current.entries).toHaveLength(2));
      expect(wholeReads).toBe(0);
      for (let n = 0; n < 2; n++) act(() => frames.splice(0).forEach((cb) => cb(performance.now())));
      await waitFor(() => expect(result.current.complete).toBe(true));
      expect(wholeReads).toBe(1);
      unmount();

      // A hidden panel draws no frames: the whole history still comes, after the wait.
      const hidden = renderHook(() => useHistory({ database: countedDb, firstPage: 2, paintWaitMs: 20 }));
      await waitFor(() => expect(hidden.result.current.complete).toBe(true));
      expect(hidden.result.current.entries).toHaveLength(3);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('reports a failed read', async () => {
    const broken = () => Promise.reject(new Error('The database could not be opened.'));
    const { result } = renderHook(() => useHistory({ database: broken }));
    await waitFor(() => expect(result.current.error).not.toBeNull());
    expect(result.current.entries).toBeNull();
  });

  it('reads again when a job or a result changes anywhere', async () => {
    const database = freshDb();
    const d = await database();
    await d.put('jobs', jobRecord('job-a', { state: 'done' }, 1_000));
    const { result } = renderHook(() => useHistory({ database }));
    await waitFor(() => expect(result.current.entries).toHaveLength(1));

    await d.put('jobs', jobRecord('job-b', { state: 'queued' }, 2_000));
    publish({ type: 'job.changed', jobId: 'job-b', state: 'queued' });
    await waitFor(() => expect(result.current.entries?.map((e) => e.jobId)).toEqual(['job-b', 'job-a']));

    await d.put('jobs', jobRecord('job-a', { state: 'done', starred: true }, 1_000));
    publish({ type: 'results.changed' });
    await waitFor(() => expect(result.current.entries?.[1]?.starred).toBe(true));
  });

  it('reloads on request', async () => {
    const database = freshDb();
    const { result } = renderHook(() => useHistory({ database }));
    await waitFor(() => expect(result.current.entries).toEqual([]));
    await (await database()).put('jobs', jobRecord('job-a', {}, 1_000));
    await act(() => result.current.reload());
    expect(result.current.entries?.map((e) => e.jobId)).toEqual(['job-a']);
  });
});
