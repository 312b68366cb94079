/**
 * WindowOperator: evaluates keyed windows; as Flink's WindowOperator.
 *
 * A *pane* is the state of one key in one window (see window-panes.ts): the accumulator
 * of the window's AggregateFunction, or — with an evictor (EvictingWindowOperator) — every
 * record. Panes live in keyed state under the key with the window as namespace. For each
 * record the assigner names its windows; the record is added to each window's pane and the
 * trigger is asked what to do (fire, purge, continue). Timers the trigger registers come
 * back through {@link onEventTime}/{@link onProcessingTime}. Each window also gets a
 * cleanup timer at `maxTimestamp + allowedLateness` (event time) or `maxTimestamp`
 * (processing time), when its pane, trigger state and in-flight entry are dropped and the
 * window function's `clear` runs; until then late records still update it and fire it again.
 *
 * Merging (session) windows: a {@link MergingWindowSet} per key (keyed state) holds the
 * in-flight windows and, for each, the *state window* whose namespace holds its pane. When
 * a new window overlaps in-flight ones they merge: the trigger's `onMerge` re-registers
 * timers for the merged window, the merged windows' trigger state and cleanup timers are
 * cleared, and their panes are folded into one with AggregateFunction.merge. Timers and
 * trigger state use the (merged) window, the pane its state window.
 *
 * A record is *late* when every window it belongs to is already past cleanup (event time
 * only): it goes to the late-data side output if one was asked for, else it is counted in
 * `lateRecordsDropped`. Fired results carry the window's maxTimestamp as timestamp.
 */
import type { Collector } from '../../core/functions.ts';
import type { Key } from '../../core/keys.ts';
import type { Evictor, MergingWindowAssigner, Trigger, Window, WindowAssigner, WindowAssignerContext } from '../../core/windowing.ts';
import { isFire, isMergingWindowAssigner, isPurge } from '../../core/windowing.ts';
import { RivuletError } from '../../core/errors.ts';
import type { OperatorSpec } from '../../graph/operator-spec.ts';
import type { InternalWindowFunction } from '../../graph/window-function.ts';
import type { KeyedStateBackend } from '../state/keyed-state-backend.ts';
import { StreamOperator, preview } from '../operators/stream-operator.ts';
import type { InternalTimer, Triggerable } from './internal-timer-service.ts';
import type { InternalTimerService } from './internal-timer-service.ts';
import { windowOfNamespaceKey } from './window-namespace.ts';
import type { MergeFunction } from './merging-window-set.ts';
import { MergingWindowSet } from './merging-window-set.ts';
import type { WindowPanes } from './window-panes.ts';
import { AggregatingPanes, EvictingPanes } from './window-panes.ts';
import { WindowProcessContext } from './window-process-context.ts';
import { WindowTriggerContext } from './window-trigger-context.ts';

export type WindowSpec = Extract<OperatorSpec, { kind: 'window' }>;

export class WindowOperator extends StreamOperator implements Triggerable<Window> {
  // --- configuration and user functions
  private readonly spec: WindowSpec;
  private readonly keySelector: (value: unknown) => Key;
  private readonly assigner: WindowAssigner<unknown, Window>;
  /** Set when the assigner merges windows (sessions). */
  private readonly mergingAssigner: MergingWindowAssigner<unknown, Window> | undefined;
  private readonly isEventTime: boolean;
  private readonly trigger: Trigger<unknown, Window>;
  private readonly windowFunction: InternalWindowFunction<unknown, unknown, Key, Window>;
  private readonly allowedLateness: number;
  private readonly lateDataTag: string | undefined;
  /** Set for an EvictingWindowOperator. */
  protected readonly evictor: Evictor<unknown, Window> | undefined;

  // --- state that is not checkpointed (rebuilt on open)
  private backend!: KeyedStateBackend;
  private timers!: InternalTimerService<Window>;
  private triggerContext!: WindowTriggerContext;
  private processContext!: WindowProcessContext;
  private readonly assignerContext: WindowAssignerContext = { getCurrentProcessingTime: () => this.timers.currentProcessingTime() };
  private readonly collector: Collector<unknown> = { collect: (v) => this.output.collect(v, this.firingTimestamp) };
  private readonly mergeFunction: MergeFunction<Window> = (result, merged, stateWindow, mergedStateWindows) =>
    this.mergeWindows(result, merged, stateWindow, mergedStateWindows);
  private firingTimestamp = 0;

  // --- state that needs to be checkpointed (keyed state and timers, issue #4)
  /** key x (state) window -> pane ("window-contents"). */
  private panes!: WindowPanes;
  /** key -> in-flight windows and their state windows ("merging-window-set"); merging assigners only. */
  private mergingWindows: MergingWindowSet<Window> | undefined;
  // Trigger state ("trigger:<name>", key x window) and user state ("user:<name>", key x
  // window or key) live in the same backend, reached through the two contexts.

