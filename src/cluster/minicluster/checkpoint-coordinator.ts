/**
 * CheckpointCoordinator: the JobManager side of checkpoints (DESIGN.md §7), as Flink's,
 * reduced to what one local job needs.
 *
 * The protocol, for checkpoint n:
 * 1. Trigger: the split enumerators' state is taken (synchronously, so every split is either
 *    in it or, by the order of mails, in a reader's snapshot), then every source subtask
 *    gets a trigger; each snapshots its reader and sends barrier n downstream. The barriers
 *    reach every other task, which snapshots when it has them all.
 * 2. Acknowledge: every subtask of the job acknowledges with the handles of the state it
 *    wrote (or declines). A subtask of a finished source still takes part: tasks only end
 *    after the final checkpoint.
 * 3. Complete: once all acknowledged, the metadata is written — last, atomically, through
 *    the CheckpointStorage; only then is n complete. Every task hears
 *    `notifyCheckpointComplete(n)` (sinks commit), checkpoints beyond the retained number are
 *    discarded, and pending older ones are subsumed.
 * A checkpoint is aborted when it times out, a task declines it, or the metadata cannot be
 * written; the reason is one of CheckpointFailureReason, listeners hear it, and failures that
 * count toward `tolerableCheckpointFailureNumber` fail the job once there are too many in a
 * row. Triggers honour the interval, the minimum pause after a completion and the maximum
 * of concurrent checkpoints.
 *
 * Final checkpoint: when every source subtask has reached the end of its input, one more
 * checkpoint is triggered at once; its completion tells the waiting tasks to end, so a
 * bounded job's two-phase-commit sinks commit everything before the job finishes.
 *
 * Savepoints ({@link CheckpointCoordinator.triggerSavepoint}): a checkpoint of kind SAVEPOINT,
 * triggered by the user, that runs the same protocol; on completion its state is copied into
 * a self-contained directory under the user's target directory, metadata last
 * (savepoint-writer.ts), and the copy in the job's checkpoint storage is discarded. A
 * savepoint is never retained, subsumed or discarded by checkpoint retention, does not
 * subsume pending checkpoints, and its failure does not count toward the tolerable
 * checkpoint failures (as Flink). Its completion is notified to the tasks like a
 * checkpoint's, so sinks commit what it covers. Without periodic checkpointing
 * (`periodic: false`) the coordinator only takes savepoints and the final checkpoint.
 *
 * Threading: everything runs on the main thread's event loop; tasks answer through the
 * CheckpointResponder methods (directly in-process, as messages from worker threads).
 */
import type { CheckpointingOptions } from '../../core/checkpoint.ts';
import { CheckpointFailureReason, ExternalizedCheckpointRetention } from '../../core/checkpoint.ts';
import { RivuletError } from '../../core/errors.ts';
import type { JobListener } from '../../core/job.ts';
import type { JobGraph } from '../../graph/job-graph.ts';
import type { CheckpointStorage } from '../../runtime/checkpoint/checkpoint-storage.ts';
import type { CheckpointMetadata, OperatorStateMetadata } from '../../runtime/checkpoint/checkpoint-metadata.ts';
import { encodeCheckpointMetadata } from '../../runtime/checkpoint/checkpoint-metadata.ts';
import type { TaskStateHandles } from '../../runtime/checkpoint/operator-snapshot.ts';
import type { CheckpointResponder } from '../../runtime/checkpoint/task-checkpointing.ts';
import { writeSavepoint } from './savepoint-writer.ts';

/** How the coordinator reaches the tasks (in-process or worker threads). */
export interface CheckpointGateway {
  triggerCheckpoint(vertexId: number, subtask: number, checkpointId: number, timestamp: number): void;
  notifyCheckpointComplete(checkpointId: number, isFinal: boolean): void;
  notifyCheckpointAborted(checkpointId: number): void;
}

/** How a job ended, for the retention of its checkpoints. */
export type JobTermination = 'FINISHED' | 'FAILED' | 'CANCELED';

export interface CheckpointCoordinatorOptions {
  readonly jobName: string;
  readonly jobGraph: JobGraph;
  readonly config: CheckpointingOptions;
  readonly storage: CheckpointStorage;
  readonly listeners: readonly JobListener[];
  /** The split enumerators' state for a checkpoint, by source uid (throws: the trigger fails). */
  readonly snapshotEnumerators: (checkpointId: number) => { uid: string; state: unknown }[];
  /** Fails the job (too many failed checkpoints). */
  readonly failJob: (error: RivuletError) => void;
  /** The checkpoint the job was restored from: new checkpoint ids continue after it. */
  readonly restoredCheckpointId?: number | undefined;
  /** After a restart: the completed checkpoints the previous attempt retained, oldest first. */
  readonly retainedCheckpoints?: readonly CompletedCheckpoint[] | undefined;
  /** The job's id: savepoint directories are named after it. */
  readonly jobId?: string | undefined;
  /**
   * False: the program did not enable checkpointing; only savepoints (and the final
   * checkpoint tasks wait for) are taken. Default true.
   */
  readonly periodic?: boolean | undefined;
}

