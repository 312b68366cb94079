/**
 * Turns every FIRE of the wrapped trigger into FIRE_AND_PURGE, so each firing sees only the
 * records since the previous one; as Flink's `PurgingTrigger`.
 */
import type { OnMergeContext, Trigger, TriggerContext, Window } from '../../core/windowing.ts';
import { TriggerResult, isFire, triggerCanMerge } from '../../core/windowing.ts';

export class PurgingTrigger<T, W extends Window> implements Trigger<T, W> {
  readonly nestedTrigger: Trigger<T, W>;

  private constructor(nested: Trigger<T, W>) {
    this.nestedTrigger = nested;
  }

  static of<T, W extends Window>(nestedTrigger: Trigger<T, W>): PurgingTrigger<T, W> {
    return new PurgingTrigger(nestedTrigger);
  }

  onElement(element: T, timestamp: number, window: W, ctx: TriggerContext): TriggerResult {
    return purging(this.nestedTrigger.onElement(element, timestamp, window, ctx));
  }

  onEventTime(time: number, window: W, ctx: TriggerContext): TriggerResult {
    return purging(this.nestedTrigger.onEventTime(time, window, ctx));
  }

  onProcessingTime(time: number, window: W, ctx: TriggerContext): TriggerResult {
    return purging(this.nestedTrigger.onProcessingTime(time, window, ctx));
  }

  canMerge(): boolean {
    return triggerCanMerge(this.nestedTrigger);
  }

  onMerge(window: W, ctx: OnMergeContext): void {
    this.nestedTrigger.onMerge?.(window, ctx);
  }

  clear(window: W, ctx: TriggerContext): void {
    this.nestedTrigger.clear(window, ctx);
  }

  toString(): string {
    return `PurgingTrigger(${String(this.nestedTrigger)})`;
  }
}

function purging(r: TriggerResult): TriggerResult {
  return isFire(r) ? TriggerResult.FIRE_AND_PURGE : r;
}
