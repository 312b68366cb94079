/**
 * IntervalJoinOperator: joins two keyed streams on "same key and b.ts within an interval
 * around a.ts"; as Flink's IntervalJoinOperator (`keyedA.intervalJoin(keyedB).between(lo,
 * hi).process(fn)`). For a left record a and right record b of the same key it calls the
 * ProcessJoinFunction once when
 *
 *     a.ts + lowerBound <= b.ts <= a.ts + upperBound     (each bound optionally exclusive),
 *
 * with output timestamp max(a.ts, b.ts), which is never behind the watermark.
 *
 * How: each side keeps a buffer per key — keyed state holding a map timestamp -> records
 * (Flink's MapState<Long, List<BufferEntry>>). A record that is not late is added to its
 * side's buffer and joined against every bucket of the other side's buffer within its
 * interval, so each pair is produced exactly once, by whichever record arrives second. A
 * record is *late* when its timestamp is below the operator's (combined) watermark: it is
 * dropped (counted in lateRecordsDropped) or sent to that side's late-data side output.
 *
 * Cleanup: a buffered record is only needed while a future, non-late record of the other
 * side (timestamp >= watermark) can still match it; for a left record that is while
 * watermark <= a.ts + upperBound (< for an exclusive bound), for a right one while
 * watermark <= b.ts - lowerBound. An event-time timer per (key, side, timestamp) removes
 * the bucket once the watermark is past that point. Flink registers the timer at
 * `a.ts + upperBound` itself, which drops the bucket while a record exactly at the watermark
 * (not late) could still match it; here the timer sits at the next representable time
 * after that instant, so the output is exactly the pairs of records that were not late.
 *
 * Records must have timestamps (event time); one without fails the job.
 */
import { RivuletError } from '../../core/errors.ts';
import type { Collector } from '../../core/functions.ts';
import { ProcessJoinFunction } from '../../core/join-functions.ts';
import type { Key } from '../../core/keys.ts';
import { NO_TIMESTAMP } from '../../core/time.ts';
import type { TwoInputOperatorSpec } from '../../graph/two-input-operator-spec.ts';
import type { InternalKvState, KeyedStateBackend } from '../state/keyed-state-backend.ts';
import { VOID_NAMESPACE } from '../state/keyed-state-backend.ts';
import type { InternalTimerService } from '../windowing/internal-timer-service.ts';
import type { InternalTimer, Triggerable } from '../windowing/internal-timer-service.ts';
import { TwoInputStreamOperator } from './two-input-stream-operator.ts';
import { preview } from './stream-operator.ts';

type IntervalJoinSpec = Extract<TwoInputOperatorSpec, { kind: 'intervalJoin' }>;

/** One side's buffer of one key: event timestamp -> the records with it, in arrival order. */
type Buffer = Map<number, unknown[]>;

/** Timer namespace: which side's bucket the cleanup timer removes. */
interface CleanupNamespace {
  readonly namespaceKey: string;
  readonly left: boolean;
  readonly bucket: number;
}

// Scratch space of nextUp(); the operator runs on one thread.
const scratchFloat = new Float64Array(1);
const scratchBits = new BigInt64Array(scratchFloat.buffer);

/** The smallest double greater than `x` (Java's Math.nextUp): a timer there fires once the watermark is > x. */
export function nextUp(x: number): number {
  if (Number.isNaN(x) || x === Number.POSITIVE_INFINITY) return x;
  if (x === 0) return Number.MIN_VALUE;
  scratchFloat[0] = x;
  scratchBits[0] = scratchBits[0]! + (x > 0 ? 1n : -1n);
  return scratchFloat[0];
}

export class IntervalJoinOperator extends TwoInputStreamOperator implements Collector<unknown>, Triggerable<CleanupNamespace> {
  // --- configuration and user function
  private readonly fn: ProcessJoinFunction<unknown, unknown, unknown>;
  private readonly keySelector1: (value: unknown) => Key;
  private readonly keySelector2: (value: unknown) => Key;
  private readonly lowerBound: number;
  private readonly upperBound: number;
  private readonly lowerInclusive: boolean;
  private readonly upperInclusive: boolean;
  private readonly leftLateTag: string | undefined;
  private readonly rightLateTag: string | undefined;

  // --- not checkpointed
  private leftTimestamp = 0;
  private rightTimestamp = 0;
  private resultTimestamp = 0;
  private readonly context: ProcessJoinFunction.Context;

  // --- checkpointed (issue #4): both buffers in keyed state, and the cleanup timers
  private backend!: KeyedStateBackend;
  private timers!: InternalTimerService<CleanupNamespace>;
  private leftBuffer!: InternalKvState<Buffer>;
  private rightBuffer!: InternalKvState<Buffer>;

  constructor(spec: IntervalJoinSpec) {
    super();
    if (!(spec.fn instanceof ProcessJoinFunction)) throw new TypeError('intervalJoin(...).between(...).process() takes a ProcessJoinFunction (a class extending ProcessJoinFunction)');
    this.fn = spec.fn;
    this.keySelector1 = spec.keySelectors.first as (value: unknown) => Key;
    this.keySelector2 = spec.keySelectors.second as (value: unknown) => Key;
    this.lowerBound = spec.lowerBound;
    this.upperBound = spec.upperBound;
    this.lowerInclusive = spec.lowerBoundInclusive;
    this.upperInclusive = spec.upperBoundInclusive;
    this.leftLateTag = spec.leftLateDataTag?.id;
    this.rightLateTag = spec.rightLateDataTag?.id;
    this.context = {
      getLeftTimestamp: () => this.leftTimestamp,
      getRightTimestamp: () => this.rightTimestamp,
      getTimestamp: () => this.resultTimestamp,
      output: (tag, value) => this.output.collectSide(tag.id, value, this.resultTimestamp),
    };
  }

