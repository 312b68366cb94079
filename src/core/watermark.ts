/**
 * The event-time contracts between a WatermarkStrategy (api) and the runtime that drives it.
 * Semantics as Flink's `WatermarkGenerator` / `TimestampAssigner` / `WatermarkStatus`.
 */
import type { Clock } from './time.ts';

/** Extracts an event timestamp (epoch ms) from a record; `recordTimestamp` is the one it already had, if any. */
export type TimestampAssigner<T> = (element: T, recordTimestamp: number) => number;

/**
 * Whether a stream (a split, a source subtask, a channel) currently takes part in event
 * time, as Flink's `WatermarkStatus`. An IDLE stream promises nothing and holds back
 * nothing: downstream, the watermark is the minimum over the ACTIVE inputs only. A stream
 * turns ACTIVE again with its next record or watermark.
 */
export type WatermarkStatus = 'ACTIVE' | 'IDLE';

/** Where a generator emits watermarks. */
export interface WatermarkOutput {
  /** Emits a watermark (epoch ms); one that does not advance event time is ignored. Marks the output active. */
  emitWatermark(timestamp: number): void;
  /**
   * Marks the output idle: downstream stops waiting for its watermarks (as Flink's
   * `markIdle`), until it emits a record or a watermark or is marked active.
   */
  markIdle(): void;
  /** Marks the output active again (it holds back downstream watermarks again). */
  markActive(): void;
}

/**
 * Generates watermarks from the events a source reads. `onEvent` runs per record (a
 * punctuated generator may emit there); `onPeriodicEmit` runs every auto-watermark
 * interval of processing time (ExecutionConfig.autoWatermarkInterval, default 200 ms).
 */
export interface WatermarkGenerator<T> {
  onEvent(event: T, eventTimestamp: number, output: WatermarkOutput): void;
  onPeriodicEmit(output: WatermarkOutput): void;
}

/** What a generator may use from where it runs; as Flink's `WatermarkGeneratorSupplier.Context`. */
export interface WatermarkGeneratorContext {
  /** The task's processing-time clock (virtual in tests); idleness is measured on it. */
  readonly processingTimeClock: Clock;
}

/** What the runtime needs from a WatermarkStrategy. */
export interface WatermarkStrategyContract<T> {
  /** Called once per source split (per-split watermarks), or per subtask where there are no splits. */
  createWatermarkGenerator(context: WatermarkGeneratorContext): WatermarkGenerator<T>;
  /** Undefined: records keep the timestamp the source gave them. */
  createTimestampAssigner(): TimestampAssigner<T> | undefined;
}
