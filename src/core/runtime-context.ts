import type { Key } from './keys.ts';
import type {
  AggregatingState,
  AggregatingStateDescriptor,
  Counter,
  ListState,
  ListStateDescriptor,
  MapState,
  MapStateDescriptor,
  ReducingState,
  ReducingStateDescriptor,
  ValueState,
  ValueStateDescriptor,
} from './state.ts';

/**
 * What a rich function sees of the subtask it runs in; as Flink's `RuntimeContext`.
 *
 * The keyed state getters hand out state of the key of the record (or timer) being
 * processed; each throws RivuletError(INVALID_GRAPH) on a non-keyed stream, and
 * RivuletError(STATE_INCOMPATIBLE) when the name is already registered as another kind of
 * state, or restored state was written with another serde.
 */
export interface RuntimeContext {
  readonly taskName: string;
  readonly operatorUid: string;
  readonly indexOfThisSubtask: number;
  readonly numberOfParallelSubtasks: number;
  readonly maxNumberOfParallelSubtasks: number;
  /** Keyed value state, scoped to the key of the record being processed. */
  getState<T>(descriptor: ValueStateDescriptor<T>): ValueState<T>;
  getListState<T>(descriptor: ListStateDescriptor<T>): ListState<T>;
  getMapState<K extends Key, V>(descriptor: MapStateDescriptor<K, V>): MapState<K, V>;
  getReducingState<T>(descriptor: ReducingStateDescriptor<T>): ReducingState<T>;
  getAggregatingState<IN, ACC, OUT>(descriptor: AggregatingStateDescriptor<IN, ACC, OUT>): AggregatingState<IN, OUT>;
  /** A counter summed over all subtasks into `JobExecutionResult.getAccumulatorResult(name)`. */
  getCounter(name: string): Counter;
}