  override open(): void {
    const backend = this.setupInfo.keyedStateBackend;
    if (backend === undefined) throw new RivuletError('INTERNAL', 'IntervalJoinOperator without keyed state backend', this.errorContext());
    this.backend = backend;
    this.leftBuffer = backend.getOrCreateKvState<Buffer>('interval-join-left');
    this.rightBuffer = backend.getOrCreateKvState<Buffer>('interval-join-right');
    this.timers = this.getInternalTimerService<CleanupNamespace>('cleanup-timers', this, (namespaceKey) => ({ namespaceKey, left: namespaceKey.startsWith('L'), bucket: Number(namespaceKey.slice(1)) }));
    this.openUserFunction(this.fn);
  }

  override close(): void {
    this.timers?.shutdown();
    this.closeUserFunction(this.fn);
  }

  collect(value: unknown): void {
    this.output.collect(value, this.resultTimestamp);
  }

  processElement1(value: unknown, timestamp: number): void {
    this.processElement0(value, timestamp, true);
  }

  processElement2(value: unknown, timestamp: number): void {
    this.processElement0(value, timestamp, false);
  }

  /** True when left timestamp `a` and right timestamp `b` are within the bounds. */
  private matches(a: number, b: number): boolean {
    const lo = a + this.lowerBound;
    const hi = a + this.upperBound;
    return (this.lowerInclusive ? b >= lo : b > lo) && (this.upperInclusive ? b <= hi : b < hi);
  }

  private processElement0(value: unknown, timestamp: number, left: boolean): void {
    if (timestamp === NO_TIMESTAMP || !Number.isFinite(timestamp)) {
      throw new RivuletError(
        'INVALID_TIMESTAMP',
        `Interval join "${this.setupInfo.name}" (uid ${this.uid}) got a ${left ? 'left' : 'right'} record without an event timestamp: ${preview(value)}. Assign timestamps with a WatermarkStrategy before intervalJoin.`,
        this.errorContext(),
      );
    }
    let key: Key;
    try {
      key = left ? this.keySelector1(value) : this.keySelector2(value);
    } catch (e) {
      throw this.userFunctionError(e, value);
    }
    this.backend.setCurrentKey(key);
    const watermark = this.timers.getCurrentWatermark();
    if (timestamp < watermark) {
      const tag = left ? this.leftLateTag : this.rightLateTag;
      if (tag !== undefined) this.output.collectSide(tag, value, timestamp);
      else this.metrics.lateRecordsDropped++;
      return;
    }

    const ours = left ? this.leftBuffer : this.rightBuffer;
    const other = (left ? this.rightBuffer : this.leftBuffer).get();
    if (other !== undefined) {
      for (const [otherTs, records] of other) {
        if (left ? !this.matches(timestamp, otherTs) : !this.matches(otherTs, timestamp)) continue;
        for (let i = 0; i < records.length; i++) {
          if (left) this.emit(value, records[i], timestamp, otherTs, key);
          else this.emit(records[i], value, otherTs, timestamp, key);
        }
      }
    }

    // The last instant at which a future record of the other side can still match this one.
    const horizon = left ? timestamp + this.upperBound : timestamp - this.lowerBound;
    const inclusive = left ? this.upperInclusive : this.lowerInclusive;
    const cleanupTime = inclusive ? nextUp(horizon) : horizon;
    if (cleanupTime <= watermark) return; // nothing later can match: no need to keep it

    ours.setCurrentNamespace(VOID_NAMESPACE);
    let buffer = ours.get();
    if (buffer === undefined) buffer = new Map();
    const bucket = buffer.get(timestamp);
    if (bucket === undefined) buffer.set(timestamp, [value]);
    else bucket.push(value);
    ours.put(buffer);
    this.timers.registerEventTimeTimer({ namespaceKey: `${left ? 'L' : 'R'}${timestamp}`, left, bucket: timestamp }, cleanupTime);
  }

  private emit(left: unknown, right: unknown, leftTs: number, rightTs: number, key: Key): void {
    this.leftTimestamp = leftTs;
    this.rightTimestamp = rightTs;
    this.resultTimestamp = leftTs > rightTs ? leftTs : rightTs;
    try {
      this.fn.processElement(left, right, this.context, this);
    } catch (e) {
      throw this.userFunctionError(e, { left, right }, { key });
    }
  }

  override processWatermark(timestamp: number): void {
    this.timers.advanceWatermark(timestamp);
    this.output.emitWatermark(timestamp);
  }

  onEventTime(timer: InternalTimer<CleanupNamespace>): void {
    const state = timer.namespace.left ? this.leftBuffer : this.rightBuffer;
    state.setCurrentNamespace(VOID_NAMESPACE);
    const buffer = state.get();
    if (buffer === undefined || !buffer.delete(timer.namespace.bucket)) return;
    if (buffer.size === 0) state.clear();
    else state.put(buffer);
  }

  onProcessingTime(): void {}
}
