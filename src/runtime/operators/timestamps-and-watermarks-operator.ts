/**
 * assignTimestampsAndWatermarks() mid-stream; as Flink's TimestampsAndWatermarksOperator:
 * it assigns timestamps and generates watermarks with one generator per subtask, emitted
 * every auto-watermark interval of processing time (periodic) or per record (punctuated).
 *
 * This operator is the source of event time for everything after it, so upstream
 * watermarks and watermark statuses are dropped — except the final watermark at end of
 * input. Its own input can go idle through the strategy's `withIdleness`.
 */
import type { WatermarkStatus, WatermarkStrategyContract } from '../../core/watermark.ts';
import { MAX_WATERMARK } from '../../core/time.ts';
import type { ScheduledTimer } from '../task/processing-time-service.ts';
import { StreamOperator } from './stream-operator.ts';
import { WatermarkedOutput, WatermarkMultiplexer } from './watermark-emitter.ts';

export class TimestampsAndWatermarksOperator extends StreamOperator {
  // ---- configuration
  private readonly strategy: WatermarkStrategyContract<unknown>;
  private readonly interval: number;

  // ---- state that is not checkpointed
  private multiplexer!: WatermarkMultiplexer;
  private emitter!: WatermarkedOutput;
  private timer: ScheduledTimer | undefined;

  constructor(strategy: WatermarkStrategyContract<unknown>, autoWatermarkInterval: number) {
    super();
    this.strategy = strategy;
    this.interval = autoWatermarkInterval;
  }

  override open(): void {
    const s = this.setupInfo;
    this.multiplexer = new WatermarkMultiplexer(this.output);
    this.emitter = new WatermarkedOutput({
      generator: this.strategy.createWatermarkGenerator({ processingTimeClock: s.clock }),
      assigner: this.strategy.createTimestampAssigner(),
      partial: this.multiplexer.register('input'),
      multiplexer: this.multiplexer,
      output: this.output,
      metrics: undefined, // the chain counts this operator's records in
      describe: () => `operator "${s.name}" (uid ${s.uid}, subtask ${s.subtaskIndex + 1}/${s.parallelism})`,
      errorContext: () => this.errorContext(),
    });
    this.schedule();
  }

  private schedule(): void {
    if (this.interval <= 0) return;
    const pts = this.setupInfo.processingTimeService;
    this.timer = pts.registerTimer(pts.getCurrentProcessingTime() + this.interval, this.onPeriodicEmit);
  }

  private readonly onPeriodicEmit = (): void => {
    this.emitter.periodicEmit();
    this.schedule();
  };

  processElement(value: unknown, timestamp: number): void {
    this.emitter.collect(value, timestamp);
  }

  override processWatermark(timestamp: number): void {
    if (timestamp === MAX_WATERMARK) this.multiplexer.emitFinalWatermark();
  }

  override processWatermarkStatus(_status: WatermarkStatus): void {
    // Dropped, as upstream watermarks: this operator's own generator decides.
  }

  override close(): void {
    this.timer?.cancel();
  }
}
