/**
 * StatusWatermarkValve: turns the watermarks and watermark statuses of a task's input
 * channels into the task's own watermark and status; as Flink's StatusWatermarkValve.
 *
 * - The task's watermark is the minimum over the channels that are *active* and *aligned*,
 *   and never goes back. A channel that has ended is out of the minimum.
 * - An *idle* channel holds back nothing. When it turns active again it is *unaligned* —
 *   left out of the minimum — until its watermark catches up with the task's; its records
 *   in between may be late, exactly as in Flink.
 * - When every channel that has not ended is idle, the task is idle: it reports IDLE (once)
 *   so that its own downstream stops waiting for it. If the channel that went idle last
 *   held the minimum, the watermark first advances to the largest watermark over all
 *   channels (Flink's "flush": no channel will advance any more). The first channel to
 *   turn active again makes the task ACTIVE.
 *
 * Each input method returns the task's new watermark when it advanced, else undefined;
 * {@link status} says the task's status after the call. Control events only: nothing here
 * runs per record.
 */
import type { WatermarkStatus } from '../../core/watermark.ts';

export class StatusWatermarkValve {
  private readonly watermarks: number[];
  private readonly idle: boolean[];
  private readonly aligned: boolean[];
  private readonly ended: boolean[];
  private lastWatermark = Number.NEGATIVE_INFINITY;
  private lastStatus: WatermarkStatus = 'ACTIVE';

  constructor(numChannels: number) {
    this.watermarks = new Array<number>(numChannels).fill(Number.NEGATIVE_INFINITY);
    this.idle = new Array<boolean>(numChannels).fill(false);
    this.aligned = new Array<boolean>(numChannels).fill(true);
    this.ended = new Array<boolean>(numChannels).fill(false);
  }

  /** The task's watermark so far (-Infinity before the first). */
  currentWatermark(): number {
    return this.lastWatermark;
  }

  /** The task's status after the last input. */
  status(): WatermarkStatus {
    return this.lastStatus;
  }

  /** A watermark on `channel`; ignored while the channel or the whole task is idle (as Flink). */
  inputWatermark(channel: number, timestamp: number): number | undefined {
    if (this.lastStatus === 'IDLE' || this.idle[channel] || this.ended[channel]) return undefined;
    if (timestamp <= this.watermarks[channel]!) return undefined;
    this.watermarks[channel] = timestamp;
    if (!this.aligned[channel] && timestamp >= this.lastWatermark) this.aligned[channel] = true;
    return this.advanceToMinOfAligned();
  }

  /** A watermark status on `channel`. */
  inputWatermarkStatus(channel: number, status: WatermarkStatus): number | undefined {
    if (this.ended[channel]) return undefined;
    if (status === 'IDLE' && !this.idle[channel]) {
      this.idle[channel] = true;
      this.aligned[channel] = false;
      if (!this.hasActiveChannel()) {
        const flushed = this.watermarks[channel] === this.lastWatermark ? this.advanceToMaxOfAll() : undefined;
        this.lastStatus = 'IDLE';
        return flushed;
      }
      return this.watermarks[channel] === this.lastWatermark ? this.advanceToMinOfAligned() : undefined;
    }
    if (status === 'ACTIVE' && this.idle[channel]) {
      this.idle[channel] = false;
      if (this.watermarks[channel]! >= this.lastWatermark) this.aligned[channel] = true;
      this.lastStatus = 'ACTIVE';
    }
    return undefined;
  }

  /** `channel` delivered its end of partition: it leaves the minimum for good. */
  channelEnded(channel: number): number | undefined {
    if (this.ended[channel]) return undefined;
    this.ended[channel] = true;
    this.aligned[channel] = false;
    if (this.lastStatus === 'ACTIVE' && !this.hasActiveChannel() && this.hasOpenChannel()) {
      this.lastStatus = 'IDLE';
      return undefined;
    }
    return this.advanceToMinOfAligned();
  }

  private hasActiveChannel(): boolean {
    for (let i = 0; i < this.idle.length; i++) if (!this.idle[i] && !this.ended[i]) return true;
    return false;
  }

  private hasOpenChannel(): boolean {
    return this.ended.includes(false);
  }

  private advanceToMinOfAligned(): number | undefined {
    let min = Number.POSITIVE_INFINITY;
    let any = false;
    for (let i = 0; i < this.watermarks.length; i++) {
      if (!this.aligned[i] || this.idle[i] || this.ended[i]) continue;
      any = true;
      if (this.watermarks[i]! < min) min = this.watermarks[i]!;
    }
    return any ? this.advanceTo(min) : undefined;
  }

  private advanceToMaxOfAll(): number | undefined {
    let max = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < this.watermarks.length; i++) if (!this.ended[i] && this.watermarks[i]! > max) max = this.watermarks[i]!;
    return this.advanceTo(max);
  }

  private advanceTo(watermark: number): number | undefined {
    if (watermark <= this.lastWatermark) return undefined;
    this.lastWatermark = watermark;
    return watermark;
  }
}
