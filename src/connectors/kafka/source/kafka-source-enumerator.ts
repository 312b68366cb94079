/**
 * KafkaSourceEnumerator: finds the topic-partitions a KafkaSource reads, resolves their
 * offsets and assigns each to one reader; as Flink's `KafkaSourceEnumerator`. Runs on the
 * coordinator (JobManager), single-threaded on its event loop.
 *
 * Assignment is static, not consumer-group rebalancing: partition p of topic t goes to
 * reader `(startIndex(t) + p) % parallelism` with Flink's `startIndex` (the topic name's
 * Java hash), so partitions spread evenly and a partition always lands on the same reader.
 * A split is handed over only once its reader registered (its first split request), since
 * an assignment to a reader that is not running yet would be lost.
 *
 * Discovery: at start, and with `partition.discovery.interval.ms` > 0 (unbounded only) again
 * every interval; new partitions (of known topics, or of new topics matching the pattern)
 * get offsets from the starting initializer and go to their owners while the job runs. A
 * bounded source discovers once and then tells every reader "no more splits".
 *
 * Checkpointed: the partitions already assigned (they live on in the readers' state, with
 * positions) and the splits resolved but not yet assigned. Assignments and checkpoint
 * triggers reach a reader in the order they were sent, so a split is in this state or in a
 * reader's, never lost between them.
 */
import type { SplitEnumerator, SplitEnumeratorContext } from '../../../core/source.ts';
import { KafkaAdminClient, describeKafkaError } from './kafka-admin.ts';
import type { TopicPartition, TopicSubscription } from './kafka-admin.ts';
import type { KafkaPartitionSplit } from './kafka-partition-split.ts';
import type { KafkaSourceConfig } from './kafka-source-config.ts';
import { OffsetsInitializer, topicPartitionKey } from './offsets-initializer.ts';

/** The enumerator's checkpoint: plain data. */
export interface KafkaSourceEnumState {
  readonly assigned: readonly string[];
  readonly pending: readonly KafkaPartitionSplit[];
}

export interface KafkaSourceEnumeratorOptions {
  readonly config: KafkaSourceConfig;
  readonly subscription: TopicSubscription;
  readonly starting: OffsetsInitializer;
  readonly stopping: OffsetsInitializer | undefined;
  readonly sourceName: string;
  readonly restored?: KafkaSourceEnumState | undefined;
}

/** Java's `String.hashCode`, for Flink's partition-to-reader assignment. */
function javaHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/** The reader that owns a partition, as Flink's `KafkaSourceEnumerator.getSplitOwner`. */
export function splitOwner(topic: string, partition: number, parallelism: number): number {
  const startIndex = ((Math.imul(javaHashCode(topic), 31) & 0x7fffffff) % parallelism);
  return (startIndex + partition) % parallelism;
}

export class KafkaSourceEnumerator implements SplitEnumerator<KafkaPartitionSplit> {
  // ---- configuration
  private readonly context: SplitEnumeratorContext<KafkaPartitionSplit>;
  private readonly options: KafkaSourceEnumeratorOptions;
  private readonly bounded: boolean;

  // ---- checkpointed
  /** Partitions handed to a reader (`topic-partition`). */
  private readonly assigned = new Set<string>();
  /** Splits resolved, waiting for their owner to register, by owner subtask. */
  private readonly pending = new Map<number, KafkaPartitionSplit[]>();

  // ---- not checkpointed
  private admin: KafkaAdminClient | undefined;
  /** Subtasks that sent a split request (their reader runs). */
  private readonly registered = new Set<number>();
  /** Partitions seen, resolved or not: discovery does not resolve them twice. */
  private readonly known = new Set<string>();
  private initialDiscoveryDone = false;
  private discoveryTimer: NodeJS.Timeout | undefined;
  private discovering = false;
  private closed = false;

  constructor(context: SplitEnumeratorContext<KafkaPartitionSplit>, options: KafkaSourceEnumeratorOptions) {
    this.context = context;
    this.options = options;
    this.bounded = options.stopping !== undefined;
    const r = options.restored;
    if (r !== undefined) {
      for (const key of r.assigned) {
        this.assigned.add(key);
        this.known.add(key);
      }
      for (const split of r.pending) this.addPending(split);
    }
  }

