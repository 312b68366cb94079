/**
 * ProcessOperator (ProcessFunction on any stream) and KeyedProcessOperator
 * (KeyedProcessFunction after keyBy, with keyed state and timers); as Flink's operators of
 * the same names. Both hand the user one reused context object (no per-record allocation).
 */
import type { Collector, TimeDomain, TimerService } from '../../core/functions.ts';
import { KeyedProcessFunction, ProcessFunction } from '../../core/functions.ts';
import type { Key } from '../../core/keys.ts';
import { RivuletError } from '../../core/errors.ts';
import { NO_TIMESTAMP } from '../../core/time.ts';
import type { KeyedStateBackend } from '../state/keyed-state-backend.ts';
import type { InternalTimerService } from '../windowing/internal-timer-service.ts';
import type { InternalTimer, Triggerable } from '../windowing/internal-timer-service.ts';
import { StreamOperator } from './stream-operator.ts';
import { VOID, keyedUserTimerService } from './keyed-user-timers.ts';
import type { Void } from './keyed-user-timers.ts';


export class ProcessOperator extends StreamOperator implements Collector<unknown> {
  private readonly fn: ProcessFunction<unknown, unknown>;
  private currentTimestamp = NO_TIMESTAMP;
  private watermark = Number.NEGATIVE_INFINITY;
  private readonly context: ProcessFunction.Context;

  constructor(fn: ProcessFunction<unknown, unknown>) {
    super();
    if (!(fn instanceof ProcessFunction)) throw new TypeError('process() takes a ProcessFunction (a class extending ProcessFunction)');
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
    throw new RivuletError('INVALID_GRAPH', `Timers are only available on keyed streams: use keyBy(...).process(KeyedProcessFunction) (operator uid ${this.uid}).`, this.errorContext());
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

  processElement(value: unknown, timestamp: number): void {
    this.currentTimestamp = timestamp;
    try {
      this.fn.processElement(value, this.context, this);
    } catch (e) {
      throw this.userFunctionError(e, value);
    }
  }

  override processWatermark(timestamp: number): void {
    this.watermark = timestamp;
    this.output.emitWatermark(timestamp);
  }
}

export class KeyedProcessOperator extends StreamOperator implements Collector<unknown>, Triggerable<Void> {
  private readonly fn: KeyedProcessFunction<Key, unknown, unknown>;
  private readonly keySelector: (value: unknown) => Key;
  private backend!: KeyedStateBackend;
  private timers!: InternalTimerService<Void>;
  private currentTimestamp = NO_TIMESTAMP;
  private domain: TimeDomain = 'EVENT_TIME';
  private readonly context: KeyedProcessFunction.OnTimerContext<Key>;

  constructor(fn: KeyedProcessFunction<Key, unknown, unknown>, keySelector: (value: unknown) => Key) {
    super();
    if (!(fn instanceof KeyedProcessFunction)) throw new TypeError('KeyedStream.process() takes a KeyedProcessFunction (a class extending KeyedProcessFunction)');
    this.fn = fn;
    this.keySelector = keySelector;
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
    if (backend === undefined) throw new RivuletError('INTERNAL', 'KeyedProcessOperator without keyed state backend', this.errorContext());
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

  processElement(value: unknown, timestamp: number): void {
    this.currentTimestamp = timestamp;
    try {
      this.backend.setCurrentKey(this.keySelector(value));
      this.fn.processElement(value, this.context, this);
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
