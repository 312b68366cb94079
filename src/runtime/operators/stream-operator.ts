/**
 * The operator contract: every operator of a chain implements it, with defaulted hooks,
 * and the task drives it. Lifecycle, in Flink's order: `setup` -> `open` (tail of the
 * chain first, so an operator never emits to an unopened one) -> `processElement` /
 * `processWatermark` ... -> `finish` at end of input (head first, so results flushed by one
 * reach the next before it finishes) -> `close`.
 *
 * All calls come from the task's single thread; operators need no locks. Per-record
 * methods must not allocate closures or promises.
 *
 * Checkpoints (DESIGN.md §7): a restored operator gets `initializeState` after `setup` and
 * before `open`; at every checkpoint barrier the task calls `snapshotState` (between
 * records: the result is serialized at once, so it may reference live objects), and
 * `notifyCheckpointComplete` / `notifyCheckpointAborted` when the coordinator decided. The
 * base class snapshots and restores the keyed state backend and the timer services made
 * with {@link StreamOperator.getInternalTimerService}, and passes notifications on to the
 * user functions opened with {@link StreamOperator.openUserFunction} that implement
 * CheckpointListener. Operators with more state (sources, sinks) override and call super.
 */
import type { CheckpointListener } from '../../core/checkpoint.ts';
import { isCheckpointedFunction } from '../../core/operator-state.ts';
import type { CheckpointedFunction, FunctionSnapshotContext } from '../../core/operator-state.ts';
import type { ErrorContext } from '../../core/errors.ts';
import { RivuletError, asRivuletError } from '../../core/errors.ts';
import type { OpenContext } from '../../core/functions.ts';
import { RichFunction } from '../../core/functions.ts';
import type { Counter } from '../../core/state.ts';
import type { Clock } from '../../core/time.ts';
import type { WatermarkStatus } from '../../core/watermark.ts';
import type { OperatorSnapshot, RestoredOperatorState } from '../checkpoint/operator-snapshot.ts';
import { computeKeyGroupRangeForOperatorIndex } from '../state/key-groups.ts';
import type { KeyedStateBackend } from '../state/keyed-state-backend.ts';
import { DefaultOperatorStateBackend, OPERATOR_STATE_UNION } from '../state/operator-state-backend.ts';
import type { OperatorStateBackend, OperatorStateSnapshot } from '../state/operator-state-backend.ts';
import type { ProcessingTimeService } from '../task/processing-time-service.ts';
import type { Triggerable } from '../windowing/internal-timer-service.ts';
import { InternalTimerService } from '../windowing/internal-timer-service.ts';
import { OperatorRuntimeContext } from './operator-runtime-context.ts';

/** Where an operator emits. Timestamps are epoch ms or NO_TIMESTAMP. */
export interface Output {
  collect(value: unknown, timestamp: number): void;
  /** Emits to the side output with this tag id (dropped when nothing consumes it). */
  collectSide(tagId: string, value: unknown, timestamp: number): void;
  emitWatermark(timestamp: number): void;
  /** Tells downstream that this stream turned idle or active (see WatermarkStatus). */
  emitWatermarkStatus(status: WatermarkStatus): void;
}

/** Counters of one operator in one subtask; plain fields so the data path can bump them. */
export class OperatorMetricCounters {
  recordsIn = 0;
  recordsOut = 0;
  lateRecordsDropped = 0;
  malformedRecords = 0;
  bytesRead = 0;
  bytesTotal: number | undefined = undefined;
}

export interface OperatorSetup {
  readonly uid: string;
  readonly name: string;
  readonly subtaskIndex: number;
  readonly parallelism: number;
  readonly maxParallelism: number;
  readonly output: Output;
  readonly metrics: OperatorMetricCounters;
  readonly processingTimeService: ProcessingTimeService;
  readonly clock: Clock;
  /** Set for operators after a keyBy. */
  readonly keyedStateBackend: KeyedStateBackend | undefined;
  /** The operator state (CheckpointedFunction, broadcast state); created on first use when not given. */
  readonly operatorStateBackend?: OperatorStateBackend | undefined;
  /** The subtask's counters by name (RuntimeContext.getCounter), summed by the coordinator. */
  readonly accumulators: Map<string, Counter>;
  /** Checkpoints are taken for this job. */
  readonly checkpointingEnabled?: boolean | undefined;
  /** The interval of periodic checkpoints (ms); undefined without them. */
  readonly checkpointIntervalMs?: number | undefined;
}

