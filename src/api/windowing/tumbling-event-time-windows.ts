/**
 * Fixed-size, non-overlapping event-time windows; as Flink's `TumblingEventTimeWindows`.
 * A record with timestamp t goes to `[start, start + size)` where
 * `start = t - ((t - offset) mod size)`; windows are aligned to the epoch plus `offset`
 * (use an offset to align e.g. daily windows to a time zone).
 */
import { RivuletError } from '../../core/errors.ts';
import type { Duration } from '../../core/time.ts';
import { NO_TIMESTAMP } from '../../core/time.ts';
import type { Trigger, WindowAssigner } from '../../core/windowing.ts';
import { TimeWindow } from '../../core/windowing.ts';
import { EventTimeTrigger } from './event-time-trigger.ts';

export class TumblingEventTimeWindows implements WindowAssigner<unknown, TimeWindow> {
  /** Window length in ms (> 0). */
  readonly size: number;
  /** Shift of the window boundaries in ms, |offset| < size. */
  readonly offset: number;
  // The last window handed out, reused while records stay in it: the common in-order case
  // then allocates nothing per record.
  private last: TimeWindow[] = [];

  private constructor(size: number, offset: number) {
    this.size = size;
    this.offset = offset;
  }

  /**
   * @param size window length (> 0)
   * @param offset shift of the window boundaries, |offset| < size
   * @throws RangeError when size is 0 or |offset| >= size.
   */
  static of(size: Duration, offset?: Duration): TumblingEventTimeWindows {
    const s = size.toMillis();
    const o = offset?.toMillis() ?? 0;
    if (s <= 0) throw new RangeError('TumblingEventTimeWindows size must be > 0');
    if (Math.abs(o) >= s) throw new RangeError('TumblingEventTimeWindows offset must be smaller than the size');
    return new TumblingEventTimeWindows(s, o);
  }

  assignWindows(_element: unknown, timestamp: number): readonly TimeWindow[] {
    if (timestamp === NO_TIMESTAMP) {
      throw new RivuletError(
        'INVALID_TIMESTAMP',
        'Record has no timestamp. Is the time characteristic right? Event-time windows need a WatermarkStrategy with a timestamp assigner on the source (fromSource(source, strategy, name)) or assignTimestampsAndWatermarks().',
      );
    }
    const cached = this.last[0];
    if (cached !== undefined && timestamp >= cached.start && timestamp < cached.end) return this.last;
    const start = TimeWindow.getWindowStartWithOffset(timestamp, this.offset, this.size);
    this.last = [new TimeWindow(start, start + this.size)];
    return this.last;
  }

  getDefaultTrigger(): Trigger<unknown, TimeWindow> {
    return EventTimeTrigger.create();
  }

  isEventTime(): boolean {
    return true;
  }

  toString(): string {
    return `TumblingEventTimeWindows(${this.size}, ${this.offset})`;
  }
}
