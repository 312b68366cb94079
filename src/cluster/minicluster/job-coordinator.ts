/**
 * JobCoordinator: the JobManager side of one job in the local mini-cluster (a reduced
 * Flink JobMaster). It runs the source SplitEnumerators, routes split requests and
 * assignments, tracks which subtasks finished, aggregates metrics for progress and the
 * result, and fails the whole job on the first task failure (restart strategies come with
 * checkpoints, issue #4). With checkpointing on, it owns the job's CheckpointCoordinator:
 * the enumerators' state goes into every checkpoint, and a job restored from a checkpoint
 * gets its enumerators back from it (`Source.restoreEnumerator`).
 *
 * It talks to tasks only through a {@link TaskGateway}, so the same coordinator drives
 * tasks on the main thread or in worker threads.
 */
import { RivuletError } from '../../core/errors.ts';
import type { JobListener, JobMetricsSnapshot, OperatorMetrics } from '../../core/job.ts';
import { JobExecutionResult } from '../../core/job.ts';
import type { SourceSplit, SplitEnumerator } from '../../core/source.ts';
import type { ExecutionGraph } from '../../graph/execution-graph.ts';
import type { SubtaskMetrics } from '../../runtime/task/task-executor.ts';
import type { TaskEvents } from '../../runtime/task/stream-task.ts';
import type { CheckpointCoordinator, CheckpointGateway } from './checkpoint-coordinator.ts';

export interface TaskGateway extends CheckpointGateway {
  addSplits(vertexId: number, subtask: number, splits: SourceSplit[]): void;
  noMoreSplits(vertexId: number, subtask: number): void;
  /** Latest known metrics of every subtask. */
  metrics(): SubtaskMetrics[];
  cancel(): void;
  /** Stop-with-savepoint: every task stops once the checkpoint notifications sent so far have run. */
  stop(): Promise<void>;
}

const PROGRESS_INTERVAL_MS = 500;

export class JobCoordinator implements TaskEvents {
  private readonly eg: ExecutionGraph;
  private readonly jobName: string;
  private readonly listeners: readonly JobListener[];
  private readonly enumerators = new Map<number, SplitEnumerator<SourceSplit>>();
  private gateway: TaskGateway | undefined;
  private checkpointCoordinator: CheckpointCoordinator | undefined;
  private readonly remaining = new Set<string>();
  private startTime = Date.now();
  /** For the net runtime: monotonic and sub-millisecond, so a quick job does not report 0 ms. */
  private startMonotonic = performance.now();
  /** Set by the executor for a restarted attempt: failures are left to it (see {@link asAttempt}). */
  private restartable = false;
  private restarts = 0;
  private progressTimer: NodeJS.Timeout | undefined;
  private done = false;
  private resolveResult!: (r: JobExecutionResult) => void;
  private rejectResult!: (e: Error) => void;
  /** Settles when the job finishes or fails. */
  readonly result: Promise<JobExecutionResult>;

  constructor(eg: ExecutionGraph, jobName: string, listeners: readonly JobListener[]) {
    this.eg = eg;
    this.jobName = jobName;
    this.listeners = listeners;
    this.result = new Promise((res, rej) => {
      this.resolveResult = res;
      this.rejectResult = rej;
    });
    for (const v of eg.jobGraph.vertices) for (let s = 0; s < v.parallelism; s++) this.remaining.add(`${v.id}/${s}`);
  }

  /**
   * This coordinator runs one attempt of a job the executor may restart: a failure cancels
   * the tasks and rejects `result`, but neither shuts the checkpoints down nor tells the
   * listeners — the executor does either ({@link reportFailure}) or restarts. The result of
   * a finishing attempt counts from the job's start and reports `restarts`.
   */
  asAttempt(restarts: number, startTime: number, startMonotonic: number): void {
    this.restartable = true;
    this.restarts = restarts;
    this.startTime = startTime;
    this.startMonotonic = startMonotonic;
  }

  /** The job fails for good after a failed attempt: checkpoints shut down, listeners hear it. */
  async reportFailure(err: Error): Promise<void> {
    await (this.checkpointCoordinator?.shutdown('FAILED') ?? Promise.resolve());
    for (const l of this.listeners) l.onJobExecuted?.(undefined, err);
  }

