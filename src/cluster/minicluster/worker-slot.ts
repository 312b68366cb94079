/**
 * A worker thread that hosts one slot of the local mini-cluster. It is started as early as
 * possible — the CLI starts slots before it loads and bundles the job, so the thread's own
 * start-up (loading the runtime) overlaps the client's — and told later which job to load.
 * Messages to it queue in its port; messages and failures from it are held until a
 * coordinator listens. After a job that finished, the slot is released back to the pool
 * (see worker-pool.ts) instead of being stopped.
 */
import { Worker } from 'node:worker_threads';
import type { TransferListItem } from 'node:worker_threads';
import { RivuletError } from '../../core/errors.ts';
import type { FromWorker, ToWorker, WorkerJob } from './worker-protocol.ts';

export interface WorkerSlotListener {
  onMessage(msg: FromWorker): void;
  onFailure(error: RivuletError): void;
}

const ENTRY = new URL('./worker-entry.js', import.meta.url);

export class WorkerSlot {
  private readonly worker: Worker;
  private listener: WorkerSlotListener | undefined;
  private readonly held: FromWorker[] = [];
  private heldFailure: RivuletError | undefined;
  private terminated = false;
  /** Set from `release()` until the worker answers `released`: what it sends meanwhile belongs to the finished job. */
  private releasing = false;
  /** The thread exited or failed; it cannot host another job. */
  dead = false;
  /** The job this worker was told to load, if any. */
  job: WorkerJob | undefined;

  constructor() {
    // Source maps make a user function's failure in a worker point at the job's own lines.
    const execArgv = process.sourceMapsEnabled ? [...process.execArgv, '--enable-source-maps'] : process.execArgv;
    this.worker = new Worker(ENTRY, { execArgv });
    this.worker.on('message', (msg: FromWorker) => {
      if (this.releasing) {
        if (msg.t === 'released') this.releasing = false;
      } else if (this.listener !== undefined) {
        this.listener.onMessage(msg);
      } else {
        this.held.push(msg);
      }
    });
    this.worker.on('error', (e) => this.failed(new RivuletError('WORKER_DIED', `A worker thread died: ${e.message}`, {}, { cause: e })));
    this.worker.on('exit', (code) => {
      if (!this.terminated) this.failed(new RivuletError('WORKER_DIED', `A worker thread exited with code ${code} before the job finished.`));
    });
    // An idle pre-started slot must not keep the process alive.
    this.worker.unref();
  }

  /** Tells the worker which job to load (once). */
  load(job: WorkerJob): void {
    this.job = job;
    this.post({ t: 'load', ...job });
  }

  private failed(e: RivuletError): void {
    this.dead = true;
    if (this.terminated) return;
    if (this.listener !== undefined) this.listener.onFailure(e);
    else this.heldFailure ??= e;
  }

  /** Starts delivering this worker's messages (and any held ones) to `listener`; the worker then keeps the process alive. */
  listen(listener: WorkerSlotListener): void {
    this.listener = listener;
    this.worker.ref();
    for (const m of this.held.splice(0)) listener.onMessage(m);
    if (this.heldFailure !== undefined) listener.onFailure(this.heldFailure);
  }

  /**
   * The job this slot ran has finished: the worker tears its slot down and waits for the
   * next `load`; until then this slot is idle again (it no longer keeps the process alive).
   */
  release(): void {
    this.post({ t: 'release' });
    this.releasing = true;
    this.listener = undefined;
    this.job = undefined;
    this.held.length = 0;
    this.heldFailure = undefined;
    this.worker.unref();
  }

  post(msg: ToWorker, transfer: readonly TransferListItem[] = []): void {
    this.worker.postMessage(msg, transfer);
  }

  terminate(): void {
    this.terminated = true;
    void this.worker.terminate();
  }
}
