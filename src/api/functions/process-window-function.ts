/**
 * Window functions that see the window: Flink's `ProcessWindowFunction` (rich, with a
 * context) and the lambda form of Flink's `WindowFunction.apply`.
 */
import { RichFunction } from '../../core/functions.ts';
import type { Collector } from '../../core/functions.ts';
import type { Window } from '../../core/windowing.ts';

export abstract class ProcessWindowFunction<IN, OUT, K, W extends Window> extends RichFunction {
  /**
   * Called when the window fires. With incremental aggregation (`aggregate(agg, fn)`,
   * `reduce(fn, windowFn)`) `elements` holds exactly one value: the aggregate.
   */
  abstract process(key: K, context: ProcessWindowFunction.Context<W>, elements: Iterable<IN>, out: Collector<OUT>): void;
}

// eslint-disable-next-line @typescript-eslint/no-namespace -- type-only namespace mirrors Flink's nested Context
export declare namespace ProcessWindowFunction {
  interface Context<W> {
    window(): W;
    currentWatermark(): number;
    currentProcessingTime(): number;
  }
}

/** Lambda form: `(key, window, elements, out) => void`; as Flink's `WindowFunction`. */
export type WindowFunction<IN, OUT, K, W extends Window> = (key: K, window: W, elements: Iterable<IN>, out: Collector<OUT>) => void;
