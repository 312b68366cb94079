/**
 * SlicingWindowOperator: keyed event-time sliding and tumbling windows with incremental
 * aggregation, at a cost per record that does not grow with size / slide; as the slicing
 * window operators of Flink's SQL runtime (`SlicingWindowOperator`) and Arroyo.
 *
 * Windows are `[start, start + size)` with `start ≡ offset (mod slide)` (tumbling: slide =
 * size). Every window boundary is a multiple of `p = gcd(size, slide)` (plus offset), so time
 * cuts into *slices* of length p and each window is the union of its size / p slices. A
 * record updates one accumulator — its slice's, in keyed state under (key, slice start) —
 * instead of one per window (the generic WindowOperator does size / slide). A window's
 * result is the AggregateFunction.merge of its slices' accumulators, computed when it fires.
 * On-time firings of a key come in time order, so a per-key {@link SliceQueue} keeps the
 * merge at a few merges per firing; late firings (allowed lateness) merge the slices afresh.
 *
 * Timers (event time, one per key and time: namespace {@link SLICES}):
 * - a new slice registers a timer at the maxTimestamp of the earliest window that holds it
 *   and has not fired; each on-time firing of a window registers the next window's
 *   maxTimestamp if that window holds data (a chain through the key's windows). So timers
 *   cost one registration per new slice and one per firing, not one per window per record,
 *   and records of an existing slice register nothing.
 * - with allowed lateness L > 0, a new slice also registers its cleanup time: maxTimestamp
 *   of the last window holding it + L (with L = 0 that is a firing time of the chain), and
 *   a window function with `clear` gets a timer at each fired window's cleanup time.
 * A timer at t fires the window whose maxTimestamp is t, if it holds data, then cleans up
 * the window whose cleanup time is t: the window function's `clear` (if the window held
 * data) and the slices no later window holds.
 *
 * Semantics equal the WindowOperator with the assigner's default EventTimeTrigger and no
 * evictor: same firings, results, timestamps (window.maxTimestamp()), late firings that
 * update earlier results, late records dropped (`lateRecordsDropped`) or sent to the late
 * data side output, all state and timers gone after cleanup. Two assumptions on the user's
 * functions, both those of Flink SQL's slicing:
 * - the aggregate does not depend on the order records are added in (commutative and
 *   associative: slices are merged in time order, records within a slice in arrival order;
 *   floating-point sums may differ from the generic operator's in the last bits);
 * - merge(a, b) must not modify `b`: slice accumulators are passed as `b`. If merge returns
 *   `b` itself (as the ReduceFunction adapter does when `a` is empty), that result may be
 *   passed as `a` later, so such a merge must not modify `a` either.
 * The window function gets the same context as under WindowOperator (per-window state with
 * the window as namespace, global state, side outputs). The api picks this operator only
 * for keyed Sliding/TumblingEventTimeWindows with the EventTimeTrigger, no evictor and an
 * incremental aggregate (api/windowing/window-slicing.ts).
 */
import type { AggregateFunction, Collector } from '../../core/functions.ts';
import type { Key } from '../../core/keys.ts';
import { RivuletError } from '../../core/errors.ts';
import { NO_TIMESTAMP } from '../../core/time.ts';
import { TimeWindow } from '../../core/windowing.ts';
import type { OperatorSpec } from '../../graph/operator-spec.ts';
import type { InternalWindowFunction } from '../../graph/window-function.ts';
import type { InternalKvState, KeyedStateBackend } from '../state/keyed-state-backend.ts';
import { toMapKey } from '../state/map-key.ts';
import type { MapKey } from '../state/map-key.ts';
import { StreamOperator, preview } from '../operators/stream-operator.ts';
import type { InternalTimer, Triggerable } from './internal-timer-service.ts';
import type { InternalTimerService } from './internal-timer-service.ts';
import { SliceQueue } from './slice-queue.ts';
import { WindowProcessContext } from './window-process-context.ts';

type SlicedWindowSpec = Extract<OperatorSpec, { kind: 'slicedWindow' }>;

/** The one timer namespace: a timer is identified by (time, key). */
const SLICES = { namespaceKey: 'slices' } as const;
type SlicesNamespace = typeof SLICES;

/** Slots of the slice-namespace string cache (a power of two). */
const NAMESPACE_CACHE_SIZE = 256;

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** The largest x <= t with x ≡ offset (mod step); as TimeWindow.getWindowStartWithOffset. */
function alignDown(t: number, offset: number, step: number): number {
  return TimeWindow.getWindowStartWithOffset(t, offset, step);
}

