/**
 * StreamTask: one parallel subtask of a JobVertex — its operator chain, its input (a
 * source reader or an input gate) and its output writers — run as a single-threaded
 * mailbox loop; as Flink's StreamTask and MailboxProcessor.
 *
 * Threading model: everything in a task runs on its thread, one slice at a time (see
 * TaskScheduler). Records are processed a batch at a time; timers, split assignments and
 * other actions are *mails*, run between batches, never in the middle of one. A task takes
 * input only while every output writer has credit and every sink writer of its chain is
 * available, so backpressure stops it at a batch boundary with bounded memory.
 *
 * Lifecycle: created -> running (operators opened) -> finishing (end of input: operators
 * finished head first, writers flushed, end of partition sent) -> finished; or failed /
 * cancelled at any point.
 *
 * Checkpoints (DESIGN.md §7), all on the task's thread, between batches: a source task
 * takes snapshot n when the coordinator's trigger mail runs; a task with inputs when its
 * CheckpointBarrierHandler has barrier n from every channel (aligned or not, by mode). The
 * snapshot is synchronous — every operator's state, serialized at once — then barrier n
 * goes to every output before any later record, and the blobs are written to the
 * CheckpointStorage asynchronously while the task processes on; the acknowledgement (or
 * the decline) follows the write. With checkpointing on, a task that reached the end of its
 * input does not finish: it waits (state `waitingForFinalCheckpoint`, still forwarding
 * barriers after its end of partition) until the coordinator says the final checkpoint —
 * taken after every source ended — completed, so two-phase-commit sinks commit everything.
 */
import type { CheckpointFailureReason } from '../../core/checkpoint.ts';
import type { RivuletError } from '../../core/errors.ts';
import { asRivuletError } from '../../core/errors.ts';
import type { StateBackendConfig } from '../../core/state-backend.ts';
import type { Clock } from '../../core/time.ts';
import type { JobVertex } from '../../graph/job-graph.ts';
import type { CheckpointBarrierHandler } from '../checkpoint/checkpoint-barrier-handler.ts';
import { createBarrierHandler } from '../checkpoint/checkpoint-barrier-handler.ts';
import type { TaskStateHandles } from '../checkpoint/operator-snapshot.ts';
import { isEmptySnapshot } from '../checkpoint/operator-snapshot.ts';
import { SnapshotKind, encodeSnapshot } from '../checkpoint/snapshot-format.ts';
import { readRestoredState } from '../checkpoint/state-assignment.ts';
import type { TaskCheckpointing, TaskStateRestore } from '../checkpoint/task-checkpointing.ts';
import { END_OF_PARTITION } from '../network/channel-event.ts';
import type { InputGate } from '../network/input-gate.ts';
import { computeKeyGroupRangeForOperatorIndex } from '../state/key-groups.ts';
import type { RecordWriter } from '../network/record-writer.ts';
import { OperatorChain } from './operator-chain.ts';
import { SystemProcessingTimeService } from './processing-time-service.ts';
import type { Schedulable, TaskScheduler } from './task-scheduler.ts';

export type TaskState = 'created' | 'running' | 'finishing' | 'waitingForFinalCheckpoint' | 'finished' | 'failed' | 'cancelled';

/** What a task tells the JobManager side. */
export interface TaskEvents {
  requestSplit(vertexId: number, subtask: number): void;
  taskFinished(vertexId: number, subtask: number): void;
  taskFailed(vertexId: number, subtask: number, error: RivuletError): void;
}

/** What one slice of input processing ended with. */
export type InputResult = 'more' | 'blocked' | 'idle' | 'end';

export interface StreamTaskOptions {
  readonly vertex: JobVertex;
  readonly subtaskIndex: number;
  /** RecordWriters by JobEdge id. */
  readonly writers: ReadonlyMap<number, RecordWriter>;
  readonly scheduler: TaskScheduler;
  readonly events: TaskEvents;
  readonly clock: Clock;
  readonly autoWatermarkInterval: number;
  /** 0: send every record at once instead of batching. */
  readonly bufferTimeout: number;
  /** Where keyed operators keep their state; undefined: the default backend. */
  readonly stateBackend?: StateBackendConfig | undefined;
  /** Undefined: the job does not checkpoint. */
  readonly checkpointing?: TaskCheckpointing | undefined;
  /** The interval of periodic checkpoints (ms); undefined without them. */
  readonly checkpointIntervalMs?: number | undefined;
  /** Set when the job starts from a checkpoint and this subtask has state in it. */
  readonly restore?: TaskStateRestore | undefined;
}

