/**
 * KafkaSourceReader: reads the topic-partitions assigned to one source subtask; as Flink's
 * `KafkaSourceReader` with its split fetcher, on one event loop instead of a fetcher thread.
 *
 * Partitions are assigned manually (no consumer-group membership). The reader keeps one
 * fetch round in flight: a Fetch request per leader broker for all its partitions that are
 * not finished, each from the partition's *fetch position*. Responses are queued as record
 * batches; `pollNext` walks the queue with a cursor and deserializes at most
 * MAX_RECORDS_PER_POLL records per call — no promise or closure per record; each record's
 * view object is the only allocation besides what the deserializer makes. The next round
 * starts when the queue runs low, so a slow job stops fetching (backpressure).
 *
 * Each partition is its own split output (`createOutputForSplit`), so watermarks are per
 * partition; a finished partition (bounded: its stopping offset reached, also an empty one)
 * releases its output. Records carry the Kafka timestamp (create or log-append time).
 *
 * Checkpoints: every split with its *next offset to emit* (not the fetch position: fetched
 * records not yet emitted are fetched again after a restore). When a checkpoint completes,
 * these offsets are committed to the group (for lag monitoring only; the checkpoint is the
 * source of truth), in the background, failures logged.
 *
 * Transactions: with `isolation.level=read_committed` (the default is read_uncommitted, as
 * Flink's KafkaSource) the broker returns records up to the last stable offset, batches of
 * aborted transactions included, with a list of the aborted transactions (producer id, first
 * offset) that the fetched range overlaps. The reader drops them itself, as the Java
 * consumer does: per partition it keeps the aborted transactions not yet reached, sorted by
 * first offset, across fetch responses; a transaction becomes active when a batch reaches
 * its first offset, and from then on that producer's transactional batches are skipped until
 * its ABORT control batch. A skipped batch still counts as consumed (its offsets advance the
 * partition's position), so a bounded read ends also when its log ends in aborted batches.
 *
 * Bad records: a deserializer that throws fails the job with MALFORMED_RECORD naming topic,
 * partition and offset; with a dead-letter topic, the raw record is produced there with the
 * reason in header `rivulet.error` and counted in `malformedRecords`; the reader waits for
 * the broker's acknowledgement before it reads on, so a checkpoint never passes a bad record
 * that is not yet safely in the dead-letter topic.
 */
import type { RecordsBatch } from '@platformatic/kafka';
import type { Consumer, Producer } from '@platformatic/kafka';
import { kafkaLibrary } from '../kafka-library.ts';
import { RivuletError, asRivuletError } from '../../../core/errors.ts';
import type { Collector } from '../../../core/functions.ts';
import { InputStatus } from '../../../core/source.ts';
import type { ReaderOutput, SourceOutput, SourceReader, SourceReaderContext } from '../../../core/source.ts';
import { AVAILABLE, AvailabilityNotifier } from '../../common/availability.ts';
import { KafkaAdminClient, describeKafkaError } from './kafka-admin.ts';
import type { KafkaPartitionSplit } from './kafka-partition-split.ts';
import type { KafkaConsumerRecord, KafkaRecordDeserializationSchema } from './kafka-record-deserialization-schema.ts';
import type { KafkaSourceConfig } from './kafka-source-config.ts';
import { baseClientOptions } from './kafka-source-config.ts';

/** Records deserialized per `pollNext` at most. */
const MAX_RECORDS_PER_POLL = 2048;
/** A new fetch round starts only while fewer records than this are queued. */
const MAX_QUEUED_RECORDS = 16_384;
/** Record batch attribute bits (Kafka's record batch format v2). */
const LOG_APPEND_TIME = 0x08;
const IS_CONTROL = 0x20;
const IS_TRANSACTIONAL = 0x10;
/** The type of a control record (in its key, after the int16 version): 0 = ABORT, 1 = COMMIT. */
const CONTROL_TYPE_ABORT = 0;
/** The header a dead-lettered record carries with the reason. */
export const DEAD_LETTER_ERROR_HEADER = 'rivulet.error';

export interface KafkaSourceReaderOptions<T> {
  readonly config: KafkaSourceConfig;
  readonly deserializer: KafkaRecordDeserializationSchema<T>;
  readonly deadLetterTopic: string | undefined;
  readonly sourceName: string;
}

