/**
 * JobControl: what the outside world may do with a job the local mini-cluster runs — the
 * JobMaster operations a Flink client reaches through the REST API: ask its status, take a
 * savepoint, stop it with a savepoint, cancel it. The LocalExecutor creates one per job and
 * announces it to the {@link JobControlListener} (the CLI's REST endpoint); a job keeps its
 * control object across restarts.
 */
import type { RivuletError } from '../../core/errors.ts';

/** Flink's job states, the ones a local job goes through. */
export type JobStatus = 'INITIALIZING' | 'RUNNING' | 'RESTARTING' | 'FINISHED' | 'FAILED' | 'CANCELED';

export interface JobControl {
  /** 32 hex digits, as Flink's JobID; also names the job's checkpoint directory. */
  readonly jobId: string;
  readonly name: string;
  /** Epoch ms. */
  readonly startTime: number;
  status(): JobStatus;
  /**
   * Where a savepoint goes when no target directory is given: `$RIVULET_SAVEPOINTS_DIR`, else
   * `<checkpoint directory>/savepoints` when the job checkpoints to a local directory.
   */
  defaultSavepointDirectory(): string | undefined;
  /**
   * Takes a savepoint into a new directory under `targetDirectory` (default:
   * {@link defaultSavepointDirectory}); with `stop`, the job then stops (its sinks commit what
   * the savepoint covers) and ends as FINISHED.
   * @returns the savepoint's directory.
   * @throws RivuletError: INVALID_ARGUMENT (no target directory, or the job is not running;
   *   the message says what to do), CHECKPOINT_FAILED (naming the CheckpointFailureReason).
   */
  triggerSavepoint(targetDirectory: string | undefined, options: { readonly stop: boolean }): Promise<string>;
  /** Cancels the job; its result rejects with RivuletError(JOB_CANCELED). */
  cancel(): void;
}

/** Hears about the jobs the local mini-cluster runs (the CLI: to expose them over REST). */
export interface JobControlListener {
  onJobStarted(job: JobControl): void;
  onJobEnded(job: JobControl, error: RivuletError | Error | undefined): void;
}

let listener: JobControlListener | undefined;

/**
 * Set by `rivulet run`: every job the LocalExecutor runs from now on is announced to
 * `l`, and can take savepoints even when the program did not enable checkpointing.
 */
export function setJobControlListener(l: JobControlListener | undefined): void {
  listener = l;
}

export function jobControlListener(): JobControlListener | undefined {
  return listener;
}
