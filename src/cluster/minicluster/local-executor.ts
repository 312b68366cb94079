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
 */
import { MessageChannel } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
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
import { TaskExecutor } from '../../runtime/task/task-executor.ts';
import type { SubtaskMetrics } from '../../runtime/task/task-executor.ts';
import { JobCoordinator } from './job-coordinator.ts';
import type { FromWorker } from './worker-protocol.ts';
import type { WorkerSlot } from './worker-slot.ts';
import type { WorkerJob } from './worker-protocol.ts';
import { loadJobInPrestarted, prestartWorkers, stopPrestarted, takeWorkers } from './worker-pool.ts';

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
}

export class LocalExecutor implements PipelineExecutor {
  private readonly clock: Clock;

  constructor(options: LocalExecutorOptions = {}) {
    this.clock = options.clock ?? SystemClock;
  }

  async execute(streamGraph: StreamGraph, jobGraph: JobGraph, listeners: readonly JobListener[]): Promise<JobExecutionResult> {
    const eg = createExecutionGraph(jobGraph);
    const coordinator = new JobCoordinator(eg, streamGraph.config.jobName, listeners);
    if (listeners.some((l) => l.onJobSubmitted !== undefined)) {
      const plan = JSON.stringify(executionPlan(streamGraph, jobGraph));
      for (const l of listeners) l.onJobSubmitted?.(streamGraph.config.jobName, plan);
    }
    try {
      await coordinator.startEnumerators();
    } catch (e) {
      // e.g. a missing input: the job fails before any task runs; listeners hear it too.
      coordinator.fail(e);
      return coordinator.result;
    }
    if (artifact !== undefined && eg.numSlots > 1 && this.clock === SystemClock) {
      await runOnWorkers(eg, coordinator, artifact);
    } else {
      await runInProcess(eg, coordinator, this.clock);
    }
    return coordinator.result;
  }
}

async function runInProcess(eg: ExecutionGraph, coordinator: JobCoordinator, clock: Clock): Promise<void> {
  const executor = new TaskExecutor({
    executionGraph: eg,
    slots: Array.from({ length: eg.numSlots }, (_, i) => i),
    peerPorts: new Map(),
    events: coordinator,
    clock,
  });
  executor.deploy();
  coordinator.attach({
    addSplits: (v, s, splits) => executor.addSplits(v, s, splits),
    noMoreSplits: (v, s) => executor.noMoreSplits(v, s),
    metrics: () => executor.metrics(),
    cancel: () => executor.cancel(),
  });
  await executor.start();
}

/**
 * Slot 0 runs on this (main) thread — it has the job loaded already — and every other slot
 * in a worker thread of its own (started ahead by setJobArtifact where possible). No
 * start barrier is needed: a worker registers its channels synchronously when deployed,
 * before it handles any message from a peer, and peers' messages wait in its ports.
 */
async function runOnWorkers(eg: ExecutionGraph, coordinator: JobCoordinator, a: JobArtifact): Promise<void> {
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
  takeWorkers(n - 1, workerJob(a)).forEach((w, i) => workers.set(i + 1, w));

  const local = new TaskExecutor({ executionGraph: eg, slots: [0], peerPorts: ports[0]!, events: coordinator, clock: SystemClock });
  local.deploy();

  const latest = new Map<string, SubtaskMetrics>();
  const record = (ms: SubtaskMetrics[]): void => {
    for (const m of ms) latest.set(`${m.vertexId}/${m.subtask}`, m);
  };
  let finished = false;
  const stopAll = (): void => {
    if (!finished) local.cancel();
    finished = true;
    for (const w of workers.values()) w.terminate();
    for (const p of ports[0]!.values()) p.close();
  };
  void coordinator.result.then(stopAll, stopAll);

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
        }
      },
      onFailure: (e) => coordinator.fail(new RivuletError(e.code, `Slot ${slot}: ${e.message}`, e.context, { cause: e })),
    });
    w.post({ t: 'deploy', slot, fingerprint: eg.jobGraph.fingerprint, peerPorts: ports[slot]! }, [...ports[slot]!.values()]);
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
    metrics: () => [...local.metrics(), ...latest.values()],
    cancel: stopAll,
  });
  await local.start();
}
