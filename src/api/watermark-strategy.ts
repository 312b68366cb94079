/**
 * WatermarkStrategy: how a stream's records get event timestamps and how watermarks are
 * generated from them; as Flink's `WatermarkStrategy`.
 */
import type { Duration } from '../core/time.ts';
import { MIN_WATERMARK } from '../core/time.ts';
import type { TimestampAssigner, WatermarkGenerator, WatermarkOutput, WatermarkStrategyContract } from '../core/watermark.ts';

/**
 * Watermarks that trail the largest timestamp seen by a fixed bound; as Flink's
 * `BoundedOutOfOrdernessWatermarks`: the watermark is `maxTimestamp - bound - 1`, i.e. a
 * record that is at most `bound` ms older than the newest one is never late.
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

/** Generates no watermarks; for processing-time jobs. */
class NoWatermarksGenerator<T> implements WatermarkGenerator<T> {
  onEvent(): void {}
  onPeriodicEmit(): void {}
}

export class WatermarkStrategy<T> implements WatermarkStrategyContract<T> {
  private readonly generatorFactory: () => WatermarkGenerator<T>;
  private readonly assigner: TimestampAssigner<T> | undefined;

  private constructor(generatorFactory: () => WatermarkGenerator<T>, assigner: TimestampAssigner<T> | undefined) {
    this.generatorFactory = generatorFactory;
    this.assigner = assigner;
  }

  /** Watermarks `maxOutOfOrderness` behind the largest timestamp seen. */
  static forBoundedOutOfOrderness<T>(maxOutOfOrderness: Duration): WatermarkStrategy<T> {
    return new WatermarkStrategy<T>(() => new BoundedOutOfOrdernessWatermarks<T>(maxOutOfOrderness), undefined);
  }

  /** For timestamps that never decrease: the watermark is the largest timestamp seen minus 1 ms. */
  static forMonotonousTimestamps<T>(): WatermarkStrategy<T> {
    return new WatermarkStrategy<T>(() => new BoundedOutOfOrdernessWatermarks<T>({ toMillis: () => 0 } as Duration), undefined);
  }

  /** A custom generator, created once per source subtask. */
  static forGenerator<T>(factory: () => WatermarkGenerator<T>): WatermarkStrategy<T> {
    return new WatermarkStrategy<T>(factory, undefined);
  }

  /** No watermarks at all (processing-time or timestamp-free jobs). */
  static noWatermarks<T>(): WatermarkStrategy<T> {
    return new WatermarkStrategy<T>(() => new NoWatermarksGenerator<T>(), undefined);
  }

  /**
   * Extracts the event timestamp (epoch ms) of each record.
   * The assigner runs per record on the source's thread: keep it a cheap field read.
   */
  withTimestampAssigner<U extends T>(assigner: (element: U, recordTimestamp: number) => number): WatermarkStrategy<U> {
    return new WatermarkStrategy<U>(this.generatorFactory as () => WatermarkGenerator<U>, assigner);
  }

  createWatermarkGenerator(): WatermarkGenerator<T> {
    return this.generatorFactory();
  }

  createTimestampAssigner(): TimestampAssigner<T> | undefined {
    return this.assigner;
  }
}