export abstract class StreamOperator {
  protected setupInfo!: OperatorSetup;
  protected output!: Output;
  protected metrics!: OperatorMetricCounters;

  // ---- checkpointing
  /** What the operator was restored with (undefined: a fresh start). */
  protected restoredState: RestoredOperatorState | undefined;
  /** Timer services by name; snapshotted with the keyed state. */
  private readonly timerServices = new Map<string, InternalTimerService<{ readonly namespaceKey: string }>>();
  /** User functions told about completed and aborted checkpoints. */
  private readonly checkpointListeners: CheckpointListener[] = [];
  /** User functions with operator state (CheckpointedFunction), asked to snapshot at every checkpoint. */
  private readonly checkpointedFunctions: CheckpointedFunction[] = [];
  private ownOperatorStateBackend: OperatorStateBackend | undefined;

  setup(s: OperatorSetup): void {
    this.setupInfo = s;
    this.output = s.output;
    this.metrics = s.metrics;
  }

  get uid(): string {
    return this.setupInfo.uid;
  }

  open(): void | Promise<void> {}
  abstract processElement(value: unknown, timestamp: number): void;
  processWatermark(timestamp: number): void {
    this.output.emitWatermark(timestamp);
  }
  /**
   * The input turned idle or active (all of its channels idle, or one active again). An
   * operator with one input forwards it, as Flink's AbstractStreamOperator.
   */
  processWatermarkStatus(status: WatermarkStatus): void {
    this.output.emitWatermarkStatus(status);
  }
  finish(): void | Promise<void> {}
  close(): void | Promise<void> {}

  /** Restores the operator from a checkpoint: after setup, before open. */
  initializeState(restored: RestoredOperatorState): void {
    this.restoredState = restored;
    const backend = this.setupInfo.keyedStateBackend;
    if (backend !== undefined && restored.keyed.length > 0) backend.restore(restored.keyed);
    const operatorState = restored.unions.get(OPERATOR_STATE_UNION);
    if (operatorState !== undefined && operatorState.length > 0) this.operatorStateBackend.restore(operatorState as OperatorStateSnapshot[]);
  }

  /**
   * The operator state of this subtask (CheckpointedFunction state, broadcast state). It is
   * snapshotted as ONE element of the union list {@link OPERATOR_STATE_UNION}, so a restore
   * at another parallelism hands every new subtask the snapshots of all old ones, and the
   * backend redistributes (see operator-state-backend.ts).
   */
  get operatorStateBackend(): OperatorStateBackend {
    const given = this.setupInfo.operatorStateBackend;
    if (given !== undefined) return given;
    const s = this.setupInfo;
    return (this.ownOperatorStateBackend ??= new DefaultOperatorStateBackend({ operatorUid: s.uid, subtaskIndex: s.subtaskIndex, parallelism: s.parallelism }));
  }

  /**
   * The operator's part of checkpoint `checkpointId`, taken at the barrier, between records.
   * The task serializes it before processing on, so it may reference live state.
   */
  snapshotState(checkpointId: number, timestamp: number): OperatorSnapshot {
    if (this.checkpointedFunctions.length > 0) {
      const ctx: FunctionSnapshotContext = { getCheckpointId: () => checkpointId, getCheckpointTimestamp: () => timestamp };
      for (const f of this.checkpointedFunctions) f.snapshotState(ctx);
    }
    const snapshot: OperatorSnapshot = {};
    const operatorState = this.setupInfo.operatorStateBackend ?? this.ownOperatorStateBackend;
    if (operatorState !== undefined && operatorState.hasState()) (snapshot.unions ??= {})[OPERATOR_STATE_UNION] = [operatorState.snapshot()];
    const backend = this.setupInfo.keyedStateBackend;
    if (backend !== undefined) snapshot.keyed = backend.snapshot();
    if (this.timerServices.size > 0) {
      const timers: NonNullable<OperatorSnapshot['timers']> = {};
      for (const [name, service] of this.timerServices) timers[name] = service.snapshot(this.setupInfo.maxParallelism);
      snapshot.timers = timers;
    }
    return snapshot;
  }

  /**
   * Called right after `snapshotState(checkpointId)`, before any later record: settles when
   * what the operator handed to an external system before the barrier is durable (a sink
   * writer's flush). The task acknowledges the checkpoint only then. Undefined: nothing to wait for.
   */
  snapshotDurable(_checkpointId: number): Promise<void> | undefined {
    return undefined;
  }