export class SlicingWindowOperator extends StreamOperator implements Triggerable<SlicesNamespace> {
  // --- configuration and user functions
  private readonly keySelector: (value: unknown) => Key;
  private readonly aggregate: AggregateFunction<unknown, unknown, unknown>;
  private readonly windowFunction: InternalWindowFunction<unknown, unknown, Key, TimeWindow>;
  private readonly size: number;
  private readonly slide: number;
  private readonly offset: number;
  /** Slice length: gcd(size, slide). */
  private readonly pane: number;
  private readonly allowedLateness: number;
  private readonly lateDataTag: string | undefined;

  // --- state that is not checkpointed (rebuilt on open; the queues are caches of slice state)
  private backend!: KeyedStateBackend;
  private timers!: InternalTimerService<SlicesNamespace>;
  private readonly queues = new Map<MapKey, SliceQueue>();
  private processContext!: WindowProcessContext;
  private readonly single: unknown[] = [undefined];
  private readonly collector: Collector<unknown> = { collect: (v) => this.output.collect(v, this.firingTimestamp) };
  private firingTimestamp = 0;
  // Namespace strings of recently touched slices, direct-mapped by slice index: in-order
  // records of all keys share the newest slice, and firings of all keys the same old ones,
  // so neither path builds a string per record or firing.
  private readonly namespaceStarts = new Float64Array(NAMESPACE_CACHE_SIZE).fill(Number.NaN);
  private readonly namespaces: string[] = new Array<string>(NAMESPACE_CACHE_SIZE).fill('');

  // --- state that needs to be checkpointed (keyed state and timers, issue #4)
  /** key x slice start -> accumulator */
  private sliceState!: InternalKvState<unknown>;

  constructor(spec: SlicedWindowSpec) {
    super();
    this.keySelector = spec.keySelector as (value: unknown) => Key;
    this.aggregate = spec.aggregate;
    this.windowFunction = spec.windowFunction as InternalWindowFunction<unknown, unknown, Key, TimeWindow>;
    this.size = spec.size;
    this.slide = spec.slide;
    this.offset = spec.offset;
    this.pane = gcd(spec.size, spec.slide);
    this.allowedLateness = spec.allowedLateness;
    this.lateDataTag = spec.lateDataTag?.id;
  }

  override open(): void {
    const backend = this.setupInfo.keyedStateBackend;
    if (backend === undefined) throw new RivuletError('INTERNAL', 'SlicingWindowOperator without keyed state backend', this.errorContext());
    this.backend = backend;
    this.sliceState = backend.getOrCreateKvState('window-slices');
    this.timers = this.getInternalTimerService<SlicesNamespace>('window-timers', this, () => SLICES);
    // The context reads only the watermark and processing time from the timer service,
    // which is why one whose namespace is not a Window serves.
    const timers = this.timers as unknown as InternalTimerService<TimeWindow>;
    this.processContext = new WindowProcessContext({
      backend,
      timers: () => timers,
      output: this.output,
      merging: false,
      describeOperator: () => `operator "${this.setupInfo.name}" (uid ${this.uid})`,
    });
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
    if (timestamp === NO_TIMESTAMP) throw this.missingTimestamp(value, key);
    const wm = this.timers.getCurrentWatermark();
    const size = this.size;
    // The latest window holding the record; if there is none (slide > size leaves gaps) or
    // it is past cleanup, every window of the record is, as in WindowOperator.
    const lastWindowStart = alignDown(timestamp, this.offset, this.slide);
    if (lastWindowStart + size <= timestamp || this.cleanupTime(lastWindowStart + size - 1) <= wm) {
      if (timestamp + this.allowedLateness <= wm) {
        if (this.lateDataTag !== undefined) this.output.collectSide(this.lateDataTag, value, timestamp);
        else this.metrics.lateRecordsDropped++;
      }
      return;
    }

    this.backend.setCurrentKey(key);
    const sliceStart = alignDown(timestamp, this.offset, this.pane);
    const state = this.sliceState;
    state.setCurrentNamespace(this.sliceNamespace(sliceStart));
    let acc = state.get();
    const created = acc === undefined;
    try {
      if (acc === undefined) acc = this.aggregate.createAccumulator();
      acc = this.aggregate.add(value, acc);
    } catch (e) {
      // Named as WindowOperator names it: the first window it adds the record to.
      throw this.userFunctionError(e, value, { key, window: String(new TimeWindow(lastWindowStart, lastWindowStart + size)) });
    }
    state.put(acc);
    if (created) this.registerTimersOfNewSlice(sliceStart, lastWindowStart, wm);
    // A record at or behind the watermark may change a slice that fired windows hold:
    // those windows fire again (allowed lateness) and the key's queue no longer holds.
    if (timestamp <= wm) this.onLateRecord(key, sliceStart, lastWindowStart, wm);
  }

  override processWatermark(timestamp: number): void {
    this.timers.advanceWatermark(timestamp);
    this.output.emitWatermark(timestamp);
  }

