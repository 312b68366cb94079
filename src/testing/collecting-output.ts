/**
 * The Output an operator under test writes to: it keeps everything, in order, instead of
 * passing it on. Main-output records and watermarks share one list (so a test sees which
 * records came before which watermark), and `events` has the watermark statuses in between
 * too; side outputs are kept per tag id.
 */
import type { WatermarkStatus } from '../core/watermark.ts';
import type { Output } from '../runtime/operators/stream-operator.ts';
import type { OperatorMetricCounters } from '../runtime/operators/stream-operator.ts';

/** A record with its event timestamp (NO_TIMESTAMP = -Infinity when it has none). */
export interface TimestampedRecord<T> {
  readonly record: T;
  readonly timestamp: number;
}

/** One element of an operator's main output, in emission order. */
export type OutputElement<T> = TimestampedRecord<T> | { readonly watermark: number };

/** One element of the main output including watermark statuses (idle / active), in order. */
export type OutputEvent<T> = OutputElement<T> | { readonly watermarkStatus: WatermarkStatus };

export class CollectingOutput implements Output {
  readonly main: OutputElement<unknown>[] = [];
  /** `main` with the watermark statuses in between. */
  readonly events: OutputEvent<unknown>[] = [];
  readonly side = new Map<string, TimestampedRecord<unknown>[]>();
  private readonly metrics: OperatorMetricCounters;

  constructor(metrics: OperatorMetricCounters) {
    this.metrics = metrics;
  }

  collect(value: unknown, timestamp: number): void {
    // Counted here as the task's OperatorOutput does, so harness metrics match a job's.
    this.metrics.recordsOut++;
    const e = { record: value, timestamp };
    this.main.push(e);
    this.events.push(e);
  }

  collectSide(tagId: string, value: unknown, timestamp: number): void {
    let list = this.side.get(tagId);
    if (list === undefined) {
      list = [];
      this.side.set(tagId, list);
    }
    list.push({ record: value, timestamp });
  }

  emitWatermark(timestamp: number): void {
    const e = { watermark: timestamp };
    this.main.push(e);
    this.events.push(e);
  }

  emitWatermarkStatus(status: WatermarkStatus): void {
    this.events.push({ watermarkStatus: status });
  }

  clear(): void {
    this.main.length = 0;
    this.events.length = 0;
    this.side.clear();
  }
}
