/**
 * A worker thread that hosts one slot, started ahead of the job (when the CLI announces the
 * job artifact) so that loading the worker bundle and the job overlaps the client's own
 * start-up. Messages to it are posted in order once the thread exists; messages and
 * failures from it are held until a coordinator listens.
 */
import { Worker } from 'node:worker_threads';
import type { TransferListItem } from 'node:worker_threads';
import { RivuletError } from '../../core/errors.ts';
import type { FromWorker, ToWorker, WorkerInit } from './worker-protocol.ts';

export interface WorkerSlotListener {
  onMessage(msg: FromWorker): void;
  onFailure(error: RivuletError): void;
}

export class WorkerSlot {
  private readonly worker: Promise<Worker>;
  private listener: WorkerSlotListener | undefined;
  private readonly held: FromWorker[] = [];
  private heldFailure: RivuletError | undefined;
  private terminated = false;

  constructor(workerUrl: Promise<string>, init: WorkerInit) {
    this.worker = workerUrl.then((url) => {
      // With source maps on in the client (the CLI), worker stack traces name the user's source lines too (DESIGN.md §10).
      const sourceMaps = process.sourceMapsEnabled ? { execArgv: [...process.execArgv, '--enable-source-maps'] } : {};
      const w = new Worker(new URL(url), { workerData: init, argv: [...init.jobArgs], ...sourceMaps });
      w.on('message', (msg: FromWorker) => {
        if (this.listener !== undefined) this.listener.onMessage(msg);
        else this.held.push(msg);
      });
      w.on('error', (e) => this.failed(new RivuletError('WORKER_DIED', `A worker thread died: ${e.message}`, {}, { cause: e })));
      w.on('exit', (code) => {
        if (!this.terminated) this.failed(new RivuletError('WORKER_DIED', `A worker thread exited with code ${code} before the job finished.`));
      });
      return w;
    });
    this.worker.catch((e: unknown) => this.failed(new RivuletError('WORKER_DIED', `A worker thread could not start: ${String(e)}`, {}, { cause: e })));
  }

  private failed(e: RivuletError): void {
    if (this.terminated) return;
    if (this.listener !== undefined) this.listener.onFailure(e);
    else this.heldFailure ??= e;
  }

  /** Starts delivering this worker's messages (and any held ones) to `listener`. */
  listen(listener: WorkerSlotListener): void {
    this.listener = listener;
    for (const m of this.held.splice(0)) listener.onMessage(m);
    if (this.heldFailure !== undefined) listener.onFailure(this.heldFailure);
  }

  post(msg: ToWorker, transfer: readonly TransferListItem[] = []): void {
    void this.worker.then((w) => w.postMessage(msg, transfer));
  }

  terminate(): void {
    this.terminated = true;
    void this.worker.then((w) => w.terminate(), () => {});
  }
}