/** One partition of this reader. */
interface PartitionState {
  readonly splitId: string;
  readonly topic: string;
  readonly partition: number;
  readonly stop: number | undefined;
  /** The next offset to emit (checkpointed). */
  next: number;
  /** The next offset to fetch (>= next). */
  fetchOffset: number;
  finished: boolean;
  output: SourceOutput<unknown> | undefined;
  /** read_committed only: the aborted transactions of this partition (see `filterAborted`). */
  aborted: AbortedTransactions | undefined;
}

/** The aborted transactions of one partition, as far as the fetch responses so far reported them. */
interface AbortedTransactions {
  /** Not yet reached, sorted by first offset. */
  readonly upcoming: { readonly producerId: bigint; readonly firstOffset: bigint }[];
  /** `producerId@firstOffset` of those in `upcoming` or `active`, so a transaction reported again is not added twice. */
  readonly known: Map<string, { readonly producerId: bigint; readonly firstOffset: bigint }>;
  /** Producers whose aborted transaction was reached and whose ABORT marker was not yet. */
  readonly active: Set<bigint>;
}

/** A fetched run of batches of one partition, with the cursor of `pollNext`. */
interface Chunk {
  readonly state: PartitionState;
  readonly batches: readonly RecordsBatch[];
  batchIndex: number;
  recordIndex: number;
}

/** The collector handed to the deserializer: emits to the current split with the current timestamp. */
class SplitCollector implements Collector<unknown> {
  out: SourceOutput<unknown> | undefined;
  timestamp = 0;
  /** What the chained operators threw: a failure downstream, not a malformed record. */
  downstreamError: unknown = undefined;
  collect(value: unknown): void {
    try {
      this.out!.collect(value, this.timestamp);
    } catch (e) {
      this.downstreamError = e;
      throw e;
    }
  }
}

const NO_HEADERS: readonly (readonly [string, Buffer | null])[] = [];

export class KafkaSourceReader<T> implements SourceReader<T, KafkaPartitionSplit> {
  // ---- configuration
  private readonly context: SourceReaderContext;
  private readonly options: KafkaSourceReaderOptions<T>;

  // ---- checkpointed (through snapshotState): the partitions and their next offsets
  private readonly partitions = new Map<string, PartitionState>();

  // ---- not checkpointed
  private consumer: Consumer | undefined;
  private producer: Producer | undefined;
  private admin: KafkaAdminClient | undefined;
  private readonly chunks: Chunk[] = [];
  private queuedRecords = 0;
  /** Partitions added since the last poll: their outputs are created there. */
  private readonly added: PartitionState[] = [];
  /** Partitions finished since the last poll: their outputs are released there. */
  private readonly finishedSinceLastPoll: PartitionState[] = [];
  private fetching = false;
  private noMoreSplits = false;
  private deadLetterInFlight = false;
  private failure: RivuletError | undefined;
  private closed = false;
  private readonly availability = new AvailabilityNotifier();
  private readonly collector = new SplitCollector();
  /** Offsets to commit per checkpoint id, taken at snapshotState. */
  private readonly offsetsToCommit = new Map<number, Map<string, { topic: string; partition: number; offset: number }>>();
  private commitInFlight: Promise<void> | undefined;

  constructor(context: SourceReaderContext, options: KafkaSourceReaderOptions<T>) {
    this.context = context;
    this.options = options;
  }

  start(): void {
    const config = this.options.config;
    this.consumer = new (kafkaLibrary().Consumer)({
      ...baseClientOptions(config, `reader-${this.context.subtaskIndex}`),
      // Required by the client; the reader never joins the group (manual assignment).
      groupId: config.groupId ?? config.clientIdPrefix.replace(/\s+/g, '_'),
      isolationLevel: config.readCommitted ? 1 : 0,
      maxWaitTime: config.fetchMaxWaitMs,
      minBytes: config.fetchMinBytes,
      maxBytes: config.fetchMaxBytes,
    });
    for (const p of this.partitions.values()) this.consumer.topics.track(p.topic);
    this.context.sendSplitRequest();
    this.maybeFetch();
  }

