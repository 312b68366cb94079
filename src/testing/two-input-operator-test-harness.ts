/**
 * TwoInputOperatorTestHarness: runs ONE two-input operator (connect, broadcast state,
 * interval join) by hand, as Flink's `TwoInputStreamOperatorTestHarness` /
 * `KeyedTwoInputStreamOperatorTestHarness`; the two-input sibling of
 * {@link OperatorTestHarness}, with the same habits:
 *
 * ```ts
 * const h = TwoInputOperatorTestHarness.of((orders: DataStream<Order>, payments: DataStream<Payment>) =>
 *   orders.connect(payments).keyBy((o) => o.id, (p) => p.orderId).process(new MatchFunction()));
 * await h.open();
 * h.processElement1(order, 1_000);
 * h.processWatermark1(5_000);
 * h.processWatermark2(3_000);   // the operator sees min(5_000, 3_000)
 * ```
 *
 * The test is the task: it feeds records and watermarks to each input in exactly the order
 * it wants. Watermarks are per input and combined as the TwoInputStreamTask combines them
 * (CombinedWatermarkStatus): the operator receives the minimum over the inputs that are not
 * idle, only when it advances; an input that ended holds nothing back. A watermark that
 * goes back on one input is a mistake in the test and throws. `endInput(1)` / `endInput(2)`
 * end one input each (`endInput(i)` on the operator); after both, the operator finishes.
 * Around the operator the harness puts what a task would: a collecting Output, virtual
 * processing time, a keyed state backend when an input is keyed, counters.
 *
 * Checkpoints as in OperatorTestHarness: `snapshot(id, ts)` returns an OperatorSubtaskState
 * that a fresh harness of the same operator takes in `initializeState` (or `restoreFrom`)
 * before `open()`. Watermarks are not part of it: a restored harness starts with none.
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
import type { StreamNode } from '../graph/stream-graph.ts';
import { isTwoInputOperator, twoInputKeySelectors } from '../graph/two-input-operator-spec.ts';
import type { TwoInputOperatorSpec } from '../graph/two-input-operator-spec.ts';
import { CombinedWatermarkStatus } from '../runtime/network/combined-watermark-status.ts';
import { createOperator, isKeyedOperator } from '../runtime/operators/create-operator.ts';
import { OperatorMetricCounters, preview } from '../runtime/operators/stream-operator.ts';
import { TwoInputStreamOperator } from '../runtime/operators/two-input-stream-operator.ts';
import { assignToKeyGroup, checkParallelism, computeKeyGroupRangeForOperatorIndex, computeOperatorIndexForKeyGroup } from '../runtime/state/key-groups.ts';
import { ManualProcessingTimeService } from '../runtime/task/processing-time-service.ts';
import { InternalTimerService } from '../runtime/windowing/internal-timer-service.ts';
import { CollectingOutput } from './collecting-output.ts';
import type { OutputElement, TimestampedRecord } from './collecting-output.ts';
import { EntryCountingStateBackend } from './entry-counting-state-backend.ts';
import { stateBackendConfig } from '../core/state-backend.ts';
import { createKeyedStateBackend } from '../runtime/state/state-backend-loader.ts';
import type { OperatorTestHarnessOptions } from './operator-test-harness.ts';
import { OperatorSubtaskState } from './operator-subtask-state.ts';
import type { HarnessSubtask } from './operator-subtask-state.ts';

type Lifecycle = 'created' | 'open' | 'finished' | 'closed';

/** The harness's stand-in for each input: a source that is never run. */
class PlaceholderInput implements Source<never, SourceSplit> {
  private readonly label: string;
  constructor(label: string) {
    this.label = label;
  }
  getBoundedness(): 'BOUNDED' {
    return 'BOUNDED';
  }
  createEnumerator(): SplitEnumerator<SourceSplit> {
    throw new RivuletError('INTERNAL', `${this.label} is a placeholder of TwoInputOperatorTestHarness and cannot run.`);
  }
  createReader(): SourceReader<never, SourceSplit> {
    throw new RivuletError('INTERNAL', `${this.label} is a placeholder of TwoInputOperatorTestHarness and cannot run.`);
  }
  toString(): string {
    return this.label;
  }
}

