/**
 * The life of a slot's worker thread (a TaskManager slot of the local mini-cluster).
 *
 * It starts before the job is known (the CLI starts slots while it loads and bundles the
 * job), loading the runtime. Told which job to load, it loads the job module the way the
 * client does, with an executor that only captures the job graph, and waits. When the coordinator
 * deploys a slot to it, it checks its graph is the one the coordinator scheduled (building
 * a job must be deterministic), deploys that slot's subtasks and runs them, reporting to
 * the coordinator over the parent port. Messages that arrive while the job is still
 * loading, or while the slot is being deployed (opening the checkpoint storage), wait in
 * order. Checkpoint triggers and notifications come in as messages too; acknowledgements,
 * declines and ends of input go back. When the job has finished, `release` tears the slot
 * down and the thread waits for the next job's `load`, as a TaskManager outlives its jobs:
 * the runtime stays loaded and compiled.
 */
import { parentPort } from 'node:worker_threads';
import { RivuletError, asRivuletError } from '../../core/errors.ts';
import { SystemClock } from '../../core/time.ts';
import { registerPipelineExecutor, setEnvironmentDefaults } from '../../api/execution-context.ts';
import { createExecutionGraph } from '../../graph/execution-graph.ts';
import type { JobGraph } from '../../graph/job-graph.ts';
import { openCheckpointStorage } from '../../runtime/checkpoint/checkpoint-storage-location.ts';
import { TaskExecutor } from '../../runtime/task/task-executor.ts';
import type { FromWorker, ToWorker, WorkerJob } from './worker-protocol.ts';

const METRICS_INTERVAL_MS = 500;
const port = parentPort!;
const send = (m: FromWorker): void => port.postMessage(m);

function fatal(e: unknown): void {
  const err = e instanceof RivuletError ? e : asRivuletError(e, 'INVALID_JOB', 'Worker start-up failed', {});
  send({ t: 'initFailed', error: err.toJSON() });
}

/** Runs the worker: waits for a job to load, then for its slot; after `release`, for the next job. */
export function runWorker(): void {
  const pending: ToWorker[] = [];
  /** Job module URLs imported by this thread: a module runs once per URL, so a job loaded again gets a fresh one. */
  const imported = new Set<string>();
  const waitForJob = (msg: ToWorker): void => {
    if (msg.t === 'load') startJob(msg);
    else if (msg.t === 'release') send({ t: 'released' });
    else pending.push(msg);
  };
  let handle: (msg: ToWorker) => void = waitForJob;
  port.on('message', (msg: ToWorker) => handle(msg));
  const startJob = (job: WorkerJob): void => {
    handle = (msg) => void pending.push(msg);
    loadGraph(job, imported).then(onGraph, fatal);
  };
  const onGraph = (jobGraph: JobGraph): void => {
    let deployed: Deployed | undefined;
    const run = (msg: ToWorker): void => {
      try {
        if (deployed === undefined) return;
        const executor = deployed.executor;
        switch (msg.t) {
          case 'splits':
            return executor.addSplits(msg.v, msg.s, msg.splits);
          case 'noMoreSplits':
            return executor.noMoreSplits(msg.v, msg.s);
          case 'triggerCheckpoint':
            return executor.triggerCheckpoint(msg.v, msg.s, msg.id, msg.ts);
          case 'checkpointComplete':
            return executor.notifyCheckpointComplete(msg.id, msg.isFinal);
          case 'checkpointAborted':
            return executor.notifyCheckpointAborted(msg.id);
          case 'cancel':
            return executor.cancel();
          case 'stop': {
            void executor.stopAfterNotifications().then(() => send({ t: 'stopped', metrics: executor.metrics() }));
            return;
          }
          case 'release': {
            clearInterval(deployed.metricsTimer);
            deployed = undefined;
            pending.length = 0;
            handle = waitForJob;
            send({ t: 'released' });
            return;
          }
          default:
            return;
        }
      } catch (e) {
        fatal(e);
      }
    };
    handle = (msg) => {
      if (msg.t !== 'deploy') return run(msg);
      handle = (m) => void pending.push(m);
      deploy(jobGraph, msg).then((d) => {
        deployed = d;
        handle = run;
        for (const m of pending.splice(0)) handle(m);
      }, fatal);
    };
    for (const m of pending.splice(0)) handle(m);
  };
}

