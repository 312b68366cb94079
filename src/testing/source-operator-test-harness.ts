/**
 * SourceOperatorTestHarness: runs ONE source subtask by hand — its SourceReader inside the
 * SourceOperator that assigns timestamps and generates watermarks — on virtual processing
 * time; the source-side counterpart of {@link OperatorTestHarness} (Flink tests sources
 * with a `SourceOperatorTestContext`).
 *
 * ```ts
 * const h = await SourceOperatorTestHarness.of(source, WatermarkStrategy.forBoundedOutOfOrderness(Duration.ofSeconds(5)), { autoWatermarkInterval: 100 });
 * h.addSplits([split]);
 * h.pollUntilNothingAvailable();
 * h.setProcessingTime(100);          // periodic watermarks of every split
 * assert.deepEqual(h.getWatermarks(), [...]);
 * ```
 *
 * The test is the task and the enumerator: it assigns splits, polls the reader, moves
 * processing time (the periodic watermark timer and `withIdleness` run on it) and ends the
 * input. Split requests the reader sends are counted, not answered. Everything the
 * operator emits is kept in order, including watermark statuses ({@link getOutputEvents}).
 */
import { RivuletError } from '../core/errors.ts';
import type { OutputTag } from '../core/output-tag.ts';
import { InputStatus } from '../core/source.ts';
import type { Source, SourceSplit } from '../core/source.ts';
import type { Counter } from '../core/state.ts';
import type { WatermarkStatus, WatermarkStrategyContract } from '../core/watermark.ts';
import { SourceOperator } from '../runtime/operators/source-operator.ts';
import { OperatorMetricCounters } from '../runtime/operators/stream-operator.ts';
import { ManualProcessingTimeService } from '../runtime/task/processing-time-service.ts';
import { CollectingOutput } from './collecting-output.ts';
import type { OutputElement, OutputEvent, TimestampedRecord } from './collecting-output.ts';

export interface SourceOperatorTestHarnessOptions {
  /** Default 200 ms (Flink's); 0 disables periodic watermarks. */
  readonly autoWatermarkInterval?: number;
  /** Initial processing time (ms); default 0. */
  readonly processingTime?: number;
  readonly subtaskIndex?: number;
  readonly parallelism?: number;
  /** Operator uid and name in errors; default `test-source`. */
  readonly uid?: string;
}

/** Polls at most this many times in {@link SourceOperatorTestHarness.pollUntilNothingAvailable}, against a reader that never stops. */
const MAX_POLLS = 100_000;

export class SourceOperatorTestHarness<T> {
  readonly operator: SourceOperator;
  readonly metrics = new OperatorMetricCounters();
  readonly accumulators = new Map<string, Counter>();
  /** Split requests the reader sent so far. */
  splitRequests = 0;

  private readonly output = new CollectingOutput(this.metrics);
  private readonly processingTime: ManualProcessingTimeService;
  private ended = false;

  private constructor(source: Source<T, SourceSplit>, strategy: WatermarkStrategyContract<T> | undefined, options: SourceOperatorTestHarnessOptions) {
    this.processingTime = new ManualProcessingTimeService(options.processingTime ?? 0);
    this.operator = new SourceOperator({
      source: source as Source<unknown, SourceSplit>,
      watermarkStrategy: strategy as WatermarkStrategyContract<unknown> | undefined,
      autoWatermarkInterval: options.autoWatermarkInterval ?? 200,
      requestSplit: () => void this.splitRequests++,
    });
    const pts = this.processingTime;
    const uid = options.uid ?? 'test-source';
    this.operator.setup({
      uid,
      name: uid,
      subtaskIndex: options.subtaskIndex ?? 0,
      parallelism: options.parallelism ?? 1,
      maxParallelism: 128,
      output: this.output,
      metrics: this.metrics,
      processingTimeService: pts,
      clock: { now: () => pts.getCurrentProcessingTime() },
      keyedStateBackend: undefined,
      accumulators: this.accumulators,
    });
  }

  /** Creates the reader (`createReader` + `start`) inside a set-up source operator. */
  static async of<T, Split extends SourceSplit>(
    source: Source<T, Split>,
    strategy: WatermarkStrategyContract<T> | undefined,
    options: SourceOperatorTestHarnessOptions = {},
  ): Promise<SourceOperatorTestHarness<T>> {
    const h = new SourceOperatorTestHarness<T>(source as unknown as Source<T, SourceSplit>, strategy, options);
    await h.operator.open();
    return h;
  }

  addSplits(splits: SourceSplit[]): void {
    this.operator.addSplits(splits);
  }

  notifyNoMoreSplits(): void {
    this.operator.notifyNoMoreSplits();
  }

  /** One `pollNext` of the reader. */
  pollNext(): InputStatus {
    return this.operator.pollNext();
  }

  /** Polls until the reader has nothing ready or has ended; returns the last status. */
  pollUntilNothingAvailable(): InputStatus {
    for (let i = 0; i < MAX_POLLS; i++) {
      const status = this.operator.pollNext();
      if (status !== InputStatus.MORE_AVAILABLE) return status;
    }
    throw new RivuletError('INVALID_ARGUMENT', `The reader still had more after ${MAX_POLLS} polls; poll an unbounded reader with pollNext().`);
  }

  /** Advances processing time to `time`: periodic watermarks (and idleness checks) due by then run. */
  setProcessingTime(time: number): void {
    const now = this.processingTime.getCurrentProcessingTime();
    if (time < now) throw new RivuletError('INVALID_ARGUMENT', `Processing time never goes back: got ${time} after ${now}.`);
    this.processingTime.advanceTo(time);
  }

  getProcessingTime(): number {
    return this.processingTime.getCurrentProcessingTime();
  }

  /** End of input as the task does it: the final watermark (+Infinity). */
  endInput(): void {
    if (this.ended) return;
    this.ended = true;
    this.operator.finish();
  }

  async close(): Promise<void> {
    await this.operator.close();
  }

  /** The operator's combined watermark so far. */
  currentWatermark(): number {
    return this.operator.currentWatermark();
  }

  /** Records and watermarks, in emission order. */
  getOutput(): OutputElement<T>[] {
    return this.output.main.slice() as OutputElement<T>[];
  }

  /** Records, watermarks and watermark statuses, in emission order. */
  getOutputEvents(): OutputEvent<T>[] {
    return this.output.events.slice() as OutputEvent<T>[];
  }

  getRecordOutput(): TimestampedRecord<T>[] {
    return this.output.main.filter((e): e is TimestampedRecord<T> => 'record' in e);
  }

  extractOutputValues(): T[] {
    return this.getRecordOutput().map((e) => e.record);
  }

  getWatermarks(): number[] {
    return this.output.main.flatMap((e) => ('watermark' in e ? [e.watermark] : []));
  }

  getWatermarkStatuses(): WatermarkStatus[] {
    return this.output.events.flatMap((e) => ('watermarkStatus' in e ? [e.watermarkStatus] : []));
  }

  getSideOutput<X>(tag: OutputTag<X>): X[] {
    return (this.output.side.get(tag.id) ?? []).map((e) => e.record as X);
  }

  clearOutput(): void {
    this.output.clear();
  }
}
