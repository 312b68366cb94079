/**
 * Keeps at most `maxCount` records in a window, evicting the oldest (first added); as
 * Flink's `CountEvictor`. Evicts before the window function unless `doEvictAfter`.
 */
import type { EvictableElements, Evictor, Window } from '../../core/windowing.ts';

export class CountEvictor implements Evictor<unknown, Window> {
  readonly maxCount: number;
  readonly doEvictAfter: boolean;

  private constructor(maxCount: number, doEvictAfter: boolean) {
    this.maxCount = maxCount;
    this.doEvictAfter = doEvictAfter;
  }

  /**
   * @param maxCount records to keep (>= 0)
   * @param doEvictAfter evict after the window function instead of before (default false)
   * @throws RangeError when maxCount is not a non-negative integer.
   */
  static of(maxCount: number, doEvictAfter = false): CountEvictor {
    if (!Number.isInteger(maxCount) || maxCount < 0) throw new RangeError(`CountEvictor count must be an integer >= 0, got ${maxCount}`);
    return new CountEvictor(maxCount, doEvictAfter);
  }

  evictBefore(elements: EvictableElements<unknown>, size: number): void {
    if (!this.doEvictAfter) this.evict(elements, size);
  }

  evictAfter(elements: EvictableElements<unknown>, size: number): void {
    if (this.doEvictAfter) this.evict(elements, size);
  }

  private evict(elements: EvictableElements<unknown>, size: number): void {
    let toEvict = size - this.maxCount;
    if (toEvict <= 0) return;
    for (const e of elements) {
      if (toEvict-- <= 0) break;
      elements.remove(e);
    }
  }

  toString(): string {
    return `CountEvictor(${this.maxCount})`;
  }
}