/** A completed savepoint. */
export interface CompletedSavepoint {
  readonly checkpointId: number;
  /** The savepoint's directory: what `rivulet run --from-savepoint` takes. */
  readonly location: string;
}

/** A savepoint the user is waiting for. */
interface SavepointRequest {
  readonly targetDirectory: string;
  readonly resolve: (s: CompletedSavepoint) => void;
  readonly reject: (e: RivuletError) => void;
}

/** A completed checkpoint this coordinator keeps. */
export interface CompletedCheckpoint {
  readonly checkpointId: number;
  readonly metadataLocation: string;
}

interface PendingCheckpoint {
  readonly checkpointId: number;
  readonly triggerTimestamp: number;
  readonly triggerMonotonic: number;
  readonly isFinal: boolean;
  /** Set for a savepoint: where it goes and who waits for it. */
  readonly savepoint: SavepointRequest | undefined;
  readonly enumerators: { uid: string; state: unknown }[];
  /** `${vertexId}/${subtask}` of the subtasks that have not acknowledged yet. */
  readonly notYetAcknowledged: Set<string>;
  readonly acknowledged: TaskStateHandles[];
  timeout: NodeJS.Timeout | undefined;
  /** All acknowledged; the metadata is being written. */
  finalizing: boolean;
}

export class CheckpointCoordinator implements CheckpointResponder {
  // ---- configuration
  private readonly options: CheckpointCoordinatorOptions;
  private readonly config: CheckpointingOptions;
  private readonly storage: CheckpointStorage;
  /** Every subtask of the job, as `${vertexId}/${subtask}`. */
  private readonly allSubtasks: readonly string[];
  private readonly sourceSubtasks: readonly { vertexId: number; subtask: number }[];

  // ---- state
  private gateway: CheckpointGateway | undefined;
  private nextCheckpointId: number;
  private readonly pending = new Map<number, PendingCheckpoint>();
  /** Retained completed checkpoints, oldest first. */
  private readonly completed: CompletedCheckpoint[] = [];
  private consecutiveFailures = 0;
  private lastTriggerAt = Number.NEGATIVE_INFINITY;
  private lastCompletionAt = Number.NEGATIVE_INFINITY;
  private triggerTimer: NodeJS.Timeout | undefined;
  /** Source subtasks that reached the end of their input. */
  private readonly endedSources = new Set<string>();
  /** Every source ended: the next trigger is the final checkpoint. */
  private finalRequested = false;
  /** The final checkpoint is pending (or completed). */
  private finalTriggered = false;
  private terminated: JobTermination | undefined;
  /** Suspended for a restart (see suspend): shutdown still applies retention. */
  private suspended = false;
  /** Aborted checkpoints: discarded at once, and again at shutdown (tasks may still have been writing). */
  private readonly aborted = new Set<number>();
  /** Metadata writes in flight; shutdown waits for them, so a job's end reports every checkpoint it completed. */
  private readonly finalizations = new Set<Promise<void>>();

  constructor(options: CheckpointCoordinatorOptions) {
    this.options = options;
    this.config = options.config;
    this.storage = options.storage;
    this.nextCheckpointId = (options.restoredCheckpointId ?? 0) + 1;
    if (options.retainedCheckpoints !== undefined) this.completed.push(...options.retainedCheckpoints);
    const all: string[] = [];
    const sources: { vertexId: number; subtask: number }[] = [];
    for (const v of options.jobGraph.vertices) {
      for (let s = 0; s < v.parallelism; s++) {
        all.push(`${v.id}/${s}`);
        if (v.nodes[0]!.operator.kind === 'source') sources.push({ vertexId: v.id, subtask: s });
      }
    }
    this.allSubtasks = all;
    this.sourceSubtasks = sources;
  }

  /** Starts periodic checkpoints through `gateway` (the tasks are deployed). */
  start(gateway: CheckpointGateway): void {
    this.gateway = gateway;
    this.lastTriggerAt = performance.now();
    this.planNextTrigger();
  }

