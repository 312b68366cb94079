import type { MessageToProduce, ProducerOptions } from '@platformatic/kafka';
import type { Producer } from '@platformatic/kafka';
import { kafkaLibrary } from '../kafka-library.ts';
import { asRivuletError, RivuletError } from '../../../core/errors.ts';
import type { SinkWriter, SinkWriterContext } from '../../../core/sink.ts';
import { DeliveryGuarantee } from './delivery-guarantee.ts';
import type { KafkaProducerRecord, KafkaRecordSerializationSchema, KafkaSinkContext } from './kafka-record-serialization-schema.ts';
import { BufferMemory, SendQueue } from './send-queue.ts';
import type { PreparedTransaction } from './transactions.ts';
import { abortLingeringTransactions, commitRecoveredTransactions, FRESH_PRODUCER, transactionalId } from './transactions.ts';

/** The resolved configuration of a KafkaSink, shared by its writers. */
export interface KafkaWriterConfig<T> {
  readonly bootstrapServers: string[];
  readonly serializer: KafkaRecordSerializationSchema<T>;
  readonly deliveryGuarantee: DeliveryGuarantee;
  readonly transactionalIdPrefix: string;
  readonly clientId: string;
  /** -1 (all) or 1 (leader) or 0 (none); EXACTLY_ONCE and AT_LEAST_ONCE always use all. */
  readonly acks: -1 | 0 | 1;
  readonly transactionTimeoutMs: number;
  readonly requestTimeoutMs: number | undefined;
  readonly retries: number;
  readonly retryBackoffMs: number;
  readonly compression: 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd' | undefined;
  /** `buffer.memory`: bytes of unacknowledged records above which a writer is unavailable (backpressure). */
  readonly bufferMemory: number;
}

/** What an EXACTLY_ONCE writer stores in a checkpoint. */
export interface KafkaWriterState {
  readonly subtask: number;
  /** The number of the next transactional id `<prefix>-<subtask>-<n>`: ids from it on were not used before this checkpoint. */
  readonly nextTransaction: number;
  /** Pre-committed transactions not yet committed, the one of this checkpoint included. */
  readonly pending: readonly PreparedTransaction[];
}

export function isKafkaWriterState(s: unknown): s is KafkaWriterState {
  return typeof s === 'object' && s !== null && typeof (s as KafkaWriterState).subtask === 'number' && Array.isArray((s as KafkaWriterState).pending);
}

/** How long a KafkaSink waits for a missing topic to appear before it fails. */
const TOPIC_WAIT_MS = 10_000;

/** Whether a client error says that a topic does not exist (UNKNOWN_TOPIC_OR_PARTITION, or the client's "Unknown topic"). */
function isUnknownTopic(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  if (kafkaLibrary().findErrorBy(e, 'apiId', 'UNKNOWN_TOPIC_OR_PARTITION') !== null) return true;
  for (let x: unknown = e; x instanceof Error; x = x.cause) {
    if (/^Unknown topic /.test(x.message)) return true;
    if (x instanceof AggregateError && x.errors.some(isUnknownTopic)) return true;
  }
  return false;
}

/** Writers alive in this thread by transactional id prefix and subtask: a restarted attempt closes the one its failed attempt left. */
const liveWriters = new Map<string, KafkaWriterBase<unknown>>();

/** Serializes records, hands them to producers, and turns client errors into RivuletErrors. */
abstract class KafkaWriterBase<T> implements SinkWriter<T> {
  // ---- configuration
  protected readonly config: KafkaWriterConfig<T>;
  protected readonly context: SinkWriterContext;
  private readonly sinkContext: KafkaSinkContext;
  private roundRobin = 0;
  private readonly liveKey: string;
  /** Topics known to exist (checked before the first send to them). */
  private readonly existingTopics = new Set<string>();
  /** Partition counts by topic, for records with a partitioner. */
  private readonly partitions = new Map<string, readonly number[]>();
  /** Unacknowledged bytes of every queue of this writer, against `buffer.memory`. */
  protected readonly memory: BufferMemory;

  constructor(config: KafkaWriterConfig<T>, context: SinkWriterContext) {
    this.config = config;
    this.context = context;
    this.sinkContext = { subtaskIndex: context.subtaskIndex, parallelism: context.parallelism };
    this.memory = new BufferMemory(config.bufferMemory);
    config.serializer.open?.(this.sinkContext);
    this.liveKey = `${config.bootstrapServers.join(',')}/${config.transactionalIdPrefix}/${context.subtaskIndex}`;
    const zombie = liveWriters.get(this.liveKey);
    if (zombie !== undefined) void zombie.abandon();
    liveWriters.set(this.liveKey, this as KafkaWriterBase<unknown>);
  }

