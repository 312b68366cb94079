/**
 * Deploys and runs the subtasks of some slots in the current thread; the TaskManager side
 * of a slot (Flink's TaskExecutor, reduced to one thread). In-process execution hosts all
 * slots in one executor on the main thread; worker execution has one executor per worker
 * thread, hosting that worker's slot.
 *
 * Channels between two subtasks hosted here are LocalChannels (objects handed over);
 * channels to other threads are remote channels over the peer's MessagePort.
 */
import type { MessagePort } from 'node:worker_threads';
import { RivuletError } from '../../core/errors.ts';
import type { SourceSplit } from '../../core/source.ts';
import type { Clock } from '../../core/time.ts';
import type { ChannelSpec, ExecutionGraph } from '../../graph/execution-graph.ts';
import type { CheckpointStorage } from '../checkpoint/checkpoint-storage.ts';
import type { TaskRestore } from '../checkpoint/operator-snapshot.ts';
import { subtaskKey } from '../checkpoint/state-assignment.ts';
import type { TaskCheckpointing } from '../checkpoint/task-checkpointing.ts';
import { isTwoInputOperator } from '../../graph/two-input-operator-spec.ts';
import type { InputChannel, OutputChannel } from '../network/channel.ts';
import { LocalChannel } from '../network/channel.ts';
import { InputGate } from '../network/input-gate.ts';
import { DEFAULT_BATCH_SIZE, RecordWriter } from '../network/record-writer.ts';
import { RemoteInputChannel, RemoteOutputChannel, ThreadNetwork } from '../network/remote-channel.ts';
import { OneInputStreamTask } from './one-input-stream-task.ts';
import { SourceStreamTask } from './source-stream-task.ts';
import { TwoInputStreamTask } from './two-input-stream-task.ts';
import type { StreamTask, StreamTaskOptions, TaskEvents, TaskState } from './stream-task.ts';
import { TaskScheduler } from './task-scheduler.ts';

/** Counters of one operator in one subtask; plain data, crosses threads. */
export interface SubtaskOperatorMetrics {
  readonly uid: string;
  readonly recordsIn: number;
  readonly recordsOut: number;
  readonly lateRecordsDropped: number;
  readonly malformedRecords: number;
  readonly bytesRead: number;
  readonly bytesTotal: number | undefined;
}

export interface SubtaskMetrics {
  readonly vertexId: number;
  readonly subtask: number;
  readonly state: TaskState;
  readonly startTime: number;
  readonly endTime: number | undefined;
  readonly operators: readonly SubtaskOperatorMetrics[];
  readonly accumulators: readonly (readonly [string, number])[];
}

/** What the hosted subtasks restore when the job starts from a checkpoint. */
export interface TaskExecutorRestore {
  /** The storage holding the checkpoint. */
  readonly storage: CheckpointStorage;
  /** By `${vertexId}/${subtask}` (see assignStateToSubtasks); subtasks without state are absent. */
  readonly tasks: ReadonlyMap<string, TaskRestore>;
}

export interface TaskExecutorOptions {
  readonly executionGraph: ExecutionGraph;
  /** The slots this executor hosts. */
  readonly slots: readonly number[];
  /** Ports to the threads hosting the other slots (none in-process). */
  readonly peerPorts: ReadonlyMap<number, MessagePort>;
  readonly events: TaskEvents;
  readonly clock: Clock;
  readonly batchSize?: number;
  /** Undefined: the job does not checkpoint. */
  readonly checkpointing?: TaskCheckpointing | undefined;
  readonly restore?: TaskExecutorRestore | undefined;
}

export class TaskExecutor {
  private readonly eg: ExecutionGraph;
  private readonly tasks = new Map<string, StreamTask>();
  private readonly scheduler = new TaskScheduler();
  private readonly network = new ThreadNetwork();
  private readonly localChannels = new Map<number, LocalChannel>();
  private readonly hosted: Set<number>;
  private readonly options: TaskExecutorOptions;

  constructor(options: TaskExecutorOptions) {
    this.options = options;
    this.eg = options.executionGraph;
    this.hosted = new Set(options.slots);
    for (const port of options.peerPorts.values()) this.network.attach(port);
  }

  private isLocal(vertexId: number, subtask: number): boolean {
    return this.hosted.has(this.eg.slotOf(vertexId, subtask));
  }

  private portTo(vertexId: number, subtask: number): MessagePort {
    const slot = this.eg.slotOf(vertexId, subtask);
    const port = this.options.peerPorts.get(slot);
    if (port === undefined) throw new RivuletError('INTERNAL', `no port to slot ${slot}`);
    return port;
  }

  private localChannel(c: ChannelSpec): LocalChannel {
    let ch = this.localChannels.get(c.id);
    if (ch === undefined) {
      ch = new LocalChannel(c.id);
      this.localChannels.set(c.id, ch);
    }
    return ch;
  }

  private outputChannel(c: ChannelSpec): OutputChannel {
    if (this.isLocal(c.edge.target.id, c.targetSubtask)) return this.localChannel(c);
    const ch = new RemoteOutputChannel(c.id, this.portTo(c.edge.target.id, c.targetSubtask));
    this.network.registerOutput(ch);
    return ch;
  }

