/**
 * Slot workers started ahead of the job. Starting a worker thread and loading the runtime
 * in it takes ~120 ms; the CLI starts the slots it will need first thing, so that time
 * overlaps its own loading and bundling of the job. Slots of a job that finished come back
 * here (as a Flink MiniCluster's TaskManagers outlive their jobs), so the next job in the
 * process finds their runtime loaded and its hot code compiled. Importing this module is
 * cheap on purpose (it does not load the engine).
 */
import { WorkerSlot } from './worker-slot.ts';
import type { WorkerJob } from './worker-protocol.ts';

let idle: WorkerSlot[] = [];

/** Makes sure `count` slot workers are started (starting the missing ones now); the next job takes them. */
export function prestartWorkers(count: number): void {
  while (idle.length < count) idle.push(new WorkerSlot());
}

/** Tells the started workers which job to load (so they load it while the client does). */
export function loadJobInPrestarted(job: WorkerJob): void {
  for (const w of idle) if (w.job === undefined) w.load(job);
}

/**
 * `count` workers loading `job`: pre-started ones first, new ones for the rest; pre-started
 * workers left over (or loading another job) are stopped.
 */
export function takeWorkers(count: number, job: WorkerJob): WorkerSlot[] {
  const taken: WorkerSlot[] = [];
  for (const w of idle) {
    if (w.dead) continue;
    if (taken.length < count && (w.job === undefined || w.job.jobModuleUrl === job.jobModuleUrl)) {
      if (w.job === undefined) w.load(job);
      taken.push(w);
    } else {
      w.terminate();
    }
  }
  idle = [];
  while (taken.length < count) {
    const w = new WorkerSlot();
    w.load(job);
    taken.push(w);
  }
  return taken;
}

/** Takes back the slots of a job that finished; the next job may take them. */
export function releaseWorkers(workers: Iterable<WorkerSlot>): void {
  for (const w of workers) {
    if (w.dead) continue;
    w.release();
    idle.push(w);
  }
}

/** Stops every pre-started or released worker that no job took. */
export function stopPrestarted(): void {
  for (const w of idle) w.terminate();
  idle = [];
}