  addSplits(splits: KafkaPartitionSplit[]): void {
    for (const split of splits) {
      const state: PartitionState = {
        splitId: split.splitId,
        topic: split.topic,
        partition: split.partition,
        stop: split.stoppingOffset,
        next: split.startingOffset,
        fetchOffset: split.startingOffset,
        finished: split.stoppingOffset !== undefined && split.startingOffset >= split.stoppingOffset,
        output: undefined,
        aborted: this.options.config.readCommitted ? { upcoming: [], known: new Map(), active: new Set() } : undefined,
      };
      this.partitions.set(split.splitId, state);
      if (!state.finished) this.added.push(state);
      this.consumer?.topics.track(split.topic);
    }
    this.maybeFetch();
    this.availability.notify();
  }

  notifyNoMoreSplits(): void {
    this.noMoreSplits = true;
    this.availability.notify();
  }

  pollNext(output: ReaderOutput<T>): InputStatus {
    if (this.failure !== undefined) throw this.failure;
    for (const p of this.added.splice(0)) if (!p.finished) p.output = output.createOutputForSplit(p.splitId) as SourceOutput<unknown>;
    this.releaseFinished(output);
    if (!this.deadLetterInFlight) this.emit();
    this.releaseFinished(output);
    if (this.failure !== undefined) throw this.failure;
    this.maybeFetch();
    if (this.deadLetterInFlight) return InputStatus.NOTHING_AVAILABLE;
    if (this.chunks.length > 0) return InputStatus.MORE_AVAILABLE;
    if (this.isEnd()) return InputStatus.END_OF_INPUT;
    return InputStatus.NOTHING_AVAILABLE;
  }

  isAvailable(): Promise<void> {
    if (this.failure !== undefined || this.added.length > 0 || this.finishedSinceLastPoll.length > 0) return AVAILABLE;
    if (!this.deadLetterInFlight && (this.chunks.length > 0 || this.isEnd())) return AVAILABLE;
    return this.availability.waitForChange();
  }

  snapshotState(checkpointId: number): KafkaPartitionSplit[] {
    const splits: KafkaPartitionSplit[] = [];
    const commit = new Map<string, { topic: string; partition: number; offset: number }>();
    for (const p of this.partitions.values()) {
      commit.set(p.splitId, { topic: p.topic, partition: p.partition, offset: p.next });
      if (!p.finished) splits.push({ splitId: p.splitId, topic: p.topic, partition: p.partition, startingOffset: p.next, stoppingOffset: p.stop });
    }
    if (this.options.config.commitOffsetsOnCheckpoint) this.offsetsToCommit.set(checkpointId, commit);
    return splits;
  }

  notifyCheckpointComplete(checkpointId: number): void {
    const groupId = this.options.config.groupId;
    if (!this.options.config.commitOffsetsOnCheckpoint || groupId === undefined) return;
    let newest: number | undefined;
    for (const id of this.offsetsToCommit.keys()) if (id <= checkpointId && (newest === undefined || id > newest)) newest = id;
    if (newest === undefined) return;
    const offsets = this.offsetsToCommit.get(newest)!;
    for (const id of [...this.offsetsToCommit.keys()]) if (id <= checkpointId) this.offsetsToCommit.delete(id);
    this.admin ??= new KafkaAdminClient(this.options.config, `committer-${this.context.subtaskIndex}`, this.options.sourceName);
    const admin = this.admin;
    const previous = this.commitInFlight ?? Promise.resolve();
    this.commitInFlight = previous
      .then(() => admin.commitOffsets(groupId, offsets))
      .catch((e: unknown) => {
        // As Flink: a failed commit only delays lag monitoring; the checkpoint holds the offsets.
        if (!this.closed) console.warn(`[rivulet] ${this.options.sourceName}: committing offsets of checkpoint ${newest} to group "${groupId}" failed: ${describeKafkaError(e)}`);
      });
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.commitInFlight;
    const clients = [this.consumer?.close(), this.producer?.close(), this.admin?.close()];
    this.consumer = undefined;
    this.producer = undefined;
    this.admin = undefined;
    await Promise.allSettled(clients);
  }

  // ---- data path

