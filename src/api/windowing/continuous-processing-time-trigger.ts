/**
 * Fires every `interval` ms of processing time while the window is open; as Flink's
 * `ContinuousProcessingTimeTrigger`. The first record schedules a firing at the next
 * multiple of the interval (capped at the window's maxTimestamp); each firing schedules the
 * next. The next firing time is per-window trigger state ("fire-time").
 */
import type { Duration } from '../../core/time.ts';
import { ValueStateDescriptor } from '../../core/state.ts';
import type { OnMergeContext, Trigger, TriggerContext, Window } from '../../core/windowing.ts';
import { TriggerResult } from '../../core/windowing.ts';

const min = (a: number, b: number): number => Math.min(a, b);

export class ContinuousProcessingTimeTrigger implements Trigger<unknown, Window> {
  /** Interval between firings in ms (> 0). */
  readonly interval: number;
  private readonly fireTime = new ValueStateDescriptor<number>('fire-time');

  private constructor(interval: number) {
    this.interval = interval;
  }

  /** @throws RangeError when interval <= 0. */
  static of(interval: Duration): ContinuousProcessingTimeTrigger {
    const i = interval.toMillis();
    if (!(i > 0)) throw new RangeError('ContinuousProcessingTimeTrigger interval must be > 0');
    return new ContinuousProcessingTimeTrigger(i);
  }

  onElement(_element: unknown, _timestamp: number, window: Window, ctx: TriggerContext): TriggerResult {
    const now = ctx.getCurrentProcessingTime();
    if (ctx.getPartitionedState(this.fireTime).value() === undefined) this.registerNextFireTime(now - (now % this.interval), window, ctx);
    return TriggerResult.CONTINUE;
  }

  onEventTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }

  onProcessingTime(time: number, window: Window, ctx: TriggerContext): TriggerResult {
    const fireTime = ctx.getPartitionedState(this.fireTime);
    if (fireTime.value() === time) {
      fireTime.clear();
      this.registerNextFireTime(time, window, ctx);
      return TriggerResult.FIRE;
    }
    return TriggerResult.CONTINUE;
  }

  canMerge(): boolean {
    return true;
  }

  onMerge(_window: Window, ctx: OnMergeContext): void {
    ctx.mergePartitionedState(this.fireTime, min);
    const next = ctx.getPartitionedState(this.fireTime).value();
    if (next !== undefined) ctx.registerProcessingTimeTimer(next);
  }

  clear(_window: Window, ctx: TriggerContext): void {
    const fireTime = ctx.getPartitionedState(this.fireTime);
    const t = fireTime.value();
    if (t !== undefined) {
      ctx.deleteProcessingTimeTimer(t);
      fireTime.clear();
    }
  }

  toString(): string {
    return `ContinuousProcessingTimeTrigger(${this.interval})`;
  }

  private registerNextFireTime(time: number, window: Window, ctx: TriggerContext): void {
    const next = Math.min(time + this.interval, window.maxTimestamp());
    const fireTime = ctx.getPartitionedState(this.fireTime);
    const current = fireTime.value();
    fireTime.update(current === undefined ? next : Math.min(current, next));
    ctx.registerProcessingTimeTimer(next);
  }
}
