/**
 * Hands records to a SinkWriter; flushes at end of input; as Flink's SinkWriterOperator.
 * The writer's checkpoint state (`SinkWriter.snapshotState`) is list state of the operator,
 * handed to `Sink.restoreWriter` on a restore; the writer hears about completed checkpoints
 * (its commit point).
 */
import type { Sink, SinkWriter, SinkWriterContext } from '../../core/sink.ts';
import { asRivuletError } from '../../core/errors.ts';
import type { OperatorSnapshot } from '../checkpoint/operator-snapshot.ts';
import { SINK_WRITER_STATE } from '../checkpoint/operator-snapshot.ts';
import { StreamOperator } from './stream-operator.ts';

export class SinkOperator extends StreamOperator {
  private readonly sink: Sink<unknown>;
  private writer!: SinkWriter<unknown>;

  constructor(sink: Sink<unknown>) {
    super();
    this.sink = sink;
  }

  override open(): void {
    const s = this.setupInfo;
    const context: SinkWriterContext = {
      subtaskIndex: s.subtaskIndex,
      parallelism: s.parallelism,
      operatorUid: s.uid,
      checkpointingEnabled: s.checkpointingEnabled === true,
      ...(s.checkpointIntervalMs !== undefined && Number.isFinite(s.checkpointIntervalMs) ? { checkpointIntervalMs: s.checkpointIntervalMs } : {}),
    };
    const restored = this.restoredState;
    this.writer =
      restored !== undefined && this.sink.restoreWriter !== undefined
        ? this.sink.restoreWriter(context, restored.lists.get(SINK_WRITER_STATE) ?? [])
        : this.sink.createWriter(context);
    this.addCheckpointListener(this.writer);
  }

  override snapshotState(checkpointId: number, timestamp: number): OperatorSnapshot {
    const snapshot = super.snapshotState(checkpointId, timestamp);
    if (this.writer.snapshotState === undefined) return snapshot;
    let state: unknown;
    try {
      state = this.writer.snapshotState(checkpointId);
    } catch (e) {
      throw asRivuletError(e, 'USER_FUNCTION_FAILED', `Sink "${this.setupInfo.name}" (uid ${this.uid}) failed to snapshot its writer`, this.errorContext({ checkpointId }));
    }
    if (state !== undefined) snapshot.lists = { ...snapshot.lists, [SINK_WRITER_STATE]: [state] };
    return snapshot;
  }

  /** The writer's flush after the barrier: the checkpoint is acknowledged once it is durable (see SinkWriter.flush). */
  override snapshotDurable(checkpointId: number): Promise<void> | undefined {
    let flushed: Promise<void> | void;
    try {
      flushed = this.writer.flush(false);
    } catch (e) {
      flushed = Promise.reject(e);
    }
    if (flushed === undefined) return undefined;
    return flushed.catch((e: unknown) => {
      throw asRivuletError(e, 'USER_FUNCTION_FAILED', `Sink "${this.setupInfo.name}" (uid ${this.uid}) failed to flush for checkpoint ${checkpointId}`, this.errorContext({ checkpointId }));
    });
  }

  /** The writer's backpressure (see SinkWriter.isAvailable); the task takes no input while it is not `true`. */
  isAvailable(): true | Promise<void> {
    return this.writer.isAvailable === undefined ? true : this.writer.isAvailable();
  }

  processElement(value: unknown, timestamp: number): void {
    try {
      this.writer.write(value, timestamp);
    } catch (e) {
      throw this.userFunctionError(e, value);
    }
  }

  override async finish(): Promise<void> {
    try {
      await this.writer.flush(true);
    } catch (e) {
      throw asRivuletError(e, 'USER_FUNCTION_FAILED', `Sink "${this.setupInfo.name}" (uid ${this.uid}) failed to flush`, this.errorContext());
    }
  }

  override async close(): Promise<void> {
    await this.writer?.close();
  }
}
