import { AppError } from '../errors';

/**
 * At most N jobs per provider in flight at once; the rest wait their turn in order. A slot is
 * given back only by release(): the engine makes sure every job ends (each step races the job's
 * deadline), so no slot is held forever.
 */
export class ProviderSlots {
  private readonly active = new Map<string, number>();
  private readonly waiting = new Map<string, Array<() => void>>();
  constructor(private readonly limit: number) {}

  async acquire(provider: string, signal: AbortSignal): Promise<void> {
    if (signal.aborted) throw new AppError('canceled', 'Canceled.');
    const n = this.active.get(provider) ?? 0;
    if (n < this.limit) {
      this.active.set(provider, n + 1);
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const queue = this.waiting.get(provider) ?? [];
      const onAbort = () => {
        const q = this.waiting.get(provider);
        const i = q?.indexOf(entry) ?? -1;
        if (q && i >= 0) q.splice(i, 1);
        reject(new AppError('canceled', 'Canceled.'));
      };
      const entry = () => {
        // The slot is ours now: a later abort must not take our place in a queue we left.
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      queue.push(entry);
      this.waiting.set(provider, queue);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  release(provider: string): void {
    const next = this.waiting.get(provider)?.shift();
    if (next) next(); // hand the slot straight over
    else this.active.set(provider, Math.max(0, (this.active.get(provider) ?? 1) - 1));
  }

  /** Jobs holding a slot for this provider (for tests and diagnostics). */
  inUse(provider: string): number {
    return this.active.get(provider) ?? 0;
  }
}
