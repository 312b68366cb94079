/** The RuntimeContext a rich user function sees; state goes to the operator's keyed backend. */
import { RivuletError } from '../../core/errors.ts';
import type { RuntimeContext } from '../../core/runtime-context.ts';
import type { Counter, ValueState, ValueStateDescriptor } from '../../core/state.ts';
import type { OperatorSetup } from './stream-operator.ts';
import { VOID_NAMESPACE } from '../state/keyed-state-backend.ts';

class LocalCounter implements Counter {
  private value = 0;
  add(n: number): void {
    this.value += n;
  }
  getLocalValue(): number {
    return this.value;
  }
}

/** The name in the keyed state backend of the user's state `name` (apart from operator-internal states). */
export function userStateName(name: string): string {
  return `user:${name}`;
}

export class OperatorRuntimeContext implements RuntimeContext {
  readonly taskName: string;
  readonly operatorUid: string;
  readonly indexOfThisSubtask: number;
  readonly numberOfParallelSubtasks: number;
  readonly maxNumberOfParallelSubtasks: number;
  private readonly setup: OperatorSetup;

  constructor(setup: OperatorSetup) {
    this.setup = setup;
    this.taskName = setup.name;
    this.operatorUid = setup.uid;
    this.indexOfThisSubtask = setup.subtaskIndex;
    this.numberOfParallelSubtasks = setup.parallelism;
    this.maxNumberOfParallelSubtasks = setup.maxParallelism;
  }

  getState<T>(descriptor: ValueStateDescriptor<T>): ValueState<T> {
    const backend = this.setup.keyedStateBackend;
    if (backend === undefined) {
      throw new RivuletError(
        'INVALID_GRAPH',
        `Keyed state "${descriptor.name}" is only available on a keyed stream: call keyBy() before process() (operator uid ${this.operatorUid}).`,
        { operatorUid: this.operatorUid, subtask: this.indexOfThisSubtask },
      );
    }
    const kv = backend.getOrCreateKvState<T>(userStateName(descriptor.name));
    const def = descriptor.defaultValue;
    return {
      value(): T | undefined {
        kv.setCurrentNamespace(VOID_NAMESPACE);
        const v = kv.get();
        return v === undefined ? def : v;
      },
      update(value: T): void {
        kv.setCurrentNamespace(VOID_NAMESPACE);
        kv.put(value);
      },
      clear(): void {
        kv.setCurrentNamespace(VOID_NAMESPACE);
        kv.clear();
      },
    };
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
