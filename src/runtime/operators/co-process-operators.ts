/**
 * CoProcessOperator (CoProcessFunction on two non-keyed inputs) and KeyedCoProcessOperator
 * (KeyedCoProcessFunction on two inputs keyed by the same key type); as Flink's operators
 * of the same names.
 *
 * The keyed operator has one keyed state backend and one timer service for both inputs:
 * a record of either input sets the current key with its input's key selector, so state
 * and timers of key k are shared by the records of k on both sides. Event-time timers fire
 * on the combined watermark (min of both inputs). Both operators hand the user one reused
 * context object (no per-record allocation).
 */
import { CoProcessFunction, KeyedCoProcessFunction } from '../../core/co-functions.ts';
import { RivuletError } from '../../core/errors.ts';
import type { Collector, TimeDomain, TimerService } from '../../core/functions.ts';
import type { Key } from '../../core/keys.ts';
import { NO_TIMESTAMP } from '../../core/time.ts';
import type { TwoKeySelectors } from '../../graph/two-input-operator-spec.ts';
import type { KeyedStateBackend } from '../state/keyed-state-backend.ts';
import type { InternalTimerService } from '../windowing/internal-timer-service.ts';
import type { InternalTimer, Triggerable } from '../windowing/internal-timer-service.ts';
import { TwoInputStreamOperator } from './two-input-stream-operator.ts';
import { VOID, keyedUserTimerService } from './keyed-user-timers.ts';
import type { Void } from './keyed-user-timers.ts';


export class CoProcessOperator extends TwoInputStreamOperator implements Collector<unknown> {
  private readonly fn: CoProcessFunction<unknown, unknown, unknown>;
  private currentTimestamp = NO_TIMESTAMP;
  private watermark = Number.NEGATIVE_INFINITY;
  private readonly context: CoProcessFunction.Context;

  constructor(fn: CoProcessFunction<unknown, unknown, unknown>) {
    super();
    if (!(fn instanceof CoProcessFunction)) throw new TypeError('connect(...).process() takes a CoProcessFunction (a class extending CoProcessFunction)');
    this.fn = fn;
    const timers: TimerService = {
      currentProcessingTime: () => this.setupInfo.processingTimeService.getCurrentProcessingTime(),
      currentWatermark: () => this.watermark,
      registerEventTimeTimer: () => this.timersNeedKeys(),
      registerProcessingTimeTimer: () => this.timersNeedKeys(),
      deleteEventTimeTimer: () => this.timersNeedKeys(),
      deleteProcessingTimeTimer: () => this.timersNeedKeys(),
    };
    this.context = {
      timestamp: () => (this.currentTimestamp === NO_TIMESTAMP ? undefined : this.currentTimestamp),
      timerService: () => timers,
      output: (tag, value) => this.output.collectSide(tag.id, value, this.currentTimestamp),
    };
  }

  private timersNeedKeys(): never {
    throw new RivuletError(
      'INVALID_GRAPH',
      `Timers are only available on keyed streams: use connect(...).keyBy(keyA, keyB).process(KeyedCoProcessFunction) (operator uid ${this.uid}).`,
      this.errorContext(),
    );
  }

  override open(): void {
    this.openUserFunction(this.fn);
  }

  override close(): void {
    this.closeUserFunction(this.fn);
  }

  collect(value: unknown): void {
    this.output.collect(value, this.currentTimestamp);
  }

  processElement1(value: unknown, timestamp: number): void {
    this.currentTimestamp = timestamp;
    try {
      this.fn.processElement1(value, this.context, this);
    } catch (e) {
      throw this.userFunctionError(e, value);
    }
  }

  processElement2(value: unknown, timestamp: number): void {
    this.currentTimestamp = timestamp;
    try {
      this.fn.processElement2(value, this.context, this);
    } catch (e) {
      throw this.userFunctionError(e, value);
    }
  }

