/**
 * Session windows in event time; as Flink's `EventTimeSessionWindows` and
 * `DynamicEventTimeSessionWindows`. A record with timestamp t opens the window
 * `[t, t + gap)`; windows of a key that overlap or touch merge into one session, so a
 * session ends once no record arrived for `gap` ms of event time. The WindowOperator merges
 * the sessions' state (AggregateFunction.merge) and timers; the default trigger
 * (EventTimeTrigger) fires a session when the watermark passes its end.
 */
import type { Duration } from '../../core/time.ts';
import type { MergeCallback, MergingWindowAssigner, Trigger } from '../../core/windowing.ts';
import { TimeWindow } from '../../core/windowing.ts';
import { EventTimeTrigger } from './event-time-trigger.ts';
import { requireEventTimestamp } from './event-timestamp.ts';

/** The session gap (ms, > 0) for a record; as Flink's `SessionWindowTimeGapExtractor`. */
export type SessionWindowTimeGapExtractor<T> = (element: T) => number;

/**
 * @throws RangeError naming the record's gap when it is not a positive finite number.
 */
export function checkDynamicGap(gap: number): number {
  if (!(gap > 0) || !Number.isFinite(gap)) throw new RangeError(`Dynamic session time gap must satisfy 0 < gap, got ${gap}`);
  return gap;
}

/** One new window per record; the last one is reused for equal consecutive windows. */
class SessionWindowCache {
  private last: TimeWindow[] = [];
  get(start: number, gap: number): readonly TimeWindow[] {
    const w = this.last[0];
    if (w !== undefined && w.start === start && w.end === start + gap) return this.last;
    this.last = [new TimeWindow(start, start + gap)];
    return this.last;
  }
}

export class EventTimeSessionWindows implements MergingWindowAssigner<unknown, TimeWindow> {
  /** The session gap in ms (> 0). */
  readonly gap: number;
  private readonly cache = new SessionWindowCache();

  private constructor(gap: number) {
    this.gap = gap;
  }

  /**
   * Sessions that end after `gap` of event time without records.
   * @throws RangeError when gap <= 0.
   */
  static withGap(gap: Duration): EventTimeSessionWindows {
    const g = gap.toMillis();
    if (!(g > 0)) throw new RangeError('EventTimeSessionWindows gap must be > 0');
    return new EventTimeSessionWindows(g);
  }

  /**
   * Sessions whose gap each record sets (ms); a session ends when no record arrives within
   * the gap of the latest-ending record so far.
   */
  static withDynamicGap<T>(extractor: SessionWindowTimeGapExtractor<T>): DynamicEventTimeSessionWindows<T> {
    return new DynamicEventTimeSessionWindows(extractor);
  }

  /** @throws RivuletError(INVALID_TIMESTAMP) for a record without timestamp. */
  assignWindows(_element: unknown, timestamp: number): readonly TimeWindow[] {
    return this.cache.get(requireEventTimestamp(timestamp, this), this.gap);
  }

  mergeWindows(windows: readonly TimeWindow[], callback: MergeCallback<TimeWindow>): void {
    TimeWindow.mergeWindows(windows, callback);
  }

  getDefaultTrigger(): Trigger<unknown, TimeWindow> {
    return EventTimeTrigger.create();
  }

  isEventTime(): boolean {
    return true;
  }

  toString(): string {
    return `EventTimeSessionWindows(${this.gap})`;
  }
}

/** Event-time sessions with a gap per record; see {@link EventTimeSessionWindows.withDynamicGap}. */
export class DynamicEventTimeSessionWindows<T> implements MergingWindowAssigner<T, TimeWindow> {
  private readonly extractor: SessionWindowTimeGapExtractor<T>;
  private readonly cache = new SessionWindowCache();

  /** @internal use EventTimeSessionWindows.withDynamicGap */
  constructor(extractor: SessionWindowTimeGapExtractor<T>) {
    this.extractor = extractor;
  }

  /**
   * @throws RivuletError(INVALID_TIMESTAMP) for a record without timestamp.
   * @throws RangeError when the extractor returns a gap that is not > 0.
   */
  assignWindows(element: T, timestamp: number): readonly TimeWindow[] {
    const start = requireEventTimestamp(timestamp, this);
    return this.cache.get(start, checkDynamicGap(this.extractor(element)));
  }

  mergeWindows(windows: readonly TimeWindow[], callback: MergeCallback<TimeWindow>): void {
    TimeWindow.mergeWindows(windows, callback);
  }

  getDefaultTrigger(): Trigger<T, TimeWindow> {
    return EventTimeTrigger.create();
  }

  isEventTime(): boolean {
    return true;
  }

  toString(): string {
    return 'DynamicEventTimeSessionWindows()';
  }
}
