/**
 * Writes one task's records for one outgoing JobEdge: picks the channel(s) per record with
 * the edge's partitioner and collects a batch per channel, sent when full, when the task
 * goes idle, or before a control event.
 *
 * Data path: `emit` appends to two arrays; no allocation per record except the batch
 * arrays themselves. A full batch without credit waits in a per-channel backlog, and the
 * task stops taking input until backlogs drain (see {@link isAvailable}), which is how
 * backpressure reaches the source.
 */
import type { KeySelector } from '../../core/functions.ts';
import type { Key } from '../../core/keys.ts';
import type { PartitionerSpec } from '../../graph/partitioner.ts';
import { assignToKeyGroup, computeOperatorIndexForKeyGroup } from '../state/key-groups.ts';
import type { ChannelEvent, RecordBatch } from './channel-event.ts';
import type { OutputChannel } from './channel.ts';

/** Records per batch; ~32 KiB for records of ~60 bytes serialized. */
export const DEFAULT_BATCH_SIZE = 512;

const BROADCAST = -1;

export class RecordWriter {
  private readonly channels: readonly OutputChannel[];
  private readonly partitioner: PartitionerSpec;
  private readonly keySelector: KeySelector<unknown, Key> | undefined;
  private readonly maxParallelism: number;
  private readonly batchSize: number;
  private values: unknown[][];
  private timestamps: number[][];
  private readonly backlog: RecordBatch[][];
  private backlogged = 0;
  private nextChannel: number;
  /** Records written, for the operator's numRecordsOut. */
  recordsOut = 0;

  /**
   * @param channels ordered by target subtask (all-to-all) or the pointwise targets
   * @param subtaskIndex seeds round-robin so parallel senders do not all start at channel 0
   */
  constructor(options: {
    channels: readonly OutputChannel[];
    partitioner: PartitionerSpec;
    maxParallelism: number;
    batchSize: number;
    subtaskIndex: number;
    onCredit: () => void;
  }) {
    this.channels = options.channels;
    this.partitioner = options.partitioner;
    this.keySelector = options.partitioner.kind === 'hash' ? (options.partitioner.keySelector as KeySelector<unknown, Key>) : undefined;
    this.maxParallelism = options.maxParallelism;
    this.batchSize = Math.max(1, options.batchSize);
    this.values = this.channels.map(() => []);
    this.timestamps = this.channels.map(() => []);
    this.backlog = this.channels.map(() => []);
    this.nextChannel = options.subtaskIndex % Math.max(1, this.channels.length);
    for (const ch of this.channels) ch.onCredit = () => this.drainBacklog(options.onCredit);
  }

  private selectChannel(value: unknown): number {
    const n = this.channels.length;
    switch (this.partitioner.kind) {
      case 'forward':
      case 'global':
        return 0;
      case 'hash':
        // Target subtasks are the channel indexes (all-to-all wiring, ordered by subtask).
        return computeOperatorIndexForKeyGroup(this.maxParallelism, n, assignToKeyGroup(this.keySelector!(value), this.maxParallelism));
      case 'rebalance':
      case 'rescale': {
        const c = this.nextChannel;
        this.nextChannel = c + 1 === n ? 0 : c + 1;
        return c;
      }
      case 'broadcast':
        return BROADCAST;
    }
  }

  emit(value: unknown, timestamp: number): void {
    this.recordsOut++;
    const c = this.selectChannel(value);
    if (c === BROADCAST) {
      for (let i = 0; i < this.channels.length; i++) this.append(i, value, timestamp);
    } else {
      this.append(c, value, timestamp);
    }
  }

  private append(c: number, value: unknown, timestamp: number): void {
    const vs = this.values[c]!;
    vs.push(value);
    this.timestamps[c]!.push(timestamp);
    if (vs.length >= this.batchSize) this.flushChannel(c);
  }

  private flushChannel(c: number): void {
    const vs = this.values[c]!;
    if (vs.length === 0) return;
    const batch: RecordBatch = { kind: 'records', values: vs, timestamps: this.timestamps[c]! };
    this.values[c] = [];
    this.timestamps[c] = [];
    const ch = this.channels[c]!;
    if (this.backlog[c]!.length === 0 && ch.credit() > 0) {
      ch.send(batch);
    } else {
      this.backlog[c]!.push(batch);
      this.backlogged++;
    }
  }

  private drainBacklog(notify: () => void): void {
    if (this.backlogged > 0) {
      for (let c = 0; c < this.channels.length; c++) {
        const queue = this.backlog[c]!;
        const ch = this.channels[c]!;
        while (queue.length > 0 && ch.credit() > 0) {
          ch.send(queue.shift()!);
          this.backlogged--;
        }
      }
    }
    notify();
  }

  /** Sends all partly filled batches (those without credit go to the backlog). */
  flushAll(): void {
    for (let c = 0; c < this.channels.length; c++) this.flushChannel(c);
  }

  /**
   * Sends a control event on every channel, after the records before it. Events queue
   * behind a backlog so order is kept.
   */
  broadcastEvent(event: ChannelEvent): void {
    this.flushAll();
    for (let c = 0; c < this.channels.length; c++) {
      if (this.backlog[c]!.length > 0) {
        this.backlog[c]!.push(event as RecordBatch);
        this.backlogged++;
      } else {
        this.channels[c]!.send(event);
      }
    }
  }

  /** True when every channel can take a batch now: the task may process more input. */
  isAvailable(): boolean {
    if (this.backlogged > 0) return false;
    for (let c = 0; c < this.channels.length; c++) if (this.channels[c]!.credit() <= 0) return false;
    return true;
  }

  /** True when nothing waits in a backlog (all sent). */
  isDrained(): boolean {
    return this.backlogged === 0;
  }
}
