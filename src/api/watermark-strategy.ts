/**
 * WatermarkStrategy: how a stream's records get event timestamps and how watermarks are
 * generated from them; as Flink's `WatermarkStrategy`.
 *
 * A strategy is a recipe, not a generator: the runtime creates one generator per source
 * split (per-split watermarks, Flink's `ReaderOutput.createOutputForSplit`), or one per
 * subtask for readers that do not emit per split and for `assignTimestampsAndWatermarks`.
 */
import type { Clock } from '../core/time.ts';
import { Duration, MIN_WATERMARK } from '../core/time.ts';
import type {
  TimestampAssigner,
  WatermarkGenerator,
  WatermarkGeneratorContext,
  WatermarkOutput,
  WatermarkStrategyContract,
} from '../core/watermark.ts';

/**
 * Watermarks that trail the largest timestamp seen by a fixed bound; as Flink's
 * `BoundedOutOfOrdernessWatermarks`: the watermark is `maxTimestamp - bound - 1`, i.e. a
 * record that is at most `bound` ms older than the newest one is never late. Periodic: it
 * emits in `onPeriodicEmit` only.
 */
export class BoundedOutOfOrdernessWatermarks<T> implements WatermarkGenerator<T> {
  private maxTimestamp: number;
  private readonly outOfOrderness: number;

  /** @throws RangeError for a negative bound. */
  constructor(maxOutOfOrderness: Duration) {
    if (maxOutOfOrderness.toMillis() < 0) throw new RangeError(`maxOutOfOrderness must not be negative, got ${maxOutOfOrderness}`);
    this.outOfOrderness = maxOutOfOrderness.toMillis();
    this.maxTimestamp = MIN_WATERMARK;
  }

  onEvent(_event: T, eventTimestamp: number, _output: WatermarkOutput): void {
    if (eventTimestamp > this.maxTimestamp) this.maxTimestamp = eventTimestamp;
  }

  onPeriodicEmit(output: WatermarkOutput): void {
    if (this.maxTimestamp !== MIN_WATERMARK) output.emitWatermark(this.maxTimestamp - this.outOfOrderness - 1);
  }
}

/**
 * Tells whether an input has been idle — no event — for at least a timeout of processing
 * time, as Flink's `WatermarksWithIdleness.IdlenessTimer`. Per record it only bumps a
 * counter (no clock read on the data path); the clock is read at each periodic check.
 * A check that sees activity restarts the quiet period at its own time (the last event
 * was at or before it), so idleness is detected between `timeout` and `timeout + one
 * auto-watermark interval` after the last event.
 */
class IdlenessTimer {
  private readonly clock: Clock;
  private readonly timeout: number;
  private counter = 0;
  private lastCounter = 0;
  private quietSince: number;

  constructor(clock: Clock, timeout: number) {
    this.clock = clock;
    this.timeout = timeout;
    this.quietSince = clock.now();
  }

  activity(): void {
    this.counter++;
  }

  checkIfIdle(): boolean {
    const now = this.clock.now();
    if (this.counter !== this.lastCounter) {
      this.lastCounter = this.counter;
      this.quietSince = now;
      return false;
    }
    return now - this.quietSince >= this.timeout;
  }
}

/**
 * Wraps a generator so that an input without events for `timeout` of processing time is
 * marked idle (it stops holding back the watermark downstream); as Flink's
 * `WatermarksWithIdleness`. While idle, the wrapped generator's periodic watermarks are not
 * asked for; the next event makes the input active again.
 */
export class WatermarksWithIdleness<T> implements WatermarkGenerator<T> {
  private readonly watermarks: WatermarkGenerator<T>;
  private readonly timer: IdlenessTimer;
  private idle = false;

  constructor(watermarks: WatermarkGenerator<T>, timeout: Duration, clock: Clock) {
    this.watermarks = watermarks;
    this.timer = new IdlenessTimer(clock, timeout.toMillis());
  }

  onEvent(event: T, eventTimestamp: number, output: WatermarkOutput): void {
    this.watermarks.onEvent(event, eventTimestamp, output);
    this.timer.activity();
    this.idle = false; // the runtime marked the output active before handing us the event
  }

