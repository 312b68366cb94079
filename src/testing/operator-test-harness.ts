/**
 * OperatorTestHarness: runs ONE operator of a dataflow by hand, as Flink's
 * `OneInputStreamOperatorTestHarness` / `KeyedOneInputStreamOperatorTestHarness`.
 *
 * The operator is described the way a user writes it — with the DataStream API — and the
 * harness finds it in the StreamGraph that code builds:
 *
 * ```ts
 * const h = OperatorTestHarness.of((input: DataStream<Ev>) =>
 *   input.keyBy((e) => e.key).window(TumblingEventTimeWindows.of(Duration.ofSeconds(10))).aggregate(sum));
 * await h.open();
 * h.processElement(ev, 1_000);
 * h.processWatermark(9_999);
 * assert.deepEqual(h.extractOutputValues(), [...]);
 * ```
 *
 * The test is the task: it feeds records, watermarks and processing time in exactly the
 * order it wants and sees everything the operator emits, in order. Around the operator the
 * harness puts what a task would (OperatorChain builds the same OperatorSetup): an Output
 * (here one that collects), a ManualProcessingTimeService (virtual time: processing-time
 * timers fire only in {@link OperatorTestHarness.setProcessingTime}), a keyed state backend
 * for operators after a keyBy (the heap backend, wrapped to count entries), metric counters
 * and accumulators.
 *
 * Like the task's input valve, the harness delivers a watermark only when it advances event
 * time; a watermark that goes back is a mistake in the test and throws.
 *
 * Checkpoints, as Flink's AbstractStreamOperatorTestHarness: `await h.snapshot(id, ts)` takes
 * the operator's part of a checkpoint (keyed state with its timers, operator state) through
 * the runtime's snapshot code, as an opaque {@link OperatorSubtaskState}; a fresh harness for
 * the same operator takes it with `await h2.initializeState(state)` (or the `restoreFrom`
 * option) before `open()`, and continues:
 *
 * ```ts
 * const state = await h.snapshot(1, 0);
 * const h2 = OperatorTestHarness.of(sameBuild);
 * await h2.initializeState(state);
 * await h2.open();
 * h2.processWatermark(20_000);   // timers registered before the snapshot fire here
 * ```
 *
 * To restore at another parallelism, combine the states of all old subtasks with
 * {@link OperatorTestHarness.repackageState}; each new harness takes its key groups.
 */
import type { DataStream, DataStreamSink } from '../api/data-stream.ts';
import { StreamExecutionEnvironment } from '../api/stream-execution-environment.ts';
import { RivuletError } from '../core/errors.ts';
import type { Key } from '../core/keys.ts';
import type { OutputTag } from '../core/output-tag.ts';
import type { Source, SourceReader, SourceSplit, SplitEnumerator } from '../core/source.ts';
import type { Counter } from '../core/state.ts';
import { NO_TIMESTAMP } from '../core/time.ts';
import type { WatermarkStatus } from '../core/watermark.ts';
import { assignUids } from '../graph/job-graph.ts';
import type { OperatorSpec } from '../graph/operator-spec.ts';
import type { StreamNode } from '../graph/stream-graph.ts';
import { createOperator, isKeyedOperator } from '../runtime/operators/create-operator.ts';
import { OperatorMetricCounters, preview } from '../runtime/operators/stream-operator.ts';
import type { StreamOperator } from '../runtime/operators/stream-operator.ts';
import { assignToKeyGroup, checkParallelism, computeKeyGroupRangeForOperatorIndex, computeOperatorIndexForKeyGroup } from '../runtime/state/key-groups.ts';
import { ManualProcessingTimeService } from '../runtime/task/processing-time-service.ts';
import { InternalTimerService } from '../runtime/windowing/internal-timer-service.ts';
import { CollectingOutput } from './collecting-output.ts';
import type { OutputElement, OutputEvent, TimestampedRecord } from './collecting-output.ts';
import { EntryCountingStateBackend } from './entry-counting-state-backend.ts';
import { stateBackendConfig } from '../core/state-backend.ts';
import type { StateBackend } from '../core/state-backend.ts';
import { createKeyedStateBackend } from '../runtime/state/state-backend-loader.ts';
import { OperatorSubtaskState } from './operator-subtask-state.ts';
import type { HarnessSubtask } from './operator-subtask-state.ts';

