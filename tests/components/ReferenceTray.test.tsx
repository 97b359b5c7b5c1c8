// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useState } from 'react';
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ReferenceTray, type ReferenceTrayProps } from '@/components/ReferenceTray';
import { getModel, type ReferenceSlots, type RouteSpec } from '@/utils/models';
import type { ReferenceUse } from '@/utils/store/types';

afterEach(cleanup);

const base = getModel('flux-dev').routes.find((r) => r.imageInput === 'native')!;
/** A native route with the given slots (the catalogue's own slots are the worker side's). */
const route = (references?: ReferenceSlots, extra: Partial<RouteSpec> = {}): RouteSpec => ({ ...base, references, ...extra });
const tray = (n: number): ReferenceUse[] => Array.from({ length: n }, (_, i) => ({ referenceId: `r${i + 1}` }));
const THUMBS = new Map(['r1', 'r2', 'r3', 'r4'].map((id) => [id, `blob:${id}`]));

function setup(props: Partial<ReferenceTrayProps> = {}) {
  const onChange = vi.fn();
  render(<ReferenceTray items={tray(2)} thumbs={THUMBS} route={route()} modelName="Test model" onChange={onChange} {...props} />);
  return { onChange, list: screen.getByRole('list', { name: 'Images in the image prompt' }) };
}

/** The tray with its own state, as the panel keeps it (through the draft). */
function Stateful({ start, ...rest }: { start: ReferenceUse[] } & Omit<ReferenceTrayProps, 'items' | 'onChange'>) {
  const [items, setItems] = useState(start);
  return <ReferenceTray items={items} onChange={setItems} {...rest} />;
}

const order = () => within(screen.getByRole('list', { name: 'Images in the image prompt' })).getAllByRole('img').map((img) => img.getAttribute('src'));

