/**
 * The local mini-cluster: runs a job in this process, as Flink's MiniCluster.
 *
 * Two placements of the same runtime:
 * - in-process: every subtask on the main thread (one TaskExecutor hosting all slots).
 *   This is what tests and `node job.ts` get, and what a parallelism-1 job gets from the
 *   CLI: no thread start-up and no serialization at all.
 * - worker threads: one worker per slot, each loading the bundled job module (the job
 *   artifact) and rebuilding the same graph, so a parallelism-N job uses N cores. Used when
 *   the CLI provided the artifact and the job needs more than one slot.
 *
 * Checkpoints: a job that enables checkpointing gets a CheckpointCoordinator and a job id;
 * its checkpoints go to `<checkpoint dir>/<job id>/chk-<n>` (or the program's storage). A
 * job can start from a checkpoint (`restoreFrom`, or the graph's savepointRestore set from
 * the environment defaults, as `rivulet run --from-savepoint` would): the checkpoint is
 * loaded and checked (falling back to older ones of its directory), the sources'
 * enumerators restart from their state, and every subtask restores its operators' state.
 *
 * Job control: with a JobControlListener set (`rivulet run`), every job gets a JobControl
 * (status, savepoint, stop-with-savepoint, cancel) announced to it; such a job has a
 * CheckpointCoordinator even when the program did not enable checkpointing — it then takes
 * only savepoints and the final checkpoint, as a Flink job can always take a savepoint.
 */
import { randomBytes } from 'node:crypto';
import { MessageChannel } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import type { CheckpointingMode, CheckpointingOptions, SavepointRestoreSettings } from '../../core/checkpoint.ts';
import { DEFAULT_CHECKPOINT_TIMEOUT_MS, ExternalizedCheckpointRetention } from '../../core/checkpoint.ts';
import { RivuletError } from '../../core/errors.ts';
import type { JobExecutionResult, JobListener } from '../../core/job.ts';
import type { SourceSplit } from '../../core/source.ts';
import { SystemClock } from '../../core/time.ts';
import type { Clock } from '../../core/time.ts';
import type { PipelineExecutor } from '../../api/execution-context.ts';
import { createExecutionGraph } from '../../graph/execution-graph.ts';
import { executionPlan } from '../../graph/execution-plan.ts';
import type { ExecutionGraph } from '../../graph/execution-graph.ts';
import type { JobGraph } from '../../graph/job-graph.ts';
import type { StreamGraph } from '../../graph/stream-graph.ts';
import type { LoadedCheckpoint } from '../../runtime/checkpoint/checkpoint-loader.ts';
import { loadCheckpoint } from '../../runtime/checkpoint/checkpoint-loader.ts';
import type { CheckpointStorage } from '../../runtime/checkpoint/checkpoint-storage.ts';
import type { CheckpointStorageLocation } from '../../runtime/checkpoint/checkpoint-storage-location.ts';
import { DEFAULT_CHECKPOINTS_DIRECTORY, checkpointStorageLocation, openCheckpointStorage } from '../../runtime/checkpoint/checkpoint-storage-location.ts';
import type { TaskRestore } from '../../runtime/checkpoint/operator-snapshot.ts';
import { assignStateToSubtasks } from '../../runtime/checkpoint/state-assignment.ts';
import { TaskExecutor } from '../../runtime/task/task-executor.ts';
import type { SubtaskMetrics } from '../../runtime/task/task-executor.ts';
import { RestartBackoff, effectiveRestartStrategy } from '../../core/restart-strategy.ts';
import { CheckpointCoordinator } from './checkpoint-coordinator.ts';
import { JobCoordinator } from './job-coordinator.ts';
import { jobControlListener } from './job-control.ts';
import { LocalJobControl } from './local-job-control.ts';
import type { FromWorker } from './worker-protocol.ts';
import type { WorkerSlot } from './worker-slot.ts';
import type { WorkerJob } from './worker-protocol.ts';
import { loadJobInPrestarted, prestartWorkers, releaseWorkers, stopPrestarted, takeWorkers } from './worker-pool.ts';

/** Set by the CLI: the bundled job module that worker threads load. */
export interface JobArtifact {
  readonly jobModuleUrl: string;
  readonly jobArgs: readonly string[];
  readonly defaultParallelism: number | undefined;
}

let artifact: JobArtifact | undefined;

function workerJob(a: JobArtifact): WorkerJob {
  return { jobModuleUrl: a.jobModuleUrl, jobArgs: a.jobArgs, defaultParallelism: a.defaultParallelism };
}

