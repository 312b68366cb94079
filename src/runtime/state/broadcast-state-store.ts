/**
 * The broadcast states of one operator subtask, one {@link HeapMapState} per descriptor
 * passed to `broadcast(...)`; as Flink's broadcast operator state. Every subtask holds a
 * full copy. The broadcast input gets the states read-write, the other input a read-only
 * view (created once per state, so handing it out allocates nothing).
 *
 * The maps live in the operator's OperatorStateBackend, which snapshots them with the
 * operator state (every subtask writes its copy; a restore at another parallelism gives
 * each new subtask one of the copies, as Flink does).
 */
import type { BroadcastState, ReadOnlyBroadcastState } from '../../core/broadcast-state.ts';
import { RivuletError } from '../../core/errors.ts';
import type { ErrorContext } from '../../core/errors.ts';
import type { Key } from '../../core/keys.ts';
import type { MapState, MapStateDescriptor } from '../../core/state.ts';
import type { OperatorStateStore } from '../../core/operator-state.ts';

class ReadOnlyView<K extends Key, V> implements ReadOnlyBroadcastState<K, V> {
  private readonly state: MapState<K, V>;
  constructor(state: MapState<K, V>) {
    this.state = state;
  }
  get(key: K): V | undefined {
    return this.state.get(key);
  }
  contains(key: K): boolean {
    return this.state.contains(key);
  }
  entries(): IterableIterator<readonly [K, V]> {
    return this.state.entries();
  }
  keys(): IterableIterator<K> {
    return this.state.keys();
  }
  values(): IterableIterator<V> {
    return this.state.values();
  }
  isEmpty(): boolean {
    return this.state.isEmpty();
  }
}

export class BroadcastStateStore {
  private readonly states = new Map<string, { readonly writable: MapState<any, any>; readonly readOnly: ReadOnlyView<any, any> }>();
  private readonly errorContext: ErrorContext;

  /** @param operatorState where the maps live (and are snapshotted) */
  constructor(descriptors: readonly MapStateDescriptor<any, any>[], errorContext: ErrorContext, operatorState: OperatorStateStore) {
    this.errorContext = errorContext;
    for (const d of descriptors) {
      const writable = operatorState.getBroadcastState<any, any>(d);
      this.states.set(d.name, { writable, readOnly: new ReadOnlyView(writable) });
    }
  }

  /** @throws RivuletError(INVALID_ARGUMENT) for a descriptor not passed to `broadcast(...)`. */
  getBroadcastState<K extends Key, V>(descriptor: MapStateDescriptor<K, V>): BroadcastState<K, V> {
    return this.lookup(descriptor).writable;
  }

  /** @throws RivuletError(INVALID_ARGUMENT) for a descriptor not passed to `broadcast(...)`. */
  getReadOnlyBroadcastState<K extends Key, V>(descriptor: MapStateDescriptor<K, V>): ReadOnlyBroadcastState<K, V> {
    return this.lookup(descriptor).readOnly;
  }

  private lookup(descriptor: MapStateDescriptor<any, any>): { readonly writable: MapState<any, any>; readonly readOnly: ReadOnlyView<any, any> } {
    const s = this.states.get(descriptor.name);
    if (s === undefined) {
      throw new RivuletError(
        'INVALID_ARGUMENT',
        `Broadcast state "${descriptor.name}" does not exist: pass its descriptor to broadcast(...) (registered: ${[...this.states.keys()].map((n) => `"${n}"`).join(', ') || 'none'}).`,
        this.errorContext,
      );
    }
    return s;
  }
}
