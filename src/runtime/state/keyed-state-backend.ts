/**
 * Keyed state: values scoped by (current key, namespace). The namespace is the window for
 * window state and VOID_NAMESPACE for plain keyed state. As Flink's KeyedStateBackend /
 * InternalKvState; the LMDB backend (issue #4) implements the same contract.
 */
import type { Key } from '../../core/keys.ts';

export const VOID_NAMESPACE = '';

/** One registered state of one operator, read and written for the backend's current key. */
export interface InternalKvState<V> {
  readonly name: string;
  setCurrentNamespace(namespace: string): void;
  /** The value for (current key, current namespace), or undefined. */
  get(): V | undefined;
  put(value: V): void;
  clear(): void;
}

export interface KeyedStateBackend {
  /** Sets the key that all state access refers to until the next call. */
  setCurrentKey(key: Key): void;
  getCurrentKey(): Key;
  /** Registers (or returns the already registered) state of this name. */
  getOrCreateKvState<V>(name: string): InternalKvState<V>;
  /** Number of keys that hold any state. */
  numKeys(): number;
  /**
   * The keys that hold a value in state `stateName` under `namespace`, as a snapshot taken
   * now (the caller may change state while going through it); as Flink's `getKeys`.
   */
  getKeys(stateName: string, namespace: string): Key[];
}
