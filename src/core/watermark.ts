/**
 * The event-time contracts between a WatermarkStrategy (api) and the runtime that drives it.
 * Semantics as Flink's `WatermarkGenerator` / `TimestampAssigner`.
 */

/** Extracts an event timestamp (epoch ms) from a record; `recordTimestamp` is the one it already had, if any. */
export type TimestampAssigner<T> = (element: T, recordTimestamp: number) => number;

/** Where a generator emits watermarks. */
export interface WatermarkOutput {
  /** Emits a watermark (epoch ms); one that does not advance event time is ignored. */
  emitWatermark(timestamp: number): void;
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

/** What the runtime needs from a WatermarkStrategy. */
export interface WatermarkStrategyContract<T> {
  createWatermarkGenerator(): WatermarkGenerator<T>;
  /** Undefined: records keep the timestamp the source gave them. */
  createTimestampAssigner(): TimestampAssigner<T> | undefined;
}
