/**
 * Operator state of one operator subtask: list state, union list state and broadcast
 * state, on the JS heap; as Flink's DefaultOperatorStateBackend. User functions reach it
 * through CheckpointedFunction.initializeState; the broadcast operators keep their
 * broadcast state here.
 *
 * Snapshots ({@link OperatorStateSnapshot}) are plain data with every element encoded by
 * its descriptor's serde. `restore(snapshots)` takes the snapshots of ALL old subtasks and
 * picks what this subtask gets, by the state's mode (Flink's OperatorStateHandle.Mode):
 *
 * - SPLIT_DISTRIBUTE (getListState): at the same parallelism each subtask gets its own
 *   list back; at another parallelism the lists of all old subtasks, concatenated in
 *   subtask order, are dealt round-robin (element i to new subtask i mod p).
 * - UNION (getUnionListState): every subtask gets all elements of all old subtasks.
 * - BROADCAST (getBroadcastState): every subtask held the same map; new subtask i takes
 *   the copy of old subtask i mod oldParallelism.
 *
 * Restored elements stay encoded until the state is registered (only then is its serde
 * known); a mismatching serde id fails then with RivuletError(STATE_INCOMPATIBLE).
 */
import { RivuletError } from '../../core/errors.ts';
import type { Key } from '../../core/keys.ts';
import type { OperatorStateStore } from '../../core/operator-state.ts';
import type { BroadcastState } from '../../core/broadcast-state.ts';
import type { ListState, ListStateDescriptor, MapStateDescriptor } from '../../core/state.ts';
import type { Serde } from '../../core/serde.ts';
import { HeapMapState } from './heap-map-state.ts';
import { checkNotNull } from './keyed-state-handles.ts';

export type OperatorStateMode = 'SPLIT_DISTRIBUTE' | 'UNION' | 'BROADCAST';

/**
 * The union list under which a StreamOperator puts its operator state snapshot into the
 * checkpoint (one element per subtask): a restore then hands each new subtask the
 * snapshots of all old subtasks, and {@link OperatorStateBackend.restore} redistributes.
 */
export const OPERATOR_STATE_UNION = '_operator-state';

/** The operator state of one subtask. */
export interface OperatorStateSnapshot {
  readonly formatVersion: 1;
  readonly operatorUid: string;
  readonly subtaskIndex: number;
  readonly parallelism: number;
  readonly states: readonly OperatorStateSnapshotEntry[];
}

export type OperatorStateSnapshotEntry =
  | { readonly name: string; readonly mode: 'SPLIT_DISTRIBUTE' | 'UNION'; readonly serdeId: string; readonly elements: readonly Uint8Array[] }
  | { readonly name: string; readonly mode: 'BROADCAST'; readonly keySerdeId: string; readonly serdeId: string; readonly entries: readonly (readonly [Uint8Array, Uint8Array])[] };

export interface OperatorStateBackendOptions {
  readonly operatorUid: string;
  readonly subtaskIndex: number;
  readonly parallelism: number;
}

/** The contract the checkpointing code uses (see keyed-state-backend.ts for the calling order). */
export interface OperatorStateBackend extends OperatorStateStore {
  /** Whether restore() was called (FunctionInitializationContext.isRestored). */
  isRestored(): boolean;
  /** Whether any state is registered or restored (else a snapshot would be empty). */
  hasState(): boolean;
  /** A full copy of the operator state, encoded. */
  snapshot(): OperatorStateSnapshot;
  /** Takes what this subtask gets from the snapshots of all old subtasks (before initializeState). */
  restore(snapshots: readonly OperatorStateSnapshot[]): void;
  dispose(): void;
}

/** An operator list state: a plain array. */
class OperatorListState<T> implements ListState<T> {
  readonly name: string;
  readonly mode: 'SPLIT_DISTRIBUTE' | 'UNION';
  readonly serde: Serde<T>;
  list: T[] = [];

  constructor(name: string, mode: 'SPLIT_DISTRIBUTE' | 'UNION', serde: Serde<T>) {
    this.name = name;
    this.mode = mode;
    this.serde = serde;
  }
  get(): T[] {
    return this.list.slice();
  }
  add(value: T): void {
    checkNotNull(value, this.name, 'add');
    this.list.push(value);
  }
  addAll(values: readonly T[]): void {
    for (const v of values) this.add(v);
  }
  update(values: readonly T[]): void {
    for (const v of values) checkNotNull(v, this.name, 'add');
    this.list = values.slice();
  }
  clear(): void {
    this.list = [];
  }
}

