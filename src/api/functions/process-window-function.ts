/**
 * Window functions that see the window: Flink's `ProcessWindowFunction` (rich, with a
 * context) and the lambda form of Flink's `WindowFunction.apply`.
 */
import { RichFunction } from '../../core/functions.ts';
import type { Collector } from '../../core/functions.ts';
import type { OutputTag } from '../../core/output-tag.ts';
import type { KeyedStateStore, Window } from '../../core/windowing.ts';

export abstract class ProcessWindowFunction<IN, OUT, K, W extends Window> extends RichFunction {
  /**
   * Called when the window fires. With incremental aggregation (`aggregate(agg, fn)`,
   * `reduce(fn, windowFn)`) `elements` holds exactly one value: the aggregate; with
   * `process(fn)` it holds the window's records (what an evictor left of them).
   */
  abstract process(key: K, context: ProcessWindowFunction.Context<W>, elements: Iterable<IN>, out: Collector<OUT>): void;

  /**
   * Called when the window is purged at its cleanup time (window end + allowed lateness):
   * drop what was kept in `context.windowState()` here; as Flink's `clear`.
   */
  clear(_context: ProcessWindowFunction.Context<W>): void {}
}

// eslint-disable-next-line @typescript-eslint/no-namespace -- type-only namespace mirrors Flink's nested Context
export declare namespace ProcessWindowFunction {
  interface Context<W> {
    window(): W;
    /** The operator's current event time (ms). */
    currentWatermark(): number;
    currentProcessingTime(): number;
    /**
     * Keyed state of the current key and window (kept until the user clears it, e.g. in
     * `clear`). @throws RivuletError(INVALID_GRAPH) for merging (session) windows, as Flink.
     */
    windowState(): KeyedStateStore;
    /** Keyed state of the current key, shared by all windows (as getRuntimeContext().getState()). */
    globalState(): KeyedStateStore;
    /** Emits to a side output, with the window's maxTimestamp as timestamp. */
    output<X>(tag: OutputTag<X>, value: X): void;
  }
}

/** Lambda form: `(key, window, elements, out) => void`; as Flink's `WindowFunction`. */
export type WindowFunction<IN, OUT, K, W extends Window> = (key: K, window: W, elements: Iterable<IN>, out: Collector<OUT>) => void;
