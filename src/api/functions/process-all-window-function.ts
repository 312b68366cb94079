/**
 * Window functions of non-keyed windows (`windowAll`): Flink's `ProcessAllWindowFunction`
 * (rich, with a context) and the lambda form of Flink's `AllWindowFunction.apply`.
 */
import { RichFunction } from '../../core/functions.ts';
import type { Collector } from '../../core/functions.ts';
import type { Window } from '../../core/windowing.ts';
import type { ProcessWindowFunction } from './process-window-function.ts';

export abstract class ProcessAllWindowFunction<IN, OUT, W extends Window> extends RichFunction {
  /** Called when the window fires; `elements` as in {@link ProcessWindowFunction.process}. */
  abstract process(context: ProcessAllWindowFunction.Context<W>, elements: Iterable<IN>, out: Collector<OUT>): void;

  /** Called when the window is purged at its cleanup time; as Flink's `clear`. */
  clear(_context: ProcessAllWindowFunction.Context<W>): void {}
}

// eslint-disable-next-line @typescript-eslint/no-namespace -- type-only namespace mirrors Flink's nested Context
export declare namespace ProcessAllWindowFunction {
  /** The same context as a keyed window's (the key of a non-keyed stream is a constant). */
  type Context<W> = ProcessWindowFunction.Context<W>;
}

/** Lambda form: `(window, elements, out) => void`; as Flink's `AllWindowFunction`. */
export type AllWindowFunction<IN, OUT, W extends Window> = (window: W, elements: Iterable<IN>, out: Collector<OUT>) => void;