describe('ReferenceTray', () => {
  it('shows every image, the image prompt first', () => {
    const { list } = setup({ items: tray(3) });
    expect(within(list).getAllByRole('listitem')).toHaveLength(3);
    expect(within(list).getByRole('img', { name: 'Current image prompt' }).getAttribute('src')).toBe('blob:r1');
    expect(within(list).getByRole('img', { name: 'Reference 3' }).getAttribute('src')).toBe('blob:r3');
    expect(within(list).getAllByRole('listitem')[0]!.textContent).toContain('Image prompt');
  });

  it('removes one image and keeps the others in order', async () => {
    const { onChange, list } = setup({ items: tray(3) });
    await userEvent.click(within(list).getByRole('button', { name: 'Remove reference 2' }));
    expect(onChange).toHaveBeenCalledWith([{ referenceId: 'r1' }, { referenceId: 'r3' }]);
  });

  it('reorders by keyboard, keeps the focus on the moved image and announces it', async () => {
    render(<Stateful start={tray(3)} thumbs={THUMBS} route={route()} modelName="Test model" />);
    const earlier = screen.getByRole('button', { name: 'Move reference 3 earlier' });
    earlier.focus();
    await userEvent.keyboard('{Enter}');
    expect(order()).toEqual(['blob:r1', 'blob:r3', 'blob:r2']);
    expect(document.querySelector('[aria-live]')!.textContent).toBe('Reference moved to position 2 of 3.');
    // The same image's button keeps the focus, now under its new number.
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Move reference 2 earlier' }));
    await userEvent.keyboard('{Alt>}{ArrowLeft}{/Alt}');
    expect(order()).toEqual(['blob:r3', 'blob:r1', 'blob:r2']);
    expect(document.querySelector('[aria-live]')!.textContent).toBe('Reference moved to position 1 of 3: it is now the image prompt.');
    expect(screen.getByRole('img', { name: 'Current image prompt' }).getAttribute('src')).toBe('blob:r3');
    await userEvent.keyboard('{Alt>}{ArrowRight}{/Alt}');
    expect(order()).toEqual(['blob:r1', 'blob:r3', 'blob:r2']);
    // At the start, "earlier" does nothing and keeps its focus.
    screen.getByRole('button', { name: 'Move reference 1 earlier' }).click();
    expect(order()).toEqual(['blob:r1', 'blob:r3', 'blob:r2']);
  });

  it('reorders by dragging one image onto another', () => {
    const { onChange, list } = setup({ items: tray(3) });
    const [first, , third] = within(list).getAllByRole('listitem');
    const data = new Map<string, string>();
    const dataTransfer = { setData: (t: string, v: string) => data.set(t, v), getData: (t: string) => data.get(t) ?? '', get types() { return [...data.keys()]; } };
    fireEvent.dragStart(third!, { dataTransfer });
    fireEvent.dragOver(first!, { dataTransfer });
    fireEvent.drop(first!, { dataTransfer });
    expect(onChange).toHaveBeenCalledWith([{ referenceId: 'r3' }, { referenceId: 'r1' }, { referenceId: 'r2' }]);
  });

  it('offers roles only where the route tells them apart', async () => {
    setup({ route: route({ max: 4 }) });
    expect(screen.queryByRole('combobox')).toBeNull();
    cleanup();
    const { onChange } = setup({ route: route({ max: 4, roles: ['content', 'style'] }) });
    const role = screen.getByRole('combobox', { name: 'Role of reference 2' }) as HTMLSelectElement;
    expect(within(role).getAllByRole('option').map((o) => o.textContent)).toEqual(['Content', 'Style']);
    expect(role.value).toBe('content');
    await userEvent.selectOptions(role, 'Style');
    expect(onChange).toHaveBeenCalledWith([{ referenceId: 'r1' }, { referenceId: 'r2', role: 'style' }]);
  });

  it('offers a weight only where the route has one, starting at its default', () => {
    setup({ route: route({ max: 4, roles: ['content', 'style'] }) });
    expect(screen.queryByRole('slider')).toBeNull();
    cleanup();
    const { onChange } = setup({ route: route({ max: 4, weight: { min: 0, max: 2, default: 1 } }) });
    const weight = screen.getByRole('slider', { name: 'Weight of reference 1' }) as HTMLInputElement;
    expect(weight.value).toBe('0.5');
    expect(weight.getAttribute('aria-valuetext')).toBe('50%');
    fireEvent.change(weight, { target: { value: '0.8' } });
    expect(onChange).toHaveBeenCalledWith([{ referenceId: 'r1', weight: 0.8 }, { referenceId: 'r2' }]);
  });

  it('says which images the route uses and why the others are not used', () => {
    setup({ items: tray(3), route: route({ max: 2 }), modelName: 'Imagen 3' });
    expect(screen.getByText('Imagen 3 uses references 1, 2.')).toBeTruthy();
    expect(screen.getByText('Imagen 3 takes 2 images: reference 3 is not used.')).toBeTruthy();
    cleanup();
    setup({ items: tray(3), route: route(), modelName: 'Flux dev' });
    expect(screen.getByText('Flux dev takes 1 image: references 2, 3 are not used.')).toBeTruthy();
    cleanup();
    const items: ReferenceUse[] = [{ referenceId: 'r1' }, { referenceId: 'r2', role: 'character' }, { referenceId: 'r3', role: 'style' }, { referenceId: 'r4', role: 'character' }];
    setup({ items, route: route({ max: 4, roles: ['content', 'style', 'character'], singleRoles: ['character'] }), modelName: 'Ideogram' });
    expect(screen.getByText('Ideogram uses references 1 (Content), 2 (Character), 3 (Style).')).toBeTruthy();
    expect(screen.getByText('Only one character reference: reference 4 is not used.')).toBeTruthy();
    expect(screen.getAllByRole('listitem').filter((li) => li.classList.contains('unused'))).toHaveLength(1);
  });

  it('says the images are described in words on routes that cannot see them', () => {
    setup({ items: tray(4), route: route(undefined, { imageInput: 'described' }), modelName: 'Imagen 3' });
    expect(screen.getByText('Imagen 3 can’t see images: references 1, 2, 3 are described in words.')).toBeTruthy();
    expect(screen.getByText('Imagen 3 describes 3 images at most: reference 4 is not used.')).toBeTruthy();
  });

  it('says nothing about a single image the route simply takes, and has no reorder buttons then', () => {
    setup({ items: tray(1) });
    expect(screen.queryByRole('button', { name: /earlier|later/ })).toBeNull();
    expect(screen.getByRole('button', { name: 'Remove reference 1' })).toBeTruthy();
    expect(screen.queryByText(/uses|not used/)).toBeNull();
  });
});