  override processWatermark(timestamp: number): void {
    this.watermark = timestamp;
    this.output.emitWatermark(timestamp);
  }
}

export class KeyedCoProcessOperator extends TwoInputStreamOperator implements Collector<unknown>, Triggerable<Void> {
  // --- configuration and user function
  private readonly fn: KeyedCoProcessFunction<Key, unknown, unknown, unknown>;
  private readonly keySelector1: (value: unknown) => Key;
  private readonly keySelector2: (value: unknown) => Key;

  // --- not checkpointed
  private currentTimestamp = NO_TIMESTAMP;
  private domain: TimeDomain = 'EVENT_TIME';
  private readonly context: KeyedCoProcessFunction.OnTimerContext<Key>;

  // --- checkpointed with the keyed state (issue #4): user state in the backend, timers
  private backend!: KeyedStateBackend;
  private timers!: InternalTimerService<Void>;

  constructor(fn: KeyedCoProcessFunction<Key, unknown, unknown, unknown>, keySelectors: TwoKeySelectors) {
    super();
    if (!(fn instanceof KeyedCoProcessFunction)) {
      throw new TypeError('keyed connect(...).process() takes a KeyedCoProcessFunction (a class extending KeyedCoProcessFunction)');
    }
    this.fn = fn;
    this.keySelector1 = keySelectors.first as (value: unknown) => Key;
    this.keySelector2 = keySelectors.second as (value: unknown) => Key;
    const timerService = keyedUserTimerService(() => this.timers);
    this.context = {
      timestamp: () => (this.currentTimestamp === NO_TIMESTAMP ? undefined : this.currentTimestamp),
      timerService: () => timerService,
      getCurrentKey: () => this.backend.getCurrentKey(),
      timeDomain: () => this.domain,
      output: (tag, value) => this.output.collectSide(tag.id, value, this.currentTimestamp),
    };
  }

  override open(): void {
    const backend = this.setupInfo.keyedStateBackend;
    if (backend === undefined) throw new RivuletError('INTERNAL', 'KeyedCoProcessOperator without keyed state backend', this.errorContext());
    this.backend = backend;
    this.timers = this.getInternalTimerService<Void>('timers', this, () => VOID);
    this.openUserFunction(this.fn);
  }

  override close(): void {
    this.timers?.shutdown();
    this.closeUserFunction(this.fn);
  }

  collect(value: unknown): void {
    this.output.collect(value, this.currentTimestamp);
  }

  processElement1(value: unknown, timestamp: number): void {
    this.currentTimestamp = timestamp;
    try {
      this.backend.setCurrentKey(this.keySelector1(value));
      this.fn.processElement1(value, this.context, this);
    } catch (e) {
      throw this.userFunctionError(e, value);
    }
  }

  processElement2(value: unknown, timestamp: number): void {
    this.currentTimestamp = timestamp;
    try {
      this.backend.setCurrentKey(this.keySelector2(value));
      this.fn.processElement2(value, this.context, this);
    } catch (e) {
      throw this.userFunctionError(e, value);
    }
  }

  override processWatermark(timestamp: number): void {
    this.timers.advanceWatermark(timestamp);
    this.output.emitWatermark(timestamp);
  }

  onEventTime(timer: InternalTimer<Void>): void {
    this.fireTimer(timer, 'EVENT_TIME');
  }

  onProcessingTime(timer: InternalTimer<Void>): void {
    this.fireTimer(timer, 'PROCESSING_TIME');
  }

  private fireTimer(timer: InternalTimer<Void>, domain: TimeDomain): void {
    this.domain = domain;
    this.currentTimestamp = domain === 'EVENT_TIME' ? timer.timestamp : NO_TIMESTAMP;
    try {
      this.fn.onTimer(timer.timestamp, this.context, this);
    } catch (e) {
      throw this.userFunctionError(e, `timer @${timer.timestamp} for key ${String(timer.key)}`, { key: timer.key });
    }
  }
}
