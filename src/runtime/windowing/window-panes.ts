/**
 * What a WindowOperator keeps per key and window (a *pane*), and how a pane is evaluated.
 * Two kinds, as Flink's WindowOperator (AppendingState) and EvictingWindowOperator
 * (ListState of StreamRecords):
 *
 * - {@link AggregatingPanes}: the accumulator of the window's AggregateFunction. Reduce,
 *   aggregate and also full-window functions use it: `process`/`apply` windows aggregate
 *   with a list-building AggregateFunction (the api's `ListAggregate`), so their pane is the
 *   list of the window's records, and merging two panes concatenates them.
 * - {@link EvictingPanes}: every record with its timestamp. On firing, the evictor removes
 *   records before and/or after the window function, which sees the aggregate computed over
 *   what is left; the remaining records are written back.
 *
 * Both live in keyed state "window-contents" with the (state) window as namespace, so they
 * are checkpointed with the key (issue #4).
 */
import type { AggregateFunction, Collector } from '../../core/functions.ts';
import type { Key } from '../../core/keys.ts';
import type { EvictableElements, Evictor, EvictorContext, Window } from '../../core/windowing.ts';
import { TimestampedValue } from '../../core/windowing.ts';
import type { InternalWindowContext, InternalWindowFunction } from '../../graph/window-function.ts';
import type { InternalKvState, KeyedStateBackend } from '../state/keyed-state-backend.ts';
import { timestampedValuesSerde } from './window-state-serdes.ts';

export interface WindowPanes {
  /** Selects the pane (namespace = the state window's namespaceKey) the next calls use. */
  setWindow(namespace: string): void;
  /** Adds a record to the selected pane; user code (AggregateFunction.add) may throw. */
  add(value: unknown, timestamp: number): void;
  /** Whether the selected pane holds anything. */
  isEmpty(): boolean;
  /** Evaluates the selected (non-empty) pane with `fn`; user code may throw. */
  emit(key: Key, window: Window, ctx: InternalWindowContext, fn: InternalWindowFunction<unknown, unknown, Key, Window>, out: Collector<unknown>): void;
  /** Drops the selected pane. */
  clear(): void;
  /** Folds the panes of `sources` into the pane of `target`, dropping them (merging windows). */
  mergeNamespaces(target: string, sources: readonly string[]): void;
}

const STATE_NAME = 'window-contents';

/** One accumulator per key and window. */
export class AggregatingPanes implements WindowPanes {
  private readonly aggregate: AggregateFunction<unknown, unknown, unknown>;
  private readonly state: InternalKvState<unknown>;
  // The one-element input of the window function, reused for every firing.
  private readonly single: unknown[] = [undefined];

  constructor(aggregate: AggregateFunction<unknown, unknown, unknown>, backend: KeyedStateBackend) {
    this.aggregate = aggregate;
    this.state = backend.getOrCreateKvState(STATE_NAME);
  }

  setWindow(namespace: string): void {
    this.state.setCurrentNamespace(namespace);
  }

  add(value: unknown): void {
    let acc = this.state.get();
    if (acc === undefined) acc = this.aggregate.createAccumulator();
    this.state.put(this.aggregate.add(value, acc));
  }

  isEmpty(): boolean {
    return this.state.get() === undefined;
  }

  emit(key: Key, window: Window, ctx: InternalWindowContext, fn: InternalWindowFunction<unknown, unknown, Key, Window>, out: Collector<unknown>): void {
    this.single[0] = this.aggregate.getResult(this.state.get());
    try {
      fn.process(key, window, ctx, this.single, out);
    } finally {
      this.single[0] = undefined;
    }
  }

  clear(): void {
    this.state.clear();
  }

  mergeNamespaces(target: string, sources: readonly string[]): void {
    mergeNamespaces(this.state, target, sources, (a, b) => this.aggregate.merge(a, b));
  }
}