export interface OperatorTestHarnessOptions {
  /** Parallelism of the operator; default: what the built operator has (1 unless set). */
  readonly parallelism?: number;
  /** Which subtask this harness is, 0-based; default 0. Keyed operators accept only its keys. */
  readonly subtaskIndex?: number;
  /** Number of key groups; default: what the built operator has (128 unless set). */
  readonly maxParallelism?: number;
  /** Initial processing time (ms); default 0. */
  readonly processingTime?: number;
  /** Where keyed state lives; default the heap (or RIVULET_STATE_BACKEND). Closing the harness disposes it. */
  readonly stateBackend?: StateBackend;
  /** State to restore before `open()` (what `initializeState` takes), e.g. another harness's snapshot. */
  readonly restoreFrom?: OperatorSubtaskState;
}

type Lifecycle = 'created' | 'open' | 'finished' | 'closed';

const HARNESS_INPUT = 'Test Harness Input';

/** The harness's stand-in for the operator's input: a source that is never run. */
class HarnessInputSource implements Source<never, SourceSplit> {
  getBoundedness(): 'BOUNDED' {
    return 'BOUNDED';
  }
  createEnumerator(): SplitEnumerator<SourceSplit> {
    throw new RivuletError('INTERNAL', `${HARNESS_INPUT} is a placeholder of OperatorTestHarness and cannot run.`);
  }
  createReader(): SourceReader<never, SourceSplit> {
    throw new RivuletError('INTERNAL', `${HARNESS_INPUT} is a placeholder of OperatorTestHarness and cannot run.`);
  }
  toString(): string {
    return HARNESS_INPUT;
  }
}

export class OperatorTestHarness<IN, OUT> {
  /** The operator under test (for assertions the harness does not offer). */
  readonly operator: StreamOperator;
  readonly uid: string;
  readonly name: string;
  readonly subtaskIndex: number;
  readonly parallelism: number;
  readonly maxParallelism: number;
  /** The operator's counters (recordsIn, recordsOut, lateRecordsDropped, ...). */
  readonly metrics = new OperatorMetricCounters();
  /** Counters the user function registered through getRuntimeContext().getCounter(name). */
  readonly accumulators = new Map<string, Counter>();

  private readonly spec: OperatorSpec;
  private readonly output = new CollectingOutput(this.metrics);
  private readonly processingTime: ManualProcessingTimeService;
  private readonly backend: EntryCountingStateBackend | undefined;
  private readonly restoreFrom: OperatorSubtaskState | undefined;
  private lifecycle: Lifecycle = 'created';
  /** initializeState() ran (or is running): a harness restores once. */
  private restoring = false;
  private watermark = Number.NEGATIVE_INFINITY;

  private constructor(node: StreamNode, options: OperatorTestHarnessOptions, autoWatermarkInterval: number) {
    this.spec = node.operator;
    this.uid = node.uid!;
    this.name = node.name;
    this.parallelism = options.parallelism ?? node.parallelism;
    this.maxParallelism = options.maxParallelism ?? node.maxParallelism;
    this.subtaskIndex = options.subtaskIndex ?? 0;
    checkParallelism(this.maxParallelism, this.parallelism);
    if (!Number.isInteger(this.subtaskIndex) || this.subtaskIndex < 0 || this.subtaskIndex >= this.parallelism) {
      throw new RangeError(`subtaskIndex must be an integer in 0..${this.parallelism - 1} (parallelism ${this.parallelism}), got ${this.subtaskIndex}`);
    }
    this.processingTime = new ManualProcessingTimeService(options.processingTime ?? 0);
    this.restoreFrom = options.restoreFrom;
    this.backend = isKeyedOperator(this.spec)
      ? new EntryCountingStateBackend(
          createKeyedStateBackend(options.stateBackend === undefined ? undefined : stateBackendConfig(options.stateBackend), {
            operatorUid: this.uid,
            maxParallelism: this.maxParallelism,
            keyGroupRange: computeKeyGroupRangeForOperatorIndex(this.maxParallelism, this.parallelism, this.subtaskIndex),
            subtaskIndex: this.subtaskIndex,
          }),
        )
      : undefined;
    this.operator = createOperator(this.spec, {
      autoWatermarkInterval,
      requestSplit: () => {
        throw new RivuletError('INVALID_ARGUMENT', 'OperatorTestHarness does not run sources; test a source with its reader instead.');
      },
    });
    const pts = this.processingTime;
    this.operator.setup({
      uid: this.uid,
      name: this.name,
      subtaskIndex: this.subtaskIndex,
      parallelism: this.parallelism,
      maxParallelism: this.maxParallelism,
      output: this.output,
      metrics: this.metrics,
      processingTimeService: pts,
      clock: { now: () => pts.getCurrentProcessingTime() },
      keyedStateBackend: this.backend,
      accumulators: this.accumulators,
    });
  }