/**
 * Lets jobs with parallelism > 1 run on worker threads (one per slot beyond the first).
 * Workers pre-started with prestartWorkers() start loading the job right away; with a
 * default parallelism N > 1 and none pre-started, N - 1 are started now.
 */
export function setJobArtifact(a: JobArtifact | undefined): void {
  artifact = a;
  if (a === undefined) {
    stopPrestarted();
    return;
  }
  if ((a.defaultParallelism ?? 1) > 1) {
    prestartWorkers(a.defaultParallelism! - 1);
    loadJobInPrestarted(workerJob(a));
  }
}

/** How a {@link LocalExecutor} runs jobs. */
export interface LocalExecutorOptions {
  /**
   * Processing time of every task (periodic watermarks, idleness, processing-time timers).
   * Default: the system clock. A ManualClock runs jobs on virtual time; such jobs always run
   * in-process (a clock cannot cross into worker threads).
   */
  readonly clock?: Clock;
  /**
   * Where jobs that checkpoint without a storage of their own put their checkpoints (as
   * Flink's `state.checkpoints.dir`): default `$RIVULET_CHECKPOINTS_DIR`, else
   * `<os tmpdir>/rivulet-checkpoints`.
   */
  readonly checkpointsDirectory?: string;
  /**
   * Start every job from this checkpoint (a `_metadata` file, a `chk-<n>` directory or a
   * job's checkpoint directory); overrides the graph's savepointRestore.
   */
  readonly restoreFrom?: string | SavepointRestoreSettings;
}

/** How the tasks of one job run: checkpointing and the state they start from. */
interface Deployment {
  readonly checkpointing:
    | { readonly mode: CheckpointingMode; readonly storage: CheckpointStorage; readonly storageLocation: CheckpointStorageLocation; readonly coordinator: CheckpointCoordinator }
    | undefined;
  readonly restore: { readonly checkpoint: LoadedCheckpoint; readonly tasks: ReadonlyMap<string, TaskRestore> } | undefined;
}

/** Checkpointing of a controlled job whose program did not enable it: savepoints (and the final checkpoint) only. */
const SAVEPOINTS_ONLY: CheckpointingOptions = {
  interval: Number.POSITIVE_INFINITY,
  mode: 'EXACTLY_ONCE',
  timeout: DEFAULT_CHECKPOINT_TIMEOUT_MS,
  minPauseBetweenCheckpoints: 0,
  maxConcurrentCheckpoints: 1,
  tolerableCheckpointFailureNumber: 0,
  externalizedCheckpointRetention: ExternalizedCheckpointRetention.NO_EXTERNALIZED_CHECKPOINTS,
  numRetainedCheckpoints: 1,
  storage: undefined,
};

export class LocalExecutor implements PipelineExecutor {
  private readonly clock: Clock;
  private readonly checkpointsDirectory: string;
  private readonly restoreFrom: SavepointRestoreSettings | undefined;

  constructor(options: LocalExecutorOptions = {}) {
    this.clock = options.clock ?? SystemClock;
    this.checkpointsDirectory = options.checkpointsDirectory ?? process.env['RIVULET_CHECKPOINTS_DIR'] ?? DEFAULT_CHECKPOINTS_DIRECTORY;
    const r = options.restoreFrom;
    this.restoreFrom = typeof r === 'string' ? { path: r, allowNonRestoredState: false } : r;
  }

