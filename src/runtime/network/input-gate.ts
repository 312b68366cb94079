/**
 * The input side of a task: its input channels, read round-robin, and the watermark valve
 * that turns per-channel watermarks and watermark statuses into the task's watermark — the
 * minimum over the channels that are active and have not ended, never going back — and
 * the task's status (see {@link StatusWatermarkValve}).
 *
 * Checkpoint alignment blocks channels (see CheckpointBarrierHandler): `poll` skips a
 * blocked channel, whose events wait in its queue (and, once its credit is used up, in its
 * sender) until {@link unblockAll}. The check costs one comparison per poll, none while
 * nothing is blocked.
 */
import type { WatermarkStatus } from '../../core/watermark.ts';
import type { ChannelEvent } from './channel-event.ts';
import type { InputChannel } from './channel.ts';
import { StatusWatermarkValve } from './status-watermark-valve.ts';

export class InputGate {
  readonly channels: readonly InputChannel[];
  private readonly ended: boolean[];
  private readonly valve: StatusWatermarkValve;
  private endedCount = 0;
  private next = 0;
  private readonly blocked: boolean[];
  private blockedCount = 0;
  /** Index of the channel the last polled event came from. */
  lastChannel = 0;

  constructor(channels: readonly InputChannel[]) {
    this.channels = channels;
    this.ended = channels.map(() => false);
    this.blocked = channels.map(() => false);
    this.valve = new StatusWatermarkValve(channels.length);
  }

  /** The next event of some channel with data, round-robin; undefined when none has any. */
  poll(): ChannelEvent | undefined {
    const n = this.channels.length;
    for (let i = 0; i < n; i++) {
      const c = (this.next + i) % n;
      if (this.blockedCount > 0 && this.blocked[c]) continue;
      const e = this.channels[c]!.poll();
      if (e !== undefined) {
        this.lastChannel = c;
        this.next = (c + 1) % n;
        return e;
      }
    }
    return undefined;
  }

  /** Stops reading `channel` until {@link unblockAll} (checkpoint alignment). */
  blockChannel(channel: number): void {
    if (this.blocked[channel]) return;
    this.blocked[channel] = true;
    this.blockedCount++;
  }

  unblockAll(): void {
    if (this.blockedCount === 0) return;
    this.blocked.fill(false);
    this.blockedCount = 0;
  }

  isBlocked(channel: number): boolean {
    return this.blocked[channel] === true;
  }

  /** True when every channel delivered its end of partition. */
  isFinished(): boolean {
    return this.endedCount === this.channels.length;
  }

  /** Records a channel's end; returns the task's new watermark if it advanced, else undefined. */
  channelEnded(channel: number): number | undefined {
    if (!this.ended[channel]) {
      this.ended[channel] = true;
      this.endedCount++;
    }
    return this.valve.channelEnded(channel);
  }

  /** Records a channel's watermark; returns the task's new watermark if it advanced, else undefined. */
  watermark(channel: number, timestamp: number): number | undefined {
    return this.valve.inputWatermark(channel, timestamp);
  }

  /**
   * Records a channel's watermark status; returns the task's new watermark if it advanced
   * (an idle channel no longer holds back the minimum), else undefined. A change of the
   * task's own status shows in {@link status}: callers compare it before and after.
   */
  watermarkStatus(channel: number, status: WatermarkStatus): number | undefined {
    return this.valve.inputWatermarkStatus(channel, status);
  }

  /** IDLE when every channel that has not ended is idle. */
  status(): WatermarkStatus {
    return this.valve.status();
  }
}
