import { AppError } from '../errors';

/** At most N jobs per provider in flight at once; the rest wait their turn in order. */
export class ProviderSlots {
  private readonly active = new Map<string, number>();
  private readonly waiting = new Map<string, Array<() => void>>();
  constructor(private readonly limit: number) {}

  async acquire(provider: string, signal: AbortSignal): Promise<void> {
    const n = this.active.get(provider) ?? 0;
    if (n < this.limit) {
      this.active.set(provider, n + 1);
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const queue = this.waiting.get(provider) ?? [];
      const entry = () => resolve();
      queue.push(entry);
      this.waiting.set(provider, queue);
      signal.addEventListener('abort', () => {
        const q = this.waiting.get(provider);
        const i = q?.indexOf(entry) ?? -1;
        if (q && i >= 0) q.splice(i, 1);
        reject(new AppError('canceled', 'Canceled.'));
      });
    });
  }

  release(provider: string): void {
    const next = this.waiting.get(provider)?.shift();
    if (next) next(); // hand the slot straight over
    else this.active.set(provider, Math.max(0, (this.active.get(provider) ?? 1) - 1));
  }
}
