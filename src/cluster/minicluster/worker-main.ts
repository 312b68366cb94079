/**
 * The life of a slot's worker thread (a TaskManager slot of the local mini-cluster).
 *
 * It starts before the job is known (the CLI starts slots while it loads and bundles the
 * job), loading the runtime. Told which job to load, it loads the job module the way the
 * client does, with an executor that only captures the job graph, and waits. When the coordinator
 * deploys a slot to it, it checks its graph is the one the coordinator scheduled (building
 * a job must be deterministic), deploys that slot's subtasks and runs them, reporting to
 * the coordinator over the parent port. Messages that arrive while the job is still
 * loading wait in order.
 */
import { parentPort } from 'node:worker_threads';
import { RivuletError, asRivuletError } from '../../core/errors.ts';
import { SystemClock } from '../../core/time.ts';
import { registerPipelineExecutor, setEnvironmentDefaults } from '../../api/execution-context.ts';
import { createExecutionGraph } from '../../graph/execution-graph.ts';
import type { JobGraph } from '../../graph/job-graph.ts';
import { TaskExecutor } from '../../runtime/task/task-executor.ts';
import type { FromWorker, ToWorker, WorkerJob } from './worker-protocol.ts';

const METRICS_INTERVAL_MS = 500;
const port = parentPort!;
const send = (m: FromWorker): void => port.postMessage(m);

function fatal(e: unknown): void {
  const err = e instanceof RivuletError ? e : asRivuletError(e, 'INVALID_JOB', 'Worker start-up failed', {});
  send({ t: 'initFailed', error: err.toJSON() });
}

/** Runs the worker: waits for the job to load, then for its slot. */
export function runWorker(): void {
  const pending: ToWorker[] = [];
  let handle: (msg: ToWorker) => void = (msg) => {
    if (msg.t === 'load') startJob(msg);
    else pending.push(msg);
  };
  port.on('message', (msg: ToWorker) => handle(msg));
  const startJob = (job: WorkerJob): void => {
    handle = (msg) => void pending.push(msg);
    loadGraph(job).then(onGraph, fatal);
  };
  const onGraph = (jobGraph: JobGraph): void => {
    let executor: TaskExecutor | undefined;
    handle = (msg) => {
      try {
        if (msg.t === 'deploy') {
          executor = deploy(jobGraph, msg);
        } else if (executor !== undefined) {
          if (msg.t === 'splits') executor.addSplits(msg.v, msg.s, msg.splits);
          else if (msg.t === 'noMoreSplits') executor.noMoreSplits(msg.v, msg.s);
          else executor.cancel();
        }
      } catch (e) {
        fatal(e);
      }
    };
    for (const m of pending.splice(0)) handle(m);
  };
}

async function loadGraph(job: WorkerJob): Promise<JobGraph> {
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
  const loaded = import(job.jobModuleUrl).then(
    () => {
      throw new RivuletError('INVALID_JOB', 'The job module finished without calling env.execute().');
    },
    (e: unknown) => {
      throw asRivuletError(e, 'INVALID_JOB', 'The job module failed in a worker thread', {});
    },
  );
  return Promise.race([captured, loaded]);
}

function deploy(jobGraph: JobGraph, msg: Extract<ToWorker, { t: 'deploy' }>): TaskExecutor {
  if (jobGraph.fingerprint !== msg.fingerprint) {
    throw new RivuletError(
      'INVALID_JOB',
      'The job built a different graph in a worker thread than in the client. Building the job must be deterministic: no randomness, clock or I/O may decide its shape.',
    );
  }
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
  });
  executor.deploy();
  void executor.start();
  setInterval(() => send({ t: 'metrics', metrics: executor.metrics() }), METRICS_INTERVAL_MS).unref();
  return executor;
}
