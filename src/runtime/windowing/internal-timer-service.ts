/**
 * Timers per key and namespace, in event time and processing time; as Flink's
 * InternalTimerService. A timer is (timestamp, key, namespace) and is registered at most
 * once. Event-time timers fire when the operator's watermark reaches their timestamp,
 * processing-time timers when the ProcessingTimeService reaches it; either way with the
 * backend's current key set to the timer's key.
 *
 * Each domain is a binary min-heap of timers plus a map for de-duplication and deletion
 * (deleted timers are skipped when they reach the top).
 */
import type { Key } from '../../core/keys.ts';
import type { KeyedStateBackend } from '../state/keyed-state-backend.ts';
import type { ProcessingTimeService, ScheduledTimer } from '../task/processing-time-service.ts';

export interface InternalTimer<N> {
  readonly timestamp: number;
  readonly key: Key;
  readonly namespace: N;
  deleted: boolean;
}

export interface Triggerable<N> {
  onEventTime(timer: InternalTimer<N>): void;
  onProcessingTime(timer: InternalTimer<N>): void;
}

class TimerHeap<N> {
  private readonly heap: InternalTimer<N>[] = [];
  private readonly byId = new Map<string, InternalTimer<N>>();

  add(id: string, timer: InternalTimer<N>): boolean {
    const existing = this.byId.get(id);
    if (existing !== undefined && !existing.deleted) return false;
    this.byId.set(id, timer);
    const h = this.heap;
    h.push(timer);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]!.timestamp <= timer.timestamp) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = timer;
    return true;
  }

  delete(id: string): void {
    const t = this.byId.get(id);
    if (t !== undefined) {
      t.deleted = true;
      this.byId.delete(id);
    }
  }

  /** The earliest live timer's time, or +Infinity. */
  peekTime(): number {
    this.dropDeleted();
    return this.heap.length > 0 ? this.heap[0]!.timestamp : Number.POSITIVE_INFINITY;
  }

  /** Removes and returns the earliest live timer if its time is <= `time`. */
  pollUpTo(time: number, idOf: (t: InternalTimer<N>) => string): InternalTimer<N> | undefined {
    this.dropDeleted();
    const top = this.heap[0];
    if (top === undefined || top.timestamp > time) return undefined;
    this.pop();
    this.byId.delete(idOf(top));
    return top;
  }

  size(): number {
    return this.byId.size;
  }

  private dropDeleted(): void {
    while (this.heap.length > 0 && this.heap[0]!.deleted) this.pop();
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    let i = 0;
    const n = h.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && h[r]!.timestamp < h[l]!.timestamp ? r : l;
      if (h[c]!.timestamp >= last.timestamp) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = last;
  }
}

export class InternalTimerService<N extends { readonly namespaceKey: string }> {
  private readonly backend: KeyedStateBackend;
  private readonly processingTime: ProcessingTimeService;
  private readonly target: Triggerable<N>;
  private readonly eventTimers = new TimerHeap<N>();
  private readonly processingTimers = new TimerHeap<N>();
  private currentWatermark = Number.NEGATIVE_INFINITY;
  private nextProcessingTimer: ScheduledTimer | undefined;
  private nextProcessingTime = Number.POSITIVE_INFINITY;

  constructor(backend: KeyedStateBackend, processingTime: ProcessingTimeService, target: Triggerable<N>) {
    this.backend = backend;
    this.processingTime = processingTime;
    this.target = target;
  }

  private idOf(key: Key, namespace: N, time: number): string {
    return `${time}|${typeof key === 'object' ? JSON.stringify(key) : `${typeof key}:${String(key)}`}|${namespace.namespaceKey}`;
  }

  private readonly timerId = (t: InternalTimer<N>): string => this.idOf(t.key, t.namespace, t.timestamp);

  getCurrentWatermark(): number {
    return this.currentWatermark;
  }

  currentProcessingTime(): number {
    return this.processingTime.getCurrentProcessingTime();
  }

  /** Registers an event-time timer for the current key. */
  registerEventTimeTimer(namespace: N, time: number): void {
    const key = this.backend.getCurrentKey();
    this.eventTimers.add(this.idOf(key, namespace, time), { timestamp: time, key, namespace, deleted: false });
  }

  deleteEventTimeTimer(namespace: N, time: number): void {
    this.eventTimers.delete(this.idOf(this.backend.getCurrentKey(), namespace, time));
  }

  registerProcessingTimeTimer(namespace: N, time: number): void {
    const key = this.backend.getCurrentKey();
    if (this.processingTimers.add(this.idOf(key, namespace, time), { timestamp: time, key, namespace, deleted: false })) {
      if (time < this.nextProcessingTime) this.scheduleProcessingTimer(time);
    }
  }

  deleteProcessingTimeTimer(namespace: N, time: number): void {
    this.processingTimers.delete(this.idOf(this.backend.getCurrentKey(), namespace, time));
  }

  /** Fires every event-time timer with timestamp <= watermark, in time order. */
  advanceWatermark(watermark: number): void {
    this.currentWatermark = watermark;
    for (;;) {
      const t = this.eventTimers.pollUpTo(watermark, this.timerId);
      if (t === undefined) break;
      this.backend.setCurrentKey(t.key);
      this.target.onEventTime(t);
    }
  }

  private scheduleProcessingTimer(time: number): void {
    this.nextProcessingTimer?.cancel();
    this.nextProcessingTime = time;
    this.nextProcessingTimer = this.processingTime.registerTimer(time, (now) => this.onProcessingTime(now));
  }

  private onProcessingTime(now: number): void {
    this.nextProcessingTime = Number.POSITIVE_INFINITY;
    this.nextProcessingTimer = undefined;
    for (;;) {
      const t = this.processingTimers.pollUpTo(now, this.timerId);
      if (t === undefined) break;
      this.backend.setCurrentKey(t.key);
      this.target.onProcessingTime(t);
    }
    const next = this.processingTimers.peekTime();
    if (next !== Number.POSITIVE_INFINITY) this.scheduleProcessingTimer(next);
  }

  numEventTimeTimers(): number {
    return this.eventTimers.size();
  }

  numProcessingTimeTimers(): number {
    return this.processingTimers.size();
  }

  shutdown(): void {
    this.nextProcessingTimer?.cancel();
  }
}