  /**
   * Builds the operator that `build` applies to its input stream and sets it up (not yet
   * opened). `build` must add exactly one operator reading the input; sinks after it are
   * allowed and ignored (the harness collects the operator's output itself), and the
   * operator under test may itself be a sink.
   *
   * @throws RivuletError(INVALID_GRAPH) when `build` adds no operator, or more than one.
   * @throws RangeError for a subtaskIndex outside 0..parallelism-1 or a bad parallelism.
   */
  static of<IN, OUT>(
    build: (input: DataStream<IN>) => DataStream<OUT> | DataStreamSink<unknown> | void,
    options: OperatorTestHarnessOptions = {},
  ): OperatorTestHarness<IN, OUT> {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    if (options.parallelism !== undefined) env.setParallelism(options.parallelism);
    if (options.maxParallelism !== undefined) env.setMaxParallelism(options.maxParallelism);
    const input = env.fromSource<IN>(new HarnessInputSource() as Source<IN, SourceSplit>, undefined, HARNESS_INPUT);
    const inputId = input.inputs[0]!.nodeId;
    build(input);
    const graph = env.getStreamGraph('OperatorTestHarness');
    assignUids(graph);

    const readers = graph.outEdges(inputId);
    const node = readers.length === 1 ? graph.node(readers[0]!.targetId) : undefined;
    const others = [...graph.nodes.values()].filter((n) => n.id !== inputId && n !== node && n.operator.kind !== 'sink');
    if (node === undefined || others.length > 0 || graph.inEdges(node.id).length !== 1) {
      const added = [...graph.nodes.values()].filter((n) => n.id !== inputId).map((n) => `"${n.name}"`);
      throw new RivuletError(
        'INVALID_GRAPH',
        added.length === 0
          ? 'OperatorTestHarness.of(build): build added no operator to its input stream; return e.g. input.map(...) or input.keyBy(...).window(...).aggregate(...).'
          : `OperatorTestHarness.of(build): build must add exactly one operator reading its input (sinks after it are allowed), but added ${added.join(', ')}. Test one operator per harness; test pipelines end-to-end with executeAndCollect().`,
      );
    }
    return new OperatorTestHarness<IN, OUT>(node, options, graph.config.autoWatermarkInterval);
  }

  /**
   * Combines the snapshots of several subtasks of one operator (same checkpoint) into one
   * state, as Flink's `repackageState`; a harness at any parallelism restores its share.
   */
  static repackageState(...states: OperatorSubtaskState[]): OperatorSubtaskState {
    return OperatorSubtaskState.repackage(...states);
  }

  /**
   * Restores the operator from `state` (a snapshot of the operator with the same uid, possibly
   * repackaged from several subtasks) before `open()`: keyed state and timers of this
   * subtask's key groups, and its share of the operator state.
   * @throws RivuletError(CHECKPOINT_FAILED) when the state cannot be restored here (another
   *   operator, another max parallelism, a subtask the state does not hold).
   */
  async initializeState(state: OperatorSubtaskState): Promise<void> {
    this.expect('initializeState', 'created');
    if (this.restoring) throw new RivuletError('INVALID_ARGUMENT', 'OperatorTestHarness.initializeState() called twice; a harness restores once.', { operatorUid: this.uid });
    this.restoring = true;
    this.operator.initializeState(await state.restoredStateFor(this.subtask()));
  }