  onEventTime(timer: InternalTimer<SlicesNamespace>): void {
    const t = timer.timestamp;
    const key = timer.key;
    const size = this.size;
    // The window whose maxTimestamp is t fires on time (if it holds data) ...
    const start = t + 1 - size;
    if (this.isWindowStart(start) && this.fireOnTime(key, start)) this.registerCleanupOfFired(t);
    // ... and the window whose cleanup time is t is cleaned up.
    const cleanedStart = t - this.allowedLateness + 1 - size;
    if (this.isWindowStart(cleanedStart) && this.cleanupTime(cleanedStart + size - 1) === t) this.cleanUp(key, cleanedStart);
  }

  onProcessingTime(): void {
    // This operator registers no processing-time timers.
  }

  /** Timers for a slice that just got its first record (see the class comment). */
  private registerTimersOfNewSlice(sliceStart: number, lastWindowStart: number, wm: number): void {
    const size = this.size;
    const slide = this.slide;
    // Earliest window holding the slice: the first start > sliceStart - size ...
    const firstWindowStart = alignDown(sliceStart - size, this.offset, slide) + slide;
    // ... that has not fired: maxTimestamp > wm, i.e. start > wm - size + 1.
    const unfiredStart = wm === Number.NEGATIVE_INFINITY ? firstWindowStart : Math.max(firstWindowStart, alignDown(wm - size + 1, this.offset, slide) + slide);
    if (unfiredStart <= lastWindowStart) this.timers.registerEventTimeTimer(SLICES, unfiredStart + size - 1);
    if (this.allowedLateness > 0) {
      const cleanup = this.cleanupTime(lastWindowStart + size - 1);
      if (cleanup !== Number.POSITIVE_INFINITY) this.timers.registerEventTimeTimer(SLICES, cleanup);
    }
  }

  /**
   * After a record at or behind the watermark updated slice `sliceStart`: fires again, latest
   * first (the generic operator's order), every window holding the slice whose maxTimestamp
   * the watermark passed and that is still within allowed lateness; forgets the key's queue
   * if it covered the slice.
   */
  private onLateRecord(key: Key, sliceStart: number, lastWindowStart: number, wm: number): void {
    const queue = this.queues.get(toMapKey(key));
    if (queue !== undefined && sliceStart < queue.upTo) queue.reset();
    const size = this.size;
    const slide = this.slide;
    const firstWindowStart = alignDown(sliceStart - size, this.offset, slide) + slide;
    for (let ws = lastWindowStart; ws >= firstWindowStart; ws -= slide) {
      const maxTs = ws + size - 1;
      if (maxTs > wm) continue;
      if (this.cleanupTime(maxTs) <= wm) break;
      this.emitWindow(key, ws, this.mergeSlices(ws));
      this.registerCleanupOfFired(maxTs);
    }
  }

  /**
   * Drops what only window [start, start + size) still needed, at its cleanup time: the
   * window function's per-window state (its `clear`, if it has one and the window held
   * data) and the slices that no later window holds.
   */
  private cleanUp(key: Key, start: number): void {
    const size = this.size;
    const clear = this.windowFunction.clear;
    if (clear !== undefined && this.anySlice(start, start + size)) {
      const window = new TimeWindow(start, start + size);
      this.processContext.window = window;
      try {
        clear.call(this.windowFunction, key, window, this.processContext);
      } catch (e) {
        throw this.windowError(e, 'Window function (clear)', key, window);
      }
    }
    const state = this.sliceState;
    const end = start + Math.min(this.slide, size);
    for (let s = start; s < end; s += this.pane) {
      state.setCurrentNamespace(this.sliceNamespace(s));
      state.clear();
    }
  }

  /**
   * A window function with `clear` needs a timer at the cleanup time of every window that
   * fired (as WindowOperator's cleanup timers); without lateness that is the firing time,
   * and the slices' own cleanup timers suffice otherwise.
   */
  private registerCleanupOfFired(maxTimestamp: number): void {
    if (this.windowFunction.clear === undefined || this.allowedLateness === 0) return;
    const t = this.cleanupTime(maxTimestamp);
    if (t !== Number.POSITIVE_INFINITY) this.timers.registerEventTimeTimer(SLICES, t);
  }

