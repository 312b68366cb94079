import type { MessageToProduce } from '@platformatic/kafka';
import { AvailabilityNotifier } from '../../common/availability.ts';

/** Bytes of records in one produce request (brokers refuse record batches over ~1 MiB by default). */
const MAX_REQUEST_BYTES = 900 * 1024;

/** The bytes a record counts for (in produce requests and against `buffer.memory`): key, value, headers and some overhead. */
function recordBytes(m: MessageToProduce): number {
  let bytes = (m.value?.length ?? 0) + (m.key?.length ?? 0) + 64;
  if (m.headers instanceof Map) for (const [k, v] of m.headers as Map<{ length?: number }, { length?: number }>) bytes += (k.length ?? 0) + (v.length ?? 0);
  return bytes;
}

/**
 * The bytes of records a writer's queues hold that are not acknowledged yet, against a
 * limit (Kafka's producer `buffer.memory`): the writer is unavailable (SinkWriter.isAvailable)
 * while more than the limit is held, and available again as acknowledgements free it.
 */
export class BufferMemory {
  readonly limit: number;
  used = 0;
  private readonly notifier = new AvailabilityNotifier();

  constructor(limit: number) {
    this.limit = limit;
  }

  acquire(bytes: number): void {
    this.used += bytes;
  }

  release(bytes: number): void {
    this.used -= bytes;
    if (this.used <= this.limit) this.notifier.notify();
  }

  isAvailable(): true | Promise<void> {
    return this.used <= this.limit ? true : this.notifier.waitForChange();
  }
}

/**
 * The records of one producer on their way to Kafka, one produce request at a time: `add`
 * (on the per-record path, synchronous) sends at once when nothing is in flight, otherwise
 * the records wait and go together in the next request when the current one is answered —
 * batching that adapts to the broker's latency (as the Java producer with `linger.ms=0`).
 * One request at a time also keeps the order of records and, for transactions, the
 * partitions added to the transaction in step with the records sent.
 *
 * A failed request is kept as `failure`; nothing more is sent after it. The records count
 * against the writer's {@link BufferMemory} from `add` until their request is answered (a
 * failure frees them all, so the writer becomes available and its next write reports it).
 */
export class SendQueue {
  private readonly send: (messages: MessageToProduce[]) => Promise<unknown>;
  private readonly memory: BufferMemory | undefined;
  private buffer: MessageToProduce[] = [];
  /** Bytes of this queue's records counted against `memory`. */
  private held = 0;
  private inFlight: Promise<void> | undefined;
  /** The first failed request's error. */
  failure: unknown;
  /** Records added since creation. */
  count = 0;

  constructor(send: (messages: MessageToProduce[]) => Promise<unknown>, memory?: BufferMemory) {
    this.send = send;
    this.memory = memory;
  }

  add(message: MessageToProduce): void {
    this.buffer.push(message);
    this.count++;
    if (this.memory !== undefined && this.failure === undefined) {
      const bytes = recordBytes(message);
      this.held += bytes;
      this.memory.acquire(bytes);
    }
    if (this.inFlight === undefined) this.pump();
  }

  /** Settles when every record added so far is acknowledged; rejects with the first failure. */
  async drain(): Promise<void> {
    for (;;) {
      if (this.failure !== undefined) throw this.failure;
      if (this.inFlight !== undefined) {
        await this.inFlight;
        continue;
      }
      if (this.buffer.length === 0) return;
      this.pump();
    }
  }

  private pump(): void {
    if (this.failure !== undefined || this.buffer.length === 0) return;
    let bytes = 0;
    let n = 0;
    while (n < this.buffer.length && (n === 0 || bytes < MAX_REQUEST_BYTES)) {
      bytes += recordBytes(this.buffer[n++]!);
    }
    const batch = n === this.buffer.length ? this.buffer : this.buffer.slice(0, n);
    this.buffer = n === this.buffer.length ? [] : this.buffer.slice(n);
    this.inFlight = this.send(batch).then(
      () => {
        this.inFlight = undefined;
        this.free(bytes);
        this.pump();
      },
      (e: unknown) => {
        this.inFlight = undefined;
        this.failure = e;
        this.free(this.held);
      },
    );
  }

  private free(bytes: number): void {
    if (this.memory === undefined || this.held === 0) return;
    const b = Math.min(bytes, this.held);
    this.held -= b;
    this.memory.release(b);
  }
}
