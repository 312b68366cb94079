/**
 * Runs a WatermarkStrategy over records: assigns timestamps, feeds watermark generators and
 * combines what they emit into one operator's watermark and watermark status. Shared by
 * the SourceOperator (one generator per split, Flink's per-split watermarks) and the
 * TimestampsAndWatermarksOperator (one generator); as Flink's
 * ProgressiveTimestampsAndWatermarks with its WatermarkOutputMultiplexer.
 *
 * - A {@link WatermarkedOutput} is one input of event time (a split, or the records a
 *   reader emits without a split): its assigner, its generator, and its *partial*
 *   watermark and idleness.
 * - The {@link WatermarkMultiplexer} combines the partials: the operator's watermark is the
 *   minimum over the partials that are not idle, never going back; the operator is IDLE
 *   when all of them are. It emits downstream only what changed.
 *
 * Data path: per record, `WatermarkedOutput.collect` reads two flags, calls the assigner,
 * checks the timestamp's range and calls the generator; it allocates nothing.
 */
import type { ErrorContext } from '../../core/errors.ts';
import { RivuletError } from '../../core/errors.ts';
import type { OutputTag } from '../../core/output-tag.ts';
import type { SourceOutput } from '../../core/source.ts';
import { MAX_WATERMARK, MIN_WATERMARK, NO_TIMESTAMP } from '../../core/time.ts';
import type { TimestampAssigner, WatermarkGenerator } from '../../core/watermark.ts';
import type { OperatorMetricCounters, Output } from './stream-operator.ts';
import { preview } from './stream-operator.ts';

/**
 * The largest distance from the epoch an event timestamp may have (ms): ±8.64e15 is the
 * range of a JS `Date` (±100,000,000 days). Beyond it a timestamp cannot be printed, and
 * window arithmetic near 2^53 loses exactness.
 */
export const MAX_EVENT_TIMESTAMP = 8.64e15;

/** One input's share of the operator's watermark. */
export class PartialWatermark {
  watermark = MIN_WATERMARK;
  idle = false;
  /**
   * Whether this partial takes part in the minimum. A reader's main output (records not
   * emitted through a split output) starts out of it until it is first used, so that readers
   * that emit per split are not held back by an output they never use.
   */
  inUse: boolean;

  constructor(inUse: boolean) {
    this.inUse = inUse;
  }
}

export class WatermarkMultiplexer {
  private readonly output: Output;
  private readonly partials = new Map<string, PartialWatermark>();
  private combined = MIN_WATERMARK;
  private idle = false;
  private deferring = false;

  constructor(output: Output) {
    this.output = output;
  }

  /** A new partial; a partial in use holds the watermark back from now on. */
  register(id: string, inUse = true): PartialWatermark {
    const p = new PartialWatermark(inUse);
    this.partials.set(id, p);
    this.update();
    return p;
  }

  /** The partial is gone (its split finished): it no longer holds anything back. */
  unregister(id: string): void {
    if (this.partials.delete(id)) this.update();
  }

  /** Runs `emit` (e.g. every generator's periodic emission) and combines once at the end. */
  deferUpdates(emit: () => void): void {
    this.deferring = true;
    try {
      emit();
    } finally {
      this.deferring = false;
    }
    this.update();
  }

  /** Recombines after a partial changed; emits a status change first, then an advanced watermark. */
  update(): void {
    if (this.deferring) return;
    let min = Number.POSITIVE_INFINITY;
    let anyActive = false;
    let anyIdle = false;
    for (const p of this.partials.values()) {
      if (p.idle) {
        anyIdle = true;
      } else if (p.inUse) {
        anyActive = true;
        if (p.watermark < min) min = p.watermark;
      }
    }
    if (anyActive) {
      if (this.idle) {
        this.idle = false;
        this.output.emitWatermarkStatus('ACTIVE');
      }
      if (min > this.combined) {
        this.combined = min;
        this.output.emitWatermark(min);
      }
    } else if (anyIdle && !this.idle) {
      this.idle = true;
      this.output.emitWatermarkStatus('IDLE');
    }
  }

  /** End of input: the final watermark, after turning active (an idle input's watermark would be ignored). */
  emitFinalWatermark(): void {
    if (this.idle) {
      this.idle = false;
      this.output.emitWatermarkStatus('ACTIVE');
    }
    if (this.combined < MAX_WATERMARK) {
      this.combined = MAX_WATERMARK;
      this.output.emitWatermark(MAX_WATERMARK);
    }
  }

  currentWatermark(): number {
    return this.combined;
  }

  isIdle(): boolean {
    return this.idle;
  }
}

