/**
 * Fires every `maxCount` records of a window; as Flink's `CountTrigger`. The count is
 * per-window trigger state ("count"), so it survives failures with the window (issue #4)
 * and adds up when session windows merge. Without PurgingTrigger the window keeps its
 * contents, so each firing sees everything so far.
 */
import { ValueStateDescriptor } from '../../core/state.ts';
import type { OnMergeContext, Trigger, TriggerContext, Window } from '../../core/windowing.ts';
import { TriggerResult } from '../../core/windowing.ts';

const add = (a: number, b: number): number => a + b;

export class CountTrigger implements Trigger<unknown, Window> {
  /** Records per firing (>= 1). */
  readonly maxCount: number;
  private readonly countState = new ValueStateDescriptor<number>('count', 0);

  private constructor(maxCount: number) {
    this.maxCount = maxCount;
  }

  /** @throws RangeError when maxCount is not a positive integer. */
  static of(maxCount: number): CountTrigger {
    if (!Number.isInteger(maxCount) || maxCount < 1) throw new RangeError(`CountTrigger count must be an integer >= 1, got ${maxCount}`);
    return new CountTrigger(maxCount);
  }

  onElement(_element: unknown, _timestamp: number, _window: Window, ctx: TriggerContext): TriggerResult {
    const count = ctx.getPartitionedState(this.countState);
    const n = (count.value() ?? 0) + 1;
    if (n >= this.maxCount) {
      count.clear();
      return TriggerResult.FIRE;
    }
    count.update(n);
    return TriggerResult.CONTINUE;
  }

  onEventTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }

  onProcessingTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }

  canMerge(): boolean {
    return true;
  }

  onMerge(_window: Window, ctx: OnMergeContext): void {
    ctx.mergePartitionedState(this.countState, add);
  }

  clear(_window: Window, ctx: TriggerContext): void {
    ctx.getPartitionedState(this.countState).clear();
  }

  toString(): string {
    return `CountTrigger(${this.maxCount})`;
  }
}
