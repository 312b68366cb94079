/**
 * CoBroadcastWithNonKeyedOperator: a non-keyed stream (first input) connected to a
 * broadcast stream (second input), running a BroadcastProcessFunction; as Flink's operator
 * of the same name.
 *
 * Every subtask receives every broadcast record (BROADCAST partitioning of the second
 * input) and keeps a full copy of the broadcast state ({@link BroadcastStateStore}), which
 * the broadcast side reads and writes and the first input only reads. There are no timers
 * (no keys). The user gets one reused context object per input.
 */
import { BroadcastProcessFunction } from '../../core/broadcast-functions.ts';
import type { Collector } from '../../core/functions.ts';
import type { MapStateDescriptor } from '../../core/state.ts';
import { NO_TIMESTAMP } from '../../core/time.ts';
import { BroadcastStateStore } from '../state/broadcast-state-store.ts';
import { TwoInputStreamOperator } from './two-input-stream-operator.ts';

export class CoBroadcastWithNonKeyedOperator extends TwoInputStreamOperator implements Collector<unknown> {
  // --- configuration and user function
  private readonly fn: BroadcastProcessFunction<unknown, unknown, unknown>;
  private readonly descriptors: readonly MapStateDescriptor<any, any>[];

  // --- not checkpointed
  private currentTimestamp = NO_TIMESTAMP;
  private watermark = Number.NEGATIVE_INFINITY;
  private readonly readOnlyContext: BroadcastProcessFunction.ReadOnlyContext;
  private readonly context: BroadcastProcessFunction.Context;

  // --- checkpointed as operator state (issue #4)
  private store!: BroadcastStateStore;

  constructor(fn: BroadcastProcessFunction<unknown, unknown, unknown>, descriptors: readonly MapStateDescriptor<any, any>[]) {
    super();
    if (!(fn instanceof BroadcastProcessFunction)) {
      throw new TypeError('connect(broadcastStream).process() on a non-keyed stream takes a BroadcastProcessFunction (a class extending BroadcastProcessFunction)');
    }
    this.fn = fn;
    this.descriptors = descriptors;
    const base = {
      timestamp: () => (this.currentTimestamp === NO_TIMESTAMP ? undefined : this.currentTimestamp),
      currentProcessingTime: () => this.setupInfo.processingTimeService.getCurrentProcessingTime(),
      currentWatermark: () => this.watermark,
      output: <X>(tag: { readonly id: string }, value: X) => this.output.collectSide(tag.id, value, this.currentTimestamp),
    };
    this.readOnlyContext = { ...base, getBroadcastState: (d) => this.store.getReadOnlyBroadcastState(d) };
    this.context = { ...base, getBroadcastState: (d) => this.store.getBroadcastState(d) };
  }

  override open(): void {
    this.store = new BroadcastStateStore(this.descriptors, this.errorContext(), this.operatorStateBackend);
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
    this.watermark = timestamp;
    this.output.emitWatermark(timestamp);
  }
}