  onPeriodicEmit(output: WatermarkOutput): void {
    if (this.timer.checkIfIdle()) {
      if (!this.idle) {
        this.idle = true;
        output.markIdle();
      }
    } else {
      this.watermarks.onPeriodicEmit(output);
    }
  }
}

/** Generates no watermarks; for processing-time jobs. */
class NoWatermarksGenerator<T> implements WatermarkGenerator<T> {
  onEvent(): void {}
  onPeriodicEmit(): void {}
}

/** Creates a generator; the context gives the processing-time clock (for idleness and the like). */
export type WatermarkGeneratorSupplier<T> = (context: WatermarkGeneratorContext) => WatermarkGenerator<T>;

export class WatermarkStrategy<T> implements WatermarkStrategyContract<T> {
  private readonly generatorSupplier: WatermarkGeneratorSupplier<T>;
  private readonly assigner: TimestampAssigner<T> | undefined;

  private constructor(generatorSupplier: WatermarkGeneratorSupplier<T>, assigner: TimestampAssigner<T> | undefined) {
    this.generatorSupplier = generatorSupplier;
    this.assigner = assigner;
  }

  /** Watermarks `maxOutOfOrderness` behind the largest timestamp seen, emitted periodically. */
  static forBoundedOutOfOrderness<T>(maxOutOfOrderness: Duration): WatermarkStrategy<T> {
    if (maxOutOfOrderness.toMillis() < 0) throw new RangeError(`maxOutOfOrderness must not be negative, got ${maxOutOfOrderness}`);
    return new WatermarkStrategy<T>(() => new BoundedOutOfOrdernessWatermarks<T>(maxOutOfOrderness), undefined);
  }

  /**
   * For timestamps that never decrease (per split): the watermark is the largest timestamp
   * seen minus 1 ms, emitted periodically; as Flink's `AscendingTimestampsWatermarks`.
   */
  static forMonotonousTimestamps<T>(): WatermarkStrategy<T> {
    return new WatermarkStrategy<T>(() => new BoundedOutOfOrdernessWatermarks<T>(Duration.ZERO), undefined);
  }

  /**
   * A custom generator, created once per source split (or per subtask, see the class
   * comment). Periodic generators emit in `onPeriodicEmit`, punctuated ones in `onEvent`.
   */
  static forGenerator<T>(supplier: WatermarkGeneratorSupplier<T>): WatermarkStrategy<T> {
    return new WatermarkStrategy<T>(supplier, undefined);
  }

  /** No watermarks at all (processing-time or timestamp-free jobs). */
  static noWatermarks<T>(): WatermarkStrategy<T> {
    return new WatermarkStrategy<T>(() => new NoWatermarksGenerator<T>(), undefined);
  }

  /**
   * Extracts the event timestamp (epoch ms) of each record.
   * The assigner runs per record on the source's thread: keep it a cheap field read.
   * It must return finite epoch milliseconds within ±8.64e15 (the range of a JS Date);
   * anything else fails the job naming the operator and the record.
   */
  withTimestampAssigner<U extends T>(assigner: (element: U, recordTimestamp: number) => number): WatermarkStrategy<U> {
    return new WatermarkStrategy<U>(this.generatorSupplier as WatermarkGeneratorSupplier<U>, assigner);
  }

  /**
   * Marks an input (a source split, or the subtask's input where there are no splits)
   * idle once it has had no records for `idleTimeout` of processing time, so it no longer
   * holds back the watermark downstream; its next record makes it active again. As Flink's
   * `withIdleness`. Idleness is checked at each auto-watermark interval, so it is detected
   * within `idleTimeout` plus one interval, and never when periodic watermarks are off
   * (interval 0).
   * @throws RangeError for a timeout that is not positive.
   */
  withIdleness(idleTimeout: Duration): WatermarkStrategy<T> {
    if (!(idleTimeout.toMillis() > 0)) throw new RangeError(`idleTimeout must be positive, got ${idleTimeout}`);
    const inner = this.generatorSupplier;
    return new WatermarkStrategy<T>((ctx) => new WatermarksWithIdleness<T>(inner(ctx), idleTimeout, ctx.processingTimeClock), this.assigner);
  }

  createWatermarkGenerator(context: WatermarkGeneratorContext): WatermarkGenerator<T> {
    return this.generatorSupplier(context);
  }

  createTimestampAssigner(): TimestampAssigner<T> | undefined {
    return this.assigner;
  }
}