interface BroadcastEntry {
  readonly keySerde: Serde<Key>;
  readonly valueSerde: Serde<unknown>;
  readonly map: HeapMapState<Key, unknown>;
}

export class DefaultOperatorStateBackend implements OperatorStateBackend {
  private readonly operatorUid: string;
  private readonly subtaskIndex: number;
  private readonly parallelism: number;
  private readonly lists = new Map<string, OperatorListState<unknown>>();
  private readonly broadcasts = new Map<string, BroadcastEntry>();
  /** Restored states not registered yet: what this subtask got, still encoded. */
  private readonly pending = new Map<string, OperatorStateSnapshotEntry>();
  private restored = false;

  constructor(options: OperatorStateBackendOptions) {
    this.operatorUid = options.operatorUid;
    this.subtaskIndex = options.subtaskIndex;
    this.parallelism = options.parallelism;
  }

  isRestored(): boolean {
    return this.restored;
  }

  hasState(): boolean {
    return this.lists.size > 0 || this.broadcasts.size > 0 || this.pending.size > 0;
  }

  getListState<T>(descriptor: ListStateDescriptor<T>): ListState<T> {
    return this.list(descriptor, 'SPLIT_DISTRIBUTE');
  }

  getUnionListState<T>(descriptor: ListStateDescriptor<T>): ListState<T> {
    return this.list(descriptor, 'UNION');
  }

  getBroadcastState<K extends Key, V>(descriptor: MapStateDescriptor<K, V>): BroadcastState<K, V> {
    const existing = this.broadcasts.get(descriptor.name);
    if (existing !== undefined) {
      this.checkIds(descriptor.name, 'BROADCAST', 'BROADCAST', `${existing.keySerde.id}/${existing.valueSerde.id}`, `${descriptor.keySerde.id}/${descriptor.valueSerde.id}`, 'registered');
      return existing.map as unknown as BroadcastState<K, V>;
    }
    this.checkNotList(descriptor.name, 'BROADCAST');
    const entry: BroadcastEntry = { keySerde: descriptor.keySerde as Serde<Key>, valueSerde: descriptor.valueSerde, map: new HeapMapState<Key, unknown>() };
    const restored = this.pending.get(descriptor.name);
    if (restored !== undefined) {
      if (restored.mode !== 'BROADCAST') this.checkIds(descriptor.name, restored.mode, 'BROADCAST', restored.serdeId, '', 'restored');
      else {
        this.checkIds(descriptor.name, 'BROADCAST', 'BROADCAST', `${restored.keySerdeId}/${restored.serdeId}`, `${descriptor.keySerde.id}/${descriptor.valueSerde.id}`, 'restored');
        for (const [k, v] of restored.entries) entry.map.put(entry.keySerde.decode(k), entry.valueSerde.decode(v));
      }
      this.pending.delete(descriptor.name);
    }
    this.broadcasts.set(descriptor.name, entry);
    return entry.map as unknown as BroadcastState<K, V>;
  }

  getRegisteredStateNames(): string[] {
    return [...this.lists.keys()];
  }

  getRegisteredBroadcastStateNames(): string[] {
    return [...this.broadcasts.keys()];
  }

  private list<T>(descriptor: ListStateDescriptor<T>, mode: 'SPLIT_DISTRIBUTE' | 'UNION'): ListState<T> {
    const existing = this.lists.get(descriptor.name);
    if (existing !== undefined) {
      this.checkIds(descriptor.name, existing.mode, mode, existing.serde.id, descriptor.elementSerde.id, 'registered');
      return existing as OperatorListState<T>;
    }
    if (this.broadcasts.has(descriptor.name)) this.checkIds(descriptor.name, 'BROADCAST', mode, '', descriptor.elementSerde.id, 'registered');
    const state = new OperatorListState<T>(descriptor.name, mode, descriptor.elementSerde);
    const restored = this.pending.get(descriptor.name);
    if (restored !== undefined) {
      this.checkIds(descriptor.name, restored.mode, mode, restored.serdeId, descriptor.elementSerde.id, 'restored');
      if (restored.mode !== 'BROADCAST') state.list = restored.elements.map((b) => descriptor.elementSerde.decode(b));
      this.pending.delete(descriptor.name);
    }
    this.lists.set(descriptor.name, state as OperatorListState<unknown>);
    return state;
  }

  private checkNotList(name: string, mode: OperatorStateMode): void {
    const l = this.lists.get(name);
    if (l !== undefined) this.checkIds(name, l.mode, mode, l.serde.id, '', 'registered');
  }

