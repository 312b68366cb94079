/**
 * Evicts the records whose delta to the last record of the window is >= `threshold`; as
 * Flink's `DeltaEvictor`. Evicts before the window function unless `doEvictAfter`.
 */
import type { EvictableElements, Evictor, TimestampedValue, Window } from '../../core/windowing.ts';

/** The distance between two records; as Flink's `DeltaFunction.getDelta(oldDataPoint, newDataPoint)`. */
export type DeltaFunction<T> = (oldDataPoint: T, newDataPoint: T) => number;

export class DeltaEvictor<T> implements Evictor<T, Window> {
  readonly threshold: number;
  readonly doEvictAfter: boolean;
  private readonly deltaFunction: DeltaFunction<T>;

  private constructor(threshold: number, deltaFunction: DeltaFunction<T>, doEvictAfter: boolean) {
    this.threshold = threshold;
    this.deltaFunction = deltaFunction;
    this.doEvictAfter = doEvictAfter;
  }

  /**
   * @param threshold records with delta >= threshold to the last record are evicted
   * @param deltaFunction `(record, lastRecord) => delta`
   * @param doEvictAfter evict after the window function instead of before (default false)
   */
  static of<T>(threshold: number, deltaFunction: DeltaFunction<T>, doEvictAfter = false): DeltaEvictor<T> {
    return new DeltaEvictor(threshold, deltaFunction, doEvictAfter);
  }

  evictBefore(elements: EvictableElements<T>): void {
    if (!this.doEvictAfter) this.evict(elements);
  }

  evictAfter(elements: EvictableElements<T>): void {
    if (this.doEvictAfter) this.evict(elements);
  }

  private evict(elements: EvictableElements<T>): void {
    let last: TimestampedValue<T> | undefined;
    for (const e of elements) last = e;
    if (last === undefined) return;
    for (const e of elements) if (this.deltaFunction(e.value, last.value) >= this.threshold) elements.remove(e);
  }

  toString(): string {
    return `DeltaEvictor(${this.threshold})`;
  }
}
