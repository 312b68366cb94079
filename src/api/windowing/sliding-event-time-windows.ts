/**
 * Overlapping event-time windows of `size` ms that start every `slide` ms; as Flink's
 * `SlidingEventTimeWindows`. A record with timestamp t belongs to every window
 * `[start, start + size)` with `start ≡ offset (mod slide)` and `start <= t < start + size`,
 * i.e. to ceil(size / slide) windows (fewer near the edges when slide does not divide size).
 * Windows are aligned to the epoch plus `offset`.
 */
import { RivuletError } from '../../core/errors.ts';
import type { Duration } from '../../core/time.ts';
import { NO_TIMESTAMP } from '../../core/time.ts';
import type { Trigger, WindowAssigner } from '../../core/windowing.ts';
import { TimeWindow } from '../../core/windowing.ts';
import { EventTimeTrigger } from './event-time-trigger.ts';

export class SlidingEventTimeWindows implements WindowAssigner<unknown, TimeWindow> {
  /** Window length in ms (> 0). */
  readonly size: number;
  /** Distance between window starts in ms (> 0). */
  readonly slide: number;
  /** Shift of the window boundaries in ms, |offset| < slide. */
  readonly offset: number;
  // Windows handed out for the last slide, reused while records stay in it: the common
  // in-order case then allocates nothing per record. `all` holds the windows of the slide
  // starting at `lastStart`, latest start first; a record late in the slide belongs to a
  // prefix of them when slide does not divide size, and `last` caches that prefix.
  private lastStart = Number.NaN;
  private all: TimeWindow[] = [];
  private last: TimeWindow[] = [];

  private constructor(size: number, slide: number, offset: number) {
    this.size = size;
    this.slide = slide;
    this.offset = offset;
  }

  /**
   * @param size window length (> 0)
   * @param slide distance between window starts (> 0)
   * @param offset shift of the window boundaries, |offset| < slide
   * @throws RangeError when size or slide is <= 0 or |offset| >= slide.
   */
  static of(size: Duration, slide: Duration, offset?: Duration): SlidingEventTimeWindows {
    const s = size.toMillis();
    const sl = slide.toMillis();
    const o = offset?.toMillis() ?? 0;
    if (!(s > 0)) throw new RangeError('SlidingEventTimeWindows size must be > 0');
    if (!(sl > 0)) throw new RangeError('SlidingEventTimeWindows slide must be > 0');
    if (Math.abs(o) >= sl) throw new RangeError('SlidingEventTimeWindows offset must be smaller than the slide');
    return new SlidingEventTimeWindows(s, sl, o);
  }

  /** The windows holding `timestamp`, latest start first (as Flink's order). */
  assignWindows(_element: unknown, timestamp: number): readonly TimeWindow[] {
    if (timestamp === NO_TIMESTAMP) {
      throw new RivuletError(
        'INVALID_TIMESTAMP',
        'Record has no timestamp. Is the time characteristic right? Event-time windows need a WatermarkStrategy with a timestamp assigner on the source (fromSource(source, strategy, name)) or assignTimestampsAndWatermarks().',
      );
    }
    const lastStart = TimeWindow.getWindowStartWithOffset(timestamp, this.offset, this.slide);
    if (lastStart !== this.lastStart) {
      const all: TimeWindow[] = [];
      for (let start = lastStart; start > lastStart - this.size; start -= this.slide) {
        all.push(new TimeWindow(start, start + this.size));
      }
      this.lastStart = lastStart;
      this.all = all;
      this.last = all;
    }
    // Flink's loop `for (start = lastStart; start > timestamp - size; start -= slide)` yields
    // the starts lastStart - k * slide with k * slide < size - (timestamp - lastStart).
    const count = Math.ceil((this.size - (timestamp - lastStart)) / this.slide);
    if (count !== this.last.length) this.last = count === this.all.length ? this.all : this.all.slice(0, count);
    return this.last;
  }

  getDefaultTrigger(): Trigger<unknown, TimeWindow> {
    return EventTimeTrigger.create();
  }

  isEventTime(): boolean {
    return true;
  }

  toString(): string {
    return `SlidingEventTimeWindows(${this.size}, ${this.slide}, ${this.offset})`;
  }
}