  private checkIds(name: string, oldMode: OperatorStateMode, newMode: OperatorStateMode, oldId: string, newId: string, how: 'registered' | 'restored'): void {
    if (oldMode === newMode && oldId === newId) return;
    const what = (mode: OperatorStateMode, id: string): string => `${mode} state${id === '' ? '' : ` with serde "${id}"`}`;
    throw new RivuletError(
      'STATE_INCOMPATIBLE',
      how === 'restored'
        ? `Cannot restore operator state "${name}" of operator uid "${this.operatorUid}": the snapshot holds ${what(oldMode, oldId)}, but it is now declared as ${what(newMode, newId)}.`
        : `Operator state "${name}" of operator uid "${this.operatorUid}" is registered as ${what(oldMode, oldId)} and cannot also be used as ${what(newMode, newId)}.`,
      { operatorUid: this.operatorUid, subtask: this.subtaskIndex },
    );
  }

  snapshot(): OperatorStateSnapshot {
    const states: OperatorStateSnapshotEntry[] = [];
    for (const s of this.lists.values()) states.push({ name: s.name, mode: s.mode, serdeId: s.serde.id, elements: s.list.map((v) => s.serde.encode(v)) });
    for (const [name, b] of this.broadcasts) {
      const entries: [Uint8Array, Uint8Array][] = [];
      for (const [k, v] of b.map.entries()) entries.push([b.keySerde.encode(k), b.valueSerde.encode(v)]);
      states.push({ name, mode: 'BROADCAST', keySerdeId: b.keySerde.id, serdeId: b.valueSerde.id, entries });
    }
    for (const p of this.pending.values()) states.push(p);
    return { formatVersion: 1, operatorUid: this.operatorUid, subtaskIndex: this.subtaskIndex, parallelism: this.parallelism, states };
  }

  restore(snapshots: readonly OperatorStateSnapshot[]): void {
    if (this.restored || this.lists.size > 0 || this.broadcasts.size > 0) {
      throw new RivuletError('INTERNAL', `restore() on the operator state backend of operator uid "${this.operatorUid}", which already holds state`, { operatorUid: this.operatorUid });
    }
    this.restored = true;
    const sorted = [...snapshots].sort((a, b) => a.subtaskIndex - b.subtaskIndex);
    for (const s of sorted) {
      if (s.formatVersion !== 1) throw new RivuletError('STATE_INCOMPATIBLE', `Operator state snapshot of operator uid "${s.operatorUid}" has format version ${String(s.formatVersion)}; this Rivulet reads version 1.`);
    }
    const sameParallelism = sorted.length > 0 && sorted.every((s) => s.parallelism === this.parallelism);
    // Every state's parts, by name, in old-subtask order.
    const byName = new Map<string, { snapshot: OperatorStateSnapshot; entry: OperatorStateSnapshotEntry }[]>();
    for (const snapshot of sorted) {
      for (const entry of snapshot.states) {
        let parts = byName.get(entry.name);
        if (parts === undefined) {
          parts = [];
          byName.set(entry.name, parts);
        }
        parts.push({ snapshot, entry });
      }
    }
    for (const [name, parts] of byName) {
      const first = parts[0]!.entry;
      for (const p of parts) {
        const e = p.entry;
        if (e.mode !== first.mode || e.serdeId !== first.serdeId || (e.mode === 'BROADCAST' && first.mode === 'BROADCAST' && e.keySerdeId !== first.keySerdeId)) {
          throw new RivuletError('STATE_INCOMPATIBLE', `Snapshots of operator uid "${this.operatorUid}" disagree on operator state "${name}" (mode or serde).`, { operatorUid: this.operatorUid });
        }
      }
      if (first.mode === 'BROADCAST') {
        // Every old subtask held the same map; take one copy.
        this.pending.set(name, parts[this.subtaskIndex % parts.length]!.entry);
        continue;
      }
      const lists = parts.map((p) => p.entry as { readonly elements: readonly Uint8Array[] });
      let elements: Uint8Array[];
      if (first.mode === 'UNION') {
        elements = lists.flatMap((l) => l.elements);
      } else if (sameParallelism) {
        const own = parts.find((p) => p.snapshot.subtaskIndex === this.subtaskIndex);
        elements = own === undefined ? [] : (own.entry as { readonly elements: readonly Uint8Array[] }).elements.slice();
      } else {
        elements = lists.flatMap((l) => l.elements).filter((_, i) => i % this.parallelism === this.subtaskIndex);
      }
      this.pending.set(name, { name, mode: first.mode, serdeId: first.serdeId, elements });
    }
  }

  dispose(): void {
    this.lists.clear();
    this.broadcasts.clear();
    this.pending.clear();
  }
}
