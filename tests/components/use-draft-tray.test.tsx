// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, renderHook, waitFor } from '@testing-library/react';
import { IDBFactory } from 'fake-indexeddb';
import { useDraft, useReferences } from '../../entrypoints/sidepanel/hooks';
import { addReference, setTray } from '../../utils/store/drafts';
import { saveReference } from '../../utils/store/references';
import { trayOf } from '../../utils/reference-plan';

// The panel's own database (the default one): a fresh factory before the first open.
globalThis.indexedDB = new IDBFactory();

afterEach(cleanup);

const image = (name: string) => {
  const blob = new Blob([name], { type: 'image/png' });
  return saveReference({ blob, mime: 'image/png', width: 1, height: 1, thumb: blob, sha256: name }, { kind: 'file' });
};

describe('useDraft with useReferences: the tray renders complete', () => {
  it('gives the tray\u2019s records in the same render as the draft that names them', async () => {
    const [a, b, c] = [await image('a'), await image('b'), await image('c')];
    await setTray([{ referenceId: a.id }, { referenceId: b.id }]);
    const renders: Array<{ tray: number; records: number }> = [];
    renderHook(() => {
      const [draft] = useDraft();
      const ids = trayOf(draft).map((r) => r.referenceId);
      const records = useReferences(ids);
      renders.push({ tray: ids.length, records: ids.filter((id) => records.has(id)).length });
    });
    await waitFor(() => expect(renders.at(-1)).toEqual({ tray: 2, records: 2 }));

    // Another window (or the worker) adds a reference: the draft.changed event brings it.
    await addReference(c.id);
    await waitFor(() => expect(renders.at(-1)).toEqual({ tray: 3, records: 3 }), { timeout: 5000 });
    // Never a render with a tray whose records were still missing.
    expect(renders.filter((r) => r.records < r.tray)).toEqual([]);
  });
});