  /**
   * Connects and discovers the partitions once; starts periodic discovery (unbounded).
   * @throws RivuletError(CONNECTION_FAILED) when no broker answers after the retries;
   *   RivuletError(INPUT_NOT_FOUND) for a missing topic or a partition without a starting offset.
   */
  async start(): Promise<void> {
    const o = this.options;
    this.admin = new KafkaAdminClient(o.config, 'enumerator', o.sourceName);
    try {
      await this.admin.connect();
      await this.discover();
    } catch (e) {
      await this.close();
      throw e;
    }
    this.initialDiscoveryDone = true;
    for (const subtask of this.registered) this.assignPending(subtask);
    const interval = o.config.discoveryIntervalMs;
    if (!this.bounded && interval > 0) {
      this.discoveryTimer = setInterval(() => void this.periodicDiscovery(), interval);
      this.discoveryTimer.unref();
    }
  }

  handleSplitRequest(subtask: number): void {
    this.registered.add(subtask);
    if (this.initialDiscoveryDone) this.assignPending(subtask);
  }

  addSplitsBack(splits: KafkaPartitionSplit[], _subtask: number): void {
    for (const split of splits) {
      this.assigned.delete(split.splitId);
      this.addPending(split);
    }
    for (const subtask of this.registered) this.assignPending(subtask);
  }

  snapshotState(): KafkaSourceEnumState {
    return { assigned: [...this.assigned], pending: [...this.pending.values()].flat() };
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.discoveryTimer !== undefined) clearInterval(this.discoveryTimer);
    this.discoveryTimer = undefined;
    const admin = this.admin;
    this.admin = undefined;
    await admin?.close();
  }

  private async periodicDiscovery(): Promise<void> {
    if (this.discovering || this.closed) return;
    this.discovering = true;
    try {
      await this.discover();
      for (const subtask of this.registered) this.assignPending(subtask);
    } catch (e) {
      // As Flink logs a failed periodic discovery and tries again at the next interval; the
      // partitions already assigned keep being read.
      if (!this.closed) console.warn(`[rivulet] ${this.options.sourceName}: partition discovery failed (${describeKafkaError(e)}); trying again in ${this.options.config.discoveryIntervalMs} ms`);
    } finally {
      this.discovering = false;
    }
  }

  /** Finds new partitions and resolves their offsets into pending splits. */
  private async discover(): Promise<void> {
    const admin = this.admin;
    if (admin === undefined) return;
    const found = await admin.discoverPartitions(this.options.subscription);
    const fresh: TopicPartition[] = found.filter((tp) => !this.known.has(topicPartitionKey(tp.topic, tp.partition)));
    if (fresh.length === 0) return;
    // A partition found after the first discovery was created while the job runs: as Flink
    // (its default new-discovery initializer), it is read from the earliest offset so no record
    // written to it before discovery is missed.
    const startSpec = this.initialDiscoveryDone || this.options.restored !== undefined ? OffsetsInitializer.earliest().spec : this.options.starting.spec;
    const starting = await admin.resolveOffsets(startSpec, fresh);
    const stopping = this.options.stopping !== undefined ? await admin.resolveOffsets(this.options.stopping.spec, fresh) : undefined;
    if (this.closed) return;
    for (const tp of fresh) {
      const splitId = topicPartitionKey(tp.topic, tp.partition);
      const stop = stopping?.get(splitId);
      this.known.add(splitId);
      this.addPending({ splitId, topic: tp.topic, partition: tp.partition, startingOffset: Math.max(0, starting.get(splitId) ?? 0), stoppingOffset: stop });
    }
  }

  private addPending(split: KafkaPartitionSplit): void {
    const owner = splitOwner(split.topic, split.partition, this.context.currentParallelism());
    let list = this.pending.get(owner);
    if (list === undefined) this.pending.set(owner, (list = []));
    list.push(split);
  }

  private assignPending(subtask: number): void {
    const splits = this.pending.get(subtask);
    if (splits !== undefined) {
      this.pending.delete(subtask);
      for (const split of splits) {
        this.assigned.add(split.splitId);
        this.context.assignSplit(split, subtask);
      }
    }
    // Bounded, or unbounded without discovery: the set of splits is final.
    if (this.bounded || this.options.config.discoveryIntervalMs <= 0) this.context.signalNoMoreSplits(subtask);
  }
}