  /** The id of the last checkpoint triggered (or restored): a restarted attempt continues after it. */
  lastCheckpointId(): number {
    return this.nextCheckpointId - 1;
  }

  /**
   * The job restarts (a task failed and the restart strategy allows another attempt):
   * pending checkpoints are aborted and discarded, completed ones stay (the next attempt
   * restores from the newest); waits for metadata writes in flight.
   */
  async suspend(): Promise<void> {
    if (this.terminated !== undefined) return;
    this.terminated = 'FAILED';
    this.suspended = true;
    clearTimeout(this.triggerTimer);
    this.triggerTimer = undefined;
    for (const p of [...this.pending.values()]) {
      if (!p.finalizing) this.abort(p, 'TASK_FAILURE', undefined);
    }
    await Promise.all(this.finalizations);
    for (const id of this.aborted) await this.discard(id);
  }

  /** The retained completed checkpoints, newest first: what a restart restores from. */
  completedCheckpoints(): CompletedCheckpoint[] {
    return [...this.completed].reverse();
  }

  // ---- triggering

  private planNextTrigger(): void {
    if (this.terminated !== undefined || this.gateway === undefined || this.triggerTimer !== undefined || this.finalTriggered) return;
    const now = performance.now();
    let at: number;
    if (this.finalRequested) {
      at = now; // the final checkpoint waits for neither the interval nor other checkpoints
    } else if (this.options.periodic === false) {
      return; // savepoints only
    } else {
      if (this.pending.size >= this.config.maxConcurrentCheckpoints) return; // planned again when one ends
      at = Math.max(this.lastTriggerAt + this.config.interval, this.lastCompletionAt + this.config.minPauseBetweenCheckpoints);
    }
    this.triggerTimer = setTimeout(() => {
      this.triggerTimer = undefined;
      this.triggerCheckpoint();
      this.planNextTrigger();
    }, Math.max(0, at - now));
  }

  /** Starts a checkpoint now. Returns its id, or undefined if none started. */
  triggerCheckpoint(): number | undefined {
    return this.startCheckpoint(undefined);
  }

  /**
   * Takes a savepoint into a new directory under `targetDirectory` (whether or not periodic
   * checkpoints are on).
   * @returns the completed savepoint; rejects with RivuletError(CHECKPOINT_FAILED) whose
   *   message names the CheckpointFailureReason when it fails, or when the job is not running.
   */
  triggerSavepoint(targetDirectory: string): Promise<CompletedSavepoint> {
    return new Promise((resolve, reject) => {
      if (this.gateway === undefined || this.terminated !== undefined) {
        reject(new RivuletError('CHECKPOINT_FAILED', `Cannot take a savepoint of job "${this.options.jobName}": it is not running.`, { job: this.options.jobName }));
        return;
      }
      this.startCheckpoint({ targetDirectory, resolve, reject });
    });
  }

  private startCheckpoint(savepoint: SavepointRequest | undefined): number | undefined {
    const gateway = this.gateway;
    if (gateway === undefined || this.terminated !== undefined) return undefined;
    const checkpointId = this.nextCheckpointId++;
    const isFinal = savepoint === undefined && this.finalRequested;
    if (isFinal) this.finalTriggered = true;
    if (savepoint === undefined) this.lastTriggerAt = performance.now();
    let enumerators: { uid: string; state: unknown }[];
    try {
      enumerators = this.options.snapshotEnumerators(checkpointId);
    } catch (e) {
      if (isFinal) this.finalTriggered = false;
      this.reportFailure(checkpointId, 'TRIGGER_CHECKPOINT_FAILURE', e, savepoint);
      return undefined;
    }
    const p: PendingCheckpoint = {
      checkpointId,
      triggerTimestamp: Date.now(),
      triggerMonotonic: performance.now(),
      isFinal,
      savepoint,
      enumerators,
      notYetAcknowledged: new Set(this.allSubtasks),
      acknowledged: [],
      timeout: undefined,
      finalizing: false,
    };
    p.timeout = setTimeout(() => this.abort(p, 'CHECKPOINT_EXPIRED', undefined), this.config.timeout);
    this.pending.set(checkpointId, p);
    for (const { vertexId, subtask } of this.sourceSubtasks) gateway.triggerCheckpoint(vertexId, subtask, checkpointId, p.triggerTimestamp);
    return checkpointId;
  }

  // ---- CheckpointResponder: what tasks report