  /** Fires window [start, start + size) at its maxTimestamp, through the key's queue; false if it holds no data. */
  private fireOnTime(key: Key, start: number): boolean {
    const end = start + this.size;
    const state = this.sliceState;
    let result: unknown;
    let hasData: boolean;
    let nextHasData: boolean;
    if (this.size === this.pane) {
      // One slice per window (tumbling): its accumulator is the window's.
      state.setCurrentNamespace(this.sliceNamespace(start));
      result = state.get();
      hasData = result !== undefined;
      nextHasData = this.anySlice(Math.max(end, start + this.slide), end + this.slide);
    } else {
      const mapKey = toMapKey(key);
      let queue = this.queues.get(mapKey);
      if (queue === undefined) {
        queue = new SliceQueue(this.aggregate);
        this.queues.set(mapKey, queue);
      }
      if (queue.upTo < start) {
        queue.reset();
        queue.upTo = start;
      }
      queue.evictBefore(start);
      for (let s = queue.upTo; s < end; s += this.pane) {
        state.setCurrentNamespace(this.sliceNamespace(s));
        const acc = state.get();
        if (acc !== undefined) queue.push(s, acc);
      }
      queue.upTo = end;
      const merged = queue.query();
      hasData = merged !== undefined;
      result = merged?.acc;
      const nextStart = start + this.slide;
      nextHasData = queue.newestStart() >= nextStart || this.anySlice(Math.max(end, nextStart), end + this.slide);
      if (!nextHasData) this.queues.delete(mapKey);
    }
    if (hasData) this.emitWindow(key, start, result);
    if (nextHasData) this.timers.registerEventTimeTimer(SLICES, end + this.slide - 1);
    return hasData;
  }

  /** Whether the current key has a slice starting in [from, to). */
  private anySlice(from: number, to: number): boolean {
    const state = this.sliceState;
    for (let s = from; s < to; s += this.pane) {
      state.setCurrentNamespace(this.sliceNamespace(s));
      if (state.get() !== undefined) return true;
    }
    return false;
  }

  /** The merge of the current key's slices of window [start, start + size); undefined if none. */
  private mergeSlices(start: number): unknown {
    const state = this.sliceState;
    const agg = this.aggregate;
    let acc: unknown = undefined;
    const end = start + this.size;
    for (let s = start; s < end; s += this.pane) {
      state.setCurrentNamespace(this.sliceNamespace(s));
      const slice = state.get();
      if (slice !== undefined) acc = agg.merge(acc === undefined ? agg.createAccumulator() : acc, slice);
    }
    return acc;
  }

  private emitWindow(key: Key, start: number, acc: unknown): void {
    if (acc === undefined) return;
    const window = new TimeWindow(start, start + this.size);
    this.firingTimestamp = window.maxTimestamp();
    this.processContext.window = window;
    try {
      this.single[0] = this.aggregate.getResult(acc);
      this.windowFunction.process(key, window, this.processContext, this.single, this.collector);
    } catch (e) {
      throw this.windowError(e, 'Window function', key, window);
    } finally {
      this.single[0] = undefined;
    }
  }

  /** An error of user code called for a window, naming uid, key and window (as WindowOperator). */
  private windowError(e: unknown, what: string, key: Key, window: TimeWindow): Error {
    if (e instanceof RivuletError && e.context.operatorUid !== undefined) return e;
    const s = this.setupInfo;
    return new RivuletError(
      e instanceof RivuletError ? e.code : 'USER_FUNCTION_FAILED',
      `${what} of operator "${s.name}" (uid ${s.uid}, subtask ${s.subtaskIndex + 1}/${s.parallelism}) failed for key ${preview(key)} and window ${String(window)}: ${e instanceof Error ? e.message : String(e)}`,
      this.errorContext({ key, window: String(window) }),
      { cause: e },
    );
  }

  /** What WindowOperator throws when its event-time assigner gets a record without timestamp. */
  private missingTimestamp(value: unknown, key: Key): RivuletError {
    const s = this.setupInfo;
    return new RivuletError(
      'INVALID_TIMESTAMP',
      `Operator "${s.name}" (uid ${s.uid}, subtask ${s.subtaskIndex + 1}/${s.parallelism}) failed on record ${preview(value)}: Record has no timestamp. Is the time characteristic right? Event-time windows need a WatermarkStrategy with a timestamp assigner on the source (fromSource(source, strategy, name)) or assignTimestampsAndWatermarks().`,
      this.errorContext({ key }),
    );
  }

  private isWindowStart(t: number): boolean {
    return alignDown(t, this.offset, this.slide) === t;
  }

  /** As WindowOperator.cleanupTime for event time: maxTimestamp + allowedLateness, +Infinity on overflow. */
  private cleanupTime(maxTimestamp: number): number {
    const t = maxTimestamp + this.allowedLateness;
    return t >= maxTimestamp ? t : Number.POSITIVE_INFINITY;
  }

  private sliceNamespace(start: number): string {
    const slot = Math.floor(start / this.pane) & (NAMESPACE_CACHE_SIZE - 1);
    if (this.namespaceStarts[slot] !== start) {
      this.namespaceStarts[slot] = start;
      this.namespaces[slot] = String(start);
    }
    return this.namespaces[slot]!;
  }
}