  /** The job checkpoints: `coordinator` runs its checkpoints once the tasks are attached. */
  setCheckpointCoordinator(coordinator: CheckpointCoordinator): void {
    this.checkpointCoordinator = coordinator;
  }

  /**
   * Creates and starts the enumerators of all sources (e.g. lists input files); on a
   * restore, from their checkpointed state (by source uid).
   * @throws what an enumerator throws, e.g. RivuletError(INPUT_NOT_FOUND).
   */
  async startEnumerators(restored: ReadonlyMap<string, unknown> = new Map()): Promise<void> {
    for (const v of this.eg.jobGraph.vertices) {
      const head = v.nodes[0]!;
      if (head.operator.kind !== 'source') continue;
      const vertexId = v.id;
      const source = head.operator.source;
      const context = {
        currentParallelism: () => v.parallelism,
        assignSplit: (split: SourceSplit, subtask: number) => this.gateway?.addSplits(vertexId, subtask, [split]),
        signalNoMoreSplits: (subtask: number) => this.gateway?.noMoreSplits(vertexId, subtask),
      };
      const state = restored.get(head.uid!);
      const enumerator =
        state !== undefined && source.restoreEnumerator !== undefined ? source.restoreEnumerator(context, state) : source.createEnumerator(context);
      this.enumerators.set(vertexId, enumerator);
      try {
        await enumerator.start();
      } catch (e) {
        if (e instanceof RivuletError) {
          throw new RivuletError(e.code, e.message, { ...e.context, operatorUid: head.uid!, operatorName: head.name }, { cause: e });
        }
        throw e;
      }
    }
  }

  /** The enumerators' part of a checkpoint, by source uid (those without state are left out). */
  snapshotEnumerators(checkpointId: number): { uid: string; state: unknown }[] {
    const states: { uid: string; state: unknown }[] = [];
    for (const v of this.eg.jobGraph.vertices) {
      const enumerator = this.enumerators.get(v.id);
      if (enumerator?.snapshotState === undefined) continue;
      const state = enumerator.snapshotState(checkpointId);
      if (state !== undefined) states.push({ uid: v.nodes[0]!.uid!, state });
    }
    return states;
  }

  /** Attaches the deployed tasks, starts progress reporting and checkpoints. */
  attach(gateway: TaskGateway): void {
    this.gateway = gateway;
    this.progressTimer = setInterval(() => this.reportProgress(), PROGRESS_INTERVAL_MS);
    this.progressTimer.unref();
    this.checkpointCoordinator?.start(gateway);
  }

  requestSplit(vertexId: number, subtask: number): void {
    if (this.done) return;
    try {
      this.enumerators.get(vertexId)?.handleSplitRequest(subtask);
    } catch (e) {
      this.fail(e);
    }
  }

  taskFinished(vertexId: number, subtask: number): void {
    this.remaining.delete(`${vertexId}/${subtask}`);
    if (this.remaining.size === 0 && !this.done) void this.finish();
  }

  taskFailed(_vertexId: number, _subtask: number, error: RivuletError): void {
    this.fail(error);
  }

  /**
   * Stop-with-savepoint, after the savepoint completed and its notification went out: every
   * task stops once it has run that notification (sinks commit what the savepoint covers),
   * and the job ends as FINISHED. False when the job had already ended.
   */
  async stop(): Promise<boolean> {
    if (this.done) return false;
    this.done = true;
    this.stopTimers();
    await this.gateway?.stop();
    await this.finish();
    return true;
  }

  /**
   * Cancels the job (`rivulet cancel`): every task stops, checkpoints are kept or discarded
   * as the retention policy says for a cancelled job, and the result rejects with
   * RivuletError(JOB_CANCELED). Never restarted.
   */
  cancel(): void {
    if (this.done) return;
    this.done = true;
    this.stopTimers();
    this.gateway?.cancel();
    void this.closeEnumerators();
    const err = new RivuletError('JOB_CANCELED', `Job "${this.jobName}" was cancelled.`, { job: this.jobName });
    void (this.checkpointCoordinator?.shutdown('CANCELED') ?? Promise.resolve()).then(() => {
      for (const l of this.listeners) l.onJobExecuted?.(undefined, err);
      this.rejectResult(err);
    });
  }

