/** The promise of "available now". */
export const AVAILABLE: Promise<void> = Promise.resolve();

/**
 * The future behind a reader's `isAvailable()`: `waitForChange()` hands out one shared
 * promise until `notify()` resolves it (a chunk arrived, a split came, a timer fired).
 * Single-threaded: the reader calls both from its own event loop.
 */
export class AvailabilityNotifier {
  private waiting: PromiseWithResolvers<void> | undefined;

  /** A promise resolved at the next `notify()`. */
  waitForChange(): Promise<void> {
    this.waiting ??= Promise.withResolvers<void>();
    return this.waiting.promise;
  }

  notify(): void {
    const waiting = this.waiting;
    if (waiting === undefined) return;
    this.waiting = undefined;
    waiting.resolve();
  }
}