  async execute(streamGraph: StreamGraph, jobGraph: JobGraph, listeners: readonly JobListener[]): Promise<JobExecutionResult> {
    const jobName = streamGraph.config.jobName;
    if (listeners.some((l) => l.onJobSubmitted !== undefined)) {
      const plan = JSON.stringify(executionPlan(streamGraph, jobGraph));
      for (const l of listeners) l.onJobSubmitted?.(jobName, plan);
    }
    const backoff = new RestartBackoff(effectiveRestartStrategy(jobGraph.config.restartStrategy, jobGraph.config.checkpointing !== undefined));
    const startTime = Date.now();
    const startMonotonic = performance.now();
    const jobId = randomBytes(16).toString('hex');
    const controlListener = jobControlListener();
    const control = controlListener === undefined ? undefined : new LocalJobControl(jobId, jobName, startTime, jobGraph.config.checkpointing?.storage);
    if (control !== undefined) controlListener?.onJobStarted(control);
    let outcome: { status: 'FINISHED' | 'FAILED' | 'CANCELED'; error: Error | undefined } = { status: 'FAILED', error: undefined };
    // Each attempt: a fresh execution graph, coordinators and tasks; a restarted one from the
    // newest completed checkpoint of the attempts before it (or from scratch without one).
    let restarts = 0;
    let previous: { readonly coordinator: CheckpointCoordinator; readonly storage: CheckpointStorage; readonly storageLocation: CheckpointStorageLocation } | undefined;
    let ownedStorage: CheckpointStorage | undefined;
    let initialRestore: Deployment['restore'];
    try {
      for (;;) {
        const eg = createExecutionGraph(jobGraph);
        const coordinator = new JobCoordinator(eg, jobName, listeners);
        coordinator.asAttempt(restarts, startTime, startMonotonic);
        let deployment: Deployment;
        try {
          const restore = restarts === 0 ? (initialRestore = await this.loadRestore(jobGraph, listeners)) : ((await restoreOf(previous, jobGraph)) ?? initialRestore);
          deployment = { checkpointing: await this.setUpCheckpointing(jobId, control !== undefined, jobGraph, coordinator, listeners, restore, previous), restore };
          if (deployment.checkpointing?.storageLocation.kind === 'uri') ownedStorage = deployment.checkpointing.storage;
          const enumeratorStates = new Map(restore?.checkpoint.metadata.enumerators.map((e) => [e.uid, e.state]));
          await coordinator.startEnumerators(enumeratorStates);
        } catch (e) {
          // e.g. a missing input or an unreadable checkpoint: the job fails before any task runs; listeners hear it too.
          coordinator.fail(e);
          const err = await coordinator.result.then(
            () => new RivuletError('INTERNAL', 'unreachable'),
            (x: unknown) => (x instanceof Error ? x : new RivuletError('INTERNAL', String(x))),
          );
          await coordinator.reportFailure(err);
          outcome = { status: 'FAILED', error: err };
          throw err;
        }
        if (artifact !== undefined && eg.numSlots > 1 && this.clock === SystemClock) {
          await runOnWorkers(eg, coordinator, artifact, deployment);
        } else {
          await runInProcess(eg, coordinator, this.clock, deployment);
        }
        control?.attach(coordinator, deployment.checkpointing?.coordinator);
        let err: Error;
        try {
          const result = await coordinator.result;
          outcome = { status: 'FINISHED', error: undefined };
          return result;
        } catch (e) {
          err = e instanceof Error ? e : new RivuletError('INTERNAL', String(e));
        }
        if (err instanceof RivuletError && err.code === 'JOB_CANCELED') {
          // Cancelled: the coordinator told the listeners; no restart.
          outcome = { status: 'CANCELED', error: err };
          throw err;
        }
        const delay = backoff.onFailure(err, performance.now());
        if (delay === undefined) {
          await coordinator.reportFailure(err);
          outcome = { status: 'FAILED', error: err };
          throw err;
        }
        control?.restarting();
        restarts++;
        previous = deployment.checkpointing;
        const checkpointId = previous?.coordinator.completedCheckpoints()[0]?.checkpointId;
        for (const l of listeners) l.onJobRestarting?.({ restarts, delayMs: delay, checkpointId, error: err });
        if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      }
    } finally {
      // A storage this executor opened (not the program's object) is closed with the job.
      if (ownedStorage !== undefined) await Promise.resolve(ownedStorage.close?.()).catch(() => {});
      if (control !== undefined) {
        control.ended(outcome.status);
        controlListener?.onJobEnded(control, outcome.error);
      }
    }
  }

  /** The checkpoint to start from, loaded and checked, and which subtask restores what. */
  private async loadRestore(jobGraph: JobGraph, listeners: readonly JobListener[]): Promise<Deployment['restore']> {
    const settings = this.restoreFrom ?? jobGraph.config.savepointRestore;
    if (settings === undefined) return undefined;
    const checkpoint = await loadCheckpoint(settings.path);
    const tasks = assignStateToSubtasks(checkpoint.metadata, jobGraph, { allowNonRestoredState: settings.allowNonRestoredState });
    for (const l of listeners) {
      l.onJobRestored?.({ checkpointId: checkpoint.metadata.checkpointId, metadataLocation: checkpoint.metadataLocation, skipped: checkpoint.skipped });
    }
    return { checkpoint, tasks };
  }

