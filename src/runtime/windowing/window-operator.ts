/**
 * WindowOperator: evaluates keyed windows; as Flink's WindowOperator.
 *
 * A *pane* is the state of one key in one window: here the accumulator of the window's
 * AggregateFunction, stored in keyed state under the key with the window as namespace.
 * For each record the assigner names its windows; the record is added to each window's
 * pane and the trigger is asked what to do (fire, purge, continue). Timers the trigger
 * registers come back through {@link onEventTime}/{@link onProcessingTime}. Each window
 * also gets a cleanup timer at `maxTimestamp + allowedLateness`, when its pane and trigger
 * state are dropped; until then late records still update it and fire it again.
 *
 * A record is *late* when every window it belongs to is already past cleanup: it goes to
 * the late-data side output if one was asked for, else it is counted in
 * `lateRecordsDropped`. Fired results carry the window's maxTimestamp as timestamp.
 *
 * Merging (session) windows extend this operator with a merging window set (issue #3).
 */
import type { AggregateFunction, Collector } from '../../core/functions.ts';
import type { Key } from '../../core/keys.ts';
import type { ValueState, ValueStateDescriptor } from '../../core/state.ts';
import type { Trigger, TriggerContext, Window, WindowAssigner, WindowAssignerContext } from '../../core/windowing.ts';
import { isFire, isPurge } from '../../core/windowing.ts';
import { RivuletError } from '../../core/errors.ts';
import type { OperatorSpec } from '../../graph/operator-spec.ts';
import type { InternalWindowContext, InternalWindowFunction } from '../../graph/window-function.ts';
import type { InternalKvState, KeyedStateBackend } from '../state/keyed-state-backend.ts';
import { StreamOperator, preview } from '../operators/stream-operator.ts';
import type { InternalTimer, Triggerable } from './internal-timer-service.ts';
import { InternalTimerService } from './internal-timer-service.ts';

type WindowSpec = Extract<OperatorSpec, { kind: 'window' }>;

export class WindowOperator extends StreamOperator implements Triggerable<Window> {
  // --- configuration and user functions
  private readonly keySelector: (value: unknown) => Key;
  private readonly assigner: WindowAssigner<unknown, Window>;
  private readonly trigger: Trigger<unknown, Window>;
  private readonly aggregate: AggregateFunction<unknown, unknown, unknown>;
  private readonly windowFunction: InternalWindowFunction<unknown, unknown, Key, Window>;
  private readonly allowedLateness: number;
  private readonly lateDataTag: string | undefined;

  // --- state that is not checkpointed (rebuilt on open)
  private backend!: KeyedStateBackend;
  private timers!: InternalTimerService<Window>;
  private readonly triggerContext = new WindowTriggerContext(this);
  private readonly assignerContext: WindowAssignerContext = { getCurrentProcessingTime: () => this.timers.currentProcessingTime() };
  private readonly windowContext: InternalWindowContext = {
    currentWatermark: () => this.timers.getCurrentWatermark(),
    currentProcessingTime: () => this.timers.currentProcessingTime(),
  };
  private readonly single: unknown[] = [undefined];
  private readonly collector: Collector<unknown> = { collect: (v) => this.output.collect(v, this.firingTimestamp) };
  private firingTimestamp = 0;

  // --- state that needs to be checkpointed (keyed state and timers, issue #4)
  /** key x window -> accumulator */
  private windowState!: InternalKvState<unknown>;

  constructor(spec: WindowSpec) {
    super();
    this.keySelector = spec.keySelector as (value: unknown) => Key;
    this.assigner = spec.assigner as WindowAssigner<unknown, Window>;
    this.trigger = spec.trigger as Trigger<unknown, Window>;
    this.aggregate = spec.aggregate;
    this.windowFunction = spec.windowFunction as InternalWindowFunction<unknown, unknown, Key, Window>;
    this.allowedLateness = spec.allowedLateness;
    this.lateDataTag = spec.lateDataTag?.id;
  }

  override open(): void {
    const backend = this.setupInfo.keyedStateBackend;
    if (backend === undefined) throw new RivuletError('INTERNAL', 'WindowOperator without keyed state backend', this.errorContext());
    this.backend = backend;
    this.windowState = backend.getOrCreateKvState('window-contents');
    this.timers = new InternalTimerService<Window>(backend, this.setupInfo.processingTimeService, this);
    this.openUserFunction(this.windowFunction.userFunction);
  }

  override close(): void {
    this.timers?.shutdown();
    this.closeUserFunction(this.windowFunction.userFunction);
  }

  processElement(value: unknown, timestamp: number): void {
    let key: Key;
    try {
      key = this.keySelector(value);
    } catch (e) {
      throw this.userFunctionError(e, value);
    }
    this.backend.setCurrentKey(key);
    const windows = this.assigner.assignWindows(value, timestamp, this.assignerContext);
    let skipped = true;
    for (let i = 0; i < windows.length; i++) {
      const window = windows[i]!;
      if (this.isWindowLate(window)) continue;
      skipped = false;
      this.windowState.setCurrentNamespace(window.namespaceKey);
      let acc = this.windowState.get();
      try {
        if (acc === undefined) acc = this.aggregate.createAccumulator();
        acc = this.aggregate.add(value, acc);
      } catch (e) {
        throw this.userFunctionError(e, value, { key: key, window: String(window) });
      }
      this.windowState.put(acc);
      this.triggerContext.window = window;
      const result = this.trigger.onElement(value, timestamp, window, this.triggerContext);
      if (isFire(result)) this.emitWindowContents(key, window, acc);
      if (isPurge(result)) this.windowState.clear();
      this.registerCleanupTimer(window);
    }
    if (skipped && this.isElementLate(timestamp)) {
      if (this.lateDataTag !== undefined) this.output.collectSide(this.lateDataTag, value, timestamp);
      else this.metrics.lateRecordsDropped++;
    }
  }

