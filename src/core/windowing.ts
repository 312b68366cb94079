/**
 * The windowing contracts shared by the api (which offers assigners and triggers to users)
 * and the runtime's WindowOperator (which drives them). Semantics as Flink's
 * `org.apache.flink.streaming.api.windowing`.
 */
import type { ValueState, ValueStateDescriptor } from './state.ts';

/** A group of records that is evaluated together. */
export interface Window {
  /** The largest timestamp that still belongs to the window (epoch ms). */
  maxTimestamp(): number;
  /** A primitive that identifies the window among the windows of one key (the state namespace). */
  readonly namespaceKey: string;
}

/**
 * A window over `[start, end)` of time (epoch ms); as Flink's `TimeWindow`.
 */
export class TimeWindow implements Window {
  private cachedKey: string | undefined;

  readonly start: number;
  readonly end: number;
  constructor(start: number, end: number) {
    this.start = start;
    this.end = end;
  }

  maxTimestamp(): number {
    return this.end - 1;
  }

  get namespaceKey(): string {
    // Computed once per window object: the WindowOperator reuses window objects across the
    // records of a window, so the string is built once, not per record.
    return (this.cachedKey ??= `${this.start}:${this.end}`);
  }

  intersects(other: TimeWindow): boolean {
    return this.start <= other.end && this.end >= other.start;
  }

  cover(other: TimeWindow): TimeWindow {
    return new TimeWindow(Math.min(this.start, other.start), Math.max(this.end, other.end));
  }

  equals(other: TimeWindow): boolean {
    return this.start === other.start && this.end === other.end;
  }

  /**
   * Merges overlapping (or touching) windows: sorts by start, then calls `callback` once per
   * group of two or more windows that intersect, with the group and the window covering it.
   * As Flink's `TimeWindow.mergeWindows`, used by the session window assigners.
   */
  static mergeWindows(windows: readonly TimeWindow[], callback: MergeCallback<TimeWindow>): void {
    const sorted = windows.slice().sort((a, b) => a.start - b.start);
    let cover: TimeWindow | undefined;
    let group: TimeWindow[] = [];
    const flush = (): void => {
      if (cover !== undefined && group.length > 1) callback(group, cover);
    };
    for (const w of sorted) {
      if (cover !== undefined && cover.intersects(w)) {
        if (!group.some((g) => g.equals(w))) group.push(w);
        if (w.end > cover.end) cover = cover.cover(w);
      } else {
        flush();
        cover = w;
        group = [w];
      }
    }
    flush();
  }

  toString(): string {
    return `TimeWindow{start=${new Date(this.start).toISOString()}, end=${new Date(this.end).toISOString()}}`;
  }

  /**
   * The start of the window of `size` ms (shifted by `offset` ms) that holds `timestamp`;
   * as Flink's `TimeWindow.getWindowStartWithOffset`.
   */
  static getWindowStartWithOffset(timestamp: number, offset: number, size: number): number {
    const remainder = (timestamp - offset) % size;
    // JS `%` keeps the sign of the dividend: shift negative remainders into [0, size).
    return remainder < 0 ? timestamp - (remainder + size) : timestamp - remainder;
  }
}

/** The one window of GlobalWindows; fires only through a custom trigger. */
export class GlobalWindow implements Window {
  static readonly INSTANCE = new GlobalWindow();
  readonly namespaceKey = 'global';
  private constructor() {}
  maxTimestamp(): number {
    return Number.POSITIVE_INFINITY;
  }
  toString(): string {
    return 'GlobalWindow';
  }
}

/** Called by {@link MergingWindowAssigner.mergeWindows} for each group of windows that merge into `mergeResult`. */
export type MergeCallback<W> = (toBeMerged: readonly W[], mergeResult: W) => void;

/** What an assigner may read while assigning; as Flink's `WindowAssignerContext`. */
export interface WindowAssignerContext {
  getCurrentProcessingTime(): number;
}

/**
 * Assigns each record to zero or more windows; as Flink's `WindowAssigner`.
 * Implementations should return the same array and window objects for consecutive records
 * of the same window where they can: the per-record path then allocates nothing.
 */
export interface WindowAssigner<T, W extends Window> {
  /**
   * @param timestamp the record's event timestamp (epoch ms), or NO_TIMESTAMP.
   * @throws RivuletError(INVALID_TIMESTAMP) for an event-time assigner and a record without timestamp.
   */
  assignWindows(element: T, timestamp: number, context: WindowAssignerContext): readonly W[];
  getDefaultTrigger(): Trigger<T, W>;
  isEventTime(): boolean;
  toString(): string;
}

/**
 * An assigner whose windows can merge (session windows); as Flink's `MergingWindowAssigner`.
 * The WindowOperator keeps the set of in-flight windows per key and calls `mergeWindows`
 * with it plus each new window.
 */
export interface MergingWindowAssigner<T, W extends Window> extends WindowAssigner<T, W> {
  /** Calls `callback` once for each group of (two or more) windows that merge into one. */
  mergeWindows(windows: readonly W[], callback: MergeCallback<W>): void;
}

