/**
 * Rolling reduce per key: emits, for every record, the reduction of all records of its key
 * so far; as Flink's StreamGroupedReduceOperator. sum/min/max/minBy/maxBy are built on it
 * in the api.
 */
import type { ReduceFunction } from '../../core/functions.ts';
import type { Key } from '../../core/keys.ts';
import { RivuletError } from '../../core/errors.ts';
import type { InternalKvState } from '../state/keyed-state-backend.ts';
import type { KeyedStateBackend } from '../state/keyed-state-backend.ts';
import { StreamOperator } from './stream-operator.ts';

export class KeyedReduceOperator extends StreamOperator {
  private readonly fn: ReduceFunction<unknown>;
  private readonly keySelector: (value: unknown) => Key;
  private backend!: KeyedStateBackend;
  /** The reduction so far, per key (checkpointed with the keyed state, issue #4). */
  private state!: InternalKvState<unknown>;

  constructor(fn: ReduceFunction<unknown>, keySelector: (value: unknown) => Key) {
    super();
    this.fn = fn;
    this.keySelector = keySelector;
  }

  override open(): void {
    const backend = this.setupInfo.keyedStateBackend;
    if (backend === undefined) throw new RivuletError('INTERNAL', 'KeyedReduceOperator without keyed state backend', this.errorContext());
    this.backend = backend;
    this.state = backend.getOrCreateKvState('reduce');
  }

  processElement(value: unknown, timestamp: number): void {
    let result: unknown;
    try {
      this.backend.setCurrentKey(this.keySelector(value));
      const current = this.state.get();
      result = current === undefined ? value : this.fn(current, value);
    } catch (e) {
      throw this.userFunctionError(e, value);
    }
    this.state.put(result);
    this.output.collect(result, timestamp);
  }
}
