/**
 * SourceOperator: the head of a source task. It owns the SourceReader and is its
 * ReaderOutput; as Flink's SourceOperator.
 *
 * Event time, per split (Flink's per-split watermarks): each split output the reader
 * creates (`createOutputForSplit`) gets its own timestamp assigner and watermark generator,
 * and records the reader emits through `collect` directly get one more, the *main* output.
 * The operator's watermark is the minimum over the outputs that are not idle (see
 * {@link WatermarkMultiplexer}); a released split no longer holds it back. Every
 * auto-watermark interval of processing time, every generator is asked for its periodic
 * watermark (and, with `withIdleness`, whether its input went idle). At end of input the
 * operator emits the final watermark (+Infinity) so every event-time window downstream
 * fires, as Flink does for bounded sources.
 *
 * Without a WatermarkStrategy, records keep the reader's timestamps and only watermarks
 * the reader emits itself (and the final one) go downstream.
 *
 * Checkpoints: the reader's splits with their positions (`SourceReader.snapshotState`) are
 * list state of the operator; a restored reader gets its splits back before it starts, so
 * reading resumes where the checkpoint was taken. Watermarks are not checkpointed (as in
 * Flink): after a restore they start over and rise again with the records.
 */
import type { OutputTag } from '../../core/output-tag.ts';
import type { InputStatus, ReaderOutput, Source, SourceOutput, SourceReader, SourceReaderMetrics, SourceSplit } from '../../core/source.ts';
import type { WatermarkGeneratorContext, WatermarkStrategyContract } from '../../core/watermark.ts';
import { asRivuletError } from '../../core/errors.ts';
import type { OperatorSnapshot } from '../checkpoint/operator-snapshot.ts';
import { SOURCE_READER_SPLITS } from '../checkpoint/operator-snapshot.ts';
import type { ScheduledTimer } from '../task/processing-time-service.ts';
import { StreamOperator } from './stream-operator.ts';
import type { PartialWatermark } from './watermark-emitter.ts';
import { WatermarkedOutput, WatermarkMultiplexer } from './watermark-emitter.ts';

/** The strategy of a source without one: no assigner, no generated watermarks. */
const NO_STRATEGY: WatermarkStrategyContract<unknown> = {
  createWatermarkGenerator: () => ({ onEvent() {}, onPeriodicEmit() {} }),
  createTimestampAssigner: () => undefined,
};

/** The id of the main output's partial watermark; split ids are the readers' own. */
const MAIN_OUTPUT = '\u0000main';

export class SourceOperator extends StreamOperator implements ReaderOutput<unknown> {
  // ---- configuration
  private readonly source: Source<unknown, SourceSplit>;
  private readonly strategy: WatermarkStrategyContract<unknown>;
  private readonly hasStrategy: boolean;
  private readonly interval: number;
  private readonly requestSplit: () => void;

  // ---- state that is checkpointed: the reader's splits and positions (see snapshotState)
  private reader!: SourceReader<unknown, SourceSplit>;