  private isEnd(): boolean {
    if (!this.noMoreSplits || this.chunks.length > 0 || this.deadLetterInFlight) return false;
    for (const p of this.partitions.values()) if (!p.finished) return false;
    return true;
  }

  private releaseFinished(output: ReaderOutput<T>): void {
    for (const p of this.finishedSinceLastPoll.splice(0)) {
      output.releaseOutputForSplit(p.splitId);
      p.output = undefined;
    }
  }

  private finish(p: PartitionState): void {
    if (p.finished) return;
    p.finished = true;
    this.finishedSinceLastPoll.push(p);
  }

  /** Deserializes and emits up to MAX_RECORDS_PER_POLL queued records. */
  private emit(): void {
    const deserializer = this.options.deserializer;
    const collector = this.collector;
    let budget = MAX_RECORDS_PER_POLL;
    while (budget > 0 && this.chunks.length > 0) {
      const c = this.chunks[0]!;
      const st = c.state;
      const batch = c.batches[c.batchIndex];
      if (batch === undefined || st.finished || st.output === undefined) {
        if (batch !== undefined && !st.finished && st.output === undefined) return; // output created at the next poll
        this.dropChunk(c);
        continue;
      }
      const base = Number(batch.firstOffset);
      const batchEnd = base + batch.lastOffsetDelta + 1;
      const records = batch.records;
      if ((batch.attributes & IS_CONTROL) === 0) {
        const logAppend = (batch.attributes & LOG_APPEND_TIME) !== 0;
        const firstTimestamp = Number(batch.firstTimestamp);
        collector.out = st.output;
        while (c.recordIndex < records.length && budget > 0) {
          const r = records[c.recordIndex]!;
          const offset = base + r.offsetDelta;
          if (offset < st.next) {
            c.recordIndex++;
            continue;
          }
          if (st.stop !== undefined && offset >= st.stop) {
            this.finish(st);
            break;
          }
          collector.timestamp = logAppend ? Number(batch.maxTimestamp) : firstTimestamp + Number(r.timestampDelta);
          const view: KafkaConsumerRecord = {
            topic: st.topic,
            partition: st.partition,
            offset,
            timestamp: collector.timestamp,
            key: r.key,
            value: r.value,
            headers: r.headers.length === 0 ? NO_HEADERS : r.headers.map(([k, v]) => [k?.toString('utf8') ?? '', v] as const),
          };
          try {
            deserializer.deserialize(view, collector);
          } catch (e) {
            if (collector.downstreamError !== undefined) {
              collector.downstreamError = undefined;
              throw e;
            }
            this.malformed(st, view, e);
            return;
          }
          st.next = offset + 1;
          c.recordIndex++;
          budget--;
        }
        if (st.finished) continue;
        if (c.recordIndex < records.length) return; // budget used up
      }
      // The batch is done (also a control batch, or records compacted away at its end).
      if (batchEnd > st.next) st.next = st.stop !== undefined ? Math.min(batchEnd, st.stop) : batchEnd;
      this.queuedRecords -= records.length;
      c.batchIndex++;
      c.recordIndex = 0;
      if (st.stop !== undefined && st.next >= st.stop) this.finish(st);
    }
  }

  private dropChunk(c: Chunk): void {
    for (let i = c.batchIndex; i < c.batches.length; i++) this.queuedRecords -= c.batches[i]!.records.length;
    this.chunks.shift();
  }