  /**
   * The job's CheckpointCoordinator: for the program's checkpointing, or — `savepoints`: the
   * job is controlled — for savepoints only when the program has none.
   */
  private async setUpCheckpointing(
    jobId: string,
    savepoints: boolean,
    jobGraph: JobGraph,
    coordinator: JobCoordinator,
    listeners: readonly JobListener[],
    restore: Deployment['restore'],
    previous?: { readonly coordinator: CheckpointCoordinator; readonly storage: CheckpointStorage; readonly storageLocation: CheckpointStorageLocation },
  ): Promise<Deployment['checkpointing']> {
    const config = jobGraph.config.checkpointing ?? (savepoints ? SAVEPOINTS_ONLY : undefined);
    if (config === undefined) return undefined;
    // A restarted attempt keeps the job's checkpoint storage, its retained checkpoints and its ids.
    let storageLocation: CheckpointStorageLocation;
    let storage: CheckpointStorage;
    if (previous !== undefined) {
      storageLocation = previous.storageLocation;
      storage = previous.storage;
    } else {
      storageLocation = checkpointStorageLocation(config.storage, jobId, this.checkpointsDirectory);
      storage = await openCheckpointStorage(storageLocation, config.storage);
    }
    const checkpointCoordinator = new CheckpointCoordinator({
      jobName: jobGraph.config.jobName,
      jobGraph,
      config,
      storage,
      listeners,
      snapshotEnumerators: (id) => coordinator.snapshotEnumerators(id),
      failJob: (e) => coordinator.fail(e),
      restoredCheckpointId: previous?.coordinator.lastCheckpointId() ?? restore?.checkpoint.metadata.checkpointId,
      retainedCheckpoints: previous?.coordinator.completedCheckpoints().reverse(),
      jobId,
      periodic: jobGraph.config.checkpointing !== undefined,
    });
    coordinator.setCheckpointCoordinator(checkpointCoordinator);
    return { mode: config.mode, storage, storageLocation, coordinator: checkpointCoordinator };
  }
}

/** What a restarted attempt restores: the newest completed checkpoint of the attempts before it, if any. */
async function restoreOf(
  previous: { readonly coordinator: CheckpointCoordinator } | undefined,
  jobGraph: JobGraph,
): Promise<Deployment['restore']> {
  const newest = previous?.coordinator.completedCheckpoints()[0];
  if (newest === undefined) return undefined;
  const checkpoint = await loadCheckpoint(newest.metadataLocation);
  const tasks = assignStateToSubtasks(checkpoint.metadata, jobGraph, { allowNonRestoredState: false });
  return { checkpoint, tasks };
}

async function runInProcess(eg: ExecutionGraph, coordinator: JobCoordinator, clock: Clock, deployment: Deployment): Promise<void> {
  const cp = deployment.checkpointing;
  const restore = deployment.restore;
  const executor = new TaskExecutor({
    executionGraph: eg,
    slots: Array.from({ length: eg.numSlots }, (_, i) => i),
    peerPorts: new Map(),
    events: coordinator,
    clock,
    checkpointing: cp === undefined ? undefined : { mode: cp.mode, storage: cp.storage, responder: cp.coordinator },
    restore: restore === undefined ? undefined : { storage: restore.checkpoint.storage, tasks: restore.tasks },
  });
  executor.deploy();
  coordinator.attach({
    addSplits: (v, s, splits) => executor.addSplits(v, s, splits),
    noMoreSplits: (v, s) => executor.noMoreSplits(v, s),
    triggerCheckpoint: (v, s, id, ts) => executor.triggerCheckpoint(v, s, id, ts),
    notifyCheckpointComplete: (id, isFinal) => executor.notifyCheckpointComplete(id, isFinal),
    notifyCheckpointAborted: (id) => executor.notifyCheckpointAborted(id),
    metrics: () => executor.metrics(),
    cancel: () => executor.cancel(),
    stop: () => executor.stopAfterNotifications(),
  });
  await executor.start();
}

/**
 * Slot 0 runs on this (main) thread — it has the job loaded already — and every other slot
 * in a worker thread of its own (started ahead by setJobArtifact where possible). No
 * start barrier is needed: a worker registers its channels synchronously when deployed,
 * before it handles any message from a peer, and peers' messages wait in its ports.
 */
