/** The RuntimeContext a rich user function sees; state goes to the operator's keyed backend. */
import { RivuletError } from '../../core/errors.ts';
import type { Key } from '../../core/keys.ts';
import type { RuntimeContext } from '../../core/runtime-context.ts';
import type {
  AggregatingState,
  AggregatingStateDescriptor,
  Counter,
  KeyedStateStore,
  ListState,
  ListStateDescriptor,
  MapState,
  MapStateDescriptor,
  ReducingState,
  ReducingStateDescriptor,
  StateDescriptor,
  ValueState,
  ValueStateDescriptor,
} from '../../core/state.ts';
import type { OperatorSetup } from './stream-operator.ts';
import { DefaultKeyedStateStore } from '../state/default-keyed-state-store.ts';
import { VOID_NAMESPACE } from '../state/keyed-state-backend.ts';

export { userStateName } from '../state/default-keyed-state-store.ts';

class LocalCounter implements Counter {
  private value = 0;
  add(n: number): void {
    this.value += n;
  }
  getLocalValue(): number {
    return this.value;
  }
}

export class OperatorRuntimeContext implements RuntimeContext {
  readonly taskName: string;
  readonly operatorUid: string;
  readonly indexOfThisSubtask: number;
  readonly numberOfParallelSubtasks: number;
  readonly maxNumberOfParallelSubtasks: number;
  private readonly setup: OperatorSetup;
  private store: DefaultKeyedStateStore | undefined;

  constructor(setup: OperatorSetup) {
    this.setup = setup;
    this.taskName = setup.name;
    this.operatorUid = setup.uid;
    this.indexOfThisSubtask = setup.subtaskIndex;
    this.numberOfParallelSubtasks = setup.parallelism;
    this.maxNumberOfParallelSubtasks = setup.maxParallelism;
  }

  getState<T>(descriptor: ValueStateDescriptor<T>): ValueState<T> {
    return this.keyedStateStore(descriptor).getState(descriptor);
  }

  getListState<T>(descriptor: ListStateDescriptor<T>): ListState<T> {
    return this.keyedStateStore(descriptor).getListState(descriptor);
  }

  getMapState<K extends Key, V>(descriptor: MapStateDescriptor<K, V>): MapState<K, V> {
    return this.keyedStateStore(descriptor).getMapState(descriptor);
  }

  getReducingState<T>(descriptor: ReducingStateDescriptor<T>): ReducingState<T> {
    return this.keyedStateStore(descriptor).getReducingState(descriptor);
  }

  getAggregatingState<IN, ACC, OUT>(descriptor: AggregatingStateDescriptor<IN, ACC, OUT>): AggregatingState<IN, OUT> {
    return this.keyedStateStore(descriptor).getAggregatingState(descriptor);
  }

  /**
   * Keyed state of the current key (void namespace), with TTL on the operator's processing time.
   * @throws RivuletError(INVALID_GRAPH) on a non-keyed stream.
   */
  keyedStateStore(descriptor?: StateDescriptor): KeyedStateStore {
    if (this.store !== undefined) return this.store;
    const backend = this.setup.keyedStateBackend;
    if (backend === undefined) {
      const what = descriptor === undefined ? 'Keyed state' : `Keyed state "${descriptor.name}"`;
      throw new RivuletError(
        'INVALID_GRAPH',
        `${what} is only available on a keyed stream: call keyBy() before process() (operator uid ${this.operatorUid}); a non-keyed function keeps operator state through CheckpointedFunction.initializeState.`,
        { operatorUid: this.operatorUid, subtask: this.indexOfThisSubtask },
      );
    }
    const pts = this.setup.processingTimeService;
    this.store = new DefaultKeyedStateStore({ backend, namespace: () => VOID_NAMESPACE, ttlTimeProvider: () => pts.getCurrentProcessingTime() });
    return this.store;
  }

  getCounter(name: string): Counter {
    let c = this.setup.accumulators.get(name);
    if (c === undefined) {
      c = new LocalCounter();
      this.setup.accumulators.set(name, c);
    }
    return c;
  }
}
