/**
 * The Sink contract (DESIGN.md §8). A {@link Sink} is a factory; each sink subtask gets a
 * {@link SinkWriter}. Writes are synchronous and may buffer; `flush` and `close` may be
 * asynchronous and are awaited by the task between batches. Two-phase commit
 * (`prepareCommit` / committer) arrives with checkpoints (issue #4).
 */
export interface SinkWriterContext {
  readonly subtaskIndex: number;
  readonly parallelism: number;
  /** The uid of the sink operator, for error messages and file names. */
  readonly operatorUid: string;
}

export interface SinkWriter<T> {
  /** @param timestamp the record's event timestamp (epoch ms) or NO_TIMESTAMP. */
  write(value: T, timestamp: number): void;
  /** Makes everything written so far durable; `endOfInput` is true after the last record. */
  flush(endOfInput: boolean): Promise<void> | void;
  close(): Promise<void> | void;
}

export interface Sink<T> {
  createWriter(context: SinkWriterContext): SinkWriter<T>;
  toString(): string;
}
