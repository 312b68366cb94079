import type { Counter, ValueState, ValueStateDescriptor } from './state.ts';

/**
 * What a rich function sees of the subtask it runs in; as Flink's `RuntimeContext`.
 */
export interface RuntimeContext {
  readonly taskName: string;
  readonly operatorUid: string;
  readonly indexOfThisSubtask: number;
  readonly numberOfParallelSubtasks: number;
  readonly maxNumberOfParallelSubtasks: number;
  /**
   * Keyed value state, scoped to the key of the record being processed.
   * @throws RivuletError(INVALID_GRAPH) on a non-keyed stream.
   */
  getState<T>(descriptor: ValueStateDescriptor<T>): ValueState<T>;
  /** A counter summed over all subtasks into `JobExecutionResult.getAccumulatorResult(name)`. */
  getCounter(name: string): Counter;
}