export function isMergingWindowAssigner<T, W extends Window>(a: WindowAssigner<T, W>): a is MergingWindowAssigner<T, W> {
  return typeof (a as Partial<MergingWindowAssigner<T, W>>).mergeWindows === 'function';
}

/** What a trigger does with its window; as Flink's `TriggerResult`. */
export const TriggerResult = {
  CONTINUE: 0,
  FIRE: 1,
  PURGE: 2,
  FIRE_AND_PURGE: 3,
} as const;
export type TriggerResult = (typeof TriggerResult)[keyof typeof TriggerResult];

export function isFire(r: TriggerResult): boolean {
  return r === TriggerResult.FIRE || r === TriggerResult.FIRE_AND_PURGE;
}
export function isPurge(r: TriggerResult): boolean {
  return r === TriggerResult.PURGE || r === TriggerResult.FIRE_AND_PURGE;
}

/** The trigger's view of the runtime, scoped to the current key and window. */
export interface TriggerContext {
  getCurrentProcessingTime(): number;
  getCurrentWatermark(): number;
  registerEventTimeTimer(time: number): void;
  registerProcessingTimeTimer(time: number): void;
  deleteEventTimeTimer(time: number): void;
  deleteProcessingTimeTimer(time: number): void;
  /** Per key and window state of the trigger. */
  getPartitionedState<S>(descriptor: ValueStateDescriptor<S>): ValueState<S>;
}

/** The trigger's view while windows merge; as Flink's `Trigger.OnMergeContext`. */
export interface OnMergeContext extends TriggerContext {
  /**
   * Folds the state `descriptor` of every merged window into the merged window (the
   * context's window) with `merge`, and removes it from the merged windows; as Flink's
   * `mergePartitionedState` for a ReducingState whose reduce function is `merge`.
   */
  mergePartitionedState<S>(descriptor: ValueStateDescriptor<S>, merge: (a: S, b: S) => S): void;
}

/**
 * Decides when a window is evaluated and purged; as Flink's `Trigger`. A trigger object is
 * shared by all keys and windows of an operator: per-window data belongs in
 * `ctx.getPartitionedState`, never in fields.
 */
export interface Trigger<T, W extends Window> {
  onElement(element: T, timestamp: number, window: W, ctx: TriggerContext): TriggerResult;
  onEventTime(time: number, window: W, ctx: TriggerContext): TriggerResult;
  onProcessingTime(time: number, window: W, ctx: TriggerContext): TriggerResult;
  /**
   * Whether the trigger can be used with merging (session) windows, i.e. implements
   * {@link onMerge}. Default false; a merging assigner rejects a trigger that cannot merge.
   */
  canMerge?(): boolean;
  /**
   * Called when windows merge into `window`: re-register timers for the merged window and
   * merge per-window state (the merged windows' timers and state are cleared afterwards by
   * {@link clear}).
   */
  onMerge?(window: W, ctx: OnMergeContext): void;
  /** Removes timers and state the trigger keeps for the window. */
  clear(window: W, ctx: TriggerContext): void;
  toString(): string;
}

/** Whether `trigger` supports merging windows (Flink's `Trigger.canMerge`, default false). */
export function triggerCanMerge<T, W extends Window>(trigger: Trigger<T, W>): boolean {
  return trigger.canMerge?.() === true && typeof trigger.onMerge === 'function';
}

/** A record and its event timestamp (NO_TIMESTAMP when it has none); as Flink's `TimestampedValue`. */
export class TimestampedValue<T> {
  readonly value: T;
  readonly timestamp: number;
  constructor(value: T, timestamp: number) {
    this.value = value;
    this.timestamp = timestamp;
  }
  getValue(): T {
    return this.value;
  }
  getTimestamp(): number {
    return this.timestamp;
  }
  hasTimestamp(): boolean {
    return this.timestamp !== Number.NEGATIVE_INFINITY;
  }
}

/**
 * The records of a window as an evictor sees them: iterable in insertion order, with
 * `remove` allowed while iterating (Java's `Iterator.remove`).
 */
export interface EvictableElements<T> extends Iterable<TimestampedValue<T>> {
  /** Number of records not removed. */
  readonly size: number;
  /** Removes `element` (one the iteration yielded) from the window. */
  remove(element: TimestampedValue<T>): void;
}

/** What an evictor may read; as Flink's `Evictor.EvictorContext`. */
export interface EvictorContext {
  getCurrentProcessingTime(): number;
  getCurrentWatermark(): number;
}

/**
 * Removes records from a window before and/or after the window function runs; as Flink's
 * `Evictor`. With an evictor the operator keeps every record of the window (not an
 * accumulator) and evaluates the window function over what is left.
 */
export interface Evictor<T, W extends Window> {
  evictBefore(elements: EvictableElements<T>, size: number, window: W, ctx: EvictorContext): void;
  evictAfter(elements: EvictableElements<T>, size: number, window: W, ctx: EvictorContext): void;
  toString(): string;
}

/**
 * Keyed state for window functions (`ProcessWindowFunction.Context.windowState()` /
 * `globalState()`), scoped to the current key (and window); as Flink's `KeyedStateStore`.
 */
export type { KeyedStateStore } from './state.ts';
