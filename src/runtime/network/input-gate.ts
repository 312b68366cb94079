/**
 * The input side of a task: its input channels, read round-robin, and the watermark valve
 * that turns per-channel watermarks into the task's watermark — the minimum over the
 * channels that have not ended, never going back (as Flink's StatusWatermarkValve).
 */
import type { ChannelEvent } from './channel-event.ts';
import type { InputChannel } from './channel.ts';

export class InputGate {
  readonly channels: readonly InputChannel[];
  private readonly ended: boolean[];
  private readonly watermarks: number[];
  private endedCount = 0;
  private next = 0;
  private lastWatermark = Number.NEGATIVE_INFINITY;
  /** Index of the channel the last polled event came from. */
  lastChannel = 0;

  constructor(channels: readonly InputChannel[]) {
    this.channels = channels;
    this.ended = channels.map(() => false);
    this.watermarks = channels.map(() => Number.NEGATIVE_INFINITY);
  }

  /** The next event of some channel with data, round-robin; undefined when none has any. */
  poll(): ChannelEvent | undefined {
    const n = this.channels.length;
    for (let i = 0; i < n; i++) {
      const c = (this.next + i) % n;
      const e = this.channels[c]!.poll();
      if (e !== undefined) {
        this.lastChannel = c;
        this.next = (c + 1) % n;
        return e;
      }
    }
    return undefined;
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
    return this.recompute();
  }

  /** Records a channel's watermark; returns the task's new watermark if it advanced, else undefined. */
  watermark(channel: number, timestamp: number): number | undefined {
    if (timestamp <= this.watermarks[channel]!) return undefined;
    this.watermarks[channel] = timestamp;
    return this.recompute();
  }

  private recompute(): number | undefined {
    let min = Number.POSITIVE_INFINITY;
    let any = false;
    for (let i = 0; i < this.watermarks.length; i++) {
      if (this.ended[i]) continue;
      any = true;
      if (this.watermarks[i]! < min) min = this.watermarks[i]!;
    }
    if (!any) return undefined;
    if (min > this.lastWatermark) {
      this.lastWatermark = min;
      return min;
    }
    return undefined;
  }
}
