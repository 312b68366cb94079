/**
 * The TriggerContext (and OnMergeContext) of a WindowOperator; as Flink's
 * `WindowOperator.Context`. One object serves every trigger call: the operator sets
 * `window` (and, for onMerge, `mergedWindows`) before each call; the key is the keyed
 * state backend's current key. Timers and state therefore land on the key and window the
 * trigger is asked about.
 *
 * Trigger state is keyed state named `trigger:<descriptor name>` with the window as
 * namespace (checkpointed with the panes, issue #4). `getPartitionedState` hands out one
 * handle per state name that reads the current window at each call, so a trigger that asks
 * for its state on every record (CountTrigger) allocates nothing.
 */
import type { Serde } from '../../core/serde.ts';
import type { ValueState, ValueStateDescriptor } from '../../core/state.ts';
import type { OnMergeContext, Window } from '../../core/windowing.ts';
import type { InternalKvState, KeyedStateBackend } from '../state/keyed-state-backend.ts';
import type { InternalTimerService } from './internal-timer-service.ts';

/** A ValueState handle on the context's current window. */
class PartitionedValueState<S> implements ValueState<S> {
  defaultValue: S | undefined;
  private readonly ctx: WindowTriggerContext;
  private readonly kv: InternalKvState<S>;

  constructor(ctx: WindowTriggerContext, kv: InternalKvState<S>, defaultValue: S | undefined) {
    this.ctx = ctx;
    this.kv = kv;
    this.defaultValue = defaultValue;
  }

  value(): S | undefined {
    this.kv.setCurrentNamespace(this.ctx.window.namespaceKey);
    const v = this.kv.get();
    return v === undefined ? this.defaultValue : v;
  }

  update(value: S): void {
    this.kv.setCurrentNamespace(this.ctx.window.namespaceKey);
    this.kv.put(value);
  }

  clear(): void {
    this.kv.setCurrentNamespace(this.ctx.window.namespaceKey);
    this.kv.clear();
  }
}

export class WindowTriggerContext implements OnMergeContext {
  /** The window the current trigger call is about. */
  window!: Window;
  /** During onMerge: the windows merged into {@link window}. */
  mergedWindows: readonly Window[] = [];
  private readonly backend: KeyedStateBackend;
  private readonly timers: () => InternalTimerService<Window>;
  private readonly states = new Map<string, PartitionedValueState<unknown>>();
  private readonly kvStates = new Map<string, InternalKvState<unknown>>();

  /** @param timers the operator's timer service (created when the operator opens). */
  constructor(backend: KeyedStateBackend, timers: () => InternalTimerService<Window>) {
    this.backend = backend;
    this.timers = timers;
  }

  getCurrentProcessingTime(): number {
    return this.timers().currentProcessingTime();
  }
  getCurrentWatermark(): number {
    return this.timers().getCurrentWatermark();
  }
  registerEventTimeTimer(time: number): void {
    this.timers().registerEventTimeTimer(this.window, time);
  }
  registerProcessingTimeTimer(time: number): void {
    this.timers().registerProcessingTimeTimer(this.window, time);
  }
  deleteEventTimeTimer(time: number): void {
    this.timers().deleteEventTimeTimer(this.window, time);
  }
  deleteProcessingTimeTimer(time: number): void {
    this.timers().deleteProcessingTimeTimer(this.window, time);
  }

  getPartitionedState<S>(descriptor: ValueStateDescriptor<S>): ValueState<S> {
    let state = this.states.get(descriptor.name) as PartitionedValueState<S> | undefined;
    if (state === undefined) {
      state = new PartitionedValueState<S>(this, this.kvState<S>(descriptor.name, descriptor.serde), descriptor.defaultValue);
      this.states.set(descriptor.name, state as PartitionedValueState<unknown>);
    } else {
      state.defaultValue = descriptor.defaultValue;
    }
    return state;
  }

  mergePartitionedState<S>(descriptor: ValueStateDescriptor<S>, merge: (a: S, b: S) => S): void {
    const kv = this.kvState<S>(descriptor.name, descriptor.serde);
    let merged: S | undefined;
    for (const w of this.mergedWindows) {
      if (w.namespaceKey === this.window.namespaceKey) continue;
      kv.setCurrentNamespace(w.namespaceKey);
      const v = kv.get();
      if (v === undefined) continue;
      kv.clear();
      merged = merged === undefined ? v : merge(merged, v);
    }
    if (merged === undefined) return;
    kv.setCurrentNamespace(this.window.namespaceKey);
    const target = kv.get();
    kv.put(target === undefined ? merged : merge(target, merged));
  }

  /**
   * Drops every trigger state of {@link window}. Called after `Trigger.clear` when a
   * window's state is dropped, so a trigger that forgets to clear its state leaks nothing.
   */
  clearPartitionedState(): void {
    for (const kv of this.kvStates.values()) {
      kv.setCurrentNamespace(this.window.namespaceKey);
      kv.clear();
    }
  }

  private kvState<S>(name: string, serde: Serde<S>): InternalKvState<S> {
    let kv = this.kvStates.get(name);
    if (kv === undefined) {
      kv = this.backend.getOrCreateKvState(`trigger:${name}`, { serde: serde as Serde<unknown> });
      this.kvStates.set(name, kv);
    }
    return kv as InternalKvState<S>;
  }
}