  write(value: T, timestamp: number): void {
    this.throwIfFailed();
    let r: KafkaProducerRecord;
    try {
      r = this.config.serializer.serialize(value, this.sinkContext, timestamp);
    } catch (e) {
      throw asRivuletError(e, 'USER_FUNCTION_FAILED', 'KafkaSink could not serialize a record', this.errorContext());
    }
    const m: MessageToProduce & { resolvePartition?: (partitions: readonly number[]) => number } = { topic: r.topic };
    if (r.key !== undefined) m.key = r.key;
    if (r.value !== undefined) m.value = r.value;
    if (r.headers !== undefined) m.headers = new Map([...r.headers].map(([k, v]) => [Buffer.from(k, 'utf8'), v]));
    if (r.timestamp !== undefined) m.timestamp = BigInt(Math.trunc(r.timestamp));
    if (typeof r.partition === 'number') m.partition = r.partition;
    else if (r.partition !== undefined) m.resolvePartition = r.partition;
    else m.partition = r.key !== undefined ? kafkaLibrary().compatibilityPartitioner(m, r.key) & 0x7fffffff : this.roundRobin++ & 0x7fffffff;
    this.queueFor().add(m);
  }

  /**
   * Backpressure: unavailable while the records sent or waiting to be sent and not yet
   * acknowledged take more than `buffer.memory` bytes (as the Java producer's `send` blocks).
   */
  isAvailable(): true | Promise<void> {
    return this.memory.isAvailable();
  }

  abstract flush(endOfInput: boolean): Promise<void>;
  abstract close(): Promise<void>;
  /** Stops a writer a failed attempt left behind: its producers are closed without committing. */
  protected abstract abandon(): Promise<void>;
  /** The queue of the producer the next record goes to. */
  protected abstract queueFor(): SendQueue;
  protected abstract throwIfFailed(): void;

  protected unregister(): void {
    if (liveWriters.get(this.liveKey) === (this as KafkaWriterBase<unknown>)) liveWriters.delete(this.liveKey);
  }

  protected producerOptions(): BufferProducerOptions {
    const c = this.config;
    const o: BufferProducerOptions = {
      clientId: `${c.clientId}-${this.context.subtaskIndex}`,
      bootstrapBrokers: c.bootstrapServers,
      retries: c.retries,
      retryDelay: c.retryBackoffMs,
    };
    if (c.requestTimeoutMs !== undefined) o.requestTimeout = c.requestTimeoutMs;
    if (c.compression !== undefined) o.compression = c.compression;
    return o;
  }

  /** Sends `messages`, first choosing the partitions a partitioner decides (it needs the topics' partitions). */
  protected async sendWith(producer: Producer, send: (messages: MessageToProduce[]) => Promise<unknown>, messages: MessageToProduce[]): Promise<void> {
    for (const m of messages) if (!this.existingTopics.has(m.topic)) await this.checkTopic(producer, m.topic);
    for (const m of messages as (MessageToProduce & { resolvePartition?: (p: readonly number[]) => number })[]) {
      if (m.resolvePartition === undefined) continue;
      let partitions = this.partitions.get(m.topic);
      if (partitions === undefined) {
        const metadata = await producer.metadata({ topics: [m.topic] });
        const count = metadata.topics.get(m.topic)?.partitionsCount ?? 0;
        partitions = Array.from({ length: count }, (_, i) => i);
        this.partitions.set(m.topic, partitions);
      }
      m.partition = m.resolvePartition(partitions);
      delete m.resolvePartition;
    }
    await send(messages);
  }

