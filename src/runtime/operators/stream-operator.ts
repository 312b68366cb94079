/**
 * The operator contract: every operator of a chain implements it, with defaulted hooks,
 * and the task drives it. Lifecycle, in Flink's order: `setup` -> `open` (tail of the
 * chain first, so an operator never emits to an unopened one) -> `processElement` /
 * `processWatermark` ... -> `finish` at end of input (head first, so results flushed by one
 * reach the next before it finishes) -> `close`.
 *
 * All calls come from the task's single thread; operators need no locks. Per-record
 * methods must not allocate closures or promises.
 */
import type { ErrorContext } from '../../core/errors.ts';
import { asRivuletError } from '../../core/errors.ts';
import type { OpenContext } from '../../core/functions.ts';
import { RichFunction } from '../../core/functions.ts';
import type { Counter } from '../../core/state.ts';
import type { Clock } from '../../core/time.ts';
import type { WatermarkStatus } from '../../core/watermark.ts';
import type { KeyedStateBackend } from '../state/keyed-state-backend.ts';
import type { ProcessingTimeService } from '../task/processing-time-service.ts';
import { OperatorRuntimeContext } from './operator-runtime-context.ts';

/** Where an operator emits. Timestamps are epoch ms or NO_TIMESTAMP. */
export interface Output {
  collect(value: unknown, timestamp: number): void;
  /** Emits to the side output with this tag id (dropped when nothing consumes it). */
  collectSide(tagId: string, value: unknown, timestamp: number): void;
  emitWatermark(timestamp: number): void;
  /** Tells downstream that this stream turned idle or active (see WatermarkStatus). */
  emitWatermarkStatus(status: WatermarkStatus): void;
}

/** Counters of one operator in one subtask; plain fields so the data path can bump them. */
export class OperatorMetricCounters {
  recordsIn = 0;
  recordsOut = 0;
  lateRecordsDropped = 0;
  malformedRecords = 0;
  bytesRead = 0;
  bytesTotal: number | undefined = undefined;
}

export interface OperatorSetup {
  readonly uid: string;
  readonly name: string;
  readonly subtaskIndex: number;
  readonly parallelism: number;
  readonly maxParallelism: number;
  readonly output: Output;
  readonly metrics: OperatorMetricCounters;
  readonly processingTimeService: ProcessingTimeService;
  readonly clock: Clock;
  /** Set for operators after a keyBy. */
  readonly keyedStateBackend: KeyedStateBackend | undefined;
  /** The subtask's counters by name (RuntimeContext.getCounter), summed by the coordinator. */
  readonly accumulators: Map<string, Counter>;
}

export abstract class StreamOperator {
  protected setupInfo!: OperatorSetup;
  protected output!: Output;
  protected metrics!: OperatorMetricCounters;

  setup(s: OperatorSetup): void {
    this.setupInfo = s;
    this.output = s.output;
    this.metrics = s.metrics;
  }

  get uid(): string {
    return this.setupInfo.uid;
  }

  open(): void | Promise<void> {}
  abstract processElement(value: unknown, timestamp: number): void;
  processWatermark(timestamp: number): void {
    this.output.emitWatermark(timestamp);
  }
  /**
   * The input turned idle or active (all of its channels idle, or one active again). An
   * operator with one input forwards it, as Flink's AbstractStreamOperator.
   */
  processWatermarkStatus(status: WatermarkStatus): void {
    this.output.emitWatermarkStatus(status);
  }
  finish(): void | Promise<void> {}
  close(): void | Promise<void> {}

  /** Where errors of this operator happened. */
  errorContext(extra: Partial<ErrorContext> = {}): ErrorContext {
    return { operatorUid: this.setupInfo.uid, operatorName: this.setupInfo.name, subtask: this.setupInfo.subtaskIndex, ...extra };
  }

  /** Wraps an error a user function threw into one naming this operator, subtask and record. */
  protected userFunctionError(e: unknown, record: unknown, extra: Partial<ErrorContext> = {}): Error {
    const s = this.setupInfo;
    return asRivuletError(
      e,
      'USER_FUNCTION_FAILED',
      `User function of operator "${s.name}" (uid ${s.uid}, subtask ${s.subtaskIndex + 1}/${s.parallelism}) failed on record ${preview(record)}`,
      this.errorContext(extra),
    );
  }

  /** Opens a rich user function: sets its runtime context and calls open(). */
  protected openUserFunction(fn: unknown): void {
    if (fn instanceof RichFunction) {
      const s = this.setupInfo;
      fn.setRuntimeContext(new OperatorRuntimeContext(s));
      const ctx: OpenContext = { subtaskIndex: s.subtaskIndex, parallelism: s.parallelism };
      fn.open(ctx);
    }
  }

  protected closeUserFunction(fn: unknown): void {
    if (fn instanceof RichFunction) fn.close();
  }
}

/** A short, safe rendering of a record for error messages. */
export function preview(record: unknown): string {
  let s: string;
  try {
    s = typeof record === 'string' ? JSON.stringify(record) : JSON.stringify(record, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
  } catch {
    s = String(record);
  }
  if (s === undefined) s = String(record);
  return s.length > 300 ? `${s.slice(0, 300)}…` : s;
}