  override processWatermark(timestamp: number): void {
    this.timers.advanceWatermark(timestamp);
    this.output.emitWatermark(timestamp);
  }

  onEventTime(timer: InternalTimer<Window>): void {
    this.onTimer(timer, true);
  }

  onProcessingTime(timer: InternalTimer<Window>): void {
    this.onTimer(timer, false);
  }

  private onTimer(timer: InternalTimer<Window>, eventTime: boolean): void {
    const window = timer.namespace;
    this.triggerContext.window = window;
    this.windowState.setCurrentNamespace(window.namespaceKey);
    const acc = this.windowState.get();
    if (acc !== undefined) {
      const result = eventTime
        ? this.trigger.onEventTime(timer.timestamp, window, this.triggerContext)
        : this.trigger.onProcessingTime(timer.timestamp, window, this.triggerContext);
      if (isFire(result)) this.emitWindowContents(timer.key, window, acc);
      if (isPurge(result)) this.windowState.clear();
    }
    if (eventTime === this.assigner.isEventTime() && this.isCleanupTime(window, timer.timestamp)) this.clearAllState(window);
  }

  private emitWindowContents(key: Key, window: Window, acc: unknown): void {
    this.firingTimestamp = window.maxTimestamp();
    try {
      this.single[0] = this.aggregate.getResult(acc);
      this.windowFunction.process(key, window, this.windowContext, this.single, this.collector);
    } catch (e) {
      if (e instanceof RivuletError && e.context.operatorUid !== undefined && e.context.operatorUid !== this.uid) throw e;
      throw new RivuletError(
        'USER_FUNCTION_FAILED',
        `Window function of operator "${this.setupInfo.name}" (uid ${this.uid}, subtask ${this.setupInfo.subtaskIndex + 1}/${this.setupInfo.parallelism}) failed for key ${preview(key)} and window ${String(window)}: ${e instanceof Error ? e.message : String(e)}`,
        this.errorContext({ key, window: String(window) }),
        { cause: e },
      );
    }
  }

  private clearAllState(window: Window): void {
    this.windowState.setCurrentNamespace(window.namespaceKey);
    this.windowState.clear();
    this.triggerContext.window = window;
    this.trigger.clear(window, this.triggerContext);
    this.triggerContext.clearPartitionedState();
  }

  private cleanupTime(window: Window): number {
    if (!this.assigner.isEventTime()) return window.maxTimestamp();
    const t = window.maxTimestamp() + this.allowedLateness;
    return t >= window.maxTimestamp() ? t : Number.POSITIVE_INFINITY;
  }

  private isCleanupTime(window: Window, time: number): boolean {
    return time === this.cleanupTime(window);
  }

  private registerCleanupTimer(window: Window): void {
    const t = this.cleanupTime(window);
    if (t === Number.POSITIVE_INFINITY) return;
    if (this.assigner.isEventTime()) this.timers.registerEventTimeTimer(window, t);
    else this.timers.registerProcessingTimeTimer(window, t);
  }

  private isWindowLate(window: Window): boolean {
    return this.assigner.isEventTime() && this.cleanupTime(window) <= this.timers.getCurrentWatermark();
  }

  private isElementLate(timestamp: number): boolean {
    return this.assigner.isEventTime() && timestamp + this.allowedLateness <= this.timers.getCurrentWatermark();
  }

  /** @internal for the trigger context */
  get timerService(): InternalTimerService<Window> {
    return this.timers;
  }

  /** @internal for the trigger context */
  get stateBackend(): KeyedStateBackend {
    return this.backend;
  }
}

/** The TriggerContext, reused for every call: its `window` is set before each trigger call. */
class WindowTriggerContext implements TriggerContext {
  window!: Window;
  private readonly op: WindowOperator;
  private readonly triggerStates = new Map<string, InternalKvState<unknown>>();

  constructor(op: WindowOperator) {
    this.op = op;
  }

  getCurrentProcessingTime(): number {
    return this.op.timerService.currentProcessingTime();
  }
  getCurrentWatermark(): number {
    return this.op.timerService.getCurrentWatermark();
  }
  registerEventTimeTimer(time: number): void {
    this.op.timerService.registerEventTimeTimer(this.window, time);
  }
  registerProcessingTimeTimer(time: number): void {
    this.op.timerService.registerProcessingTimeTimer(this.window, time);
  }
  deleteEventTimeTimer(time: number): void {
    this.op.timerService.deleteEventTimeTimer(this.window, time);
  }
  deleteProcessingTimeTimer(time: number): void {
    this.op.timerService.deleteProcessingTimeTimer(this.window, time);
  }

  getPartitionedState<S>(descriptor: ValueStateDescriptor<S>): ValueState<S> {
    let kv = this.triggerStates.get(descriptor.name);
    if (kv === undefined) {
      kv = this.op.stateBackend.getOrCreateKvState(`trigger:${descriptor.name}`);
      this.triggerStates.set(descriptor.name, kv);
    }
    const state = kv as InternalKvState<S>;
    const def = descriptor.defaultValue;
    return {
      value: () => {
        state.setCurrentNamespace(this.window.namespaceKey);
        return state.get() ?? def;
      },
      update: (v: S) => {
        state.setCurrentNamespace(this.window.namespaceKey);
        state.put(v);
      },
      clear: () => {
        state.setCurrentNamespace(this.window.namespaceKey);
        state.clear();
      },
    };
  }

  /** Drops trigger state of the current window (at cleanup time). */
  clearPartitionedState(): void {
    for (const kv of this.triggerStates.values()) {
      kv.setCurrentNamespace(this.window.namespaceKey);
      kv.clear();
    }
  }
}

