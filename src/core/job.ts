/**
 * What a running job reports: per-operator metrics snapshots (for the CLI's progress line
 * and summary, later the REST API), checkpoint statistics and the final JobExecutionResult.
 */
import type { CheckpointFailureReason } from './checkpoint.ts';

/** Metrics of one operator summed over its subtasks. Times are epoch ms. */
export interface OperatorMetrics {
  readonly uid: string;
  readonly name: string;
  /** The JobVertex (task) the operator is chained into. */
  readonly vertexId: number;
  readonly parallelism: number;
  readonly recordsIn: number;
  readonly recordsOut: number;
  /** Records dropped because they arrived after their window closed (window operators). */
  readonly lateRecordsDropped: number;
  /** Rows diverted to a side output because they could not be parsed (sources). */
  readonly malformedRecords: number;
  /** Bytes read of `bytesTotal` (sources that know their size). */
  readonly bytesRead: number;
  readonly bytesTotal: number | undefined;
  /** Subtasks that have finished. */
  readonly finishedSubtasks: number;
  readonly startTime: number;
  /** When the last subtask finished; undefined while running. */
  readonly endTime: number | undefined;
}

export interface JobMetricsSnapshot {
  readonly jobName: string;
  readonly startTime: number;
  readonly now: number;
  /** In topological order, sources first. */
  readonly operators: readonly OperatorMetrics[];
}

/** A checkpoint that completed: its metadata is written (see CheckpointStorage). */
export interface CompletedCheckpointStats {
  readonly checkpointId: number;
  /** Where its metadata is: what a later run restores from. */
  readonly metadataLocation: string;
  /** When the coordinator triggered it (epoch ms). */
  readonly triggerTimestamp: number;
  /** From the trigger to the metadata written (ms). */
  readonly durationMs: number;
  /** Bytes of state written by all tasks. */
  readonly stateSize: number;
  /** The checkpoint taken after every source reached the end of its input. */
  readonly isFinal: boolean;
}

/** A checkpoint that failed, and why (a CheckpointFailureReason). */
export interface FailedCheckpointStats {
  readonly checkpointId: number;
  readonly reason: CheckpointFailureReason;
  /** The reason's message and what caused it, e.g. the storage error naming the file. */
  readonly message: string;
  /** Consecutive failures that count toward the tolerable number, this one included. */
  readonly consecutiveFailures: number;
}

/** The checkpoint a job was restored from. */
export interface RestoredCheckpointStats {
  readonly checkpointId: number;
  readonly metadataLocation: string;
  /** Newer retained checkpoints that could not be read (corrupt or missing files), newest first. */
  readonly skipped: readonly { readonly metadataLocation: string; readonly message: string }[];
}

/** Observes a job while it runs; as Flink's JobListener, plus progress and checkpoint statistics. */
export interface JobListener {
  onJobSubmitted?(jobName: string, plan: string): void;
  /** Called about twice a second while the job runs, and once at the end. */
  onProgress?(snapshot: JobMetricsSnapshot): void;
  onJobExecuted?(result: JobExecutionResult | undefined, error: Error | undefined): void;
  onCheckpointCompleted?(stats: CompletedCheckpointStats): void;
  onCheckpointFailed?(stats: FailedCheckpointStats): void;
  /** The job starts from a checkpoint (before any task runs). */
  onJobRestored?(stats: RestoredCheckpointStats): void;
  /**
   * A task failed and the restart strategy restarts the job after `delayMs`, from the newest
   * completed checkpoint (`checkpointId`; undefined: from scratch). `restarts` counts this one.
   */
  onJobRestarting?(info: { readonly restarts: number; readonly delayMs: number; readonly checkpointId: number | undefined; readonly error: Error }): void;
}

/** The result of a finished job; as Flink's `JobExecutionResult`. */
export class JobExecutionResult {
  readonly jobName: string;
  /** Wall time from submission to the end of the last task, in ms. */
  private readonly netRuntimeMs: number;
  private readonly accumulators: ReadonlyMap<string, number>;
  readonly metrics: JobMetricsSnapshot;

  /** Times the job was restarted after a task failure (restart strategy). */
  private readonly restarts: number;

  constructor(jobName: string, netRuntimeMs: number, accumulators: ReadonlyMap<string, number>, metrics: JobMetricsSnapshot, restarts = 0) {
    this.jobName = jobName;
    this.netRuntimeMs = netRuntimeMs;
    this.accumulators = accumulators;
    this.metrics = metrics;
    this.restarts = restarts;
  }

  /** @returns how many times the job was restarted after a failure (0: it ran through). */
  getRestarts(): number {
    return this.restarts;
  }

  /** @returns the job's run time in milliseconds. */
  getNetRuntime(): number {
    return this.netRuntimeMs;
  }

  /** The value of a counter (RuntimeContext.getCounter) summed over all subtasks, or undefined if none was made. */
  getAccumulatorResult(name: string): number | undefined {
    return this.accumulators.get(name);
  }

  getAllAccumulatorResults(): ReadonlyMap<string, number> {
    return this.accumulators;
  }
}
