/**
 * The operators of one task, wired together: chained operators call each other directly;
 * operators with network outputs write to RecordWriters. Side outputs go only to the edges
 * that asked for their tag. Watermarks and watermark statuses go to every output, main and side.
 */
import type { Counter } from '../../core/state.ts';
import type { StateBackendConfig } from '../../core/state-backend.ts';
import type { Clock } from '../../core/time.ts';
import type { WatermarkStatus } from '../../core/watermark.ts';
import { WATERMARK_STATUS_ACTIVE, WATERMARK_STATUS_IDLE } from '../network/channel-event.ts';
import type { JobVertex } from '../../graph/job-graph.ts';
import type { StreamNode } from '../../graph/stream-graph.ts';
import type { RecordWriter } from '../network/record-writer.ts';
import { createOperator, isKeyedOperator } from '../operators/create-operator.ts';
import type { Output } from '../operators/stream-operator.ts';
import { OperatorMetricCounters } from '../operators/stream-operator.ts';
import { SinkOperator } from '../operators/sink-operator.ts';
import type { StreamOperator } from '../operators/stream-operator.ts';
import type { KeyedStateBackend } from '../state/keyed-state-backend.ts';
import { createKeyedStateBackend } from '../state/state-backend-loader.ts';
import type { OperatorSnapshot, RestoredOperatorState } from '../checkpoint/operator-snapshot.ts';
import { computeKeyGroupRangeForOperatorIndex } from '../state/key-groups.ts';
import type { ProcessingTimeService } from './processing-time-service.ts';

/** The input side of a chained operator, counted as its records in. */
interface Target {
  collect(value: unknown, timestamp: number): void;
  emitWatermark(timestamp: number): void;
  emitWatermarkStatus(status: WatermarkStatus): void;
}

class ChainedTarget implements Target {
  private readonly op: StreamOperator;
  private readonly metrics: OperatorMetricCounters;
  constructor(op: StreamOperator, metrics: OperatorMetricCounters) {
    this.op = op;
    this.metrics = metrics;
  }
  collect(value: unknown, timestamp: number): void {
    this.metrics.recordsIn++;
    this.op.processElement(value, timestamp);
  }
  emitWatermark(timestamp: number): void {
    this.op.processWatermark(timestamp);
  }
  emitWatermarkStatus(status: WatermarkStatus): void {
    this.op.processWatermarkStatus(status);
  }
}

class WriterTarget implements Target {
  private readonly writer: RecordWriter;
  constructor(writer: RecordWriter) {
    this.writer = writer;
  }
  collect(value: unknown, timestamp: number): void {
    this.writer.emit(value, timestamp);
  }
  emitWatermark(timestamp: number): void {
    this.writer.broadcastEvent({ kind: 'watermark', timestamp });
  }
  emitWatermarkStatus(status: WatermarkStatus): void {
    this.writer.broadcastEvent(status === 'IDLE' ? WATERMARK_STATUS_IDLE : WATERMARK_STATUS_ACTIVE);
  }
}

class OperatorOutput implements Output {
  private readonly main: Target[];
  private readonly first: Target | undefined;
  private readonly side: Map<string, Target[]>;
  private readonly metrics: OperatorMetricCounters;

  constructor(main: Target[], side: Map<string, Target[]>, metrics: OperatorMetricCounters) {
    this.main = main;
    this.first = main.length === 1 ? main[0] : undefined;
    this.side = side;
    this.metrics = metrics;
  }

  collect(value: unknown, timestamp: number): void {
    this.metrics.recordsOut++;
    if (this.first !== undefined) {
      this.first.collect(value, timestamp);
    } else {
      for (let i = 0; i < this.main.length; i++) this.main[i]!.collect(value, timestamp);
    }
  }

  collectSide(tagId: string, value: unknown, timestamp: number): void {
    const targets = this.side.get(tagId);
    if (targets === undefined) return;
    for (let i = 0; i < targets.length; i++) targets[i]!.collect(value, timestamp);
  }

  emitWatermark(timestamp: number): void {
    for (let i = 0; i < this.main.length; i++) this.main[i]!.emitWatermark(timestamp);
    for (const targets of this.side.values()) for (let i = 0; i < targets.length; i++) targets[i]!.emitWatermark(timestamp);
  }

  emitWatermarkStatus(status: WatermarkStatus): void {
    for (let i = 0; i < this.main.length; i++) this.main[i]!.emitWatermarkStatus(status);
    for (const targets of this.side.values()) for (let i = 0; i < targets.length; i++) targets[i]!.emitWatermarkStatus(status);
  }
}

export interface ChainMember {
  readonly node: StreamNode;
  readonly operator: StreamOperator;
  readonly metrics: OperatorMetricCounters;
  /** The operator's keyed state (keyed operators only); disposed by {@link OperatorChain.close}. */
  readonly keyedStateBackend: KeyedStateBackend | undefined;
}

export class OperatorChain {
  /** In topological order; members[0] is the head. */
  readonly members: readonly ChainMember[];
  readonly accumulators = new Map<string, Counter>();
  /** The chain's sinks, whose writers' availability the task honours (see SinkWriter.isAvailable). */
  readonly sinks: readonly SinkOperator[];