  /** A record the deserializer rejected: fail, or divert it to the dead-letter topic. */
  private malformed(st: PartitionState, record: KafkaConsumerRecord, e: unknown): void {
    const reason = e instanceof Error ? e.message : String(e);
    const where = `topic "${st.topic}" partition ${st.partition} offset ${record.offset}`;
    const context = { operatorUid: this.context.operatorUid, subtask: this.context.subtaskIndex, topic: st.topic, partition: st.partition, offset: record.offset };
    const dlq = this.options.deadLetterTopic;
    if (dlq === undefined) {
      throw new RivuletError(
        'MALFORMED_RECORD',
        `${this.options.sourceName}: the Kafka record at ${where} could not be deserialized by ${String(this.options.deserializer)}: ${reason}. ` +
          `Fix the producer or the deserializer; to divert such records and keep running, configure KafkaSource.builder().setDeadLetterTopic(topic); ` +
          `to skip this one, start from OffsetsInitializer.offsets([{ topic: '${st.topic}', partition: ${st.partition}, offset: ${record.offset + 1} }]).`,
        context,
        { cause: e },
      );
    }
    this.deadLetterInFlight = true;
    const headers = new Map<Buffer, Buffer>();
    for (const [k, v] of record.headers) headers.set(Buffer.from(k), v ?? Buffer.alloc(0));
    headers.set(Buffer.from(DEAD_LETTER_ERROR_HEADER), Buffer.from(reason));
    headers.set(Buffer.from('rivulet.source.topic'), Buffer.from(st.topic));
    headers.set(Buffer.from('rivulet.source.partition'), Buffer.from(String(st.partition)));
    headers.set(Buffer.from('rivulet.source.offset'), Buffer.from(String(record.offset)));
    headers.set(Buffer.from('rivulet.source.timestamp'), Buffer.from(String(record.timestamp)));
    this.producer ??= new (kafkaLibrary().Producer)({ ...baseClientOptions(this.options.config, `dead-letter-${this.context.subtaskIndex}`), acks: -1 });
    const message = { topic: dlq, value: record.value ?? Buffer.alloc(0), headers, ...(record.key !== null ? { key: record.key } : {}) };
    this.producer.send({ messages: [message] }).then(
      () => {
        this.deadLetterInFlight = false;
        this.context.metrics.malformedRecords++;
        // Step over the record: the chunk at the head still points at it.
        if (st.next <= record.offset) st.next = record.offset + 1;
        this.availability.notify();
      },
      (err: unknown) => {
        this.failure = new RivuletError(
          'CONNECTION_FAILED',
          `${this.options.sourceName}: the malformed record at ${where} (${reason}) could not be written to dead-letter topic "${dlq}": ${describeKafkaError(err)}`,
          context,
          { cause: err },
        );
        this.availability.notify();
      },
    );
  }

  // ---- fetching

  private maybeFetch(): void {
    if (this.fetching || this.closed || this.consumer === undefined || this.failure !== undefined) return;
    if (this.queuedRecords >= MAX_QUEUED_RECORDS) return;
    const wanted: PartitionState[] = [];
    for (const p of this.partitions.values()) if (!p.finished && (p.stop === undefined || p.fetchOffset < p.stop)) wanted.push(p);
    if (wanted.length === 0) return;
    this.fetching = true;
    this.fetchRound(this.consumer, wanted).then(
      () => {
        this.fetching = false;
        this.availability.notify();
        this.maybeFetch();
      },
      (e: unknown) => {
        this.fetching = false;
        if (this.closed) return;
        this.failure = asRivuletError(
          e,
          'CONNECTION_FAILED',
          `${this.options.sourceName}: fetching from Kafka at ${this.options.config.bootstrapServers.join(',')} failed (subtask ${this.context.subtaskIndex}) — ${describeKafkaError(e)}`,
          { operatorUid: this.context.operatorUid, subtask: this.context.subtaskIndex },
        );
        this.availability.notify();
      },
    );
  }

