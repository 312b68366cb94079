/**
 * Fires every `interval` ms of event time while the window is open, and at its end; as
 * Flink's `ContinuousEventTimeTrigger`. The next early firing time is per-window trigger
 * state ("fire-time"): the first record schedules the firing at the next multiple of the
 * interval (capped at the window's maxTimestamp), each early firing schedules the next one.
 * A window the watermark already passed fires at once (allowed lateness).
 */
import type { Duration } from '../../core/time.ts';
import { ValueStateDescriptor } from '../../core/state.ts';
import type { OnMergeContext, Trigger, TriggerContext, Window } from '../../core/windowing.ts';
import { TriggerResult } from '../../core/windowing.ts';

const min = (a: number, b: number): number => Math.min(a, b);

export class ContinuousEventTimeTrigger implements Trigger<unknown, Window> {
  /** Interval between early firings in ms (> 0). */
  readonly interval: number;
  private readonly fireTime = new ValueStateDescriptor<number>('fire-time');

  private constructor(interval: number) {
    this.interval = interval;
  }

  /** @throws RangeError when interval <= 0. */
  static of(interval: Duration): ContinuousEventTimeTrigger {
    const i = interval.toMillis();
    if (!(i > 0)) throw new RangeError('ContinuousEventTimeTrigger interval must be > 0');
    return new ContinuousEventTimeTrigger(i);
  }

  onElement(_element: unknown, timestamp: number, window: Window, ctx: TriggerContext): TriggerResult {
    if (window.maxTimestamp() <= ctx.getCurrentWatermark()) return TriggerResult.FIRE;
    ctx.registerEventTimeTimer(window.maxTimestamp());
    const fireTime = ctx.getPartitionedState(this.fireTime);
    if (fireTime.value() === undefined) this.registerNextFireTime(timestamp - (timestamp % this.interval), window, ctx);
    return TriggerResult.CONTINUE;
  }

  onEventTime(time: number, window: Window, ctx: TriggerContext): TriggerResult {
    if (time === window.maxTimestamp()) return TriggerResult.FIRE;
    const fireTime = ctx.getPartitionedState(this.fireTime);
    if (fireTime.value() === time) {
      fireTime.clear();
      this.registerNextFireTime(time, window, ctx);
      return TriggerResult.FIRE;
    }
    return TriggerResult.CONTINUE;
  }

  onProcessingTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }

  canMerge(): boolean {
    return true;
  }

  onMerge(_window: Window, ctx: OnMergeContext): void {
    ctx.mergePartitionedState(this.fireTime, min);
    const next = ctx.getPartitionedState(this.fireTime).value();
    if (next !== undefined) ctx.registerEventTimeTimer(next);
  }

  clear(_window: Window, ctx: TriggerContext): void {
    const fireTime = ctx.getPartitionedState(this.fireTime);
    const t = fireTime.value();
    if (t !== undefined) {
      ctx.deleteEventTimeTimer(t);
      fireTime.clear();
    }
  }

  toString(): string {
    return `ContinuousEventTimeTrigger(${this.interval})`;
  }

  private registerNextFireTime(time: number, window: Window, ctx: TriggerContext): void {
    const next = Math.min(time + this.interval, window.maxTimestamp());
    const fireTime = ctx.getPartitionedState(this.fireTime);
    const current = fireTime.value();
    fireTime.update(current === undefined ? next : Math.min(current, next));
    ctx.registerEventTimeTimer(next);
  }
}