  constructor(spec: WindowSpec) {
    super();
    this.spec = spec;
    this.keySelector = spec.keySelector as (value: unknown) => Key;
    this.assigner = spec.assigner as WindowAssigner<unknown, Window>;
    this.mergingAssigner = isMergingWindowAssigner(this.assigner) ? this.assigner : undefined;
    this.isEventTime = this.assigner.isEventTime();
    this.trigger = spec.trigger as Trigger<unknown, Window>;
    this.windowFunction = spec.windowFunction as InternalWindowFunction<unknown, unknown, Key, Window>;
    this.allowedLateness = spec.allowedLateness;
    this.lateDataTag = spec.lateDataTag?.id;
    this.evictor = spec.evictor as Evictor<unknown, Window> | undefined;
  }

  override open(): void {
    const backend = this.setupInfo.keyedStateBackend;
    if (backend === undefined) throw new RivuletError('INTERNAL', 'WindowOperator without keyed state backend', this.errorContext());
    this.backend = backend;
    this.timers = this.getInternalTimerService<Window>('window-timers', this, windowOfNamespaceKey);
    const timers = (): InternalTimerService<Window> => this.timers;
    this.triggerContext = new WindowTriggerContext(backend, timers);
    this.processContext = new WindowProcessContext({
      backend,
      timers,
      output: this.output,
      merging: this.mergingAssigner !== undefined,
      describeOperator: () => `operator "${this.setupInfo.name}" (uid ${this.uid})`,
    });
    const evictorContext = { getCurrentProcessingTime: () => this.timers.currentProcessingTime(), getCurrentWatermark: () => this.timers.getCurrentWatermark() };
    this.panes =
      this.evictor === undefined ? new AggregatingPanes(this.spec.aggregate, backend) : new EvictingPanes(this.spec.aggregate, this.evictor, evictorContext, backend);
    this.mergingWindows = this.mergingAssigner === undefined ? undefined : new MergingWindowSet(this.mergingAssigner, backend);
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
    let window: Window | undefined;
    let skipped = true;
    try {
      const windows = this.assigner.assignWindows(value, timestamp, this.assignerContext);
      const set = this.mergingWindows;
      if (set !== undefined) set.load();
      for (let i = 0; i < windows.length; i++) {
        window = windows[i]!;
        let stateWindow = window;
        if (set !== undefined) {
          // The window the record ends up in: itself, or the session it merged into.
          window = set.addWindow(window, this.mergeFunction);
          if (this.isWindowLate(window)) {
            set.retireWindow(window);
            continue;
          }
          stateWindow = set.getStateWindow(window)!;
        } else if (this.isWindowLate(window)) {
          continue;
        }
        skipped = false;
        this.panes.setWindow(stateWindow.namespaceKey);
        this.panes.add(value, timestamp);
        this.triggerContext.window = window;
        const result = this.trigger.onElement(value, timestamp, window, this.triggerContext);
        if (isFire(result)) this.emitWindowContents(key, window);
        if (isPurge(result)) this.panes.clear();
        this.registerCleanupTimer(window);
      }
      if (set !== undefined) set.persist();
    } catch (e) {
      throw this.elementError(e, value, key, window);
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
    try {
      const set = this.mergingWindows;
      if (set !== undefined) {
        set.load();
        const stateWindow = set.getStateWindow(window);
        // A timer of a window that merged away or was cleared: a trigger that did not
        // delete it. Nothing is left to do (as Flink).
        if (stateWindow === undefined) return;
        this.panes.setWindow(stateWindow.namespaceKey);
      } else {
        this.panes.setWindow(window.namespaceKey);
      }
      this.triggerContext.window = window;
      const result = eventTime
        ? this.trigger.onEventTime(timer.timestamp, window, this.triggerContext)
        : this.trigger.onProcessingTime(timer.timestamp, window, this.triggerContext);
      if (isFire(result) && !this.panes.isEmpty()) this.emitWindowContents(timer.key, window);
      if (isPurge(result)) this.panes.clear();
      if (eventTime === this.isEventTime && timer.timestamp === this.cleanupTime(window)) this.clearAllState(timer.key, window);
      if (set !== undefined) set.persist();
    } catch (e) {
      throw this.windowError(e, 'Trigger', timer.key, window);
    }
  }

  /** Merges in-flight windows into `result` (MergingWindowSet callback). */
  private mergeWindows(result: Window, merged: readonly Window[], stateWindow: Window, mergedStateWindows: readonly Window[]): void {
    if (this.isEventTime && result.maxTimestamp() + this.allowedLateness <= this.timers.getCurrentWatermark()) {
      throw new RivuletError(
        'USER_FUNCTION_FAILED',
        `The end of an event-time window cannot become earlier than the current watermark by merging (window ${String(result)}, watermark ${this.timers.getCurrentWatermark()}); the window assigner ${String(this.assigner)} merges wrongly.`,
      );
    }
    if (!this.isEventTime && result.maxTimestamp() <= this.timers.currentProcessingTime()) {
      throw new RivuletError(
        'USER_FUNCTION_FAILED',
        `The end of a processing-time window cannot become earlier than the current processing time by merging (window ${String(result)}, processing time ${this.timers.currentProcessingTime()}).`,
      );
    }
    const ctx = this.triggerContext;
    ctx.window = result;
    ctx.mergedWindows = merged;
    this.trigger.onMerge?.(result, ctx);
    ctx.mergedWindows = [];
    for (const m of merged) {
      if (m.namespaceKey === result.namespaceKey) continue;
      ctx.window = m;
      this.trigger.clear(m, ctx);
      ctx.clearPartitionedState();
      this.deleteCleanupTimer(m);
    }
    this.panes.mergeNamespaces(
      stateWindow.namespaceKey,
      mergedStateWindows.map((w) => w.namespaceKey),
    );
  }

  /** Calls the window function on the selected pane; the results carry the window's maxTimestamp. */
  private emitWindowContents(key: Key, window: Window): void {
    this.firingTimestamp = window.maxTimestamp();
    this.processContext.window = window;
    try {
      this.panes.emit(key, window, this.processContext, this.windowFunction, this.collector);
    } catch (e) {
      throw this.windowError(e, 'Window function', key, window);
    }
  }

  /** Drops everything of `window` at its cleanup time (the pane must be selected). */
  private clearAllState(key: Key, window: Window): void {
    this.panes.clear();
    this.triggerContext.window = window;
    this.trigger.clear(window, this.triggerContext);
    this.triggerContext.clearPartitionedState();
    if (this.windowFunction.clear !== undefined) {
      this.processContext.window = window;
      try {
        this.windowFunction.clear(key, window, this.processContext);
      } catch (e) {
        throw this.windowError(e, 'Window function (clear)', key, window);
      }
    }
    this.mergingWindows?.retireWindow(window);
  }

  private cleanupTime(window: Window): number {
    if (!this.isEventTime) return window.maxTimestamp();
    const t = window.maxTimestamp() + this.allowedLateness;
    return t >= window.maxTimestamp() ? t : Number.POSITIVE_INFINITY;
  }

  private registerCleanupTimer(window: Window): void {
    const t = this.cleanupTime(window);
    if (t === Number.POSITIVE_INFINITY) return;
    if (this.isEventTime) this.timers.registerEventTimeTimer(window, t);
    else this.timers.registerProcessingTimeTimer(window, t);
  }

  private deleteCleanupTimer(window: Window): void {
    const t = this.cleanupTime(window);
    if (t === Number.POSITIVE_INFINITY) return;
    if (this.isEventTime) this.timers.deleteEventTimeTimer(window, t);
    else this.timers.deleteProcessingTimeTimer(window, t);
  }

  private isWindowLate(window: Window): boolean {
    return this.isEventTime && this.cleanupTime(window) <= this.timers.getCurrentWatermark();
  }

  private isElementLate(timestamp: number): boolean {
    return this.isEventTime && timestamp + this.allowedLateness <= this.timers.getCurrentWatermark();
  }

  /** An error while processing a record, naming the operator, record, key and window. */
  private elementError(e: unknown, value: unknown, key: Key, window: Window | undefined): Error {
    if (e instanceof RivuletError && e.context.operatorUid !== undefined) return e;
    const extra = window === undefined ? { key } : { key, window: String(window) };
    if (e instanceof RivuletError) {
      const s = this.setupInfo;
      return new RivuletError(
        e.code,
        `Operator "${s.name}" (uid ${s.uid}, subtask ${s.subtaskIndex + 1}/${s.parallelism}) failed on record ${preview(value)}: ${e.message}`,
        this.errorContext(extra),
        { cause: e },
      );
    }
    return this.userFunctionError(e, value, extra);
  }

  /** An error of user code called for a window (trigger, window function), naming uid, key and window. */
  private windowError(e: unknown, what: string, key: Key, window: Window): Error {
    if (e instanceof RivuletError && e.context.operatorUid !== undefined) return e;
    const s = this.setupInfo;
    return new RivuletError(
      e instanceof RivuletError ? e.code : 'USER_FUNCTION_FAILED',
      `${what} of operator "${s.name}" (uid ${s.uid}, subtask ${s.subtaskIndex + 1}/${s.parallelism}) failed for key ${preview(key)} and window ${String(window)}: ${e instanceof Error ? e.message : String(e)}`,
      this.errorContext({ key, window: String(window) }),
      { cause: e },
    );
  }
}
