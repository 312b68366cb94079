/**
 * The life of a slot's worker thread. It loads the job module the way the client did, with
 * an executor that only captures the job graph, checks the graph is the one the
 * coordinator scheduled (building a job must be deterministic), deploys the subtasks of
 * its slot and runs them, reporting to the coordinator over the parent port.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { RivuletError, asRivuletError } from '../../core/errors.ts';
import { SystemClock } from '../../core/time.ts';
import { registerPipelineExecutor, setEnvironmentDefaults } from '../../api/execution-context.ts';
import { createExecutionGraph } from '../../graph/execution-graph.ts';
import type { JobGraph } from '../../graph/job-graph.ts';
import { TaskExecutor } from '../../runtime/task/task-executor.ts';
import type { FromWorker, ToWorker, WorkerInit } from './worker-protocol.ts';

const METRICS_INTERVAL_MS = 500;
const init = workerData as WorkerInit;
const port = parentPort!;
const send = (m: FromWorker): void => port.postMessage(m);

/**
 * Runs the worker: `loadJob` imports the job module (the worker bundle inlines it, see
 * worker-bundle.ts; worker-entry.ts imports it by URL).
 */
export function runWorker(loadJob: () => Promise<unknown>): void {
  main(loadJob).catch((e: unknown) => {
    const err = e instanceof RivuletError ? e : asRivuletError(e, 'INVALID_JOB', 'Worker start-up failed', {});
    send({ t: 'initFailed', error: err.toJSON() });
  });
}

async function main(loadJob: () => Promise<unknown>): Promise<void> {
  setEnvironmentDefaults(init.defaultParallelism !== undefined ? { parallelism: init.defaultParallelism } : {});
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
  const loaded = loadJob().then(
    () => {
      throw new RivuletError('INVALID_JOB', 'The job module finished without calling env.execute().');
    },
    (e: unknown) => {
      throw asRivuletError(e, 'INVALID_JOB', 'The job module failed in a worker thread', {});
    },
  );
  const jobGraph = await Promise.race([captured, loaded]);
  if (jobGraph.fingerprint !== init.fingerprint) {
    throw new RivuletError(
      'INVALID_JOB',
      'The job built a different graph in a worker thread than in the client. Building the job must be deterministic: no randomness, clock or I/O may decide its shape.',
    );
  }
  const executor = new TaskExecutor({
    executionGraph: createExecutionGraph(jobGraph),
    slots: [init.slot],
    peerPorts: init.peerPorts,
    clock: SystemClock,
    events: {
      requestSplit: (v, s) => send({ t: 'splitRequest', v, s }),
      taskFinished: (v, s) => send({ t: 'finished', v, s, metrics: executor.metrics() }),
      taskFailed: (v, s, error) => send({ t: 'failed', v, s, error: error.toJSON() }),
    },
  });
  executor.deploy();
  port.on('message', (msg: ToWorker) => {
    switch (msg.t) {
      case 'start':
        void executor.start();
        return;
      case 'splits':
        executor.addSplits(msg.v, msg.s, msg.splits);
        return;
      case 'noMoreSplits':
        executor.noMoreSplits(msg.v, msg.s);
        return;
      case 'cancel':
        executor.cancel();
        return;
    }
  });
  setInterval(() => send({ t: 'metrics', metrics: executor.metrics() }), METRICS_INTERVAL_MS).unref();
  send({ t: 'ready' });
}