  /**
   * Fails with a clear error when `topic` does not exist (instead of the client retrying
   * UNKNOWN_TOPIC_OR_PARTITION). The metadata request allows auto creation, as the Java
   * producer's does, so brokers with auto.create.topics.enable create the topic; a topic
   * just created (by anyone) gets up to TOPIC_WAIT_MS to show up with leaders.
   */
  private async checkTopic(producer: Producer, topic: string): Promise<void> {
    const deadline = Date.now() + TOPIC_WAIT_MS;
    for (;;) {
      let unknown: unknown;
      try {
        const metadata = await producer.metadata({ topics: [topic], autocreateTopics: true, forceUpdate: true, retries: 0 });
        const t = metadata.topics.get(topic);
        if (t !== undefined && t.partitionsCount > 0) {
          this.existingTopics.add(topic);
          return;
        }
      } catch (e) {
        if (!isUnknownTopic(e)) {
          if (Date.now() >= deadline) throw e;
        } else unknown = e;
      }
      if (Date.now() >= deadline) {
        throw new RivuletError(
          'EXTERNAL_SYSTEM_FAILED',
          `KafkaSink (uid ${this.context.operatorUid}, subtask ${this.context.subtaskIndex}): the topic "${topic}" does not exist (after ${TOPIC_WAIT_MS} ms); ` +
            'create it (for example with kafka-topics.sh --create), or enable auto.create.topics.enable on the brokers',
          this.errorContext(),
          unknown === undefined ? undefined : { cause: unknown },
        );
      }
      await new Promise((r) => setTimeout(r, Math.max(100, this.config.retryBackoffMs)));
    }
  }

  protected failure(e: unknown, what: string, checkpointId?: number): RivuletError {
    const detail = e instanceof Error ? e.message + (e instanceof AggregateError ? `: ${e.errors.map((x: unknown) => (x instanceof Error ? x.message : String(x))).join('; ')}` : '') : String(e);
    return new RivuletError('EXTERNAL_SYSTEM_FAILED', `KafkaSink (uid ${this.context.operatorUid}, subtask ${this.context.subtaskIndex}) ${what}: ${detail}`, this.errorContext(checkpointId), { cause: e });
  }

  protected errorContext(checkpointId?: number): { operatorUid: string; subtask: number; checkpointId?: number } {
    const c = { operatorUid: this.context.operatorUid, subtask: this.context.subtaskIndex };
    return checkpointId === undefined ? c : { ...c, checkpointId };
  }
}

/**
 * NONE and AT_LEAST_ONCE: one producer. NONE never waits for acknowledgements before the
 * end of input (as Flink, whose NONE writer does not flush at checkpoints); AT_LEAST_ONCE
 * sends with acks=all from an idempotent producer and its flush — which the task awaits after every barrier before
 * acknowledging the checkpoint — waits until every record written before it is acknowledged.
 * A failed send fails the next write or flush (as Flink's KafkaWriter).
 */
export class KafkaNonTransactionalWriter<T> extends KafkaWriterBase<T> {
  private readonly producer: Producer;
  private readonly queue: SendQueue;

  constructor(config: KafkaWriterConfig<T>, context: SinkWriterContext) {
    super(config, context);
    const acks = config.deliveryGuarantee === DeliveryGuarantee.AT_LEAST_ONCE ? kafkaLibrary().ProduceAcks.ALL : config.acks;
    // AT_LEAST_ONCE: an idempotent producer (Kafka's default), so the brokers drop the copies a retried request would leave.
    const idempotent = config.deliveryGuarantee === DeliveryGuarantee.AT_LEAST_ONCE;
    this.producer = new (kafkaLibrary().Producer)<Buffer, Buffer, Buffer, Buffer>({ ...this.producerOptions(), acks, idempotent });
    this.queue = new SendQueue((messages) => this.sendWith(this.producer, (m) => this.producer.send({ messages: m, acks }), messages), this.memory);
  }

  protected queueFor(): SendQueue {
    return this.queue;
  }

  protected throwIfFailed(): void {
    if (this.queue.failure !== undefined) throw this.failure(this.queue.failure, 'failed to send records');
  }

  async flush(endOfInput: boolean): Promise<void> {
    if (this.config.deliveryGuarantee === DeliveryGuarantee.NONE && !endOfInput) return;
    try {
      await this.queue.drain();
    } catch (e) {
      throw this.failure(e, 'failed to send records');
    }
  }

  async close(): Promise<void> {
    this.unregister();
    await this.producer.close(true).catch(() => {});
  }

  protected async abandon(): Promise<void> {
    await this.producer.close(true).catch(() => {});
  }
}

type Transaction = Awaited<ReturnType<Producer['beginTransaction']>>;
type BufferProducerOptions = ProducerOptions<Buffer, Buffer, Buffer, Buffer>;

/** One Kafka transaction with its own producer (transactional id `<prefix>-<subtask>-<n>`). */
interface TransactionLane {
  readonly n: number;
  readonly transactionalId: string;
  readonly producer: Producer;
  readonly queue: SendQueue;
  /** Resolves when the producer is initialized and the transaction begun. */
  readonly begun: Promise<Transaction>;
}

