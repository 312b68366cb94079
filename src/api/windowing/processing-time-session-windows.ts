/**
 * Session windows in processing time; as Flink's `ProcessingTimeSessionWindows` and
 * `DynamicProcessingTimeSessionWindows`. A record arriving at processing time p opens the
 * window `[p, p + gap)`; overlapping windows of a key merge into one session, which the
 * default trigger (ProcessingTimeTrigger) fires once processing time passes its end.
 */
import type { Duration } from '../../core/time.ts';
import type { MergeCallback, MergingWindowAssigner, Trigger, WindowAssignerContext } from '../../core/windowing.ts';
import { TimeWindow } from '../../core/windowing.ts';
import type { SessionWindowTimeGapExtractor } from './event-time-session-windows.ts';
import { checkDynamicGap } from './event-time-session-windows.ts';
import { ProcessingTimeTrigger } from './processing-time-trigger.ts';

export class ProcessingTimeSessionWindows implements MergingWindowAssigner<unknown, TimeWindow> {
  /** The session gap in ms (> 0). */
  readonly gap: number;

  private constructor(gap: number) {
    this.gap = gap;
  }

  /**
   * Sessions that end after `gap` of processing time without records.
   * @throws RangeError when gap <= 0.
   */
  static withGap(gap: Duration): ProcessingTimeSessionWindows {
    const g = gap.toMillis();
    if (!(g > 0)) throw new RangeError('ProcessingTimeSessionWindows gap must be > 0');
    return new ProcessingTimeSessionWindows(g);
  }

  /** Sessions whose gap each record sets (ms). */
  static withDynamicGap<T>(extractor: SessionWindowTimeGapExtractor<T>): DynamicProcessingTimeSessionWindows<T> {
    return new DynamicProcessingTimeSessionWindows(extractor);
  }

  assignWindows(_element: unknown, _timestamp: number, context: WindowAssignerContext): readonly TimeWindow[] {
    const now = context.getCurrentProcessingTime();
    return [new TimeWindow(now, now + this.gap)];
  }

  mergeWindows(windows: readonly TimeWindow[], callback: MergeCallback<TimeWindow>): void {
    TimeWindow.mergeWindows(windows, callback);
  }

  getDefaultTrigger(): Trigger<unknown, TimeWindow> {
    return ProcessingTimeTrigger.create();
  }

  isEventTime(): boolean {
    return false;
  }

  toString(): string {
    return `ProcessingTimeSessionWindows(${this.gap})`;
  }
}

/** Processing-time sessions with a gap per record; see {@link ProcessingTimeSessionWindows.withDynamicGap}. */
export class DynamicProcessingTimeSessionWindows<T> implements MergingWindowAssigner<T, TimeWindow> {
  private readonly extractor: SessionWindowTimeGapExtractor<T>;

  /** @internal use ProcessingTimeSessionWindows.withDynamicGap */
  constructor(extractor: SessionWindowTimeGapExtractor<T>) {
    this.extractor = extractor;
  }

  /** @throws RangeError when the extractor returns a gap that is not > 0. */
  assignWindows(element: T, _timestamp: number, context: WindowAssignerContext): readonly TimeWindow[] {
    const now = context.getCurrentProcessingTime();
    return [new TimeWindow(now, now + checkDynamicGap(this.extractor(element)))];
  }

  mergeWindows(windows: readonly TimeWindow[], callback: MergeCallback<TimeWindow>): void {
    TimeWindow.mergeWindows(windows, callback);
  }

  getDefaultTrigger(): Trigger<T, TimeWindow> {
    return ProcessingTimeTrigger.create();
  }

  isEventTime(): boolean {
    return false;
  }

  toString(): string {
    return 'DynamicProcessingTimeSessionWindows()';
  }
}