  /** One Fetch request per leader broker for `wanted`; queues what comes back. */
  private async fetchRound(consumer: Consumer, wanted: PartitionState[]): Promise<void> {
    const topics = [...new Set(wanted.map((p) => p.topic))];
    const metadata = await consumer.metadata({ topics });
    const config = this.options.config;
    const byNode = new Map<number, Map<string, { topicId: string; partitions: { partition: number; fetchOffset: bigint; currentLeaderEpoch: number; lastFetchedEpoch: number; partitionMaxBytes: number }[] }>>();
    const nameById = new Map<string, string>();
    const requested = new Map<string, { state: PartitionState; offset: number }>();
    for (const p of wanted) {
      const t = metadata.topics.get(p.topic);
      const pm = t?.partitions[p.partition];
      if (t === undefined || pm === undefined) continue;
      nameById.set(t.id, p.topic);
      let node = byNode.get(pm.leader);
      if (node === undefined) byNode.set(pm.leader, (node = new Map()));
      let topic = node.get(t.id);
      if (topic === undefined) node.set(t.id, (topic = { topicId: t.id, partitions: [] }));
      topic.partitions.push({ partition: p.partition, fetchOffset: BigInt(p.fetchOffset), currentLeaderEpoch: -1, lastFetchedEpoch: -1, partitionMaxBytes: config.maxPartitionFetchBytes });
      requested.set(p.splitId, { state: p, offset: p.fetchOffset });
    }
    const responses = await Promise.all(
      [...byNode].map(([node, ts]) =>
        consumer.fetch({
          node,
          topics: [...ts.values()],
          maxWaitTime: config.fetchMaxWaitMs,
          minBytes: config.fetchMinBytes,
          maxBytes: config.fetchMaxBytes,
          isolationLevel: config.readCommitted ? 1 : 0,
        }),
      ),
    );
    if (this.closed) return;
    for (const response of responses) {
      for (const t of response.responses) {
        const topic = nameById.get(t.topicId) ?? t.topicId;
        for (const part of t.partitions) {
          const key = `${topic}-${part.partitionIndex}`;
          const req = requested.get(key);
          // A partition lingering in the fetch session that was not asked for: stale, ignored.
          if (req === undefined || req.state.finished || req.state.fetchOffset !== req.offset) continue;
          const fetched = part.records;
          if (fetched === null || fetched === undefined || fetched.length === 0) continue;
          const batches = req.state.aborted === undefined ? fetched : filterAborted(req.state.aborted, fetched, part.abortedTransactions, BigInt(req.offset));
          const last = batches[batches.length - 1]!;
          req.state.fetchOffset = Math.max(req.state.fetchOffset, Number(last.firstOffset) + last.lastOffsetDelta + 1);
          let n = 0;
          for (const b of batches) n += b.records.length;
          this.queuedRecords += n;
          this.chunks.push({ state: req.state, batches, batchIndex: 0, recordIndex: 0 });
        }
      }
    }
  }
}

/**
 * Drops the batches of aborted transactions from `batches` (one fetch response of a partition
 * fetched from `fetchOffset`, read_committed): each becomes an empty batch with the same
 * offsets, so that the position still advances past it. `reported` is the response's list of
 * aborted transactions; `state` carries what earlier responses reported across responses.
 */
function filterAborted(
  state: AbortedTransactions,
  batches: readonly RecordsBatch[],
  reported: readonly { producerId: bigint; firstOffset: bigint }[] | null | undefined,
  fetchOffset: bigint,
): readonly RecordsBatch[] {
  let added = false;
  for (const a of reported ?? []) {
    const key = `${a.producerId}@${a.firstOffset}`;
    if (state.known.has(key)) continue;
    state.known.set(key, a);
    state.upcoming.push({ producerId: a.producerId, firstOffset: a.firstOffset });
    added = true;
  }
  if (added) state.upcoming.sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0));
  if (state.upcoming.length === 0 && state.active.size === 0) return batches;
  let out: RecordsBatch[] | undefined;
  for (let i = 0; i < batches.length; i++) {
    const batch = batches[i]!;
    const last = batch.firstOffset + BigInt(batch.lastOffsetDelta);
    // A batch before the fetch offset (the broker returns whole batches) was seen in an earlier response.
    if (last >= fetchOffset) {
      while (state.upcoming.length > 0 && state.upcoming[0]!.firstOffset <= last) state.active.add(state.upcoming.shift()!.producerId);
      if ((batch.attributes & IS_CONTROL) !== 0) {
        // The ABORT marker ends the producer's aborted transaction; the control batch itself is skipped in `emit`.
        if (batch.records[0]?.key?.readInt16BE(2) === CONTROL_TYPE_ABORT && state.active.delete(batch.producerId)) {
          for (const [key, t] of state.known) if (t.producerId === batch.producerId && t.firstOffset <= batch.firstOffset) state.known.delete(key);
        }
      } else if ((batch.attributes & IS_TRANSACTIONAL) !== 0 && state.active.has(batch.producerId)) {
        out ??= batches.slice(0, i);
        out.push({ ...batch, records: [] });
        continue;
      }
    }
    out?.push(batch);
  }
  return out ?? batches;
}