  /** Opens the operator (and its user function); restores the `restoreFrom` option's state first. */
  async open(): Promise<void> {
    this.expect('open', 'created');
    if (this.restoreFrom !== undefined && !this.restoring) await this.initializeState(this.restoreFrom);
    this.lifecycle = 'open';
    await this.operator.open();
  }

  /**
   * Takes the operator's part of checkpoint `checkpointId` between two calls, as the task
   * does at a barrier: keyed state with timers and operator state, encoded at once (later
   * processing does not change it). Settles when what the operator handed on is durable (a
   * sink writer's flush).
   */
  async snapshot(checkpointId: number, timestamp: number): Promise<OperatorSubtaskState> {
    this.expect('snapshot', 'open', 'finished');
    return OperatorSubtaskState.take(this.operator, this.subtask(), checkpointId, timestamp);
  }

  /** Checkpoint `checkpointId` completed: the operator (a sink committing, a listening function) hears it. */
  async notifyOfCompletedCheckpoint(checkpointId: number): Promise<void> {
    this.expect('notifyOfCompletedCheckpoint', 'open', 'finished');
    await this.operator.notifyCheckpointComplete(checkpointId);
  }

  /**
   * Processes one record; `timestamp` is its event time (omit for a record without one).
   * @throws RivuletError(INVALID_ARGUMENT) for a keyed operator and a key that belongs to
   *   another subtask (it would never reach this one in a job), as Flink's keyed harness.
   */
  processElement(value: IN, timestamp: number = NO_TIMESTAMP): void {
    this.expect('processElement', 'open');
    if (this.parallelism > 1 && 'keySelector' in this.spec) this.checkKeyBelongsHere(value, this.spec.keySelector as (v: unknown) => Key);
    this.metrics.recordsIn++;
    this.operator.processElement(value, timestamp);
  }

  /** Advances event time: event-time timers up to `timestamp` fire. Repeating the current watermark does nothing. */
  processWatermark(timestamp: number): void {
    this.expect('processWatermark', 'open');
    if (timestamp < this.watermark) {
      throw new RivuletError('INVALID_ARGUMENT', `Watermarks never go back: got ${timestamp} after ${this.watermark}.`);
    }
    if (timestamp === this.watermark) return;
    this.watermark = timestamp;
    this.operator.processWatermark(timestamp);
  }

  /** The operator's input turned idle or active (as the task's valve reports it). */
  processWatermarkStatus(status: WatermarkStatus): void {
    this.expect('processWatermarkStatus', 'open');
    this.operator.processWatermarkStatus(status);
  }

  /** Advances processing time to `time` (ms), firing due processing-time timers in time order. */
  setProcessingTime(time: number): void {
    this.expect('setProcessingTime', 'open', 'finished');
    const now = this.processingTime.getCurrentProcessingTime();
    if (time < now) throw new RivuletError('INVALID_ARGUMENT', `Processing time never goes back: got ${time} after ${now}.`);
    this.processingTime.advanceTo(time);
  }

  getProcessingTime(): number {
    return this.processingTime.getCurrentProcessingTime();
  }

  /**
   * End of input: `finish()` (operators flush here). Like Flink's harness it sends no final
   * watermark; call `processWatermark(MAX_WATERMARK)` first to play a bounded source's end.
   */
  async endInput(): Promise<void> {
    this.expect('endInput', 'open');
    this.lifecycle = 'finished';
    await this.operator.finish();
  }

  /** Closes the operator (and its user function); also after a failure, without endInput. */
  async close(): Promise<void> {
    this.expect('close', 'open', 'finished');
    this.lifecycle = 'closed';
    try {
      await this.operator.close();
    } finally {
      await this.backend?.dispose();
    }
  }

  /** Records and watermarks of the main output, in emission order. */
  getOutput(): OutputElement<OUT>[] {
    return this.output.main.slice() as OutputElement<OUT>[];
  }

