/**
 * The Sink contract (DESIGN.md §8). A {@link Sink} is a factory; each sink subtask gets a
 * {@link SinkWriter}. Writes are synchronous and may buffer; `flush` and `close` may be
 * asynchronous and are awaited by the task between batches. A writer that buffers bounds
 * its memory with `isAvailable` (backpressure, as output credit does for the network).
 *
 * Checkpoints (two-phase commit, as Flink's stateful, committing sink writers): at the
 * barrier of checkpoint n the task calls `snapshotState(n)` — the writer prepares what it
 * wrote since the last checkpoint for commit (e.g. closes an in-progress file) and returns
 * its state, committables included, to store in checkpoint n; once checkpoint n is
 * complete, `notifyCheckpointComplete(n)` commits. After a failure the job restarts from the
 * last completed checkpoint and the writer is built by `restoreWriter` with the states
 * stored in it, so it can commit (idempotently) what that checkpoint prepared.
 */
import type { CheckpointListener } from './checkpoint.ts';

export interface SinkWriterContext {
  readonly subtaskIndex: number;
  readonly parallelism: number;
  /** The uid of the sink operator, for error messages and file names. */
  readonly operatorUid: string;
  /**
   * Checkpoints are taken: a two-phase-commit writer commits on `notifyCheckpointComplete`
   * (the final checkpoint after the end of input included) instead of at the end of input.
   */
  readonly checkpointingEnabled?: boolean;
  /**
   * The interval of periodic checkpoints (ms), when the job takes them: a writer whose
   * pending work must outlive a checkpoint (a Kafka transaction) can check its timeouts.
   */
  readonly checkpointIntervalMs?: number;
}

export interface SinkWriter<T> extends CheckpointListener {
  /** @param timestamp the record's event timestamp (epoch ms) or NO_TIMESTAMP. */
  write(value: T, timestamp: number): void;
  /**
   * Backpressure: `true` while the writer takes more records; otherwise a promise that
   * resolves when it may again (as a source reader's `isAvailable`). The task checks it
   * between batches (so up to one batch more is written after it turned unavailable) and
   * takes no input while it is not; mails — checkpoint triggers, timers, notifications —
   * still run, and `snapshotState` and `flush` may be called meanwhile. The writer must
   * become available on its own (e.g. as acknowledgements arrive), not only by a flush:
   * a barrier behind the records the task stopped taking reaches it only afterwards.
   * A rejected promise fails the task. Omitted: always available.
   */
  isAvailable?(): true | Promise<void>;
  /**
   * Makes everything written so far durable; `endOfInput` is true after the last record.
   * With checkpointing, also called with `false` right after every `snapshotState(n)`
   * (before any later record, as Flink flushes sink writers before the barrier): the task
   * acknowledges checkpoint n only once it settled, and declines n if it rejects. Records
   * after the barrier are written meanwhile.
   */
  flush(endOfInput: boolean): Promise<void> | void;
  /**
   * The writer's state for checkpoint `checkpointId` (plain data: msgpack-serializable),
   * taken at the barrier, after every record before it was written. Undefined: no state.
   */
  snapshotState?(checkpointId: number): unknown;
  close(): Promise<void> | void;
}

export interface Sink<T> {
  createWriter(context: SinkWriterContext): SinkWriter<T>;
  /**
   * A writer restored from a checkpoint with the states writers returned from
   * `snapshotState` (those of the same subtask index; spread over the subtasks when the
   * parallelism changed). Without it, a restored sink gets `createWriter` and loses them.
   */
  restoreWriter?(context: SinkWriterContext, recoveredState: readonly unknown[]): SinkWriter<T>;
  toString(): string;
}
