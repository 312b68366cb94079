/**
 * The function a WindowOperator calls when a window fires: it receives the key, the window
 * and the window's contents and emits output. The api adapts ProcessWindowFunction /
 * WindowFunction / "pass the result through" to this one shape, so the runtime has a single
 * call path (as Flink's InternalWindowFunction).
 *
 * `input` is what the pane holds when the window fires: one value (the aggregate's result)
 * for incremental aggregation, or the window's records for full-window functions (`process`,
 * `apply`, and any window with an evictor); the adapter knows which.
 */
import type { Collector } from '../core/functions.ts';
import type { KeyedStateStore, Window } from '../core/windowing.ts';

/** What the window function may read and do while it runs; as Flink's `InternalWindowContext`. */
export interface InternalWindowContext {
  currentWatermark(): number;
  currentProcessingTime(): number;
  /**
   * Keyed state of the current key and window. Operators that do not offer it leave it out;
   * merging (session) windows throw, as Flink.
   */
  windowState?(): KeyedStateStore;
  /** Keyed state of the current key, shared by all its windows. */
  globalState?(): KeyedStateStore;
  /** Emits to the side output with this tag id, with the window's maxTimestamp. */
  output?(tagId: string, value: unknown): void;
}

export interface InternalWindowFunction<IN, OUT, K, W extends Window> {
  process(key: K, window: W, ctx: InternalWindowContext, input: Iterable<IN>, out: Collector<OUT>): void;
  /** Called when the window's state is dropped (its cleanup time); as Flink's `clear`. */
  clear?(key: K, window: W, ctx: InternalWindowContext): void;
  /** Lifecycle hooks of a rich user function inside, if any. */
  readonly userFunction: unknown;
  /** The same adapter around another instance of the user function (one per parallel subtask). */
  withUserFunction?(userFunction: unknown): InternalWindowFunction<IN, OUT, K, W>;
}