  /** Records of the main output with their timestamps, in order. */
  getRecordOutput(): TimestampedRecord<OUT>[] {
    return this.output.main.filter((e): e is TimestampedRecord<OUT> => 'record' in e);
  }

  /** The values of the main output's records, in order. */
  extractOutputValues(): OUT[] {
    return this.getRecordOutput().map((e) => e.record);
  }

  /** Records, watermarks and watermark statuses of the main output, in emission order. */
  getOutputEvents(): OutputEvent<OUT>[] {
    return this.output.events.slice() as OutputEvent<OUT>[];
  }

  /** The watermarks the operator emitted, in order. */
  getWatermarks(): number[] {
    return this.output.main.flatMap((e) => ('watermark' in e ? [e.watermark] : []));
  }

  /** The values emitted to side output `tag`, in order. */
  getSideOutput<X>(tag: OutputTag<X>): X[] {
    return this.getSideOutputRecords(tag).map((e) => e.record);
  }

  getSideOutputRecords<X>(tag: OutputTag<X>): TimestampedRecord<X>[] {
    return (this.output.side.get(tag.id) ?? []).slice() as TimestampedRecord<X>[];
  }

  /** Forgets all output collected so far (main and side). */
  clearOutput(): void {
    this.output.clear();
  }

  numLateRecordsDropped(): number {
    return this.metrics.lateRecordsDropped;
  }

  /** Keyed state entries (state x key x namespace) holding a value; 0 for a non-keyed operator. */
  numKeyedStateEntries(): number {
    return this.backend?.numEntries() ?? 0;
  }

  /** Keys that hold any keyed state. */
  numKeys(): number {
    return this.backend?.numKeys() ?? 0;
  }

  numEventTimeTimers(): number {
    return this.timerServices().reduce((n, t) => n + t.numEventTimeTimers(), 0);
  }

  numProcessingTimeTimers(): number {
    return this.timerServices().reduce((n, t) => n + t.numProcessingTimeTimers(), 0);
  }

  /**
   * The operator's timer services. Operators create and own theirs in open() (there is no
   * timer-service manager yet; it comes with checkpointed timers, issue #4), so the harness
   * finds them among the operator's fields.
   */
  private timerServices(): InternalTimerService<never>[] {
    return Object.values(this.operator).filter((v): v is InternalTimerService<never> => v instanceof InternalTimerService);
  }

  private subtask(): HarnessSubtask {
    return { uid: this.uid, name: this.name, subtaskIndex: this.subtaskIndex, parallelism: this.parallelism, maxParallelism: this.maxParallelism };
  }

  private checkKeyBelongsHere(value: unknown, keySelector: (v: unknown) => Key): void {
    let key: Key;
    try {
      key = keySelector(value);
    } catch {
      return; // the operator reports a failing key selector with its own context
    }
    const keyGroup = assignToKeyGroup(key, this.maxParallelism);
    const owner = computeOperatorIndexForKeyGroup(this.maxParallelism, this.parallelism, keyGroup);
    if (owner !== this.subtaskIndex) {
      throw new RivuletError(
        'INVALID_ARGUMENT',
        `Key ${preview(key)} of record ${preview(value)} is in key group ${keyGroup}, which belongs to subtask ${owner}, not to this harness's subtask ${this.subtaskIndex} (parallelism ${this.parallelism}, max parallelism ${this.maxParallelism}).`,
        { operatorUid: this.uid, operatorName: this.name, subtask: this.subtaskIndex, key },
      );
    }
  }

  private expect(call: string, ...allowed: Lifecycle[]): void {
    if (!allowed.includes(this.lifecycle)) {
      const hint = this.lifecycle === 'created' ? ' Call `await harness.open()` first.' : '';
      throw new RivuletError('INVALID_ARGUMENT', `OperatorTestHarness.${call}() called while the harness is ${this.lifecycle}; allowed when ${allowed.join(' or ')}.${hint}`, {
        operatorUid: this.uid,
        operatorName: this.name,
      });
    }
  }
}
