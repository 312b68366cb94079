/**
 * The two ends of a channel and credit-based flow control.
 *
 * The receiving end owns a fixed number of batch buffers (its credit). The sending end may
 * send a record batch only while it holds credit; the receiver hands a credit back each
 * time its task has consumed a batch. So a channel never holds more than `capacity` record
 * batches, and a slow consumer stops its producer — up through the chain to the source —
 * with bounded memory, as Flink's credit-based network stack. Control events (watermarks,
 * end of partition, barriers) need no credit: they are few and tiny.
 */
import type { ChannelEvent } from './channel-event.ts';

/**
 * Batches a receiver buffers per channel between tasks of one thread: the consumer runs in
 * the same scheduling round, so credit comes back at once and a few batches suffice.
 */
export const DEFAULT_CHANNEL_CAPACITY = 4;
/**
 * Batches a receiver buffers per channel from another thread. Credit comes back a message
 * round trip later (~1 ms, more while the sender's thread is inside a scheduling round), so
 * the window must cover that or the sender stalls: on the flights job at p=2, 4 batches
 * stalled the source 45-66 times, 16 batches 3-15 times. Flink: 2 exclusive + 8 floating
 * buffers of 32 KiB per channel.
 */
export const REMOTE_CHANNEL_CAPACITY = 16;

export interface OutputChannel {
  readonly channelId: number;
  /** Record batches the receiver has room for right now. */
  credit(): number;
  send(event: ChannelEvent): void;
  /** Called by the channel when credit arrives (set by the owning task). */
  onCredit: () => void;
}

export interface InputChannel {
  readonly channelId: number;
  /** Takes the next event, or undefined when none is queued. */
  poll(): ChannelEvent | undefined;
  hasData(): boolean;
  /** Tells the sender one record batch was consumed (returns its credit). */
  releaseBatch(): void;
  /** Called by the channel when an event arrives (set by the owning task). */
  onData: () => void;
}

/**
 * Both ends of a channel between two tasks of the same thread: events are handed over as
 * objects, never serialized.
 */
export class LocalChannel implements OutputChannel, InputChannel {
  readonly channelId: number;
  private readonly queue: ChannelEvent[] = [];
  private head = 0;
  private credits: number;
  onCredit: () => void = () => {};
  onData: () => void = () => {};

  constructor(channelId: number, capacity = DEFAULT_CHANNEL_CAPACITY) {
    this.channelId = channelId;
    this.credits = capacity;
  }

  credit(): number {
    return this.credits;
  }

  send(event: ChannelEvent): void {
    if (event.kind === 'records') this.credits--;
    this.queue.push(event);
    this.onData();
  }

  poll(): ChannelEvent | undefined {
    if (this.head >= this.queue.length) return undefined;
    const e = this.queue[this.head]!;
    this.queue[this.head++] = undefined as unknown as ChannelEvent;
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    }
    return e;
  }

  hasData(): boolean {
    return this.head < this.queue.length;
  }

  releaseBatch(): void {
    this.credits++;
    this.onCredit();
  }
}
