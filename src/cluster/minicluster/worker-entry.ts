/** Worker thread entry when no worker bundle is available: imports the job module by URL. */
import { workerData } from 'node:worker_threads';
import type { WorkerInit } from './worker-protocol.ts';
import { runWorker } from './worker-main.ts';

runWorker(() => import((workerData as WorkerInit).jobModuleUrl));