  /** Fails the job: cancels every task and rejects the result. */
  fail(e: unknown): void {
    if (this.done) return;
    this.done = true;
    this.stopTimers();
    this.gateway?.cancel();
    void this.closeEnumerators();
    const err = e instanceof Error ? e : new RivuletError('INTERNAL', String(e));
    if (this.restartable) {
      void (this.checkpointCoordinator?.suspend() ?? Promise.resolve()).then(() => this.rejectResult(err));
      return;
    }
    // Checkpoints the retention policy keeps after a failure are what a next run restores from.
    void (this.checkpointCoordinator?.shutdown('FAILED') ?? Promise.resolve()).then(() => {
      for (const l of this.listeners) l.onJobExecuted?.(undefined, err);
      this.rejectResult(err);
    });
  }

  private async finish(): Promise<void> {
    this.done = true;
    this.stopTimers();
    await this.closeEnumerators();
    await this.checkpointCoordinator?.shutdown('FINISHED');
    const snapshot = this.snapshot();
    const accumulators = new Map<string, number>();
    for (const m of this.gateway?.metrics() ?? []) for (const [k, v] of m.accumulators) accumulators.set(k, (accumulators.get(k) ?? 0) + v);
    const result = new JobExecutionResult(this.jobName, performance.now() - this.startMonotonic, accumulators, snapshot, this.restarts);
    for (const l of this.listeners) l.onProgress?.(snapshot);
    for (const l of this.listeners) l.onJobExecuted?.(result, undefined);
    this.resolveResult(result);
  }

  private stopTimers(): void {
    if (this.progressTimer !== undefined) clearInterval(this.progressTimer);
  }

  private async closeEnumerators(): Promise<void> {
    for (const e of this.enumerators.values()) {
      try {
        await e.close();
      } catch {
        // closing is best effort; the job's outcome is already decided
      }
    }
  }

  private reportProgress(): void {
    if (this.done || this.listeners.length === 0) return;
    const s = this.snapshot();
    for (const l of this.listeners) l.onProgress?.(s);
  }

  /** Per-operator metrics summed over subtasks, sources first. */
  snapshot(): JobMetricsSnapshot {
    const bySubtask = new Map<string, SubtaskMetrics>();
    for (const m of this.gateway?.metrics() ?? []) bySubtask.set(`${m.vertexId}/${m.subtask}`, m);
    const operators: OperatorMetrics[] = [];
    for (const v of this.eg.jobGraph.vertices) {
      v.nodes.forEach((node, idx) => {
        let recordsIn = 0;
        let recordsOut = 0;
        let late = 0;
        let malformed = 0;
        let bytesRead = 0;
        let bytesTotal: number | undefined;
        let finished = 0;
        let start = Number.POSITIVE_INFINITY;
        let end = 0;
        for (let s = 0; s < v.parallelism; s++) {
          const m = bySubtask.get(`${v.id}/${s}`);
          if (m === undefined) continue;
          const om = m.operators[idx];
          if (om !== undefined) {
            recordsIn += om.recordsIn;
            recordsOut += om.recordsOut;
            late += om.lateRecordsDropped;
            malformed += om.malformedRecords;
            bytesRead += om.bytesRead;
            if (om.bytesTotal !== undefined) bytesTotal = (bytesTotal ?? 0) + om.bytesTotal;
          }
          if (m.state === 'finished') {
            finished++;
            end = Math.max(end, m.endTime ?? 0);
          }
          if (m.startTime > 0) start = Math.min(start, m.startTime);
        }
        operators.push({
          uid: node.uid!,
          name: node.name,
          vertexId: v.id,
          parallelism: v.parallelism,
          recordsIn,
          recordsOut,
          lateRecordsDropped: late,
          malformedRecords: malformed,
          bytesRead,
          bytesTotal,
          finishedSubtasks: finished,
          startTime: start === Number.POSITIVE_INFINITY ? this.startTime : start,
          endTime: finished === v.parallelism ? end : undefined,
        });
      });
    }
    return { jobName: this.jobName, startTime: this.startTime, now: Date.now(), operators };
  }
}
