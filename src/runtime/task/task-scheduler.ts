/**
 * Runs the tasks of one thread (one slot's worker, or the main thread in-process).
 *
 * Each task is a single-threaded mailbox loop; this scheduler interleaves the loops of all
 * tasks on the thread cooperatively: a runnable task gets a slice (a few ms of batches),
 * then the next. After each round the thread yields to the event loop (setImmediate) so
 * I/O callbacks, timers and messages from other threads — new batches, credits — come in.
 * A task that has nothing to do is not in the queue; whatever wakes it (data, credit, a
 * mail, a source's I/O) calls {@link schedule}.
 */

export interface Schedulable {
  /** Runs one slice; the task re-schedules itself if it has more to do. */
  runSlice(deadline: number): void;
  /** Owned by the scheduler: true while queued. */
  queued: boolean;
}

/** How long one task runs before the next gets its turn (ms). */
export const SLICE_MS = 4;
/** How long the thread runs tasks before it yields to the event loop (ms). */
const ROUND_MS = 10;

export class TaskScheduler {
  private queue: Schedulable[] = [];
  private tickPending = false;

  schedule(task: Schedulable): void {
    if (task.queued) return;
    task.queued = true;
    this.queue.push(task);
    if (!this.tickPending) {
      this.tickPending = true;
      setImmediate(this.tick);
    }
  }

  private readonly tick = (): void => {
    this.tickPending = false;
    const roundEnd = performance.now() + ROUND_MS;
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      for (const task of batch) {
        task.queued = false;
        task.runSlice(performance.now() + SLICE_MS);
      }
      if (performance.now() >= roundEnd) break;
    }
    if (this.queue.length > 0 && !this.tickPending) {
      this.tickPending = true;
      setImmediate(this.tick);
    }
  };
}
