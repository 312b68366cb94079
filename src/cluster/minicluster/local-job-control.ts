/**
 * The JobControl of a job on the local mini-cluster. The LocalExecutor attaches each
 * attempt's coordinators to it as the attempt starts, so a savepoint request always reaches
 * the attempt that runs; between attempts (RESTARTING) requests fail with what to do.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CheckpointStorageSetting } from '../../core/checkpoint.ts';
import { RivuletError } from '../../core/errors.ts';
import type { CheckpointCoordinator } from './checkpoint-coordinator.ts';
import type { JobCoordinator } from './job-coordinator.ts';
import type { JobControl, JobStatus } from './job-control.ts';

export class LocalJobControl implements JobControl {
  readonly jobId: string;
  readonly name: string;
  readonly startTime: number;
  /** The checkpoint storage the program set, if any: the default savepoint directory derives from it. */
  private readonly checkpointStorage: CheckpointStorageSetting | undefined;

  private state: JobStatus = 'INITIALIZING';
  /** The running attempt's coordinators; undefined before the first and between attempts. */
  private attempt: { readonly job: JobCoordinator; readonly checkpoints: CheckpointCoordinator | undefined } | undefined;
  /** A stop-with-savepoint is under way: no second one, and no plain savepoint, meanwhile. */
  private stopping = false;

  constructor(jobId: string, name: string, startTime: number, checkpointStorage: CheckpointStorageSetting | undefined) {
    this.jobId = jobId;
    this.name = name;
    this.startTime = startTime;
    this.checkpointStorage = checkpointStorage;
  }

  /** An attempt's tasks are deployed and running. */
  attach(job: JobCoordinator, checkpoints: CheckpointCoordinator | undefined): void {
    this.attempt = { job, checkpoints };
    if (this.state === 'INITIALIZING' || this.state === 'RESTARTING') this.state = 'RUNNING';
  }

  /** The attempt failed and the restart strategy starts another one. */
  restarting(): void {
    this.attempt = undefined;
    this.state = 'RESTARTING';
  }

  ended(status: Extract<JobStatus, 'FINISHED' | 'FAILED' | 'CANCELED'>): void {
    this.attempt = undefined;
    this.state = status;
  }

  status(): JobStatus {
    return this.state;
  }

  defaultSavepointDirectory(): string | undefined {
    const s = this.checkpointStorage;
    if (typeof s === 'string' && !/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) return join(s, 'savepoints');
    if (typeof s === 'string' && s.startsWith('file://')) return join(fileURLToPath(s), 'savepoints');
    const env = process.env['RIVULET_SAVEPOINTS_DIR'];
    return env !== undefined && env !== '' ? env : undefined;
  }

  async triggerSavepoint(targetDirectory: string | undefined, options: { readonly stop: boolean }): Promise<string> {
    const a = this.attempt;
    const what = options.stop ? 'stop' : 'take a savepoint of';
    if (a === undefined || this.state !== 'RUNNING') {
      throw new RivuletError(
        'INVALID_ARGUMENT',
        `Cannot ${what} job ${this.jobId} ("${this.name}"): it is ${this.state}, not RUNNING. ${this.state === 'RESTARTING' || this.state === 'INITIALIZING' ? 'Try again once it runs (rivulet list shows its state).' : 'Only a running job takes savepoints.'}`,
        { job: this.name },
      );
    }
    if (this.stopping) {
      throw new RivuletError('INVALID_ARGUMENT', `Cannot ${what} job ${this.jobId} ("${this.name}"): it is being stopped with a savepoint already.`, { job: this.name });
    }
    if (a.checkpoints === undefined) {
      throw new RivuletError('INVALID_ARGUMENT', `Job ${this.jobId} ("${this.name}") takes no savepoints: run it with \`rivulet run\`, or enable checkpointing.`, { job: this.name });
    }
    const directory = targetDirectory ?? this.defaultSavepointDirectory();
    if (directory === undefined) {
      throw new RivuletError(
        'INVALID_ARGUMENT',
        `No savepoint directory for job ${this.jobId} ("${this.name}"): give one (\`rivulet savepoint ${this.jobId} <dir>\`, \`rivulet stop --savepoint-path <dir> ${this.jobId}\`), or let the job checkpoint to a directory (getCheckpointConfig().setCheckpointStorage(dir): savepoints then go to <dir>/savepoints), or set RIVULET_SAVEPOINTS_DIR for \`rivulet run\`.`,
        { job: this.name },
      );
    }
    if (options.stop) this.stopping = true;
    try {
      const savepoint = await a.checkpoints.triggerSavepoint(directory);
      if (options.stop) await a.job.stop();
      return savepoint.location;
    } finally {
      this.stopping = false;
    }
  }

  cancel(): void {
    this.attempt?.job.cancel();
  }
}
