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
}

export const SystemClock: Clock = { now: () => Date.now() };
