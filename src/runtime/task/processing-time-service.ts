/**
 * Processing time for operators: the current time and timers that run as mails of the
 * task (between batches, never in the middle of one). Time comes from an injectable Clock;
 * operator tests use {@link ManualProcessingTimeService}, job tests a ManualClock, to run on
 * virtual time.
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

/**
 * Timers on the task's clock, delivered through the task's mailbox. With the system clock
 * they are `setTimeout`s; with a ManualClock (virtual time, core/time.ts) they fire when the test
 * advances the clock. A clock without `schedule` gets wall-clock timeouts.
 */
export class SystemProcessingTimeService implements ProcessingTimeService {
  private readonly clock: Clock;
  private readonly post: (mail: () => void) => void;
  private readonly pending = new Set<() => void>();

  /** @param post enqueues a mail in the owning task's mailbox */
  constructor(clock: Clock, post: (mail: () => void) => void) {
    this.clock = clock;
    this.post = post;
  }

  getCurrentProcessingTime(): number {
    return this.clock.now();
  }

  registerTimer(time: number, callback: (time: number) => void): ScheduledTimer {
    const fire = (): void => {
      this.pending.delete(cancel);
      this.post(() => callback(time));
    };
    const cancel = this.clock.schedule !== undefined ? this.clock.schedule(time, fire) : wallClockTimeout(time - this.clock.now(), fire);
    this.pending.add(cancel);
    return {
      cancel: () => {
        cancel();
        this.pending.delete(cancel);
      },
    };
  }

  /** Cancels every timer (task end or failure). */
  shutdown(): void {
    for (const cancel of this.pending) cancel();
    this.pending.clear();
  }
}

function wallClockTimeout(delay: number, callback: () => void): () => void {
  const handle = setTimeout(callback, Math.max(0, delay));
  return () => clearTimeout(handle);
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