export abstract class StreamTask implements Schedulable {
  readonly vertex: JobVertex;
  readonly subtaskIndex: number;
  queued = false;
  state: TaskState = 'created';
  startTime = 0;
  endTime: number | undefined;

  protected readonly chain: OperatorChain;
  protected readonly writers: readonly RecordWriter[];
  protected readonly scheduler: TaskScheduler;
  private readonly events: TaskEvents;
  private readonly timeService: SystemProcessingTimeService;
  private readonly flushEveryRecord: boolean;
  private mails: (() => void)[] = [];
  /** A sink writer was unavailable: the task waits for its promise (see outputsAvailable). */
  private waitingForSink = false;

  // ---- checkpointing
  protected readonly checkpointing: TaskCheckpointing | undefined;
  private readonly restore: TaskStateRestore | undefined;
  /** Every input ended (a source: its reader did); set once, when end-of-input handling starts. */
  protected inputEnded = false;
  /** The final checkpoint completed; the task ends as soon as its input has. */
  private finalCheckpointCompleted = false;
  /** Checkpoint notifications run one after another (their hooks may be asynchronous). */
  private notifications: Promise<void> = Promise.resolve();
  /** Callers of {@link stopAfterNotifications} waiting for the task to stop (or end otherwise). */
  private stopWaiters: (() => void)[] = [];

  constructor(o: StreamTaskOptions) {
    this.vertex = o.vertex;
    this.subtaskIndex = o.subtaskIndex;
    this.writers = [...o.writers.values()];
    this.scheduler = o.scheduler;
    this.events = o.events;
    this.flushEveryRecord = o.bufferTimeout === 0;
    this.checkpointing = o.checkpointing;
    this.restore = o.restore;
    this.timeService = new SystemProcessingTimeService(o.clock, (mail) => this.post(mail));
    this.chain = new OperatorChain({
      vertex: o.vertex,
      subtaskIndex: o.subtaskIndex,
      writers: o.writers,
      processingTimeService: this.timeService,
      clock: o.clock,
      requestSplit: () => this.events.requestSplit(this.vertex.id, this.subtaskIndex),
      autoWatermarkInterval: o.autoWatermarkInterval,
      stateBackend: o.stateBackend,
      checkpointingEnabled: o.checkpointing !== undefined,
      checkpointIntervalMs: o.checkpointIntervalMs,
    });
  }

  get name(): string {
    return `${this.vertex.name} (${this.subtaskIndex + 1}/${this.vertex.parallelism})`;
  }

  /** Enqueues an action to run between batches on the task's thread. */
  post(mail: () => void): void {
    this.mails.push(mail);
    this.scheduler.schedule(this);
  }

  /** Restores the operators' state when starting from a checkpoint, opens them and starts processing. */
  async start(now: number): Promise<void> {
    this.startTime = now;
    try {
      const restore = this.restore;
      if (restore !== undefined) {
        this.chain.initializeState(await readRestoredState(restore.state, restore.storage, this.subtaskIndex, this.vertex.parallelism));
      }
      await this.chain.open();
      this.state = 'running';
      this.scheduler.schedule(this);
    } catch (e) {
      this.fail(e);
    }
  }

  runSlice(deadline: number): void {
    if (this.state !== 'running' && this.state !== 'waitingForFinalCheckpoint') return;
    try {
      if (this.mails.length > 0) {
        const mails = this.mails;
        this.mails = [];
        for (const m of mails) m();
      }
      if (this.state !== 'running' && this.state !== 'waitingForFinalCheckpoint') return;
      const r = this.processInput(deadline);
      if (this.flushEveryRecord) this.flushOutputs();
      switch (r) {
        case 'more':
          this.scheduler.schedule(this);
          break;
        case 'idle':
          // Nothing to read right now: send partly filled batches instead of holding them.
          this.flushOutputs();
          break;
        case 'blocked':
          break; // a credit, or an unavailable sink writer's promise, reschedules us
        case 'end':
          // After the end, a task waiting for the final checkpoint still reads barriers.
          if (!this.inputEnded) {
            this.inputEnded = true;
            void this.endOfInput();
          }
          break;
      }
    } catch (e) {
      this.fail(e);
    }
  }

  /** Processes input until the deadline, the input is empty, or an output has no credit. */
  protected abstract processInput(deadline: number): InputResult;

