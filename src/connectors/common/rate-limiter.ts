import { RivuletError } from '../../core/errors.ts';

/**
 * Limits how fast one source subtask emits, without blocking: the reader asks for permits
 * and, when it gets none, waits `millisUntilNextPermit()` before polling again.
 */
export interface RateLimiter {
  /** Takes up to `wanted` permits available at time `now` (ms); returns how many it took. */
  acquire(wanted: number, now: number): number;
  /** How long from `now` until the next permit (0 if one is available). */
  millisUntilNextPermit(now: number): number;
}

/** How a source's emission rate is limited; as Flink's `RateLimiterStrategy`. */
export abstract class RateLimiterStrategy {
  /** The limiter of one subtask among `parallelism`. */
  abstract createRateLimiter(parallelism: number): RateLimiter | undefined;

  /**
   * At most `recordsPerSecond` records per second in total, shared evenly by the subtasks
   * (each emits `recordsPerSecond / parallelism`).
   */
  static perSecond(recordsPerSecond: number): RateLimiterStrategy {
    if (!(recordsPerSecond > 0) || !Number.isFinite(recordsPerSecond)) {
      throw new RivuletError('INVALID_ARGUMENT', `RateLimiterStrategy.perSecond needs a positive, finite rate, got ${recordsPerSecond}`);
    }
    return new PerSecondStrategy(recordsPerSecond);
  }

  /** No limit: emit as fast as the job takes records. */
  static noOp(): RateLimiterStrategy {
    return NO_OP;
  }
}

class NoOpStrategy extends RateLimiterStrategy {
  override createRateLimiter(): undefined {
    return undefined;
  }
  override toString(): string {
    return 'no rate limit';
  }
}
const NO_OP = new NoOpStrategy();

class PerSecondStrategy extends RateLimiterStrategy {
  private readonly recordsPerSecond: number;
  constructor(recordsPerSecond: number) {
    super();
    this.recordsPerSecond = recordsPerSecond;
  }
  override createRateLimiter(parallelism: number): RateLimiter {
    return new TokenBucketRateLimiter(this.recordsPerSecond / Math.max(1, parallelism));
  }
  override toString(): string {
    return `${this.recordsPerSecond} records/s`;
  }
}

/** Permits a subtask may save up while it is not polled (backpressure): 100 ms worth. */
const BURST_MILLIS = 100;

/**
 * A token bucket: permits accrue continuously at the rate, up to BURST_MILLIS worth, so
 * a source that was held back catches up a little but never floods. Starts with one permit.
 */
export class TokenBucketRateLimiter implements RateLimiter {
  private readonly permitsPerMilli: number;
  private readonly capacity: number;
  private available = 1;
  private lastRefill: number | undefined;

  constructor(permitsPerSecond: number) {
    this.permitsPerMilli = permitsPerSecond / 1000;
    this.capacity = Math.max(1, this.permitsPerMilli * BURST_MILLIS);
  }

  acquire(wanted: number, now: number): number {
    this.refill(now);
    const granted = Math.min(wanted, Math.floor(this.available));
    this.available -= granted;
    return granted;
  }

  millisUntilNextPermit(now: number): number {
    this.refill(now);
    return this.available >= 1 ? 0 : Math.ceil((1 - this.available) / this.permitsPerMilli);
  }

  private refill(now: number): void {
    if (this.lastRefill !== undefined && now > this.lastRefill) {
      this.available = Math.min(this.capacity, this.available + (now - this.lastRefill) * this.permitsPerMilli);
    }
    this.lastRefill = now;
  }
}
