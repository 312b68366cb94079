import type { MessageToProduce } from '@platformatic/kafka';

/** Bytes of records in one produce request (brokers refuse record batches over ~1 MiB by default). */
const MAX_REQUEST_BYTES = 900 * 1024;

/**
 * The records of one producer on their way to Kafka, one produce request at a time: `add`
 * (on the per-record path, synchronous) sends at once when nothing is in flight, otherwise
 * the records wait and go together in the next request when the current one is answered —
 * batching that adapts to the broker's latency (as the Java producer with `linger.ms=0`).
 * One request at a time also keeps the order of records and, for transactions, the
 * partitions added to the transaction in step with the records sent.
 *
 * A failed request is kept as `failure`; nothing more is sent after it.
 */
export class SendQueue {
  private readonly send: (messages: MessageToProduce[]) => Promise<unknown>;
  private buffer: MessageToProduce[] = [];
  private inFlight: Promise<void> | undefined;
  /** The first failed request's error. */
  failure: unknown;
  /** Records added since creation. */
  count = 0;

  constructor(send: (messages: MessageToProduce[]) => Promise<unknown>) {
    this.send = send;
  }

  add(message: MessageToProduce): void {
    this.buffer.push(message);
    this.count++;
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
      const m = this.buffer[n++]!;
      bytes += (m.value?.length ?? 0) + (m.key?.length ?? 0) + 64;
    }
    const batch = n === this.buffer.length ? this.buffer : this.buffer.slice(0, n);
    this.buffer = n === this.buffer.length ? [] : this.buffer.slice(n);
    this.inFlight = this.send(batch).then(
      () => {
        this.inFlight = undefined;
        this.pump();
      },
      (e: unknown) => {
        this.inFlight = undefined;
        this.failure = e;
      },
    );
  }
}