  // ---- state that is not checkpointed
  private multiplexer!: WatermarkMultiplexer;
  private generatorContext!: WatermarkGeneratorContext;
  /** Records emitted through this ReaderOutput directly, not through a split output. */
  private main!: WatermarkedOutput;
  private readonly splitOutputs = new Map<string, WatermarkedOutput>();
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
    this.strategy = options.watermarkStrategy ?? NO_STRATEGY;
    this.hasStrategy = options.watermarkStrategy !== undefined;
    this.interval = options.autoWatermarkInterval;
    this.requestSplit = options.requestSplit;
  }

  override async open(): Promise<void> {
    const s = this.setupInfo;
    this.multiplexer = new WatermarkMultiplexer(this.output);
    this.generatorContext = { processingTimeClock: s.clock };
    // The main output takes part in the watermark only once used, so that a reader that
    // emits per split is not held back by it (an idle-marked main output still counts as idle).
    this.main = this.createOutput(this.multiplexer.register(MAIN_OUTPUT, false));
    this.reader = this.source.createReader({
      subtaskIndex: s.subtaskIndex,
      parallelism: s.parallelism,
      sendSplitRequest: this.requestSplit,
      metrics: this.readerMetrics,
      operatorUid: s.uid,
    });
    this.addCheckpointListener(this.reader);
    const restored = this.restoredState?.lists.get(SOURCE_READER_SPLITS) as SourceSplit[] | undefined;
    if (restored !== undefined && restored.length > 0) this.reader.addSplits(restored);
    await this.reader.start();
    this.schedulePeriodicWatermark();
  }

  private createOutput(partial: PartialWatermark): WatermarkedOutput {
    const s = this.setupInfo;
    return new WatermarkedOutput({
      generator: this.strategy.createWatermarkGenerator(this.generatorContext),
      assigner: this.strategy.createTimestampAssigner(),
      partial,
      multiplexer: this.multiplexer,
      output: this.output,
      metrics: this.metrics,
      describe: () => `source "${s.name}" (uid ${s.uid}, subtask ${s.subtaskIndex + 1}/${s.parallelism})`,
      errorContext: () => this.errorContext(),
    });
  }

  private schedulePeriodicWatermark(): void {
    if (!this.hasStrategy || this.interval <= 0) return;
    const pts = this.setupInfo.processingTimeService;
    this.timer = pts.registerTimer(pts.getCurrentProcessingTime() + this.interval, this.onPeriodicEmit);
  }

  private readonly onPeriodicEmit = (): void => {
    this.multiplexer.deferUpdates(this.emitPeriodicWatermarks);
    this.schedulePeriodicWatermark();
  };

  private readonly emitPeriodicWatermarks = (): void => {
    this.main.periodicEmit();
    for (const out of this.splitOutputs.values()) out.periodicEmit();
  };

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

  override snapshotState(checkpointId: number, timestamp: number): OperatorSnapshot {
    const snapshot = super.snapshotState(checkpointId, timestamp);
    let splits: SourceSplit[];
    try {
      splits = this.reader.snapshotState(checkpointId);
    } catch (e) {
      const s = this.setupInfo;
      throw asRivuletError(e, 'USER_FUNCTION_FAILED', `Source "${s.name}" (uid ${s.uid}, subtask ${s.subtaskIndex + 1}/${s.parallelism}) failed to snapshot its reader`, this.errorContext({ checkpointId }));
    }
    snapshot.lists = { ...snapshot.lists, [SOURCE_READER_SPLITS]: splits };
    return snapshot;
  }

  notifyNoMoreSplits(): void {
    this.reader.notifyNoMoreSplits();
  }

  // ---- ReaderOutput: the main output, and the split outputs

  collect(record: unknown, timestamp?: number): void {
    this.main.collect(record, timestamp);
  }

  collectSideOutput<X>(tag: OutputTag<X>, value: X): void {
    this.main.collectSideOutput(tag, value);
  }

  emitWatermark(timestamp: number): void {
    this.main.emitWatermark(timestamp);
  }

  markIdle(): void {
    this.main.markIdle();
  }

  markActive(): void {
    this.main.markActive();
  }

  createOutputForSplit(splitId: string): SourceOutput<unknown> {
    let out = this.splitOutputs.get(splitId);
    if (out === undefined) {
      out = this.createOutput(this.multiplexer.register(splitId));
      this.splitOutputs.set(splitId, out);
    }
    return out;
  }

  releaseOutputForSplit(splitId: string): void {
    if (this.splitOutputs.delete(splitId)) this.multiplexer.unregister(splitId);
  }

  /** The operator's current watermark (the combined one). */
  currentWatermark(): number {
    return this.multiplexer.currentWatermark();
  }

  /** End of input: the final watermark, then the chain finishes. */
  override finish(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.multiplexer.emitFinalWatermark();
  }

  override async close(): Promise<void> {
    this.timer?.cancel();
    await this.reader?.close();
  }
}
