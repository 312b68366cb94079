/** Entry module of a slot's worker thread. */
import { runWorker } from './worker-main.ts';

runWorker();
