// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render, screen } from '@testing-library/react';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { formatBytes, StorageUsage } from '@/components/StorageUsage';

afterEach(cleanup);

describe('StorageUsage', () => {
  it('says how much room saved images take, in plain words', () => {
    render(<StorageUsage usage={12_345_678} quota={10_000_000_000} />);
    const region = screen.getByRole('region', { name: 'Storage' });
    expect(region.textContent).toContain('Saved images and history use 12 MB of 10 GB available.');
    expect(region.textContent).not.toContain('Almost full');
    expect(screen.getByRole('meter', { name: 'Storage used' }).getAttribute('value')).toBe(String(12_345_678 / 10_000_000_000));
  });

  it('warns when almost full', () => {
    render(<StorageUsage usage={950} quota={1000} />);
    const text = screen.getByRole('region', { name: 'Storage' }).textContent ?? '';
    expect(text).toContain('Almost full: older images that are not starred will be removed to make room.');
  });

  it('shows nothing until the browser has answered', () => {
    const { container } = render(<StorageUsage usage={null} quota={null} />);
    expect(container.textContent).toBe('');
  });

  it('formats sizes the way people read them', () => {
    expect(formatBytes(0)).toBe('0 bytes');
    expect(formatBytes(1)).toBe('1 byte');
    expect(formatBytes(1500)).toBe('1.5 KB');
    expect(formatBytes(250_000_000)).toBe('250 MB');
    expect(formatBytes(2_000_000_000_000)).toBe('2.0 TB');
  });

  it('writes the number the way the browser\u2019s language does', () => {
    fakeBrowser.i18n.getUILanguage = () => 'de';
    expect(formatBytes(1500)).toBe('1,5 KB');
    expect(formatBytes(1_234_000_000_000_000)).toBe('1.234 TB');
  });
});
