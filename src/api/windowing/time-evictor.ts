/**
 * Keeps the records of the last `windowSize` ms of a window: evicts every record whose
 * timestamp is <= (largest timestamp in the window - windowSize); as Flink's `TimeEvictor`.
 * Records without timestamps are left alone. Evicts before the window function unless
 * `doEvictAfter`.
 */
import type { Duration } from '../../core/time.ts';
import type { EvictableElements, Evictor, Window } from '../../core/windowing.ts';

export class TimeEvictor implements Evictor<unknown, Window> {
  /** The span to keep, in ms (>= 0). */
  readonly windowSize: number;
  readonly doEvictAfter: boolean;

  private constructor(windowSize: number, doEvictAfter: boolean) {
    this.windowSize = windowSize;
    this.doEvictAfter = doEvictAfter;
  }

  /**
   * @param windowSize span to keep (>= 0)
   * @param doEvictAfter evict after the window function instead of before (default false)
   * @throws RangeError for a negative windowSize.
   */
  static of(windowSize: Duration, doEvictAfter = false): TimeEvictor {
    const s = windowSize.toMillis();
    if (s < 0) throw new RangeError('TimeEvictor window size must be >= 0');
    return new TimeEvictor(s, doEvictAfter);
  }

  evictBefore(elements: EvictableElements<unknown>): void {
    if (!this.doEvictAfter) this.evict(elements);
  }

  evictAfter(elements: EvictableElements<unknown>): void {
    if (this.doEvictAfter) this.evict(elements);
  }

  private evict(elements: EvictableElements<unknown>): void {
    // As Flink: only if the first record has a timestamp.
    const first = elements[Symbol.iterator]().next();
    if (first.done === true || !first.value.hasTimestamp()) return;
    let max = Number.NEGATIVE_INFINITY;
    for (const e of elements) if (e.timestamp > max) max = e.timestamp;
    const cutoff = max - this.windowSize;
    for (const e of elements) if (e.timestamp <= cutoff) elements.remove(e);
  }

  toString(): string {
    return `TimeEvictor(${this.windowSize})`;
  }
}
