/**
 * Time spans and the special timestamps of event time.
 *
 * All times in Rivulet are milliseconds since the Unix epoch (event time) or milliseconds
 * of a {@link Clock} (processing time), held in a JS `number` (exact up to 2^53 ms).
 */

/** The watermark before any watermark was seen: nothing is known about event time yet. */
export const MIN_WATERMARK = Number.NEGATIVE_INFINITY;
/** The watermark a bounded source emits at its end: event time is over, all windows fire. */
export const MAX_WATERMARK = Number.POSITIVE_INFINITY;
/** The timestamp of a record that has none (no WatermarkStrategy assigned one). */
export const NO_TIMESTAMP = Number.NEGATIVE_INFINITY;

/**
 * An immutable span of time with millisecond resolution, as Java's `java.time.Duration`
 * which Flink takes wherever a span is configured.
 *
 * Spans may be negative where that means something (a window offset of -8 hours).
 *
 * @throws RangeError from the factories when the span is not finite.
 */
export class Duration {
  private readonly millis: number;
  private constructor(millis: number) {
    this.millis = millis;
  }

  static ofMillis(ms: number): Duration {
    if (!Number.isFinite(ms)) {
      throw new RangeError(`Duration must be a finite number of milliseconds, got ${ms}`);
    }
    return new Duration(Math.trunc(ms) + 0);
  }
  static ofSeconds(s: number): Duration {
    return Duration.ofMillis(s * 1000);
  }
  static ofMinutes(m: number): Duration {
    return Duration.ofMillis(m * 60_000);
  }
  static ofHours(h: number): Duration {
    return Duration.ofMillis(h * 3_600_000);
  }
  static ofDays(d: number): Duration {
    return Duration.ofMillis(d * 86_400_000);
  }
  static readonly ZERO = new Duration(0);

  /** The span in milliseconds. */
  toMillis(): number {
    return this.millis;
  }

  toString(): string {
    return `Duration(${this.millis} ms)`;
  }
}

/** A source of processing time, injectable so tests can run on virtual time. */
export interface Clock {
  /** Current processing time in epoch milliseconds. */
  now(): number;
  /**
   * Calls `callback` once the clock reaches `time`; returns a function that cancels it.
   * Optional: processing-time timers fall back to wall-clock `setTimeout` for a clock
   * without it, so a clock that only tells the time still works.
   */
  schedule?(time: number, callback: () => void): () => void;
}

/** Wall-clock time; timers are `setTimeout`s. */
export const SystemClock: Clock = {
  now: () => Date.now(),
  schedule: (time, callback) => {
    const handle = setTimeout(callback, Math.max(0, time - Date.now()));
    return () => clearTimeout(handle);
  },
};

/**
 * Virtual processing time for tests: the clock stands still until the test moves it, and
 * whatever was scheduled up to the new time runs then, in time order (ties in order of
 * scheduling). Hand it to the local mini-cluster (`new LocalExecutor({ clock })`) and a
 * whole job's periodic watermarks, idleness and processing-time timers run on it.
 *
 * Callbacks run synchronously inside {@link advanceTo}; the runtime's callbacks only post
 * mails to their tasks, so a test awaits a turn of the event loop afterwards to let the
 * tasks run them.
 */
export class ManualClock implements Clock {
  private time: number;
  private seq = 0;
  private readonly pending: { time: number; seq: number; callback: () => void }[] = [];

  constructor(start = 0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  schedule(time: number, callback: () => void): () => void {
    const entry = { time, seq: this.seq++, callback };
    this.pending.push(entry);
    return () => {
      const i = this.pending.indexOf(entry);
      if (i >= 0) this.pending.splice(i, 1);
    };
  }

  /**
   * Moves time forward to `time`, running due callbacks in time order; a callback that
   * schedules another one due by `time` sees it run in the same call.
   * @throws RangeError when `time` is earlier than now: processing time never goes back.
   */
  advanceTo(time: number): void {
    if (time < this.time) throw new RangeError(`ManualClock never goes back: asked for ${time}, it is ${this.time}`);
    for (;;) {
      let next: (typeof this.pending)[number] | undefined;
      for (const e of this.pending) if (e.time <= time && (next === undefined || e.time < next.time || (e.time === next.time && e.seq < next.seq))) next = e;
      if (next === undefined) break;
      this.pending.splice(this.pending.indexOf(next), 1);
      if (next.time > this.time) this.time = next.time;
      next.callback();
    }
    this.time = time;
  }

  /** Moves time forward by `ms`. */
  advanceBy(ms: number): void {
    this.advanceTo(this.time + ms);
  }

  /** Callbacks scheduled and not yet run. */
  numPending(): number {
    return this.pending.length;
  }
}
