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

/** Decides when a window is evaluated and purged; as Flink's `Trigger`. */
export interface Trigger<T, W extends Window> {
  onElement(element: T, timestamp: number, window: W, ctx: TriggerContext): TriggerResult;
  onEventTime(time: number, window: W, ctx: TriggerContext): TriggerResult;
  onProcessingTime(time: number, window: W, ctx: TriggerContext): TriggerResult;
  /** Removes timers and state the trigger keeps for the window. */
  clear(window: W, ctx: TriggerContext): void;
  toString(): string;
}
