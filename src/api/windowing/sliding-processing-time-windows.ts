/**
 * Overlapping windows of processing time, `size` ms long, starting every `slide` ms; as
 * Flink's `SlidingProcessingTimeWindows`. A record goes to every window
 * `[start, start + size)` (start ≡ offset mod slide) that holds the operator's current
 * processing time when it arrives: ceil(size / slide) windows, latest start first.
 */
import type { Duration } from '../../core/time.ts';
import type { Trigger, WindowAssigner, WindowAssignerContext } from '../../core/windowing.ts';
import { TimeWindow } from '../../core/windowing.ts';
import { ProcessingTimeTrigger } from './processing-time-trigger.ts';

export class SlidingProcessingTimeWindows implements WindowAssigner<unknown, TimeWindow> {
  /** Window length in ms (> 0). */
  readonly size: number;
  /** Distance between window starts in ms (> 0). */
  readonly slide: number;
  /** Shift of the window boundaries in ms, |offset| < slide. */
  readonly offset: number;
  // The windows handed out last and the processing time span they are valid for.
  private last: TimeWindow[] = [];
  private validFrom = Number.NaN;
  private validTo = Number.NaN;

  private constructor(size: number, slide: number, offset: number) {
    this.size = size;
    this.slide = slide;
    this.offset = offset;
  }

  /**
   * @param size window length (> 0)
   * @param slide distance between window starts (> 0)
   * @param offset shift of the window boundaries, |offset| < slide
   * @throws RangeError when size or slide <= 0 or |offset| >= slide.
   */
  static of(size: Duration, slide: Duration, offset?: Duration): SlidingProcessingTimeWindows {
    const s = size.toMillis();
    const sl = slide.toMillis();
    const o = offset?.toMillis() ?? 0;
    if (!(s > 0)) throw new RangeError('SlidingProcessingTimeWindows size must be > 0');
    if (!(sl > 0)) throw new RangeError('SlidingProcessingTimeWindows slide must be > 0');
    if (Math.abs(o) >= sl) throw new RangeError('SlidingProcessingTimeWindows offset must be smaller than the slide');
    return new SlidingProcessingTimeWindows(s, sl, o);
  }

  assignWindows(_element: unknown, _timestamp: number, context: WindowAssignerContext): readonly TimeWindow[] {
    const now = context.getCurrentProcessingTime();
    if (now >= this.validFrom && now < this.validTo) return this.last;
    const lastStart = TimeWindow.getWindowStartWithOffset(now, this.offset, this.slide);
    const windows: TimeWindow[] = [];
    for (let start = lastStart; start > now - this.size; start -= this.slide) windows.push(new TimeWindow(start, start + this.size));
    // The same windows hold every time in [lastStart, min(lastStart + slide, end of the earliest window)).
    this.last = windows;
    this.validFrom = lastStart;
    this.validTo = Math.min(lastStart + this.slide, windows[windows.length - 1]!.end);
    return windows;
  }

  getDefaultTrigger(): Trigger<unknown, TimeWindow> {
    return ProcessingTimeTrigger.create();
  }

  isEventTime(): boolean {
    return false;
  }

  toString(): string {
    return `SlidingProcessingTimeWindows(${this.size}, ${this.slide}, ${this.offset})`;
  }
}