  /**
   * @param writers RecordWriters of this task by JobEdge id
   */
  constructor(options: {
    vertex: JobVertex;
    subtaskIndex: number;
    writers: ReadonlyMap<number, RecordWriter>;
    processingTimeService: ProcessingTimeService;
    clock: Clock;
    requestSplit: () => void;
    autoWatermarkInterval: number;
    /** Where keyed operators keep their state; undefined: the default backend. */
    stateBackend?: StateBackendConfig | undefined;
    /** Checkpoints are taken (two-phase-commit sinks commit on them, not at the end of input). */
    checkpointingEnabled?: boolean | undefined;
    /** The interval of periodic checkpoints (ms); undefined without them. */
    checkpointIntervalMs?: number | undefined;
  }) {
    const { vertex, subtaskIndex } = options;
    const keyGroupRange = computeKeyGroupRangeForOperatorIndex(vertex.maxParallelism, vertex.parallelism, subtaskIndex);
    const members = vertex.nodes.map((node) => ({
      node,
      operator: createOperator(node.operator, { autoWatermarkInterval: options.autoWatermarkInterval, requestSplit: options.requestSplit, subtaskIndex }),
      metrics: new OperatorMetricCounters(),
      // One keyed state backend per keyed operator, of the kind the job chose.
      keyedStateBackend: isKeyedOperator(node.operator)
        ? createKeyedStateBackend(options.stateBackend, { operatorUid: node.uid!, maxParallelism: vertex.maxParallelism, keyGroupRange, subtaskIndex })
        : undefined,
    }));
    const byNode = new Map(members.map((m) => [m.node.id, m]));
    // Wire from the tail so every target exists before its producer's output is built.
    for (let i = members.length - 1; i >= 0; i--) {
      const m = members[i]!;
      const main: Target[] = [];
      const side = new Map<string, Target[]>();
      const add = (tag: string | undefined, t: Target): void => {
        if (tag === undefined) main.push(t);
        else side.set(tag, [...(side.get(tag) ?? []), t]);
      };
      for (const e of vertex.chainedEdges) {
        if (e.sourceId !== m.node.id) continue;
        const target = byNode.get(e.targetId)!;
        add(e.sideOutputTag, new ChainedTarget(target.operator, target.metrics));
      }
      for (const je of vertex.outputs) {
        if (je.streamEdge.sourceId !== m.node.id) continue;
        add(je.streamEdge.sideOutputTag, new WriterTarget(options.writers.get(je.id)!));
      }
      m.operator.setup({
        uid: m.node.uid!,
        name: m.node.name,
        subtaskIndex,
        parallelism: vertex.parallelism,
        maxParallelism: vertex.maxParallelism,
        output: new OperatorOutput(main, side, m.metrics),
        metrics: m.metrics,
        processingTimeService: options.processingTimeService,
        clock: options.clock,
        keyedStateBackend: m.keyedStateBackend,
        accumulators: this.accumulators,
        checkpointingEnabled: options.checkpointingEnabled === true,
        checkpointIntervalMs: options.checkpointIntervalMs,
      });
    }
    this.members = members;
    this.sinks = members.map((m) => m.operator).filter((o) => o instanceof SinkOperator);
  }

  get head(): ChainMember {
    return this.members[0]!;
  }

  /** Opens operators tail first, so no operator emits into an unopened one. */
  async open(): Promise<void> {
    for (let i = this.members.length - 1; i >= 0; i--) await this.members[i]!.operator.open();
  }

  /** End of input: finishes operators head first so each one's final output reaches the next. */
  async finish(): Promise<void> {
    for (const m of this.members) await m.operator.finish();
  }

  /** Closes the operators, then disposes their keyed state backends (an LMDB backend deletes its files). */
  async close(): Promise<void> {
    try {
      for (const m of this.members) await m.operator.close();
    } finally {
      await this.disposeStateBackends();
    }
  }

  /**
   * After a failure: closes every operator, each on its own (one that throws does not keep
   * the others open), then disposes the backends. Errors are dropped: the task already
   * failed with the error that matters, and close() only releases resources here.
   */
  async closeAfterFailure(): Promise<void> {
    for (const m of this.members) {
      try {
        await m.operator.close();
      } catch {
        // see above
      }
    }
    await this.disposeStateBackends();
  }

  /** Disposes the keyed state backends (also without close(), when the task failed); idempotent. */
  async disposeStateBackends(): Promise<void> {
    for (const m of this.members) await m.keyedStateBackend?.dispose();
  }

  /** Restores the operators that have state in `restored` (by uid); before {@link open}. */
  initializeState(restored: ReadonlyMap<string, RestoredOperatorState>): void {
    for (const m of this.members) {
      const state = restored.get(m.node.uid!);
      if (state !== undefined) m.operator.initializeState(state);
    }
  }

  /** Every operator's part of a checkpoint, in chain order (see StreamOperator.snapshotState). */
  snapshotState(checkpointId: number, timestamp: number): { readonly uid: string; readonly snapshot: OperatorSnapshot }[] {
    return this.members.map((m) => ({ uid: m.node.uid!, snapshot: m.operator.snapshotState(checkpointId, timestamp) }));
  }

  /** What the operators wait for before checkpoint `checkpointId` may be acknowledged (see StreamOperator.snapshotDurable). */
  snapshotsDurable(checkpointId: number): Promise<void>[] {
    const pending: Promise<void>[] = [];
    for (const m of this.members) {
      const p = m.operator.snapshotDurable(checkpointId);
      if (p !== undefined) pending.push(p);
    }
    return pending;
  }

  async notifyCheckpointComplete(checkpointId: number): Promise<void> {
    for (const m of this.members) await m.operator.notifyCheckpointComplete(checkpointId);
  }

  notifyCheckpointAborted(checkpointId: number): void {
    for (const m of this.members) m.operator.notifyCheckpointAborted(checkpointId);
  }
}