async function loadGraph(job: WorkerJob, imported: Set<string>): Promise<JobGraph> {
  setEnvironmentDefaults(job.defaultParallelism !== undefined ? { parallelism: job.defaultParallelism } : {});
  // Jobs read their arguments as Flink programs do: ParameterTool.fromArgs(process.argv.slice(2)).
  process.argv = [process.argv[0]!, job.jobModuleUrl, ...job.jobArgs];
  const captured = new Promise<JobGraph>((resolve) => {
    registerPipelineExecutor({
      execute: (_sg, jg) => {
        resolve(jg);
        // In a worker, execute() hands over the graph and never returns: the job's code
        // after execute() runs in the client only.
        return new Promise(() => {});
      },
    });
  });
  let url = job.jobModuleUrl;
  if (imported.has(url)) url = `${url}${url.includes('?') ? '&' : '?'}rivulet-load=${imported.size}`;
  imported.add(job.jobModuleUrl);
  imported.add(url);
  const loaded = import(url).then(
    () => {
      throw new RivuletError('INVALID_JOB', 'The job module finished without calling env.execute().');
    },
    (e: unknown) => {
      throw asRivuletError(e, 'INVALID_JOB', 'The job module failed in a worker thread', {});
    },
  );
  return Promise.race([captured, loaded]);
}

interface Deployed {
  readonly executor: TaskExecutor;
  readonly metricsTimer: NodeJS.Timeout;
}

async function deploy(jobGraph: JobGraph, msg: Extract<ToWorker, { t: 'deploy' }>): Promise<Deployed> {
  if (jobGraph.fingerprint !== msg.fingerprint) {
    throw new RivuletError(
      'INVALID_JOB',
      'The job built a different graph in a worker thread than in the client. Building the job must be deterministic: no randomness, clock or I/O may decide its shape.',
    );
  }
  const configured = jobGraph.config.checkpointing?.storage;
  const cp = msg.checkpointing;
  const storage = cp === undefined ? undefined : await openCheckpointStorage(cp.storage, configured);
  const restoreStorage = msg.restore === undefined ? undefined : await openCheckpointStorage(msg.restore.storage, configured);
  const executor: TaskExecutor = new TaskExecutor({
    executionGraph: createExecutionGraph(jobGraph),
    slots: [msg.slot],
    peerPorts: msg.peerPorts,
    clock: SystemClock,
    events: {
      requestSplit: (v, s) => send({ t: 'splitRequest', v, s }),
      taskFinished: (v, s) => send({ t: 'finished', v, s, metrics: executor.metrics() }),
      taskFailed: (v, s, error) => send({ t: 'failed', v, s, error: error.toJSON() }),
    },
    checkpointing:
      cp === undefined || storage === undefined
        ? undefined
        : {
            mode: cp.mode,
            storage,
            responder: {
              acknowledgeCheckpoint: (v, s, id, state) => send({ t: 'acknowledgeCheckpoint', v, s, id, state }),
              declineCheckpoint: (v, s, id, reason, error) => send({ t: 'declineCheckpoint', v, s, id, reason, error: error.toJSON() }),
              reportEndOfInput: (v, s) => send({ t: 'endOfInput', v, s }),
            },
          },
    restore: msg.restore === undefined || restoreStorage === undefined ? undefined : { storage: restoreStorage, tasks: msg.restore.tasks },
  });
  executor.deploy();
  void executor.start();
  const metricsTimer = setInterval(() => send({ t: 'metrics', metrics: executor.metrics() }), METRICS_INTERVAL_MS).unref();
  return { executor, metricsTimer };
}
