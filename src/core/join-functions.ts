/**
 * Functions of the DataStream joins, with Flink's names: window joins (`join`, `coGroup`)
 * call them per key and window; the interval join calls a {@link ProcessJoinFunction} per
 * matching pair.
 */
import type { Collector } from './functions.ts';
import { RichFunction } from './functions.ts';
import type { OutputTag } from './output-tag.ts';

/** One output per pair of records of the same key and window; as Flink's `JoinFunction`. */
export type JoinFunction<IN1, IN2, OUT> = (first: IN1, second: IN2) => OUT;

/**
 * Zero or more outputs per pair of records of the same key and window; as Flink's
 * `FlatJoinFunction`. Told apart from a JoinFunction by its arity: declare all three
 * parameters (`(first, second, out) => ...`).
 */
export type FlatJoinFunction<IN1, IN2, OUT> = (first: IN1, second: IN2, out: Collector<OUT>) => void;

/**
 * Called once per key and window with all records of both inputs in it (one side may be
 * empty, not both); as Flink's `CoGroupFunction`.
 */
export type CoGroupFunction<IN1, IN2, OUT> = (first: Iterable<IN1>, second: Iterable<IN2>, out: Collector<OUT>) => void;

/**
 * Called per pair of an interval join, as Flink's `ProcessJoinFunction`. The output
 * timestamp is the larger of the two records' timestamps.
 */
export abstract class ProcessJoinFunction<IN1, IN2, OUT> extends RichFunction {
  abstract processElement(left: IN1, right: IN2, ctx: ProcessJoinFunction.Context, out: Collector<OUT>): void;
}
// eslint-disable-next-line @typescript-eslint/no-namespace -- type-only namespace mirrors Flink's nested Context
export declare namespace ProcessJoinFunction {
  interface Context {
    /** Event timestamp (ms) of the left record. */
    getLeftTimestamp(): number;
    /** Event timestamp (ms) of the right record. */
    getRightTimestamp(): number;
    /** The output's timestamp: max(left, right). */
    getTimestamp(): number;
    /** Emits to a side output, read with `getSideOutput(tag)`; with the output's timestamp. */
    output<X>(tag: OutputTag<X>, value: X): void;
  }
}
