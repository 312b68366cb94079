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
import { MessageChannel, Worker } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { RivuletError } from '../../core/errors.ts';
import type { JobExecutionResult, JobListener } from '../../core/job.ts';
import type { SourceSplit } from '../../core/source.ts';
import { SystemClock } from '../../core/time.ts';
import type { PipelineExecutor } from '../../api/execution-context.ts';
import { createExecutionGraph } from '../../graph/execution-graph.ts';
import type { ExecutionGraph } from '../../graph/execution-graph.ts';
import type { JobGraph } from '../../graph/job-graph.ts';
import type { StreamGraph } from '../../graph/stream-graph.ts';
import { TaskExecutor } from '../../runtime/task/task-executor.ts';
import type { SubtaskMetrics } from '../../runtime/task/task-executor.ts';
import { JobCoordinator } from './job-coordinator.ts';
import { workerBundleFor } from './worker-bundle.ts';
import type { FromWorker, ToWorker, WorkerInit } from './worker-protocol.ts';

/** Set by the CLI: the bundled job module that worker threads load. */
export interface JobArtifact {
  readonly jobModuleUrl: string;
  readonly jobArgs: readonly string[];
  readonly defaultParallelism: number | undefined;
}

let artifact: JobArtifact | undefined;

/** Lets jobs with parallelism > 1 run on worker threads (one per slot). */
export function setJobArtifact(a: JobArtifact | undefined): void {
  artifact = a;
}

export class LocalExecutor implements PipelineExecutor {
  async execute(streamGraph: StreamGraph, jobGraph: JobGraph, listeners: readonly JobListener[]): Promise<JobExecutionResult> {
    const eg = createExecutionGraph(jobGraph);
    const coordinator = new JobCoordinator(eg, streamGraph.config.jobName, listeners);
    for (const l of listeners) l.onJobSubmitted?.(streamGraph.config.jobName, '');
    await coordinator.startEnumerators();
    if (artifact !== undefined && eg.numSlots > 1) {
      await runOnWorkers(eg, coordinator, artifact);
    } else {
      await runInProcess(eg, coordinator);
    }
    return coordinator.result;
  }
}

async function runInProcess(eg: ExecutionGraph, coordinator: JobCoordinator): Promise<void> {
  const executor = new TaskExecutor({
    executionGraph: eg,
    slots: Array.from({ length: eg.numSlots }, (_, i) => i),
    peerPorts: new Map(),
    events: coordinator,
    clock: SystemClock,
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
 * Slot 0 runs on this (main) thread — it has the job loaded already, and a worker costs
 * ~100 ms of start-up — and every other slot in a worker thread of its own.
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
  let workerUrl: string;
  try {
    workerUrl = await workerBundleFor(a.jobModuleUrl);
  } catch {
    // No bundle (e.g. esbuild cannot read the module): workers import the modules one by one.
    workerUrl = new URL('./worker-entry.ts', import.meta.url).href;
  }
  const local = new TaskExecutor({ executionGraph: eg, slots: [0], peerPorts: ports[0]!, events: coordinator, clock: SystemClock });
  local.deploy();

  const latest = new Map<string, SubtaskMetrics>();
  const record = (ms: SubtaskMetrics[]): void => {
    for (const m of ms) latest.set(`${m.vertexId}/${m.subtask}`, m);
  };
  const workers = new Map<number, Worker>();
  let finished = false;
  const stopAll = (): void => {
    if (!finished) local.cancel();
    finished = true;
    for (const w of workers.values()) void w.terminate();
    for (const p of ports[0]!.values()) p.close();
  };
  void coordinator.result.then(stopAll, stopAll);

  let readyCount = 0;
  let allReady!: () => void;
  const ready = new Promise<void>((res) => (allReady = res));
  if (n === 1) allReady();
  const post = (slot: number, msg: ToWorker): void => workers.get(slot)?.postMessage(msg);

  for (let slot = 1; slot < n; slot++) {
    const init: WorkerInit = {
      jobModuleUrl: a.jobModuleUrl,
      jobArgs: a.jobArgs,
      defaultParallelism: a.defaultParallelism,
      slot,
      fingerprint: eg.jobGraph.fingerprint,
      peerPorts: ports[slot]!,
    };
    const w = new Worker(new URL(workerUrl), {
      workerData: init,
      transferList: [...ports[slot]!.values()],
      argv: [...a.jobArgs],
    });
    workers.set(slot, w);
    w.on('message', (msg: FromWorker) => {
      switch (msg.t) {
        case 'ready':
          if (++readyCount === n - 1) allReady();
          return;
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
    });
    w.on('error', (e) => coordinator.fail(new RivuletError('WORKER_DIED', `Worker thread of slot ${slot} died: ${e.message}`, {}, { cause: e })));
    w.on('exit', (code) => {
      if (!finished) coordinator.fail(new RivuletError('WORKER_DIED', `Worker thread of slot ${slot} exited with code ${code} before the job finished.`));
    });
  }
  coordinator.attach({
    addSplits: (v: number, s: number, splits: SourceSplit[]) => {
      const slot = eg.slotOf(v, s);
      if (slot === 0) local.addSplits(v, s, splits);
      else post(slot, { t: 'splits', v, s, splits });
    },
    noMoreSplits: (v, s) => {
      const slot = eg.slotOf(v, s);
      if (slot === 0) local.noMoreSplits(v, s);
      else post(slot, { t: 'noMoreSplits', v, s });
    },
    metrics: () => [...local.metrics(), ...latest.values()],
    cancel: stopAll,
  });
  await Promise.race([ready, coordinator.result.then(() => {}, () => {})]);
  if (finished) return;
  for (let slot = 1; slot < n; slot++) post(slot, { t: 'start' });
  await local.start();
}