  private inputChannel(c: ChannelSpec): InputChannel {
    if (this.isLocal(c.edge.source.id, c.sourceSubtask)) return this.localChannel(c);
    const ch = new RemoteInputChannel(c.id, this.portTo(c.edge.source.id, c.sourceSubtask));
    this.network.registerInput(ch);
    return ch;
  }

  /** Creates the tasks of the hosted slots (not started yet). */
  deploy(): void {
    const jg = this.eg.jobGraph;
    for (const slot of this.options.slots) {
      for (const { vertexId, subtask } of this.eg.subtasksInSlot(slot)) {
        const vertex = this.eg.vertex(vertexId);
        const writers = new Map<number, RecordWriter>();
        let task: StreamTask | undefined;
        for (const edge of vertex.outputs) {
          const channels = this.eg.outputChannels(vertexId, subtask, edge.id).map((c) => this.outputChannel(c));
          writers.set(
            edge.id,
            new RecordWriter({
              channels,
              partitioner: edge.streamEdge.partitioner,
              maxParallelism: edge.target.maxParallelism,
              batchSize: jg.config.bufferTimeout === 0 ? 1 : (this.options.batchSize ?? DEFAULT_BATCH_SIZE),
              subtaskIndex: subtask,
              onCredit: () => {
                if (task !== undefined) this.scheduler.schedule(task);
              },
            }),
          );
        }
        const common = {
          vertex,
          subtaskIndex: subtask,
          writers,
          scheduler: this.scheduler,
          events: this.options.events,
          clock: this.options.clock,
          autoWatermarkInterval: jg.config.autoWatermarkInterval,
          bufferTimeout: jg.config.bufferTimeout,
          stateBackend: jg.config.stateBackend,
          checkpointing: this.options.checkpointing,
          checkpointIntervalMs: this.options.checkpointing === undefined ? undefined : jg.config.checkpointing?.interval,
          restore: this.taskRestore(vertexId, subtask),
        };
        const head = vertex.nodes[0]!.operator;
        if (head.kind === 'source') {
          task = new SourceStreamTask(common);
        } else {
          const specs = this.eg.inputChannels(vertexId, subtask);
          const gate = new InputGate(specs.map((c) => this.inputChannel(c)));
          task = isTwoInputOperator(head)
            ? new TwoInputStreamTask({ ...common, gate, inputOfChannel: specs.map((c) => c.edge.streamEdge.typeNumber) })
            : new OneInputStreamTask({ ...common, gate });
        }
        this.tasks.set(`${vertexId}/${subtask}`, task);
      }
    }
  }

  private taskRestore(vertexId: number, subtask: number): StreamTaskOptions['restore'] {
    const r = this.options.restore;
    const state = r?.tasks.get(subtaskKey(vertexId, subtask));
    return state === undefined ? undefined : { storage: r!.storage, state };
  }

  /** Opens and starts every deployed task. */
  async start(): Promise<void> {
    const now = Date.now();
    await Promise.all([...this.tasks.values()].map((t) => t.start(now)));
  }

  private task(vertexId: number, subtask: number): StreamTask {
    const t = this.tasks.get(`${vertexId}/${subtask}`);
    if (t === undefined) throw new RivuletError('INTERNAL', `task ${vertexId}/${subtask} is not hosted here`);
    return t;
  }

  addSplits(vertexId: number, subtask: number, splits: SourceSplit[]): void {
    (this.task(vertexId, subtask) as SourceStreamTask).addSplits(splits);
  }

  noMoreSplits(vertexId: number, subtask: number): void {
    (this.task(vertexId, subtask) as SourceStreamTask).noMoreSplits();
  }

  /** Checkpoint `checkpointId` starts at this source subtask. */
  triggerCheckpoint(vertexId: number, subtask: number, checkpointId: number, timestamp: number): void {
    this.task(vertexId, subtask).triggerCheckpoint(checkpointId, timestamp);
  }

  /** Tells every hosted task that checkpoint `checkpointId` completed. */
  notifyCheckpointComplete(checkpointId: number, isFinal: boolean): void {
    for (const t of this.tasks.values()) t.notifyCheckpointComplete(checkpointId, isFinal);
  }

  notifyCheckpointAborted(checkpointId: number): void {
    for (const t of this.tasks.values()) t.notifyCheckpointAborted(checkpointId);
  }

  cancel(): void {
    for (const t of this.tasks.values()) t.cancel();
  }

  /** Stop-with-savepoint: every hosted task stops once the notifications sent so far have run. */
  async stopAfterNotifications(): Promise<void> {
    await Promise.all([...this.tasks.values()].map((t) => t.stopAfterNotifications()));
  }

  metrics(): SubtaskMetrics[] {
    const out: SubtaskMetrics[] = [];
    for (const t of this.tasks.values()) {
      out.push({
        vertexId: t.vertex.id,
        subtask: t.subtaskIndex,
        state: t.state,
        startTime: t.startTime,
        endTime: t.endTime,
        operators: t.operatorMetrics().map((m) => ({
          uid: m.node.uid!,
          recordsIn: m.metrics.recordsIn,
          recordsOut: m.metrics.recordsOut,
          lateRecordsDropped: m.metrics.lateRecordsDropped,
          malformedRecords: m.metrics.malformedRecords,
          bytesRead: m.metrics.bytesRead,
          bytesTotal: m.metrics.bytesTotal,
        })),
        accumulators: [...t.accumulators()].map(([k, c]) => [k, c.getLocalValue()] as const),
      });
    }
    return out;
  }
}