export class TwoInputOperatorTestHarness<IN1, IN2, OUT> {
  /** The operator under test (for assertions the harness does not offer). */
  readonly operator: TwoInputStreamOperator;
  readonly uid: string;
  readonly name: string;
  readonly subtaskIndex: number;
  readonly parallelism: number;
  readonly maxParallelism: number;
  /** The operator's counters (recordsIn, recordsOut, lateRecordsDropped, ...). */
  readonly metrics = new OperatorMetricCounters();
  /** Counters the user function registered through getRuntimeContext().getCounter(name). */
  readonly accumulators = new Map<string, Counter>();

  private readonly spec: TwoInputOperatorSpec;
  private readonly output = new CollectingOutput(this.metrics);
  private readonly processingTime: ManualProcessingTimeService;
  private readonly backend: EntryCountingStateBackend | undefined;
  private readonly combined = new CombinedWatermarkStatus(2);
  /** Per input: its last watermark, and whether it ended. */
  private readonly inputWatermarks = [Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY];
  private readonly ended = [false, false];
  private readonly restoreFrom: OperatorSubtaskState | undefined;
  private lifecycle: Lifecycle = 'created';
  /** initializeState() ran (or is running): a harness restores once. */
  private restoring = false;

  private constructor(node: StreamNode, spec: TwoInputOperatorSpec, options: OperatorTestHarnessOptions, autoWatermarkInterval: number) {
    this.spec = spec;
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
    this.backend = isKeyedOperator(spec)
      ? new EntryCountingStateBackend(
          createKeyedStateBackend(options.stateBackend === undefined ? undefined : stateBackendConfig(options.stateBackend), {
            operatorUid: this.uid,
            maxParallelism: this.maxParallelism,
            keyGroupRange: computeKeyGroupRangeForOperatorIndex(this.maxParallelism, this.parallelism, this.subtaskIndex),
            subtaskIndex: this.subtaskIndex,
          }),
        )
      : undefined;
    const operator = createOperator(spec, {
      autoWatermarkInterval,
      requestSplit: () => {
        throw new RivuletError('INVALID_ARGUMENT', 'TwoInputOperatorTestHarness does not run sources.');
      },
    });
    if (!(operator instanceof TwoInputStreamOperator)) throw new RivuletError('INTERNAL', `operator "${node.name}" is not a TwoInputStreamOperator`);
    this.operator = operator;
    const pts = this.processingTime;
    operator.setup({
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
   * Builds the two-input operator that `build` applies to its two input streams and sets it
   * up (not yet opened). `build` must add exactly one operator, reading both inputs (e.g.
   * `a.connect(b).process(...)`, `a.connect(b.broadcast(d)).process(...)`,
   * `a.keyBy(..).intervalJoin(b.keyBy(..)).between(..).process(...)`); sinks after it are
   * allowed and ignored.
   * @throws RivuletError(INVALID_GRAPH) when `build` adds anything else.
   * @throws RangeError for a subtaskIndex outside 0..parallelism-1 or a bad parallelism.
   */
  static of<IN1, IN2, OUT>(
    build: (input1: DataStream<IN1>, input2: DataStream<IN2>) => DataStream<OUT> | DataStreamSink<unknown> | void,
    options: OperatorTestHarnessOptions = {},
  ): TwoInputOperatorTestHarness<IN1, IN2, OUT> {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    if (options.parallelism !== undefined) env.setParallelism(options.parallelism);
    if (options.maxParallelism !== undefined) env.setMaxParallelism(options.maxParallelism);
    const input1 = env.fromSource<IN1>(new PlaceholderInput('Test Harness Input 1') as Source<IN1, SourceSplit>, undefined, 'Test Harness Input 1');
    const input2 = env.fromSource<IN2>(new PlaceholderInput('Test Harness Input 2') as Source<IN2, SourceSplit>, undefined, 'Test Harness Input 2');
    const ids = [input1.inputs[0]!.nodeId, input2.inputs[0]!.nodeId];
    build(input1, input2);
    const graph = env.getStreamGraph('TwoInputOperatorTestHarness');
    assignUids(graph);

    const added = [...graph.nodes.values()].filter((n) => !ids.includes(n.id));
    const operators = added.filter((n) => n.operator.kind !== 'sink' || graph.inEdges(n.id).some((e) => ids.includes(e.sourceId)));
    const node = operators.length === 1 ? operators[0]! : undefined;
    const inEdges = node === undefined ? [] : graph.inEdges(node.id);
    const wired =
      node !== undefined &&
      isTwoInputOperator(node.operator) &&
      inEdges.length === 2 &&
      inEdges.some((e) => e.sourceId === ids[0] && e.typeNumber === 1) &&
      inEdges.some((e) => e.sourceId === ids[1] && e.typeNumber === 2);
    if (!wired) {
      throw new RivuletError(
        'INVALID_GRAPH',
        `TwoInputOperatorTestHarness.of(build): build must add exactly one two-input operator reading input1 as its first and input2 as its second input (sinks after it are allowed), but added ${added.map((n) => `"${n.name}"`).join(', ') || 'nothing'}. Test one operator per harness; test pipelines end-to-end with executeAndCollect().`,
      );
    }
    return new TwoInputOperatorTestHarness<IN1, IN2, OUT>(node, node.operator as TwoInputOperatorSpec, options, graph.config.autoWatermarkInterval);
  }

  /**
   * Restores the operator from `state` before `open()` (see OperatorTestHarness.initializeState).
   * @throws RivuletError(CHECKPOINT_FAILED) when the state cannot be restored here.
   */
  async initializeState(state: OperatorSubtaskState): Promise<void> {
    this.expect('initializeState', 'created');
    if (this.restoring) throw new RivuletError('INVALID_ARGUMENT', 'TwoInputOperatorTestHarness.initializeState() called twice; a harness restores once.', { operatorUid: this.uid });
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

  /** The operator's part of checkpoint `checkpointId`, taken between two calls (see OperatorTestHarness.snapshot). */
  async snapshot(checkpointId: number, timestamp: number): Promise<OperatorSubtaskState> {
    this.expect('snapshot', 'open', 'finished');
    return OperatorSubtaskState.take(this.operator, this.subtask(), checkpointId, timestamp);
  }

  /** Checkpoint `checkpointId` completed: the operator hears it. */
  async notifyOfCompletedCheckpoint(checkpointId: number): Promise<void> {
    this.expect('notifyOfCompletedCheckpoint', 'open', 'finished');
    await this.operator.notifyCheckpointComplete(checkpointId);
  }

  /**
   * A record of the first input; `timestamp` is its event time (omit for none).
   * @throws RivuletError(INVALID_ARGUMENT) when the input is keyed and the key belongs to another subtask.
   */
  processElement1(value: IN1, timestamp: number = NO_TIMESTAMP): void {
    this.expectInputOpen('processElement1', 1);
    this.checkKeyBelongsHere(value, 1);
    this.metrics.recordsIn++;
    this.operator.processElement1(value, timestamp);
  }

  /** A record of the second input; see {@link processElement1}. */
  processElement2(value: IN2, timestamp: number = NO_TIMESTAMP): void {
    this.expectInputOpen('processElement2', 2);
    this.checkKeyBelongsHere(value, 2);
    this.metrics.recordsIn++;
    this.operator.processElement2(value, timestamp);
  }

  /** The first input's watermark; the operator sees the minimum of both inputs. Repeating it does nothing. */
  processWatermark1(timestamp: number): void {
    this.inputWatermark(1, timestamp);
  }

  /** The second input's watermark; the operator sees the minimum of both inputs. */
  processWatermark2(timestamp: number): void {
    this.inputWatermark(2, timestamp);
  }

  /** The same watermark on both inputs. */
  processBothWatermarks(timestamp: number): void {
    this.inputWatermark(1, timestamp);
    this.inputWatermark(2, timestamp);
  }

  /** Input 1 turned idle / active: an idle input holds back nothing; both idle makes the operator idle. */
  processWatermarkStatus1(status: WatermarkStatus): void {
    this.inputStatus(1, status);
  }

  processWatermarkStatus2(status: WatermarkStatus): void {
    this.inputStatus(2, status);
  }

  /** The watermark the operator has seen last (the combined one); -Infinity before any. */
  currentWatermark(): number {
    return this.combined.getCombinedWatermark();
  }

  /**
   * Ends input `inputIndex`: it stops holding back the watermark and the operator gets
   * `endInput(inputIndex)`; after both inputs ended, `finish()`. As a task does; like Flink's
   * harness no final watermark is sent: feed MAX_WATERMARK first to play a bounded source.
   */
  async endInput(inputIndex: 1 | 2): Promise<void> {
    this.expectInputOpen(`endInput(${inputIndex})`, inputIndex);
    this.ended[inputIndex - 1] = true;
    const wasIdle = this.combined.isIdle();
    if (this.combined.inputEnded(inputIndex - 1)) this.operator.processWatermark(this.combined.getCombinedWatermark());
    if (wasIdle !== this.combined.isIdle()) this.operator.processWatermarkStatus('ACTIVE');
    this.operator.endInput(inputIndex);
    if (this.ended[0] && this.ended[1]) {
      this.lifecycle = 'finished';
      await this.operator.finish();
    }
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

  /** Closes the operator (and its user function); also after a failure. */
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

  /** The operator's timer services, found among its fields (as OperatorTestHarness does). */
  private timerServices(): InternalTimerService<never>[] {
    return Object.values(this.operator).filter((v): v is InternalTimerService<never> => v instanceof InternalTimerService);
  }

  private inputWatermark(input: 1 | 2, timestamp: number): void {
    this.expectInputOpen(`processWatermark${input}`, input);
    const last = this.inputWatermarks[input - 1]!;
    if (timestamp < last) throw new RivuletError('INVALID_ARGUMENT', `Watermarks never go back: got ${timestamp} after ${last} on input ${input}.`);
    if (timestamp === last) return;
    this.inputWatermarks[input - 1] = timestamp;
    if (this.combined.updateWatermark(input - 1, timestamp)) this.operator.processWatermark(this.combined.getCombinedWatermark());
  }

  private inputStatus(input: 1 | 2, status: WatermarkStatus): void {
    this.expectInputOpen(`processWatermarkStatus${input}`, input);
    const wasIdle = this.combined.isIdle();
    if (this.combined.updateStatus(input - 1, status === 'IDLE')) this.operator.processWatermark(this.combined.getCombinedWatermark());
    if (wasIdle !== this.combined.isIdle()) this.operator.processWatermarkStatus(this.combined.isIdle() ? 'IDLE' : 'ACTIVE');
  }

  private subtask(): HarnessSubtask {
    return { uid: this.uid, name: this.name, subtaskIndex: this.subtaskIndex, parallelism: this.parallelism, maxParallelism: this.maxParallelism };
  }

  private checkKeyBelongsHere(value: unknown, input: 1 | 2): void {
    if (this.parallelism === 1) return;
    const selector = twoInputKeySelectors(this.spec)[input - 1] as ((v: unknown) => Key) | undefined;
    if (selector === undefined) return;
    let key: Key;
    try {
      key = selector(value);
    } catch {
      return; // the operator reports a failing key selector with its own context
    }
    const keyGroup = assignToKeyGroup(key, this.maxParallelism);
    const owner = computeOperatorIndexForKeyGroup(this.maxParallelism, this.parallelism, keyGroup);
    if (owner !== this.subtaskIndex) {
      throw new RivuletError(
        'INVALID_ARGUMENT',
        `Key ${preview(key)} of input-${input} record ${preview(value)} is in key group ${keyGroup}, which belongs to subtask ${owner}, not to this harness's subtask ${this.subtaskIndex} (parallelism ${this.parallelism}, max parallelism ${this.maxParallelism}).`,
        { operatorUid: this.uid, operatorName: this.name, subtask: this.subtaskIndex, key },
      );
    }
  }

  private expectInputOpen(call: string, input: 1 | 2): void {
    this.expect(call, 'open');
    if (this.ended[input - 1]) {
      throw new RivuletError('INVALID_ARGUMENT', `TwoInputOperatorTestHarness.${call}() after endInput(${input}): input ${input} has ended.`, {
        operatorUid: this.uid,
        operatorName: this.name,
      });
    }
  }

  private expect(call: string, ...allowed: Lifecycle[]): void {
    if (!allowed.includes(this.lifecycle)) {
      const hint = this.lifecycle === 'created' ? ' Call `await harness.open()` first.' : '';
      throw new RivuletError('INVALID_ARGUMENT', `TwoInputOperatorTestHarness.${call}() called while the harness is ${this.lifecycle}; allowed when ${allowed.join(' or ')}.${hint}`, {
        operatorUid: this.uid,
        operatorName: this.name,
      });
    }
  }
}
