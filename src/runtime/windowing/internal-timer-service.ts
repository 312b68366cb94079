/**
 * Timers per key and namespace, in event time and processing time; as Flink's
 * InternalTimerService. A timer is (timestamp, key, namespace) and is registered at most
 * once. Event-time timers fire when the operator's watermark reaches their timestamp,
 * processing-time timers when the ProcessingTimeService reaches it; either way with the
 * backend's current key set to the timer's key.
 *
 * Each domain is a binary min-heap of timers plus an index for de-duplication and deletion
 * (deleted timers are skipped when they reach the top).
 *
 * Timers are checkpointed with the keyed state, by key group: {@link snapshot} lists every
 * live timer with its key group, key (as bytes, see key-serializer.ts) and namespace key;
 * {@link restore} keeps those of this subtask's key groups and rebuilds the namespaces with
 * the operator's `namespaceOf`. Restored processing-time timers that are already due fire
 * as soon as the task runs; event-time timers when the watermark passes them.
 */
import type { Key } from '../../core/keys.ts';
import { assignToKeyGroup } from '../state/key-groups.ts';
import type { KeyGroupRange } from '../state/key-groups.ts';
import type { KeyedStateBackend } from '../state/keyed-state-backend.ts';
import { decodeKey, encodeKey } from '../state/key-serializer.ts';
import { toMapKey } from '../state/map-key.ts';
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

/** One timer in a snapshot. */
export interface SnapshotTimer {
  readonly keyGroup: number;
  readonly timestamp: number;
  /** The key, encoded with key-serializer.ts. */
  readonly key: Uint8Array;
  readonly namespace: string;
}

/** The timers of one timer service in one subtask at a checkpoint; plain data. */
export interface TimerServiceSnapshot {
  readonly eventTimers: readonly SnapshotTimer[];
  readonly processingTimers: readonly SnapshotTimer[];
}

/**
 * Timers of one domain: a binary min-heap by timestamp, and an index
 * time -> key -> namespace -> timer for de-duplication and deletion. The index is nested
 * rather than keyed by a composite string: registering the same timer for every record of a
 * window (as EventTimeTrigger does) then costs three map lookups and no allocation.
 */
class TimerHeap<N extends { readonly namespaceKey: string }> {
  private readonly heap: InternalTimer<N>[] = [];
  private readonly index = new Map<number, Map<unknown, Map<string, InternalTimer<N>>>>();
  private count = 0;

  private lookup(time: number, mapKey: unknown, nsKey: string): InternalTimer<N> | undefined {
    return this.index.get(time)?.get(mapKey)?.get(nsKey);
  }

