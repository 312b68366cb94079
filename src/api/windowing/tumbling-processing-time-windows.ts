/**
 * Fixed-size, non-overlapping windows of processing time; as Flink's
 * `TumblingProcessingTimeWindows`. A record goes to the window `[start, start + size)` that
 * holds the operator's current processing time when it arrives; windows are aligned to the
 * epoch plus `offset`. The default trigger (ProcessingTimeTrigger) fires a window when
 * processing time reaches its maxTimestamp; its state is dropped then (no lateness in
 * processing time).
 */
import type { Duration } from '../../core/time.ts';
import type { Trigger, WindowAssigner, WindowAssignerContext } from '../../core/windowing.ts';
import { TimeWindow } from '../../core/windowing.ts';
import { ProcessingTimeTrigger } from './processing-time-trigger.ts';

export class TumblingProcessingTimeWindows implements WindowAssigner<unknown, TimeWindow> {
  /** Window length in ms (> 0). */
  readonly size: number;
  /** Shift of the window boundaries in ms, |offset| < size. */
  readonly offset: number;
  // The window handed out last, reused while processing time stays in it.
  private last: TimeWindow[] = [];

  private constructor(size: number, offset: number) {
    this.size = size;
    this.offset = offset;
  }

  /**
   * @param size window length (> 0)
   * @param offset shift of the window boundaries (e.g. a time zone), |offset| < size
   * @throws RangeError when size <= 0 or |offset| >= size.
   */
  static of(size: Duration, offset?: Duration): TumblingProcessingTimeWindows {
    const s = size.toMillis();
    const o = offset?.toMillis() ?? 0;
    if (!(s > 0)) throw new RangeError('TumblingProcessingTimeWindows size must be > 0');
    if (Math.abs(o) >= s) throw new RangeError('TumblingProcessingTimeWindows offset must be smaller than the size');
    return new TumblingProcessingTimeWindows(s, o);
  }

  assignWindows(_element: unknown, _timestamp: number, context: WindowAssignerContext): readonly TimeWindow[] {
    const now = context.getCurrentProcessingTime();
    const cached = this.last[0];
    if (cached !== undefined && now >= cached.start && now < cached.end) return this.last;
    const start = TimeWindow.getWindowStartWithOffset(now, this.offset, this.size);
    this.last = [new TimeWindow(start, start + this.size)];
    return this.last;
  }

  getDefaultTrigger(): Trigger<unknown, TimeWindow> {
    return ProcessingTimeTrigger.create();
  }

  isEventTime(): boolean {
    return false;
  }

  toString(): string {
    return `TumblingProcessingTimeWindows(${this.size}, ${this.offset})`;
  }
}
