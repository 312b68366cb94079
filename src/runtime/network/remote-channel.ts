/**
 * Channels between tasks in different worker threads (slots). Record batches are
 * serialized by the record-batch codec (columns for flat records of one shape, msgpackr
 * for anything else) and the bytes are transferred, not copied, over a MessagePort; control
 * events and credits are tiny structured-clone messages on the same port, so everything on
 * a channel stays in order.
 *
 * One MessagePort connects each pair of threads; a {@link ThreadNetwork} per thread routes
 * its messages to channels by id.
 */
import type { MessagePort } from 'node:worker_threads';
import { RivuletError } from '../../core/errors.ts';
import type { ChannelEvent } from './channel-event.ts';
import { END_OF_PARTITION, WATERMARK_STATUS_ACTIVE, WATERMARK_STATUS_IDLE } from './channel-event.ts';
import type { InputChannel, OutputChannel } from './channel.ts';
import { REMOTE_CHANNEL_CAPACITY } from './channel.ts';
import { decodeRecordBatch, encodeRecordBatch } from './record-batch-codec.ts';

/** Messages on a thread-to-thread port. */
export type NetworkMessage =
  | { readonly t: 'records'; readonly c: number; readonly b: Uint8Array }
  | { readonly t: 'watermark'; readonly c: number; readonly ts: number }
  | { readonly t: 'status'; readonly c: number; readonly idle: boolean }
  | { readonly t: 'end'; readonly c: number }
  | { readonly t: 'barrier'; readonly c: number; readonly id: number; readonly ts: number }
  | { readonly t: 'credit'; readonly c: number; readonly n: number };

export class RemoteOutputChannel implements OutputChannel {
  readonly channelId: number;
  private readonly port: MessagePort;
  private credits: number;
  onCredit: () => void = () => {};

  constructor(channelId: number, port: MessagePort, capacity = REMOTE_CHANNEL_CAPACITY) {
    this.channelId = channelId;
    this.port = port;
    this.credits = capacity;
  }

  credit(): number {
    return this.credits;
  }

  send(event: ChannelEvent): void {
    switch (event.kind) {
      case 'records': {
        this.credits--;
        const bytes = encodeRecordBatch(event.values, event.timestamps);
        this.port.postMessage({ t: 'records', c: this.channelId, b: bytes } satisfies NetworkMessage, [bytes.buffer as ArrayBuffer]);
        return;
      }
      case 'watermark':
        this.port.postMessage({ t: 'watermark', c: this.channelId, ts: event.timestamp } satisfies NetworkMessage);
        return;
      case 'watermarkStatus':
        this.port.postMessage({ t: 'status', c: this.channelId, idle: event.status === 'IDLE' } satisfies NetworkMessage);
        return;
      case 'end':
        this.port.postMessage({ t: 'end', c: this.channelId } satisfies NetworkMessage);
        return;
      case 'barrier':
        this.port.postMessage({ t: 'barrier', c: this.channelId, id: event.checkpointId, ts: event.timestamp } satisfies NetworkMessage);
        return;
    }
  }

  /** @internal a credit message arrived. */
  addCredit(n: number): void {
    this.credits += n;
    this.onCredit();
  }
}

export class RemoteInputChannel implements InputChannel {
  readonly channelId: number;
  private readonly port: MessagePort;
  private readonly queue: ChannelEvent[] = [];
  private head = 0;
  onData: () => void = () => {};

  constructor(channelId: number, port: MessagePort) {
    this.channelId = channelId;
    this.port = port;
  }

  /** @internal a message for this channel arrived. */
  receive(msg: NetworkMessage): void {
    let event: ChannelEvent;
    switch (msg.t) {
      case 'records': {
        const decoded = decodeRecordBatch(msg.b);
        event = { kind: 'records', values: decoded[0], timestamps: decoded[1] };
        break;
      }
      case 'watermark':
        event = { kind: 'watermark', timestamp: msg.ts };
        break;
      case 'status':
        event = msg.idle ? WATERMARK_STATUS_IDLE : WATERMARK_STATUS_ACTIVE;
        break;
      case 'end':
        event = END_OF_PARTITION;
        break;
      case 'barrier':
        event = { kind: 'barrier', checkpointId: msg.id, timestamp: msg.ts };
        break;
      case 'credit':
        throw new RivuletError('INTERNAL', `credit message routed to input channel ${this.channelId}`);
    }
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
    this.port.postMessage({ t: 'credit', c: this.channelId, n: 1 } satisfies NetworkMessage);
  }
}

/** Routes the messages arriving on this thread's peer ports to their channels. */
export class ThreadNetwork {
  private readonly inputs = new Map<number, RemoteInputChannel>();
  private readonly outputs = new Map<number, RemoteOutputChannel>();

  /** Starts listening on a port to a peer thread. */
  attach(port: MessagePort): void {
    port.on('message', (msg: NetworkMessage) => {
      if (msg.t === 'credit') {
        const out = this.outputs.get(msg.c);
        if (out === undefined) throw new RivuletError('INTERNAL', `credit for unknown channel ${msg.c}`);
        out.addCredit(msg.n);
      } else {
        const input = this.inputs.get(msg.c);
        if (input === undefined) throw new RivuletError('INTERNAL', `data for unknown channel ${msg.c}`);
        input.receive(msg);
      }
    });
  }

  registerInput(ch: RemoteInputChannel): void {
    this.inputs.set(ch.channelId, ch);
  }

  registerOutput(ch: RemoteOutputChannel): void {
    this.outputs.set(ch.channelId, ch);
  }
}