  acknowledgeCheckpoint(vertexId: number, subtask: number, checkpointId: number, state: TaskStateHandles): void {
    const p = this.pending.get(checkpointId);
    if (p === undefined || p.finalizing || !p.notYetAcknowledged.delete(`${vertexId}/${subtask}`)) return;
    p.acknowledged.push(state);
    if (p.notYetAcknowledged.size === 0) {
      const f = this.finalize(p);
      this.finalizations.add(f);
      void f.finally(() => this.finalizations.delete(f));
    }
  }

  declineCheckpoint(_vertexId: number, _subtask: number, checkpointId: number, reason: CheckpointFailureReason, error: RivuletError): void {
    const p = this.pending.get(checkpointId);
    if (p === undefined || p.finalizing) return;
    this.abort(p, reason, error);
  }

  reportEndOfInput(vertexId: number, subtask: number): void {
    if (!this.sourceSubtasks.some((s) => s.vertexId === vertexId && s.subtask === subtask)) return;
    this.endedSources.add(`${vertexId}/${subtask}`);
    if (this.endedSources.size < this.sourceSubtasks.length || this.finalRequested) return;
    this.finalRequested = true;
    clearTimeout(this.triggerTimer);
    this.triggerTimer = undefined;
    this.planNextTrigger();
  }

  // ---- completing and aborting

  private async finalize(p: PendingCheckpoint): Promise<void> {
    p.finalizing = true;
    clearTimeout(p.timeout);
    if (p.savepoint !== undefined) return this.finalizeSavepoint(p, p.savepoint);
    const metadata = this.metadataOf(p);
    let metadataLocation: string;
    try {
      metadataLocation = await this.storage.writeMetadata(p.checkpointId, encodeCheckpointMetadata(metadata));
    } catch (e) {
      this.abort(p, 'FINALIZE_CHECKPOINT_FAILURE', e);
      return;
    }
    this.pending.delete(p.checkpointId);
    const newest = this.completed.at(-1);
    if (newest !== undefined && newest.checkpointId > p.checkpointId) {
      await this.discard(p.checkpointId); // a newer checkpoint completed first
      return;
    }
    // Complete, also when the job ended while the metadata was written: shutdown applies
    // the retention policy to it like to the others.
    this.completed.push({ checkpointId: p.checkpointId, metadataLocation });
    this.consecutiveFailures = 0;
    this.lastCompletionAt = performance.now();
    for (const older of [...this.pending.values()]) if (older.checkpointId < p.checkpointId && !older.finalizing) this.abort(older, 'CHECKPOINT_SUBSUMED', undefined);
    const subsumed = this.completed.splice(0, Math.max(0, this.completed.length - this.config.numRetainedCheckpoints));
    let stateSize = 0;
    for (const a of p.acknowledged) for (const o of a.operators) stateSize += o.handle.bytes;
    for (const l of this.options.listeners) {
      l.onCheckpointCompleted?.({
        checkpointId: p.checkpointId,
        metadataLocation,
        triggerTimestamp: p.triggerTimestamp,
        durationMs: performance.now() - p.triggerMonotonic,
        stateSize,
        isFinal: p.isFinal,
      });
    }
    if (this.terminated === undefined) {
      this.gateway?.notifyCheckpointComplete(p.checkpointId, p.isFinal);
      this.planNextTrigger();
    }
    for (const c of subsumed) await this.discard(c.checkpointId);
  }

  /** Copies the savepoint out of the job's checkpoint storage (metadata last), then notifies the tasks. */
  private async finalizeSavepoint(p: PendingCheckpoint, savepoint: SavepointRequest): Promise<void> {
    let location: string;
    try {
      location = await writeSavepoint(this.storage, this.metadataOf(p), savepoint.targetDirectory, this.options.jobId ?? 'local');
    } catch (e) {
      this.abort(p, 'FINALIZE_CHECKPOINT_FAILURE', e);
      return;
    }
    this.pending.delete(p.checkpointId);
    if (this.terminated === undefined) {
      this.gateway?.notifyCheckpointComplete(p.checkpointId, false);
      this.planNextTrigger();
    }
    savepoint.resolve({ checkpointId: p.checkpointId, location });
    await this.discard(p.checkpointId); // the savepoint has its own copy
  }