async function runOnWorkers(eg: ExecutionGraph, coordinator: JobCoordinator, a: JobArtifact, deployment: Deployment): Promise<void> {
  const cp = deployment.checkpointing;
  const restore = deployment.restore;
  const n = eg.numSlots;
  const ports: Map<number, MessagePort>[] = Array.from({ length: n }, () => new Map());
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const { port1, port2 } = new MessageChannel();
      ports[i]!.set(j, port1);
      ports[j]!.set(i, port2);
    }
  }
  const workers = new Map<number, WorkerSlot>();
  /** Stop-with-savepoint: resolves the wait for each worker's `stopped`. */
  const stopped = new Map<number, () => void>();
  takeWorkers(n - 1, workerJob(a)).forEach((w, i) => workers.set(i + 1, w));

  const local = new TaskExecutor({
    executionGraph: eg,
    slots: [0],
    peerPorts: ports[0]!,
    events: coordinator,
    clock: SystemClock,
    checkpointing: cp === undefined ? undefined : { mode: cp.mode, storage: cp.storage, responder: cp.coordinator },
    restore: restore === undefined ? undefined : { storage: restore.checkpoint.storage, tasks: restore.tasks },
  });
  local.deploy();

  const latest = new Map<string, SubtaskMetrics>();
  const record = (ms: SubtaskMetrics[]): void => {
    for (const m of ms) latest.set(`${m.vertexId}/${m.subtask}`, m);
  };
  let finished = false;
  /** A job that finished hands its slots back to the pool; a failed or cancelled one stops them (their state is suspect). */
  const stopAll = (succeeded: boolean): void => {
    if (finished) return;
    finished = true;
    local.cancel();
    for (const p of ports[0]!.values()) p.close();
    if (succeeded) releaseWorkers(workers.values());
    else for (const w of workers.values()) w.terminate();
  };
  void coordinator.result.then(
    () => stopAll(true),
    () => stopAll(false),
  );

  for (const [slot, w] of workers) {
    w.listen({
      onMessage: (msg: FromWorker) => {
        switch (msg.t) {
          case 'splitRequest':
            coordinator.requestSplit(msg.v, msg.s);
            return;
          case 'finished':
            record(msg.metrics);
            coordinator.taskFinished(msg.v, msg.s);
            return;
          case 'failed':
            coordinator.taskFailed(msg.v, msg.s, RivuletError.fromJSON(msg.error));
            return;
          case 'metrics':
            record(msg.metrics);
            return;
          case 'initFailed':
            coordinator.fail(RivuletError.fromJSON(msg.error));
            return;
          case 'acknowledgeCheckpoint':
            cp?.coordinator.acknowledgeCheckpoint(msg.v, msg.s, msg.id, msg.state);
            return;
          case 'declineCheckpoint':
            cp?.coordinator.declineCheckpoint(msg.v, msg.s, msg.id, msg.reason, RivuletError.fromJSON(msg.error));
            return;
          case 'endOfInput':
            cp?.coordinator.reportEndOfInput(msg.v, msg.s);
            return;
          case 'stopped':
            record(msg.metrics);
            stopped.get(slot)?.();
            return;
        }
      },
      onFailure: (e) => {
        coordinator.fail(new RivuletError(e.code, `Slot ${slot}: ${e.message}`, e.context, { cause: e }));
        stopped.get(slot)?.(); // a dead slot has stopped
      },
    });
    w.post(
      {
        t: 'deploy',
        slot,
        fingerprint: eg.jobGraph.fingerprint,
        peerPorts: ports[slot]!,
        checkpointing: cp === undefined ? undefined : { mode: cp.mode, storage: cp.storageLocation },
        restore: restore === undefined ? undefined : { storage: restore.checkpoint.storageLocation, tasks: restore.tasks },
      },
      [...ports[slot]!.values()],
    );
  }
  coordinator.attach({
    addSplits: (v: number, s: number, splits: SourceSplit[]) => {
      const slot = eg.slotOf(v, s);
      if (slot === 0) local.addSplits(v, s, splits);
      else workers.get(slot)!.post({ t: 'splits', v, s, splits });
    },
    noMoreSplits: (v, s) => {
      const slot = eg.slotOf(v, s);
      if (slot === 0) local.noMoreSplits(v, s);
      else workers.get(slot)!.post({ t: 'noMoreSplits', v, s });
    },
    triggerCheckpoint: (v, s, id, ts) => {
      const slot = eg.slotOf(v, s);
      if (slot === 0) local.triggerCheckpoint(v, s, id, ts);
      else workers.get(slot)!.post({ t: 'triggerCheckpoint', v, s, id, ts });
    },
    notifyCheckpointComplete: (id, isFinal) => {
      local.notifyCheckpointComplete(id, isFinal);
      for (const w of workers.values()) w.post({ t: 'checkpointComplete', id, isFinal });
    },
    notifyCheckpointAborted: (id) => {
      local.notifyCheckpointAborted(id);
      for (const w of workers.values()) w.post({ t: 'checkpointAborted', id });
    },
    metrics: () => [...local.metrics(), ...latest.values()],
    cancel: () => stopAll(false),
    stop: async () => {
      const all = [...workers.keys()].map((slot) => new Promise<void>((res) => stopped.set(slot, res)));
      for (const w of workers.values()) w.post({ t: 'stop' });
      await Promise.all([local.stopAfterNotifications(), ...all]);
    },
  });
  await local.start();
}
