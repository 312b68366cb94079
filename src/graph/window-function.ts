/**
 * The function a WindowOperator calls when a window fires, after incremental aggregation:
 * it receives the key, the window and the aggregated result(s) and emits output. The api
 * adapts ProcessWindowFunction / WindowFunction / "pass the result through" to this one
 * shape, so the runtime has a single call path (as Flink's InternalWindowFunction).
 */
import type { Collector } from '../core/functions.ts';
import type { Window } from '../core/windowing.ts';

export interface InternalWindowContext {
  currentWatermark(): number;
  currentProcessingTime(): number;
}

export interface InternalWindowFunction<IN, OUT, K, W extends Window> {
  process(key: K, window: W, ctx: InternalWindowContext, input: Iterable<IN>, out: Collector<OUT>): void;
  /** Lifecycle hooks of a rich user function inside, if any. */
  readonly userFunction: unknown;
  /** The same adapter around another instance of the user function (one per parallel subtask). */
  withUserFunction?(userFunction: unknown): InternalWindowFunction<IN, OUT, K, W>;
}