  /**
   * Whether the task may take input: every output writer has credit and every sink writer
   * of the chain is available (SinkWriter.isAvailable). A blocked writer reschedules the
   * task when it gets credit; an unavailable sink writer when its promise resolves.
   */
  protected outputsAvailable(): boolean {
    const w = this.writers;
    for (let i = 0; i < w.length; i++) if (!w[i]!.isAvailable()) return false;
    const sinks = this.chain.sinks;
    for (let i = 0; i < sinks.length; i++) {
      const available = sinks[i]!.isAvailable();
      if (available === true) continue;
      if (!this.waitingForSink) {
        this.waitingForSink = true;
        available.then(
          () => {
            this.waitingForSink = false;
            this.scheduler.schedule(this);
          },
          (e: unknown) => this.fail(e),
        );
      }
      return false;
    }
    return true;
  }

  private flushOutputs(): void {
    for (const w of this.writers) w.flushAll();
  }

  private async endOfInput(): Promise<void> {
    this.state = 'finishing';
    try {
      await this.chain.finish();
      for (const w of this.writers) w.broadcastEvent(END_OF_PARTITION);
      if (this.checkpointing !== undefined && !this.finalCheckpointCompleted) {
        // Finished operators fire no more timers; checkpoint mails and barriers still come.
        this.timeService.shutdown();
        this.state = 'waitingForFinalCheckpoint';
        this.checkpointing.responder.reportEndOfInput(this.vertex.id, this.subtaskIndex);
        this.scheduler.schedule(this);
        return;
      }
      await this.closeAndFinish();
    } catch (e) {
      this.fail(e);
    }
  }

  private async closeAndFinish(): Promise<void> {
    await this.chain.close();
    this.timeService.shutdown();
    this.state = 'finished';
    this.endTime = Date.now();
    this.releaseStopWaiters();
    this.events.taskFinished(this.vertex.id, this.subtaskIndex);
  }

  /**
   * Stop-with-savepoint: once the checkpoint notifications posted before this call have run
   * (its sinks committed what the savepoint covers), the task stops as on cancel, without
   * ending its input. Resolves when it stopped, or ended another way.
   */
  stopAfterNotifications(): Promise<void> {
    if (this.state === 'finished' || this.state === 'failed' || this.state === 'cancelled') return Promise.resolve();
    return new Promise((resolve) => {
      this.stopWaiters.push(resolve);
      this.post(() => {
        void this.notifications.then(() => this.cancel());
      });
    });
  }

  private releaseStopWaiters(): void {
    for (const w of this.stopWaiters.splice(0)) w();
  }

  // ---- checkpoints

  /** The barrier handler of a task reading `gate`, or undefined when the job does not checkpoint. */
  protected createBarrierHandler(gate: InputGate): CheckpointBarrierHandler | undefined {
    if (this.checkpointing === undefined) return undefined;
    return createBarrierHandler(this.checkpointing.mode, gate, (id, timestamp) => this.performCheckpoint(id, timestamp));
  }

  /** The coordinator triggers checkpoint `checkpointId` at this source task. */
  triggerCheckpoint(checkpointId: number, timestamp: number): void {
    this.post(() => this.performCheckpoint(checkpointId, timestamp));
  }

  /**
   * Takes snapshot `checkpointId` and sends barrier `checkpointId` on every output; the
   * write and the acknowledgement follow asynchronously. A snapshot that fails is declined,
   * and the barrier still goes out, so downstream tasks do not wait for it in vain.
   */
  protected performCheckpoint(checkpointId: number, timestamp: number): void {
    const cp = this.checkpointing;
    if (cp === undefined || (this.state !== 'running' && this.state !== 'waitingForFinalCheckpoint')) return;
    let blobs: { uid: string; bytes: Uint8Array; hasKeyed: boolean; hasOperatorState: boolean }[];
    let durable: Promise<void>[];
    try {
      blobs = [];
      for (const { uid, snapshot } of this.chain.snapshotState(checkpointId, timestamp)) {
        if (isEmptySnapshot(snapshot)) continue;
        blobs.push({
          uid,
          bytes: encodeSnapshot(SnapshotKind.STATE, snapshot),
          hasKeyed: snapshot.keyed !== undefined || snapshot.timers !== undefined,
          hasOperatorState: snapshot.lists !== undefined || snapshot.unions !== undefined || snapshot.broadcast !== undefined,
        });
      }
      // Sinks flush what they wrote before the barrier; the acknowledgement waits for it.
      durable = this.chain.snapshotsDurable(checkpointId);
    } catch (e) {
      this.broadcastBarrier(checkpointId, timestamp);
      this.decline(checkpointId, 'CHECKPOINT_DECLINED', e, 'failed to take its snapshot');
      return;
    }
    this.broadcastBarrier(checkpointId, timestamp);
    const v = this.vertex;
    const keyGroupRange = computeKeyGroupRangeForOperatorIndex(v.maxParallelism, v.parallelism, this.subtaskIndex);
    Promise.all([
      Promise.all(
        blobs.map(async (b) => ({
          uid: b.uid,
          subtask: this.subtaskIndex,
          handle: await cp.storage.writeState(checkpointId, `${b.uid}-${this.subtaskIndex}`, b.bytes),
          keyGroupRange: b.hasKeyed ? keyGroupRange : undefined,
          hasOperatorState: b.hasOperatorState,
        })),
      ),
      Promise.all(durable),
    ]).then(
      ([operators]) => {
        const state: TaskStateHandles = { operators };
        cp.responder.acknowledgeCheckpoint(v.id, this.subtaskIndex, checkpointId, state);
      },
      (e: unknown) => this.decline(checkpointId, 'CHECKPOINT_ASYNC_EXCEPTION', e, 'failed to write its snapshot'),
    );
  }

