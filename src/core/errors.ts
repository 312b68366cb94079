/**
 * Rivulet's errors: one class with a closed set of stable codes and structured context.
 *
 * The code tells a program what happened (and whether retrying can help); the message
 * tells a person what happened, where (file/line, operator uid, subtask) and what to do.
 */

export const ErrorCodes = {
  /** A record could not be parsed or decoded: the context names file/line/column or topic/partition/offset. */
  MALFORMED_RECORD: { canRetry: false },
  /** A user function threw while processing a record or timer. */
  USER_FUNCTION_FAILED: { canRetry: true },
  /** An input file or directory, or a Kafka topic (or a partition's starting offset), does not exist or cannot be read. */
  INPUT_NOT_FOUND: { canRetry: false },
  /**
   * An external system (Kafka brokers) could not be reached after the connector's retries;
   * the message names the addresses tried and the last cause.
   */
  CONNECTION_FAILED: { canRetry: true },
  /** The job could not be built: its module failed to compile, or threw while building its graph. */
  INVALID_JOB: { canRetry: false },
  /** The job graph broke a rule (e.g. a window on a stream without timestamps). */
  INVALID_GRAPH: { canRetry: false },
  /** A record had no usable timestamp where event time was required. */
  INVALID_TIMESTAMP: { canRetry: false },
  /** A worker thread running subtasks died. */
  WORKER_DIED: { canRetry: true },
  /**
   * Checkpoint storage failed: a state blob or checkpoint metadata could not be written, read,
   * listed or deleted, or is missing or corrupt. The context's `file` names the location.
   */
  CHECKPOINT_STORAGE_FAILED: { canRetry: true },
  /**
   * A checkpoint failed (the message says why: a CheckpointFailureReason) and the job
   * tolerates no more failed checkpoints; or a job could not be restored from a checkpoint.
   */
  CHECKPOINT_FAILED: { canRetry: true },
  /**
   * State cannot be used as declared: restored state was written with another serde (or
   * kind, or TTL setting) than its descriptor has now, or one name was registered as two
   * kinds of state. The message names the state, the operator uid and both serdes.
   */
  STATE_INCOMPATIBLE: { canRetry: false },
  /** A command-line argument or configuration value is wrong. */
  INVALID_ARGUMENT: { canRetry: false },
  /** The job was cancelled (`rivulet cancel`, Flink's `flink cancel`): it ended without finishing its input. */
  JOB_CANCELED: { canRetry: false },
  /**
   * An external system a connector writes to or reads from (a Kafka cluster) failed or
   * refused a request; the message names the request and the system's own error.
   */
  EXTERNAL_SYSTEM_FAILED: { canRetry: true },
  /** A bug in Rivulet itself: a state that should be impossible. */
  INTERNAL: { canRetry: false },
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

/** Where an error happened; every field that is known should be filled. */
export interface ErrorContext {
  readonly job?: string;
  readonly operatorUid?: string;
  readonly operatorName?: string;
  readonly subtask?: number;
  readonly file?: string;
  readonly line?: number;
  readonly column?: string;
  /** Kafka: the topic, partition and offset of the record concerned. */
  readonly topic?: string;
  readonly partition?: number;
  readonly offset?: number;
  readonly key?: unknown;
  readonly window?: string;
  readonly checkpointId?: number;
}

export class RivuletError extends Error {
  override readonly name = 'RivuletError';
  readonly code: ErrorCode;
  readonly context: ErrorContext;

  constructor(code: ErrorCode, message: string, context: ErrorContext = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.context = context;
  }

  get canRetry(): boolean {
    return ErrorCodes[this.code].canRetry;
  }

  /** A plain, structured-clone-safe form, for crossing worker threads. */
  toJSON(): SerializedError {
    // The cause does not cross threads; its stack (for a user function failure, the user's
    // source line) travels appended to this one, as Java prints "Caused by:".
    let stack = this.stack ?? '';
    if (this.cause instanceof Error && this.cause.stack !== undefined) stack += `\nCaused by: ${this.cause.stack}`;
    return { code: this.code, message: this.message, context: this.context, stack };
  }

  static fromJSON(e: SerializedError): RivuletError {
    const err = new RivuletError(e.code, e.message, e.context);
    err.stack = e.stack;
    return err;
  }
}

export interface SerializedError {
  code: ErrorCode;
  message: string;
  context: ErrorContext;
  stack: string;
}

/** Wraps anything thrown into a RivuletError, keeping an existing one as it is. */
export function asRivuletError(e: unknown, code: ErrorCode, message: string, context: ErrorContext): RivuletError {
  if (e instanceof RivuletError) return e;
  const detail = e instanceof Error ? e.message : String(e);
  return new RivuletError(code, `${message}: ${detail}`, context, { cause: e });
}

/** Describes the place an operator error happened, e.g. `operator "window-agg" (uid window-agg, subtask 1/2)`. */
export function describeOperator(ctx: ErrorContext, parallelism?: number): string {
  const parts: string[] = [];
  if (ctx.operatorName !== undefined) parts.push(`operator "${ctx.operatorName}"`);
  const inner: string[] = [];
  if (ctx.operatorUid !== undefined) inner.push(`uid ${ctx.operatorUid}`);
  if (ctx.subtask !== undefined) inner.push(`subtask ${ctx.subtask}${parallelism !== undefined ? `/${parallelism}` : ''}`);
  if (inner.length > 0) parts.push(`(${inner.join(', ')})`);
  return parts.join(' ');
}
