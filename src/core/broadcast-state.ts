/**
 * Broadcast state: a map state that every parallel subtask of an operator holds in full,
 * written only from the broadcast input (whose records every subtask receives, in the same
 * order per upstream subtask), so all subtasks hold the same contents; as Flink's
 * `BroadcastState` / `ReadOnlyBroadcastState`. The non-broadcast input only reads it: a
 * subtask that wrote to it from there would make the copies diverge.
 */
import type { Key } from './keys.ts';
import type { MapState } from './state.ts';

/** The view of broadcast state from the non-broadcast input; as Flink's `ReadOnlyBroadcastState`. */
export interface ReadOnlyBroadcastState<K extends Key, V> {
  get(key: K): V | undefined;
  contains(key: K): boolean;
  entries(): IterableIterator<readonly [K, V]>;
  keys(): IterableIterator<K>;
  values(): IterableIterator<V>;
  isEmpty(): boolean;
}

/** The view of broadcast state from the broadcast input; as Flink's `BroadcastState`. */
export type BroadcastState<K extends Key, V> = MapState<K, V>;
