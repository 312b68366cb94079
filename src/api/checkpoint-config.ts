/**
 * CheckpointConfig: how a job checkpoints; as Flink's. Obtained from
 * `env.getCheckpointConfig()`; `env.enableCheckpointing(interval, mode)` turns checkpointing
 * on. Plain settings: the graph carries them to the JobManager side's CheckpointCoordinator.
 */
import {
  CheckpointingMode,
  DEFAULT_CHECKPOINT_TIMEOUT_MS,
  ExternalizedCheckpointRetention,
} from '../core/checkpoint.ts';
import type { CheckpointStorageSetting, CheckpointingOptions } from '../core/checkpoint.ts';
import type { CheckpointStorage } from '../core/checkpoint-storage.ts';

function check(ok: boolean, message: string): void {
  if (!ok) throw new RangeError(message);
}

export class CheckpointConfig {
  private interval = -1;
  private mode: CheckpointingMode = CheckpointingMode.EXACTLY_ONCE;
  private timeout = DEFAULT_CHECKPOINT_TIMEOUT_MS;
  private minPause = 0;
  private maxConcurrent = 1;
  private tolerableFailures = 0;
  private retention: ExternalizedCheckpointRetention = ExternalizedCheckpointRetention.NO_EXTERNALIZED_CHECKPOINTS;
  private numRetained = 1;
  private storage: CheckpointStorageSetting | undefined;

  /** True once an interval is set (`env.enableCheckpointing`). */
  isCheckpointingEnabled(): boolean {
    return this.interval > 0;
  }

  /** @throws RangeError for an interval below 10 ms (as Flink's minimum). */
  setCheckpointInterval(ms: number): this {
    check(Number.isFinite(ms) && ms >= 10, `Checkpoint interval must be at least 10 ms, got ${ms}`);
    this.interval = ms;
    return this;
  }

  getCheckpointInterval(): number {
    return this.interval;
  }

  setCheckpointingConsistencyMode(mode: CheckpointingMode): this {
    check(mode === CheckpointingMode.EXACTLY_ONCE || mode === CheckpointingMode.AT_LEAST_ONCE, `Unknown checkpointing mode ${String(mode)}`);
    this.mode = mode;
    return this;
  }

  getCheckpointingConsistencyMode(): CheckpointingMode {
    return this.mode;
  }

  /** A checkpoint not complete after `ms` is aborted (CHECKPOINT_EXPIRED). Default 10 minutes. */
  setCheckpointTimeout(ms: number): this {
    check(Number.isFinite(ms) && ms >= 1, `Checkpoint timeout must be at least 1 ms, got ${ms}`);
    this.timeout = ms;
    return this;
  }

  getCheckpointTimeout(): number {
    return this.timeout;
  }

  /** Least time between the end of one checkpoint and the start of the next. Default 0. */
  setMinPauseBetweenCheckpoints(ms: number): this {
    check(Number.isFinite(ms) && ms >= 0, `Minimum pause between checkpoints must be >= 0 ms, got ${ms}`);
    this.minPause = ms;
    return this;
  }

  getMinPauseBetweenCheckpoints(): number {
    return this.minPause;
  }

  /** Checkpoints that may be in progress at once. Default 1. */
  setMaxConcurrentCheckpoints(n: number): this {
    check(Number.isInteger(n) && n >= 1, `Max concurrent checkpoints must be an integer >= 1, got ${n}`);
    this.maxConcurrent = n;
    return this;
  }

  getMaxConcurrentCheckpoints(): number {
    return this.maxConcurrent;
  }

  /** Consecutive failed checkpoints the job tolerates; one more fails it. Default 0. */
  setTolerableCheckpointFailureNumber(n: number): this {
    check(Number.isInteger(n) && n >= 0, `Tolerable checkpoint failure number must be an integer >= 0, got ${n}`);
    this.tolerableFailures = n;
    return this;
  }

  getTolerableCheckpointFailureNumber(): number {
    return this.tolerableFailures;
  }

  /** What happens to completed checkpoints when the job fails or is cancelled. Default: deleted. */
  setExternalizedCheckpointRetention(retention: ExternalizedCheckpointRetention): this {
    check(Object.values(ExternalizedCheckpointRetention).includes(retention), `Unknown checkpoint retention ${String(retention)}`);
    this.retention = retention;
    return this;
  }

  getExternalizedCheckpointRetention(): ExternalizedCheckpointRetention {
    return this.retention;
  }

  /** Completed checkpoints kept (older ones are deleted); as Flink's `state.checkpoints.num-retained`. Default 1. */
  setNumRetainedCheckpoints(n: number): this {
    check(Number.isInteger(n) && n >= 1, `Retained checkpoints must be an integer >= 1, got ${n}`);
    this.numRetained = n;
    return this;
  }

  getNumRetainedCheckpoints(): number {
    return this.numRetained;
  }

  /**
   * Where checkpoints go: a directory (`/data/checkpoints`, `file:///...`) or `s3://bucket/prefix`
   * — the job's checkpoints then go to `<location>/<job id>/chk-<n>` — or a CheckpointStorage
   * object, used as it is. Default: the executor's checkpoint directory
   * (`$RIVULET_CHECKPOINTS_DIR`, else `<os tmpdir>/rivulet-checkpoints`).
   */
  setCheckpointStorage(storage: string | CheckpointStorage): this {
    check(typeof storage !== 'string' || storage.length > 0, 'Checkpoint storage location must not be empty');
    this.storage = storage;
    return this;
  }

  getCheckpointStorage(): CheckpointStorageSetting | undefined {
    return this.storage;
  }

  /** @internal the settings the graph carries; undefined when checkpointing is off. */
  toOptions(): CheckpointingOptions | undefined {
    if (!this.isCheckpointingEnabled()) return undefined;
    return {
      interval: this.interval,
      mode: this.mode,
      timeout: this.timeout,
      minPauseBetweenCheckpoints: this.minPause,
      maxConcurrentCheckpoints: this.maxConcurrent,
      tolerableCheckpointFailureNumber: this.tolerableFailures,
      externalizedCheckpointRetention: this.retention,
      numRetainedCheckpoints: this.numRetained,
      storage: this.storage,
    };
  }
}
