/**
 * CoBroadcastWithKeyedOperator: a keyed stream (first input) connected to a broadcast
 * stream (second input), running a KeyedBroadcastProcessFunction; as Flink's operator of
 * the same name.
 *
 * The keyed input works as in a KeyedProcessOperator: its record's key is set in the keyed
 * state backend, and keyed state and timers belong to that key; broadcast state is
 * read-only there. A broadcast record has no key: it may write the broadcast state (a full
 * copy per subtask, {@link BroadcastStateStore}) and reach the keyed state of every key
 * through `applyToKeyedState`, which visits the keys of this subtask holding that state.
 * Keyed state read on the broadcast side outside `applyToKeyedState` belongs to whichever
 * key was current last; as in Flink, do not do that.
 */
import { KeyedBroadcastProcessFunction } from '../../core/broadcast-functions.ts';
import { RivuletError } from '../../core/errors.ts';
import type { Collector, TimeDomain } from '../../core/functions.ts';
import type { Key } from '../../core/keys.ts';
import type { MapStateDescriptor } from '../../core/state.ts';
import { NO_TIMESTAMP } from '../../core/time.ts';
import { BroadcastStateStore } from '../state/broadcast-state-store.ts';
import type { KeyedStateBackend } from '../state/keyed-state-backend.ts';
import { VOID_NAMESPACE } from '../state/keyed-state-backend.ts';
import type { InternalTimerService } from '../windowing/internal-timer-service.ts';
import type { InternalTimer, Triggerable } from '../windowing/internal-timer-service.ts';
import { OperatorRuntimeContext, userStateName } from './operator-runtime-context.ts';
import { TwoInputStreamOperator } from './two-input-stream-operator.ts';
import { VOID, keyedUserTimerService } from './keyed-user-timers.ts';
import type { Void } from './keyed-user-timers.ts';


export class CoBroadcastWithKeyedOperator extends TwoInputStreamOperator implements Collector<unknown>, Triggerable<Void> {
  // --- configuration and user function
  private readonly fn: KeyedBroadcastProcessFunction<Key, unknown, unknown, unknown>;
  private readonly keySelector: (value: unknown) => Key;
  private readonly descriptors: readonly MapStateDescriptor<any, any>[];

  // --- not checkpointed
  private currentTimestamp = NO_TIMESTAMP;
  private domain: TimeDomain = 'EVENT_TIME';
  private readonly readOnlyContext: KeyedBroadcastProcessFunction.OnTimerContext<Key>;
  private readonly context: KeyedBroadcastProcessFunction.Context<Key>;
  /** Hands out the user's keyed state for applyToKeyedState. */
  private runtimeContext!: OperatorRuntimeContext;

  // --- checkpointed (issue #4): keyed state and timers; broadcast state as operator state
  private backend!: KeyedStateBackend;
  private timers!: InternalTimerService<Void>;
  private store!: BroadcastStateStore;

  constructor(fn: KeyedBroadcastProcessFunction<Key, unknown, unknown, unknown>, keySelector: (value: unknown) => Key, descriptors: readonly MapStateDescriptor<any, any>[]) {
    super();
    if (!(fn instanceof KeyedBroadcastProcessFunction)) {
      throw new TypeError('connect(broadcastStream).process() on a keyed stream takes a KeyedBroadcastProcessFunction (a class extending KeyedBroadcastProcessFunction)');
    }
    this.fn = fn;
    this.keySelector = keySelector;
    this.descriptors = descriptors;
    const timerService = keyedUserTimerService(() => this.timers);
    const base = {
      timestamp: () => (this.currentTimestamp === NO_TIMESTAMP ? undefined : this.currentTimestamp),
      currentProcessingTime: () => this.timers.currentProcessingTime(),
      currentWatermark: () => this.timers.getCurrentWatermark(),
      output: <X>(tag: { readonly id: string }, value: X) => this.output.collectSide(tag.id, value, this.currentTimestamp),
    };
    this.readOnlyContext = {
      ...base,
      getBroadcastState: (d) => this.store.getReadOnlyBroadcastState(d),
      timerService: () => timerService,
      getCurrentKey: () => this.backend.getCurrentKey(),
      timeDomain: () => this.domain,
    };
    this.context = {
      ...base,
      getBroadcastState: (d) => this.store.getBroadcastState(d),
      applyToKeyedState: (descriptor, visit) => {
        const state = this.runtimeContext.getState(descriptor);
        for (const key of this.backend.getKeys(userStateName(descriptor.name), VOID_NAMESPACE)) {
          this.backend.setCurrentKey(key);
          visit(key, state);
        }
      },
    };
  }

  override open(): void {
    const backend = this.setupInfo.keyedStateBackend;
    if (backend === undefined) throw new RivuletError('INTERNAL', 'CoBroadcastWithKeyedOperator without keyed state backend', this.errorContext());
    this.backend = backend;
    this.timers = this.getInternalTimerService<Void>('timers', this, () => VOID);
    this.store = new BroadcastStateStore(this.descriptors, this.errorContext(), this.operatorStateBackend);
    this.runtimeContext = new OperatorRuntimeContext(this.setupInfo);
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
      this.backend.setCurrentKey(this.keySelector(value));
      this.fn.processElement(value, this.readOnlyContext, this);
    } catch (e) {
      throw this.userFunctionError(e, value);
    }
  }

  processElement2(value: unknown, timestamp: number): void {
    this.currentTimestamp = timestamp;
    try {
      this.fn.processBroadcastElement(value, this.context, this);
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
      this.fn.onTimer(timer.timestamp, this.readOnlyContext, this);
    } catch (e) {
      throw this.userFunctionError(e, `timer @${timer.timestamp} for key ${String(timer.key)}`, { key: timer.key });
    }
  }
}