  /** Checkpoint `checkpointId` completed: passed on to the user functions that listen. */
  async notifyCheckpointComplete(checkpointId: number): Promise<void> {
    for (const l of this.checkpointListeners) await l.notifyCheckpointComplete?.(checkpointId);
  }

  notifyCheckpointAborted(checkpointId: number): void {
    for (const l of this.checkpointListeners) l.notifyCheckpointAborted?.(checkpointId);
  }

  /**
   * The timer service `name` of this keyed operator (as Flink's `getInternalTimerService`):
   * its timers are checkpointed, and restored ones are in it already.
   * @param namespaceOf rebuilds a restored timer's namespace from its namespace key
   */
  protected getInternalTimerService<N extends { readonly namespaceKey: string }>(
    name: string,
    target: Triggerable<N>,
    namespaceOf: (namespaceKey: string) => N,
  ): InternalTimerService<N> {
    const s = this.setupInfo;
    if (s.keyedStateBackend === undefined) throw new RivuletError('INTERNAL', `Operator "${s.name}" needs timers but has no keyed state backend`, this.errorContext());
    const service = new InternalTimerService<N>(s.keyedStateBackend, s.processingTimeService, target);
    const restored = this.restoredState?.timers.get(name);
    if (restored !== undefined) service.restore(restored, computeKeyGroupRangeForOperatorIndex(s.maxParallelism, s.parallelism, s.subtaskIndex), namespaceOf);
    this.timerServices.set(name, service as unknown as InternalTimerService<{ readonly namespaceKey: string }>);
    return service;
  }

  /** Tells `listener` about completed and aborted checkpoints (a sink writer, a source reader). */
  protected addCheckpointListener(listener: CheckpointListener): void {
    this.checkpointListeners.push(listener);
  }

  /** Where errors of this operator happened. */
  errorContext(extra: Partial<ErrorContext> = {}): ErrorContext {
    return { operatorUid: this.setupInfo.uid, operatorName: this.setupInfo.name, subtask: this.setupInfo.subtaskIndex, ...extra };
  }

  /** Wraps an error a user function threw into one naming this operator, subtask and record. */
  protected userFunctionError(e: unknown, record: unknown, extra: Partial<ErrorContext> = {}): Error {
    const s = this.setupInfo;
    return asRivuletError(
      e,
      'USER_FUNCTION_FAILED',
      `User function of operator "${s.name}" (uid ${s.uid}, subtask ${s.subtaskIndex + 1}/${s.parallelism}) failed on record ${preview(record)}`,
      this.errorContext(extra),
    );
  }

  /**
   * Opens a rich user function: sets its runtime context, calls initializeState() when it
   * is a CheckpointedFunction, then open().
   */
  protected openUserFunction(fn: unknown): void {
    if (isCheckpointListener(fn)) this.checkpointListeners.push(fn);
    if (fn instanceof RichFunction) {
      const s = this.setupInfo;
      const runtimeContext = new OperatorRuntimeContext(s);
      fn.setRuntimeContext(runtimeContext);
      if (isCheckpointedFunction(fn)) {
        const operatorState = this.operatorStateBackend;
        const keyed = s.keyedStateBackend === undefined ? undefined : runtimeContext.keyedStateStore();
        fn.initializeState({ isRestored: () => this.restoredState !== undefined, getOperatorStateStore: () => operatorState, getKeyedStateStore: () => keyed });
        this.checkpointedFunctions.push(fn);
      }
      const ctx: OpenContext = { subtaskIndex: s.subtaskIndex, parallelism: s.parallelism };
      fn.open(ctx);
    }
  }

  protected closeUserFunction(fn: unknown): void {
    if (fn instanceof RichFunction) fn.close();
  }
}

function isCheckpointListener(fn: unknown): fn is CheckpointListener {
  if (typeof fn !== 'object' || fn === null) return false;
  const l = fn as CheckpointListener;
  return typeof l.notifyCheckpointComplete === 'function' || typeof l.notifyCheckpointAborted === 'function';
}

/** A short, safe rendering of a record for error messages. */
export function preview(record: unknown): string {
  let s: string;
  try {
    s = typeof record === 'string' ? JSON.stringify(record) : JSON.stringify(record, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
  } catch {
    s = String(record);
  }
  if (s === undefined) s = String(record);
  return s.length > 300 ? `${s.slice(0, 300)}…` : s;
}