/**
 * EXACTLY_ONCE, as Flink's KafkaWriter + KafkaCommitter: records between two checkpoint
 * barriers go into one Kafka transaction with its own producer and transactional id
 * `<prefix>-<subtask>-<n>` (n counts the transactions of the subtask; a new transaction per
 * checkpoint). At the barrier of checkpoint n the transaction is pre-committed: it stays
 * open, its identity (transactional id, producer id, epoch) goes into the checkpoint, and the
 * writer's flush — awaited by the task before it acknowledges the checkpoint — waits until
 * every record of it is acknowledged. `notifyCheckpointComplete(n)` commits the transactions
 * of checkpoints <= n (EndTxn) and closes their producers.
 *
 * Recovery (`restoreWriter`): the transactions in the restored states are committed from
 * their stored identity (their checkpoint completed; see transactions.ts), and the
 * transactions failed attempts left open (ids from the restored `nextTransaction` on) are
 * aborted by initializing producers with those ids, before the first new transaction begins.
 *
 * Without checkpointing (as Flink's sink with checkpointing disabled): one transaction per
 * subtask, committed at the end of input; after a failure the restarted job aborts it.
 */
export class KafkaTransactionalWriter<T> extends KafkaWriterBase<T> {
  // ---- state that is not checkpointed
  /** Recovery (commit restored, abort lingering); every transaction begins after it. */
  private readonly recovered: Promise<void>;
  private recoveryFailure: unknown;
  /** The transaction records go to now; undefined until the first record after a barrier. */
  private current: TransactionLane | undefined;
  /** Pre-committed transactions of this attempt awaiting their checkpoint's completion, oldest first. */
  private prepared: { readonly checkpointId: number; readonly lane: TransactionLane }[] = [];
  private closed = false;

  // ---- state that is checkpointed
  private nextTransaction: number;
  /** Restored transactions not yet known to be committed (their commit runs in `recovered`). */
  private restoredPending: PreparedTransaction[];

  constructor(config: KafkaWriterConfig<T>, context: SinkWriterContext, recoveredStates: readonly KafkaWriterState[]) {
    super(config, context);
    const me = context.subtaskIndex;
    const own = recoveredStates.filter((s) => s.subtask === me);
    this.nextTransaction = Math.max(1, ...own.map((s) => s.nextTransaction));
    this.restoredPending = recoveredStates.flatMap((s) => s.pending);
    // Lingering transactions of this subtask, and of old subtasks that no longer exist (scale-in).
    const probes = new Map<number, number>([[me, this.nextTransaction]]);
    for (const s of recoveredStates) if (s.subtask >= context.parallelism) probes.set(s.subtask, Math.max(probes.get(s.subtask) ?? 1, s.nextTransaction));
    this.recovered = this.recover(probes);
    this.recovered.catch((e: unknown) => {
      this.recoveryFailure = e;
    });
  }

  private async recover(probes: ReadonlyMap<number, number>): Promise<void> {
    const options = { clientId: `${this.config.clientId}-${this.context.subtaskIndex}-recovery`, bootstrapBrokers: this.config.bootstrapServers, transactionTimeoutMs: this.config.transactionTimeoutMs };
    let lost: string[];
    try {
      lost = await commitRecoveredTransactions(options, this.restoredPending);
    } catch (e) {
      throw this.failure(e, 'failed to commit the transactions of the restored checkpoint');
    }
    if (lost.length > 0) {
      console.warn(
        `KafkaSink (uid ${this.context.operatorUid}, subtask ${this.context.subtaskIndex}): transactions ${lost.join(', ')} of the restored checkpoint could not be committed ` +
          `(aborted after transaction.timeout.ms=${this.config.transactionTimeoutMs} or fenced by another producer with the same transactional id); their records are lost`,
      );
    }
    this.restoredPending = [];
    try {
      for (const [subtask, from] of probes) {
        const free = await abortLingeringTransactions(options, this.config.transactionalIdPrefix, subtask, from);
        if (subtask === this.context.subtaskIndex) this.nextTransaction = Math.max(this.nextTransaction, free);
      }
    } catch (e) {
      throw this.failure(e, 'failed to abort the transactions a failed attempt left open');
    }
  }

  protected queueFor(): SendQueue {
    return (this.current ??= this.beginLane()).queue;
  }