  private metadataOf(p: PendingCheckpoint): CheckpointMetadata {
    const byUid = new Map<string, OperatorStateMetadata['subtasks'][number][]>();
    for (const a of p.acknowledged) {
      for (const { uid, ...handle } of a.operators) {
        const list = byUid.get(uid);
        if (list === undefined) byUid.set(uid, [handle]);
        else list.push(handle);
      }
    }
    const operators: OperatorStateMetadata[] = [];
    for (const v of this.options.jobGraph.vertices) {
      for (const node of v.nodes) {
        const subtasks = (byUid.get(node.uid!) ?? []).sort((a, b) => a.subtask - b.subtask);
        operators.push({ uid: node.uid!, name: node.name, parallelism: v.parallelism, maxParallelism: v.maxParallelism, subtasks });
      }
    }
    return {
      version: 1,
      checkpointId: p.checkpointId,
      triggerTimestamp: p.triggerTimestamp,
      jobName: this.options.jobName,
      isFinal: p.isFinal,
      operators,
      enumerators: p.enumerators,
    };
  }

  private abort(p: PendingCheckpoint, reason: CheckpointFailureReason, cause: unknown): void {
    if (this.pending.get(p.checkpointId) !== p) return;
    this.pending.delete(p.checkpointId);
    clearTimeout(p.timeout);
    if (p.isFinal) this.finalTriggered = false; // triggered again: the job cannot end without it
    this.aborted.add(p.checkpointId);
    void this.discard(p.checkpointId);
    if (this.terminated === undefined) this.gateway?.notifyCheckpointAborted(p.checkpointId);
    this.reportFailure(p.checkpointId, reason, cause, p.savepoint);
    this.planNextTrigger();
  }

  private reportFailure(checkpointId: number, reason: CheckpointFailureReason, cause: unknown, savepoint?: SavepointRequest): void {
    const r = CheckpointFailureReason[reason];
    const detail = cause === undefined ? '' : ` ${cause instanceof Error ? cause.message : String(cause)}`;
    const message = `${r.message}${detail}`;
    if (savepoint !== undefined) {
      // A failed savepoint fails only its request, never the job.
      savepoint.reject(
        new RivuletError(
          'CHECKPOINT_FAILED',
          `Savepoint ${checkpointId} of job "${this.options.jobName}" failed (${reason}): ${message}`,
          { job: this.options.jobName, checkpointId },
          { cause },
        ),
      );
      for (const l of this.options.listeners) l.onCheckpointFailed?.({ checkpointId, reason, message, consecutiveFailures: this.consecutiveFailures });
      return;
    }
    if (r.countsAsFailure) this.consecutiveFailures++;
    for (const l of this.options.listeners) l.onCheckpointFailed?.({ checkpointId, reason, message, consecutiveFailures: this.consecutiveFailures });
    const tolerable = this.config.tolerableCheckpointFailureNumber;
    if (r.countsAsFailure && this.terminated === undefined && this.consecutiveFailures > tolerable) {
      this.options.failJob(
        new RivuletError(
          'CHECKPOINT_FAILED',
          `Checkpoint ${checkpointId} of job "${this.options.jobName}" failed (${reason}): ${message} The job tolerates ${tolerable} failed checkpoint${tolerable === 1 ? '' : 's'} in a row (setTolerableCheckpointFailureNumber); this was failure ${this.consecutiveFailures}.`,
          { job: this.options.jobName, checkpointId },
          { cause },
        ),
      );
    }
  }

  // ---- shutdown and retention

  /**
   * The job ended: pending checkpoints are aborted, and completed ones are discarded or kept
   * as the retention policy says for how it ended (a finished job keeps none).
   */
  async shutdown(termination: JobTermination): Promise<void> {
    // After suspend(): the job failed for good; retention still applies.
    if (this.terminated !== undefined && !this.suspended) return;
    this.suspended = false;
    this.terminated = termination;
    clearTimeout(this.triggerTimer);
    this.triggerTimer = undefined;
    for (const p of [...this.pending.values()]) {
      if (!p.finalizing) this.abort(p, termination === 'FAILED' ? 'TASK_FAILURE' : 'CHECKPOINT_COORDINATOR_SHUTDOWN', undefined);
    }
    await Promise.all(this.finalizations);
    for (const id of this.aborted) await this.discard(id);
    if (this.discardsOn(termination)) {
      for (const c of this.completed.splice(0)) await this.discard(c.checkpointId);
    }
  }

  private discardsOn(termination: JobTermination): boolean {
    const retention = this.config.externalizedCheckpointRetention;
    switch (termination) {
      case 'FINISHED':
        return true;
      case 'FAILED':
        return retention === ExternalizedCheckpointRetention.NO_EXTERNALIZED_CHECKPOINTS;
      case 'CANCELED':
        return retention !== ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION;
    }
  }

  /** Deletes a checkpoint's files; best effort (a leftover directory is only disk space). */
  private async discard(checkpointId: number): Promise<void> {
    try {
      await this.storage.discard(checkpointId);
    } catch {
      // nothing depends on it being gone
    }
  }
}