  private broadcastBarrier(checkpointId: number, timestamp: number): void {
    for (const w of this.writers) w.broadcastEvent({ kind: 'barrier', checkpointId, timestamp });
  }

  private decline(checkpointId: number, reason: CheckpointFailureReason, e: unknown, what: string): void {
    const err = asRivuletError(e, 'CHECKPOINT_FAILED', `Task ${this.name} ${what} for checkpoint ${checkpointId}`, { subtask: this.subtaskIndex, checkpointId });
    this.checkpointing?.responder.declineCheckpoint(this.vertex.id, this.subtaskIndex, checkpointId, reason, err);
  }

  /**
   * Checkpoint `checkpointId` completed: the operators (and their sinks' writers) hear it;
   * after the final checkpoint, a task whose input has ended finishes.
   */
  notifyCheckpointComplete(checkpointId: number, isFinal: boolean): void {
    this.post(() => {
      this.notifications = this.notifications.then(async () => {
        if (this.state === 'failed' || this.state === 'cancelled' || this.state === 'finished') return;
        try {
          await this.chain.notifyCheckpointComplete(checkpointId);
          if (!isFinal) return;
          this.finalCheckpointCompleted = true;
          if (this.state === 'waitingForFinalCheckpoint') await this.closeAndFinish();
        } catch (e) {
          this.fail(e);
        }
      });
    });
  }

  /** Checkpoint `checkpointId` was aborted: stop aligning its barriers, tell the operators. */
  notifyCheckpointAborted(checkpointId: number): void {
    this.post(() => {
      this.abortAlignment(checkpointId);
      this.chain.notifyCheckpointAborted(checkpointId);
    });
  }

  /** Tasks with inputs give up the alignment of `checkpointId`. */
  protected abortAlignment(_checkpointId: number): void {}

  /** Fails the task and reports it; the JobManager side cancels the others. */
  fail(e: unknown): void {
    if (this.state === 'failed' || this.state === 'cancelled') return;
    this.state = 'failed';
    this.timeService.shutdown();
    // Release what the operators hold — connections of sources and sinks (a Kafka client's
    // sockets would otherwise outlive every failed attempt), keyed state backends (an LMDB one
    // holds a memory map, file handles and a working directory); the restarted attempt has
    // its own. Close does not commit: two-phase-commit sinks leave that to a restore.
    void this.chain.closeAfterFailure().catch(() => {});
    const err = asRivuletError(e, 'INTERNAL', `Task ${this.name} failed`, { subtask: this.subtaskIndex });
    this.releaseStopWaiters();
    this.events.taskFailed(this.vertex.id, this.subtaskIndex, err);
  }

  /** Stops the task; operators get close() best-effort. */
  cancel(): void {
    if (this.state === 'finished' || this.state === 'failed' || this.state === 'cancelled') return;
    this.state = 'cancelled';
    this.timeService.shutdown();
    const closed = Promise.resolve()
      .then(() => this.chain.close())
      .catch(() => {});
    void closed.then(() => this.releaseStopWaiters());
  }

  /** Per-operator counters of this subtask, in chain order. */
  operatorMetrics(): OperatorChain['members'] {
    return this.chain.members;
  }

  accumulators(): OperatorChain['accumulators'] {
    return this.chain.accumulators;
  }
}
