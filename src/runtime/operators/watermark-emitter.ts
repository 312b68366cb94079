/**
 * Runs a WatermarkStrategy over records: assigns timestamps, feeds the generator per record
 * and asks it for periodic watermarks; emits only watermarks that advance. Shared by the
 * SourceOperator and the TimestampsAndWatermarksOperator (as Flink's
 * TimestampsAndWatermarksOperator and the source's watermark output).
 */
import { RivuletError } from '../../core/errors.ts';
import { MIN_WATERMARK, NO_TIMESTAMP } from '../../core/time.ts';
import type { TimestampAssigner, WatermarkGenerator, WatermarkOutput, WatermarkStrategyContract } from '../../core/watermark.ts';
import type { Output } from './stream-operator.ts';
import { preview } from './stream-operator.ts';

export class WatermarkEmitter implements WatermarkOutput {
  private readonly generator: WatermarkGenerator<unknown>;
  private readonly assigner: TimestampAssigner<unknown> | undefined;
  private readonly output: Output;
  private readonly describe: () => string;
  private current = MIN_WATERMARK;

  constructor(strategy: WatermarkStrategyContract<unknown>, output: Output, describe: () => string) {
    this.generator = strategy.createWatermarkGenerator();
    this.assigner = strategy.createTimestampAssigner();
    this.output = output;
    this.describe = describe;
  }

  /**
   * Assigns the record's event timestamp, emits the record, then feeds the generator. The
   * order matters (as in Flink): a punctuated watermark the record produces must follow
   * it, or the record would arrive behind its own watermark and be late.
   * @throws RivuletError(INVALID_TIMESTAMP) when the assigner returns a non-finite number.
   */
  collect(record: unknown, sourceTimestamp: number): void {
    let ts = sourceTimestamp;
    if (this.assigner !== undefined) {
      try {
        ts = this.assigner(record, sourceTimestamp);
      } catch (e) {
        throw new RivuletError('USER_FUNCTION_FAILED', `Timestamp assigner of ${this.describe()} failed on record ${preview(record)}: ${e instanceof Error ? e.message : String(e)}`, {}, { cause: e });
      }
      if (typeof ts !== 'number' || !Number.isFinite(ts)) {
        throw new RivuletError(
          'INVALID_TIMESTAMP',
          `Timestamp assigner of ${this.describe()} returned ${String(ts)} for record ${preview(record)}; it must return finite epoch milliseconds. Filter out records without a time before assigning timestamps.`,
        );
      }
    }
    this.output.collect(record, ts);
    if (ts !== NO_TIMESTAMP) this.generator.onEvent(record, ts, this);
  }

  periodicEmit(): void {
    this.generator.onPeriodicEmit(this);
  }

  emitWatermark(timestamp: number): void {
    if (timestamp > this.current) {
      this.current = timestamp;
      this.output.emitWatermark(timestamp);
    }
  }

  currentWatermark(): number {
    return this.current;
  }
}
