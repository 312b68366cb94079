/**
 * assignTimestampsAndWatermarks() mid-stream; as Flink's TimestampsAndWatermarksOperator:
 * upstream watermarks are dropped (this operator generates its own) except the final one
 * at end of input.
 */
import type { WatermarkStrategyContract } from '../../core/watermark.ts';
import { MAX_WATERMARK } from '../../core/time.ts';
import type { ScheduledTimer } from '../task/processing-time-service.ts';
import { StreamOperator } from './stream-operator.ts';
import { WatermarkEmitter } from './watermark-emitter.ts';

export class TimestampsAndWatermarksOperator extends StreamOperator {
  private readonly strategy: WatermarkStrategyContract<unknown>;
  private emitter!: WatermarkEmitter;
  private timer: ScheduledTimer | undefined;
  private readonly interval: number;

  constructor(strategy: WatermarkStrategyContract<unknown>, autoWatermarkInterval: number) {
    super();
    this.strategy = strategy;
    this.interval = autoWatermarkInterval;
  }

  override open(): void {
    this.emitter = new WatermarkEmitter(this.strategy, this.output, () => `operator "${this.setupInfo.name}" (uid ${this.uid})`);
    this.schedule();
  }

  private schedule(): void {
    if (this.interval <= 0) return;
    const pts = this.setupInfo.processingTimeService;
    this.timer = pts.registerTimer(pts.getCurrentProcessingTime() + this.interval, () => {
      this.emitter.periodicEmit();
      this.schedule();
    });
  }

  processElement(value: unknown, timestamp: number): void {
    this.emitter.collect(value, timestamp);
  }

  override processWatermark(timestamp: number): void {
    if (timestamp === MAX_WATERMARK) this.emitter.emitWatermark(MAX_WATERMARK);
  }

  override close(): void {
    this.timer?.cancel();
  }
}
