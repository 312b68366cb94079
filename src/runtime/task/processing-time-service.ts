/**
 * Processing time for operators: the current time and timers that run as mails of the
 * task (between batches, never in the middle of one). Time comes from an injectable Clock;
 * tests use {@link ManualProcessingTimeService} to run on virtual time.
 */
import type { Clock } from '../../core/time.ts';

export interface ScheduledTimer {
  cancel(): void;
}

export interface ProcessingTimeService {
  getCurrentProcessingTime(): number;
  /** Calls `callback(time)` in the task thread once processing time reaches `time` (epoch ms). */
  registerTimer(time: number, callback: (time: number) => void): ScheduledTimer;
}

/** Wall-clock timers delivered through the task's mailbox. */
export class SystemProcessingTimeService implements ProcessingTimeService {
  private readonly clock: Clock;
  private readonly post: (mail: () => void) => void;
  private readonly pending = new Set<NodeJS.Timeout>();

  /** @param post enqueues a mail in the owning task's mailbox */
  constructor(clock: Clock, post: (mail: () => void) => void) {
    this.clock = clock;
    this.post = post;
  }

  getCurrentProcessingTime(): number {
    return this.clock.now();
  }

  registerTimer(time: number, callback: (time: number) => void): ScheduledTimer {
    const delay = Math.max(0, time - this.clock.now());
    const handle = setTimeout(() => {
      this.pending.delete(handle);
      this.post(() => callback(time));
    }, delay);
    this.pending.add(handle);
    return {
      cancel: () => {
        clearTimeout(handle);
        this.pending.delete(handle);
      },
    };
  }

  /** Cancels every timer (task end or failure). */
  shutdown(): void {
    for (const h of this.pending) clearTimeout(h);
    this.pending.clear();
  }
}

/** Virtual processing time for tests: timers fire only when the test advances time. */
export class ManualProcessingTimeService implements ProcessingTimeService {
  private now: number;
  private timers: { time: number; callback: (time: number) => void; cancelled: boolean }[] = [];

  constructor(start = 0) {
    this.now = start;
  }

  getCurrentProcessingTime(): number {
    return this.now;
  }

  registerTimer(time: number, callback: (time: number) => void): ScheduledTimer {
    const t = { time, callback, cancelled: false };
    this.timers.push(t);
    return { cancel: () => void (t.cancelled = true) };
  }

  /** Moves time forward to `time`, firing due timers in time order. */
  advanceTo(time: number): void {
    for (;;) {
      const due = this.timers.filter((t) => !t.cancelled && t.time <= time).sort((a, b) => a.time - b.time)[0];
      if (due === undefined) break;
      this.now = Math.max(this.now, due.time);
      due.cancelled = true;
      due.callback(due.time);
    }
    this.timers = this.timers.filter((t) => !t.cancelled);
    this.now = Math.max(this.now, time);
  }
}