export interface WatermarkedOutputOptions {
  readonly generator: WatermarkGenerator<unknown>;
  readonly assigner: TimestampAssigner<unknown> | undefined;
  readonly partial: PartialWatermark;
  readonly multiplexer: WatermarkMultiplexer;
  /** Where records go. */
  readonly output: Output;
  /** Counts records in (sources: the reader's records are the operator's input); undefined: not counted here. */
  readonly metrics: OperatorMetricCounters | undefined;
  /** Names the operator and subtask in errors, e.g. `source "flights" (uid flights, subtask 1/2)`. */
  readonly describe: () => string;
  readonly errorContext: () => ErrorContext;
}

/** One input of event time: see the file comment. */
export class WatermarkedOutput implements SourceOutput<unknown> {
  private readonly generator: WatermarkGenerator<unknown>;
  private readonly assigner: TimestampAssigner<unknown> | undefined;
  private readonly partial: PartialWatermark;
  private readonly multiplexer: WatermarkMultiplexer;
  private readonly output: Output;
  private readonly metrics: OperatorMetricCounters | undefined;
  private readonly describe: () => string;
  private readonly errorContext: () => ErrorContext;

  constructor(o: WatermarkedOutputOptions) {
    this.generator = o.generator;
    this.assigner = o.assigner;
    this.partial = o.partial;
    this.multiplexer = o.multiplexer;
    this.output = o.output;
    this.metrics = o.metrics;
    this.describe = o.describe;
    this.errorContext = o.errorContext;
  }

  /**
   * Assigns the record's event timestamp, emits the record, then feeds the generator. The
   * order matters (as in Flink): a punctuated watermark the record produces must follow
   * it, or the record would arrive behind its own watermark and be late. An idle input
   * turns active first, so downstream counts it again before its record arrives.
   * @throws RivuletError(INVALID_TIMESTAMP) when the assigner returns anything but finite
   *   epoch milliseconds within ±{@link MAX_EVENT_TIMESTAMP}.
   */
  collect(record: unknown, timestamp: number = NO_TIMESTAMP): void {
    if (this.metrics !== undefined) this.metrics.recordsIn++;
    const p = this.partial;
    if (p.idle || !p.inUse) this.markActive();
    let ts = timestamp;
    if (this.assigner !== undefined) {
      try {
        ts = this.assigner(record, timestamp);
      } catch (e) {
        throw new RivuletError(
          'USER_FUNCTION_FAILED',
          `Timestamp assigner of ${this.describe()} failed on record ${preview(record)}: ${e instanceof Error ? e.message : String(e)}`,
          this.errorContext(),
          { cause: e },
        );
      }
      // The comparison pair also rejects NaN (false both ways) and ±Infinity.
      if (typeof ts !== 'number' || !(ts >= -MAX_EVENT_TIMESTAMP && ts <= MAX_EVENT_TIMESTAMP)) throw this.invalidTimestamp(record, ts);
    }
    this.output.collect(record, ts);
    if (ts !== NO_TIMESTAMP) this.generator.onEvent(record, ts, this);
  }

  collectSideOutput<X>(tag: OutputTag<X>, value: X): void {
    this.output.collectSide(tag.id, value, NO_TIMESTAMP);
  }

  /** Runs the generator's periodic emission (call inside the multiplexer's deferUpdates). */
  periodicEmit(): void {
    this.generator.onPeriodicEmit(this);
  }

  emitWatermark(timestamp: number): void {
    const p = this.partial;
    const wasIdle = p.idle || !p.inUse;
    p.idle = false;
    p.inUse = true;
    if (timestamp > p.watermark) {
      p.watermark = timestamp;
      this.multiplexer.update();
    } else if (wasIdle) {
      this.multiplexer.update();
    }
  }

  markIdle(): void {
    if (this.partial.idle) return;
    this.partial.idle = true;
    this.multiplexer.update();
  }

  markActive(): void {
    const p = this.partial;
    if (!p.idle && p.inUse) return;
    p.idle = false;
    p.inUse = true;
    this.multiplexer.update();
  }

  private invalidTimestamp(record: unknown, ts: unknown): RivuletError {
    const got = typeof ts === 'number' || ts === undefined || ts === null ? String(ts) : `${preview(ts)} (a ${typeof ts}, not a number)`;
    return new RivuletError(
      'INVALID_TIMESTAMP',
      `Timestamp assigner of ${this.describe()} returned ${got} for record ${preview(record)}; it must return finite epoch milliseconds within ±8.64e15 (the range of a Date). Filter out records without a usable time before assigning timestamps, or fix the unit (seconds vs milliseconds).`,
      this.errorContext(),
    );
  }
}
