/**
 * SourceOperator: the head of a source task. It owns the SourceReader, is its
 * ReaderOutput (assigning timestamps and feeding the watermark generator per record), and
 * asks for periodic watermarks every auto-watermark interval; as Flink's SourceOperator.
 * At end of input it emits the final watermark (+Infinity) so every event-time window
 * downstream fires, as Flink does for bounded sources.
 */
import type { OutputTag } from '../../core/output-tag.ts';
import type { InputStatus, ReaderOutput, Source, SourceReader, SourceReaderMetrics, SourceSplit } from '../../core/source.ts';
import { MAX_WATERMARK, NO_TIMESTAMP } from '../../core/time.ts';
import type { WatermarkStrategyContract } from '../../core/watermark.ts';
import { asRivuletError } from '../../core/errors.ts';
import type { ScheduledTimer } from '../task/processing-time-service.ts';
import { StreamOperator } from './stream-operator.ts';
import { WatermarkEmitter } from './watermark-emitter.ts';

export class SourceOperator extends StreamOperator implements ReaderOutput<unknown> {
  private readonly source: Source<unknown, SourceSplit>;
  private readonly strategy: WatermarkStrategyContract<unknown> | undefined;
  private readonly interval: number;
  private readonly requestSplit: () => void;
  private reader!: SourceReader<unknown, SourceSplit>;
  private emitter: WatermarkEmitter | undefined;
  private timer: ScheduledTimer | undefined;
  /** Updated in place by the reader; copied into this operator's metrics after each poll. */
  private readonly readerMetrics: SourceReaderMetrics = { bytesRead: 0, bytesTotal: undefined, malformedRecords: 0 };

  constructor(options: {
    source: Source<unknown, SourceSplit>;
    watermarkStrategy: WatermarkStrategyContract<unknown> | undefined;
    autoWatermarkInterval: number;
    requestSplit: () => void;
  }) {
    super();
    this.source = options.source;
    this.strategy = options.watermarkStrategy;
    this.interval = options.autoWatermarkInterval;
    this.requestSplit = options.requestSplit;
  }

  override async open(): Promise<void> {
    const s = this.setupInfo;
    if (this.strategy !== undefined) this.emitter = new WatermarkEmitter(this.strategy, this.output, () => `source "${s.name}" (uid ${s.uid}, subtask ${s.subtaskIndex + 1}/${s.parallelism})`);
    this.reader = this.source.createReader({
      subtaskIndex: s.subtaskIndex,
      parallelism: s.parallelism,
      sendSplitRequest: this.requestSplit,
      metrics: this.readerMetrics,
      operatorUid: s.uid,
    });
    await this.reader.start();
    this.schedulePeriodicWatermark();
  }

  private schedulePeriodicWatermark(): void {
    if (this.emitter === undefined || this.interval <= 0) return;
    const pts = this.setupInfo.processingTimeService;
    this.timer = pts.registerTimer(pts.getCurrentProcessingTime() + this.interval, () => {
      this.emitter!.periodicEmit();
      this.schedulePeriodicWatermark();
    });
  }

  processElement(): void {
    throw new Error('a source has no input');
  }

  /** Emits what the reader has ready. Errors name this source and subtask. */
  pollNext(): InputStatus {
    try {
      return this.reader.pollNext(this);
    } catch (e) {
      const s = this.setupInfo;
      throw asRivuletError(e, 'USER_FUNCTION_FAILED', `Source "${s.name}" (uid ${s.uid}, subtask ${s.subtaskIndex + 1}/${s.parallelism}) failed`, this.errorContext());
    } finally {
      const m = this.metrics;
      m.bytesRead = this.readerMetrics.bytesRead;
      m.bytesTotal = this.readerMetrics.bytesTotal;
      m.malformedRecords = this.readerMetrics.malformedRecords;
    }
  }

  isAvailable(): Promise<void> {
    return this.reader.isAvailable();
  }

  addSplits(splits: SourceSplit[]): void {
    this.reader.addSplits(splits);
  }

  notifyNoMoreSplits(): void {
    this.reader.notifyNoMoreSplits();
  }

  collect(record: unknown, timestamp?: number): void {
    this.metrics.recordsIn++;
    if (this.emitter !== undefined) this.emitter.collect(record, timestamp ?? NO_TIMESTAMP);
    else this.output.collect(record, timestamp ?? NO_TIMESTAMP);
  }

  collectSideOutput<X>(tag: OutputTag<X>, value: X): void {
    this.output.collectSide(tag.id, value, NO_TIMESTAMP);
  }

  /** End of input: the final watermark, then the chain finishes. */
  override finish(): void {
    this.timer?.cancel();
    this.timer = undefined;
    if (this.emitter !== undefined) {
      this.emitter.emitWatermark(MAX_WATERMARK);
    } else {
      this.output.emitWatermark(MAX_WATERMARK);
    }
  }

  override async close(): Promise<void> {
    this.timer?.cancel();
    await this.reader?.close();
  }
}