  /** @returns false when the timer was already registered. */
  add(mapKey: unknown, timer: InternalTimer<N>): boolean {
    const time = timer.timestamp;
    let byKey = this.index.get(time);
    if (byKey === undefined) {
      byKey = new Map();
      this.index.set(time, byKey);
    }
    let byNs = byKey.get(mapKey);
    if (byNs === undefined) {
      byNs = new Map();
      byKey.set(mapKey, byNs);
    } else if (byNs.has(timer.namespace.namespaceKey)) {
      return false;
    }
    byNs.set(timer.namespace.namespaceKey, timer);
    this.count++;
    const h = this.heap;
    h.push(timer);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]!.timestamp <= time) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = timer;
    return true;
  }

  delete(time: number, mapKey: unknown, nsKey: string): void {
    const t = this.lookup(time, mapKey, nsKey);
    if (t !== undefined) {
      t.deleted = true;
      this.unindex(t, mapKey);
    }
  }

  private unindex(t: InternalTimer<N>, mapKey: unknown): void {
    const byKey = this.index.get(t.timestamp);
    const byNs = byKey?.get(mapKey);
    if (byKey === undefined || byNs === undefined) return;
    if (byNs.delete(t.namespace.namespaceKey)) this.count--;
    if (byNs.size === 0) byKey.delete(mapKey);
    if (byKey.size === 0) this.index.delete(t.timestamp);
  }

  /** The earliest live timer's time, or +Infinity. */
  peekTime(): number {
    this.dropDeleted();
    return this.heap.length > 0 ? this.heap[0]!.timestamp : Number.POSITIVE_INFINITY;
  }

  /** Removes and returns the earliest live timer if its time is <= `time`. */
  pollUpTo(time: number, toMapKey: (key: Key) => unknown): InternalTimer<N> | undefined {
    this.dropDeleted();
    const top = this.heap[0];
    if (top === undefined || top.timestamp > time) return undefined;
    this.pop();
    this.unindex(top, toMapKey(top.key));
    return top;
  }

  size(): number {
    return this.count;
  }

  /** The live timers, in no particular order. */
  *timers(): IterableIterator<InternalTimer<N>> {
    for (const t of this.heap) if (!t.deleted) yield t;
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

  getCurrentWatermark(): number {
    return this.currentWatermark;
  }

  currentProcessingTime(): number {
    return this.processingTime.getCurrentProcessingTime();
  }

  /** Registers an event-time timer for the current key. */
  registerEventTimeTimer(namespace: N, time: number): void {
    const key = this.backend.getCurrentKey();
    this.eventTimers.add(toMapKey(key), { timestamp: time, key, namespace, deleted: false });
  }

  deleteEventTimeTimer(namespace: N, time: number): void {
    this.eventTimers.delete(time, toMapKey(this.backend.getCurrentKey()), namespace.namespaceKey);
  }

  registerProcessingTimeTimer(namespace: N, time: number): void {
    const key = this.backend.getCurrentKey();
    if (this.processingTimers.add(toMapKey(key), { timestamp: time, key, namespace, deleted: false })) {
      if (time < this.nextProcessingTime) this.scheduleProcessingTimer(time);
    }
  }

  deleteProcessingTimeTimer(namespace: N, time: number): void {
    this.processingTimers.delete(time, toMapKey(this.backend.getCurrentKey()), namespace.namespaceKey);
  }

  /** Fires every event-time timer with timestamp <= watermark, in time order. */
  advanceWatermark(watermark: number): void {
    this.currentWatermark = watermark;
    for (;;) {
      const t = this.eventTimers.pollUpTo(watermark, toMapKey);
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
      const t = this.processingTimers.pollUpTo(now, toMapKey);
      if (t === undefined) break;
      this.backend.setCurrentKey(t.key);
      this.target.onProcessingTime(t);
    }
    const next = this.processingTimers.peekTime();
    if (next !== Number.POSITIVE_INFINITY) this.scheduleProcessingTimer(next);
  }

  /** Every live timer, with its key group; a copy. */
  snapshot(maxParallelism: number): TimerServiceSnapshot {
    const list = (heap: TimerHeap<N>): SnapshotTimer[] => {
      const out: SnapshotTimer[] = [];
      for (const t of heap.timers()) {
        out.push({ keyGroup: assignToKeyGroup(t.key, maxParallelism), timestamp: t.timestamp, key: encodeKey(t.key), namespace: t.namespace.namespaceKey });
      }
      return out;
    };
    return { eventTimers: list(this.eventTimers), processingTimers: list(this.processingTimers) };
  }

  /**
   * Adds the timers of `snapshots` whose key group is in `keyGroupRange`; called before
   * the operator processes anything.
   * @param namespaceOf rebuilds a timer's namespace from its namespace key
   */
  restore(snapshots: readonly TimerServiceSnapshot[], keyGroupRange: KeyGroupRange, namespaceOf: (namespaceKey: string) => N): void {
    const inRange = (t: SnapshotTimer): boolean => t.keyGroup >= keyGroupRange.startKeyGroup && t.keyGroup <= keyGroupRange.endKeyGroup;
    for (const s of snapshots) {
      for (const t of s.eventTimers) {
        if (!inRange(t)) continue;
        const key = decodeKey(t.key);
        this.eventTimers.add(toMapKey(key), { timestamp: t.timestamp, key, namespace: namespaceOf(t.namespace), deleted: false });
      }
      for (const t of s.processingTimers) {
        if (!inRange(t)) continue;
        const key = decodeKey(t.key);
        this.processingTimers.add(toMapKey(key), { timestamp: t.timestamp, key, namespace: namespaceOf(t.namespace), deleted: false });
      }
    }
    const next = this.processingTimers.peekTime();
    if (next < this.nextProcessingTime) this.scheduleProcessingTimer(next);
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