  private beginLane(): TransactionLane {
    const n = this.nextTransaction++;
    const id = transactionalId(this.config.transactionalIdPrefix, this.context.subtaskIndex, n);
    const producer = new (kafkaLibrary().Producer)<Buffer, Buffer, Buffer, Buffer>({ ...this.producerOptions(), idempotent: true, transactionalId: id, timeout: this.config.transactionTimeoutMs });
    // The recovery must have aborted the lingering transactions (and freed this id) before InitProducerId.
    const begun = this.recovered.then(() => producer.beginTransaction(FRESH_PRODUCER));
    begun.catch(() => {});
    const queue = new SendQueue((messages) => this.sendWith(producer, async (m) => (await begun).send({ messages: m }), messages), this.memory);
    return { n, transactionalId: id, producer, queue, begun };
  }

  protected throwIfFailed(): void {
    if (this.recoveryFailure !== undefined) throw this.recoveryFailure;
    const f = this.current?.queue.failure;
    if (f !== undefined) throw this.failure(f, `failed to write to transaction ${this.current!.transactionalId}`);
  }

  /** Checkpoint n: the current transaction (if it has records) is pre-committed; the next record begins a new one. */
  snapshotState(checkpointId: number): KafkaWriterState {
    const lane = this.current;
    if (lane !== undefined && lane.queue.count > 0) {
      this.prepared.push({ checkpointId, lane });
      this.current = undefined;
    }
    return {
      subtask: this.context.subtaskIndex,
      nextTransaction: this.nextTransaction,
      pending: [...this.restoredPending, ...this.prepared.map((p) => describe(p.checkpointId, p.lane))],
    };
  }

  /**
   * After a barrier (endOfInput false): waits until the pre-committed transactions' records
   * are acknowledged. At the end of input: the current transaction's records too; without
   * checkpointing it is then committed.
   */
  async flush(endOfInput: boolean): Promise<void> {
    const lanes = this.prepared.map((p) => p.lane);
    if (endOfInput && this.current !== undefined) lanes.push(this.current);
    try {
      await this.recovered;
      for (const lane of lanes) {
        await lane.begun;
        await lane.queue.drain();
      }
    } catch (e) {
      throw e instanceof RivuletError ? e : this.failure(e, 'failed to write records to a transaction');
    }
    if (endOfInput && this.context.checkpointingEnabled !== true) {
      const lane = this.current;
      this.current = undefined;
      if (lane !== undefined) await this.commit(lane);
    }
  }

  /** Commits the pre-committed transactions of checkpoints <= `checkpointId` (notifications may skip ids). */
  async notifyCheckpointComplete(checkpointId: number): Promise<void> {
    await this.recovered;
    while (this.prepared.length > 0 && this.prepared[0]!.checkpointId <= checkpointId) {
      const { lane } = this.prepared[0]!;
      try {
        await lane.queue.drain();
      } catch (e) {
        throw this.failure(e, `failed to write records to transaction ${lane.transactionalId} of checkpoint ${checkpointId}`, checkpointId);
      }
      await this.commit(lane, checkpointId);
      this.prepared.shift();
    }
  }

  private async commit(lane: TransactionLane, checkpointId?: number): Promise<void> {
    try {
      const tx = await lane.begun;
      await tx.commit();
    } catch (e) {
      throw this.failure(e, `failed to commit transaction ${lane.transactionalId}`, checkpointId);
    } finally {
      await lane.producer.close(true).catch(() => {});
    }
  }

  /**
   * Closes the producers. The open transaction (not pre-committed) is aborted; pre-committed
   * ones stay open for a restore to commit (as Flink).
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unregister();
    const lane = this.current;
    this.current = undefined;
    if (lane !== undefined) {
      await lane.begun.then((tx) => (tx.completed ? undefined : tx.abort())).catch(() => {});
      await lane.producer.close(true).catch(() => {});
    }
    for (const p of this.prepared) await p.lane.producer.close(true).catch(() => {});
    this.prepared = [];
  }

  protected async abandon(): Promise<void> {
    this.closed = true;
    const lanes = [...this.prepared.map((p) => p.lane), ...(this.current === undefined ? [] : [this.current])];
    this.prepared = [];
    this.current = undefined;
    for (const lane of lanes) await lane.producer.close(true).catch(() => {});
  }
}

function describe(checkpointId: number, lane: TransactionLane): PreparedTransaction {
  const id = lane.producer.producerId;
  const epoch = lane.producer.producerEpoch;
  return { checkpointId, transactionalId: lane.transactionalId, producerId: id === undefined ? undefined : id.toString(), producerEpoch: epoch };
}