/** Every record of the window (with its timestamp), and an evictor. */
export class EvictingPanes implements WindowPanes {
  private readonly aggregate: AggregateFunction<unknown, unknown, unknown>;
  private readonly evictor: Evictor<unknown, Window>;
  private readonly evictorContext: EvictorContext;
  private readonly state: InternalKvState<TimestampedValue<unknown>[]>;
  private readonly single: unknown[] = [undefined];

  constructor(aggregate: AggregateFunction<unknown, unknown, unknown>, evictor: Evictor<unknown, Window>, evictorContext: EvictorContext, backend: KeyedStateBackend) {
    this.aggregate = aggregate;
    this.evictor = evictor;
    this.evictorContext = evictorContext;
    this.state = backend.getOrCreateKvState(STATE_NAME, { serde: timestampedValuesSerde });
  }

  setWindow(namespace: string): void {
    this.state.setCurrentNamespace(namespace);
  }

  add(value: unknown, timestamp: number): void {
    const list = this.state.get() ?? [];
    list.push(new TimestampedValue(value, timestamp));
    this.state.put(list);
  }

  isEmpty(): boolean {
    return this.state.get() === undefined;
  }

  emit(key: Key, window: Window, ctx: InternalWindowContext, fn: InternalWindowFunction<unknown, unknown, Key, Window>, out: Collector<unknown>): void {
    const elements = new EvictableList(this.state.get() ?? []);
    this.evictor.evictBefore(elements, elements.size, window, this.evictorContext);
    let acc = this.aggregate.createAccumulator();
    for (const e of elements) acc = this.aggregate.add(e.value, acc);
    this.single[0] = this.aggregate.getResult(acc);
    try {
      fn.process(key, window, ctx, this.single, out);
    } finally {
      this.single[0] = undefined;
    }
    this.evictor.evictAfter(elements, elements.size, window, this.evictorContext);
    const remaining = elements.remaining();
    if (remaining.length === 0) this.state.clear();
    else this.state.put(remaining);
  }

  clear(): void {
    this.state.clear();
  }

  mergeNamespaces(target: string, sources: readonly string[]): void {
    mergeNamespaces(this.state, target, sources, (a, b) => {
      for (const e of b) a.push(e);
      return a;
    });
  }
}

/** Folds the values of `sources` (removing them) into `target`: target first, then sources in order. */
function mergeNamespaces<V>(state: InternalKvState<V>, target: string, sources: readonly string[], merge: (a: V, b: V) => V): void {
  state.setCurrentNamespace(target);
  let acc = state.get();
  for (const s of sources) {
    if (s === target) continue;
    state.setCurrentNamespace(s);
    const v = state.get();
    if (v === undefined) continue;
    state.clear();
    acc = acc === undefined ? v : merge(acc, v);
  }
  state.setCurrentNamespace(target);
  if (acc !== undefined) state.put(acc);
}

/**
 * The records of a pane as an evictor sees them. Removal only marks a record (so it is safe
 * while iterating); {@link remaining} compacts.
 */
class EvictableList<T> implements EvictableElements<T> {
  private readonly items: readonly TimestampedValue<T>[];
  private readonly alive: boolean[];
  private index: Map<TimestampedValue<T>, number> | undefined;
  private count: number;

  constructor(items: readonly TimestampedValue<T>[]) {
    this.items = items;
    this.alive = new Array<boolean>(items.length).fill(true);
    this.count = items.length;
  }

  get size(): number {
    return this.count;
  }

  *[Symbol.iterator](): Iterator<TimestampedValue<T>> {
    for (let i = 0; i < this.items.length; i++) if (this.alive[i]) yield this.items[i]!;
  }

  remove(element: TimestampedValue<T>): void {
    this.index ??= new Map(this.items.map((e, i) => [e, i]));
    const i = this.index.get(element);
    if (i === undefined || !this.alive[i]) return;
    this.alive[i] = false;
    this.count--;
  }

  remaining(): TimestampedValue<T>[] {
    return this.items.filter((_, i) => this.alive[i]);
  }
}
