/**
 * StreamTask: one parallel subtask of a JobVertex — its operator chain, its input (a
 * source reader or an input gate) and its output writers — run as a single-threaded
 * mailbox loop; as Flink's StreamTask and MailboxProcessor.
 *
 * Threading model: everything in a task runs on its thread, one slice at a time (see
 * TaskScheduler). Records are processed a batch at a time; timers, split assignments and
 * other actions are *mails*, run between batches, never in the middle of one. A task takes
 * input only while every output writer has credit, so backpressure stops it at a batch
 * boundary with bounded memory.
 *
 * Lifecycle: created -> running (operators opened) -> finishing (end of input: operators
 * finished head first, writers flushed, end of partition sent) -> finished; or failed /
 * cancelled at any point.
 */
import type { RivuletError } from '../../core/errors.ts';
import { asRivuletError } from '../../core/errors.ts';
import type { Clock } from '../../core/time.ts';
import type { JobVertex } from '../../graph/job-graph.ts';
import { END_OF_PARTITION } from '../network/channel-event.ts';
import type { RecordWriter } from '../network/record-writer.ts';
import { OperatorChain } from './operator-chain.ts';
import { SystemProcessingTimeService } from './processing-time-service.ts';
import type { Schedulable, TaskScheduler } from './task-scheduler.ts';

export type TaskState = 'created' | 'running' | 'finishing' | 'finished' | 'failed' | 'cancelled';

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

  constructor(o: StreamTaskOptions) {
    this.vertex = o.vertex;
    this.subtaskIndex = o.subtaskIndex;
    this.writers = [...o.writers.values()];
    this.scheduler = o.scheduler;
    this.events = o.events;
    this.flushEveryRecord = o.bufferTimeout === 0;
    this.timeService = new SystemProcessingTimeService(o.clock, (mail) => this.post(mail));
    this.chain = new OperatorChain({
      vertex: o.vertex,
      subtaskIndex: o.subtaskIndex,
      writers: o.writers,
      processingTimeService: this.timeService,
      clock: o.clock,
      requestSplit: () => this.events.requestSplit(this.vertex.id, this.subtaskIndex),
      autoWatermarkInterval: o.autoWatermarkInterval,
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

  /** Opens the operators and starts processing. */
  async start(now: number): Promise<void> {
    this.startTime = now;
    try {
      await this.chain.open();
      this.state = 'running';
      this.scheduler.schedule(this);
    } catch (e) {
      this.fail(e);
    }
  }

  runSlice(deadline: number): void {
    if (this.state !== 'running') return;
    try {
      if (this.mails.length > 0) {
        const mails = this.mails;
        this.mails = [];
        for (const m of mails) m();
      }
      if (this.state !== 'running') return;
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
          break; // a credit will reschedule us
        case 'end':
          void this.endOfInput();
          break;
      }
    } catch (e) {
      this.fail(e);
    }
  }

  /** Processes input until the deadline, the input is empty, or an output has no credit. */
  protected abstract processInput(deadline: number): InputResult;

  protected outputsAvailable(): boolean {
    const w = this.writers;
    for (let i = 0; i < w.length; i++) if (!w[i]!.isAvailable()) return false;
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
      await this.chain.close();
      this.timeService.shutdown();
      this.state = 'finished';
      this.endTime = Date.now();
      this.events.taskFinished(this.vertex.id, this.subtaskIndex);
    } catch (e) {
      this.fail(e);
    }
  }

  /** Fails the task and reports it; the JobManager side cancels the others. */
  fail(e: unknown): void {
    if (this.state === 'failed' || this.state === 'cancelled') return;
    this.state = 'failed';
    this.timeService.shutdown();
    const err = asRivuletError(e, 'INTERNAL', `Task ${this.name} failed`, { subtask: this.subtaskIndex });
    this.events.taskFailed(this.vertex.id, this.subtaskIndex, err);
  }

  /** Stops the task; operators get close() best-effort. */
  cancel(): void {
    if (this.state === 'finished' || this.state === 'failed' || this.state === 'cancelled') return;
    this.state = 'cancelled';
    this.timeService.shutdown();
    void Promise.resolve()
      .then(() => this.chain.close())
      .catch(() => {});
  }

  /** Per-operator counters of this subtask, in chain order. */
  operatorMetrics(): OperatorChain['members'] {
    return this.chain.members;
  }

  accumulators(): OperatorChain['accumulators'] {
    return this.chain.accumulators;
  }
}
