/**
 * The Output an operator under test writes to: it keeps everything, in order, instead of
 * passing it on. Main-output records and watermarks share one list (so a test sees which
 * records came before which watermark); side outputs are kept per tag id.
 */
import type { Output } from '../runtime/operators/stream-operator.ts';
import type { OperatorMetricCounters } from '../runtime/operators/stream-operator.ts';

/** A record with its event timestamp (NO_TIMESTAMP = -Infinity when it has none). */
export interface TimestampedRecord<T> {
  readonly record: T;
  readonly timestamp: number;
}

/** One element of an operator's main output, in emission order. */
export type OutputElement<T> = TimestampedRecord<T> | { readonly watermark: number };

export class CollectingOutput implements Output {
  readonly main: OutputElement<unknown>[] = [];
  readonly side = new Map<string, TimestampedRecord<unknown>[]>();
  private readonly metrics: OperatorMetricCounters;

  constructor(metrics: OperatorMetricCounters) {
    this.metrics = metrics;
  }

  collect(value: unknown, timestamp: number): void {
    // Counted here as the task's OperatorOutput does, so harness metrics match a job's.
    this.metrics.recordsOut++;
    this.main.push({ record: value, timestamp });
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
    this.main.push({ watermark: timestamp });
  }

  clear(): void {
    this.main.length = 0;
    this.side.clear();
  }
}
