import { RivuletError } from '../../../core/errors.ts';
import type { Boundedness, Source, SourceReader, SourceReaderContext, SplitEnumerator, SplitEnumeratorContext } from '../../../core/source.ts';
import type { TopicSubscription } from './kafka-admin.ts';
import type { KafkaPartitionSplit } from './kafka-partition-split.ts';
import type { DeserializationSchema, KafkaRecordDeserializationSchema } from './kafka-record-deserialization-schema.ts';
import { KafkaRecordDeserializationSchema as Schemas } from './kafka-record-deserialization-schema.ts';
import type { KafkaSourceConfig, KafkaSourceProperty } from './kafka-source-config.ts';
import { resolveKafkaSourceConfig } from './kafka-source-config.ts';
import { KafkaSourceEnumerator } from './kafka-source-enumerator.ts';
import type { KafkaSourceEnumState } from './kafka-source-enumerator.ts';
import { KafkaSourceReader } from './kafka-source-reader.ts';
import { OffsetsInitializer } from './offsets-initializer.ts';

/** What {@link KafkaSourceBuilder.build} checked; plain data. */
interface KafkaSourceSettings<T> {
  readonly subscription: TopicSubscription;
  readonly starting: OffsetsInitializer;
  readonly stopping: OffsetsInitializer | undefined;
  readonly deserializer: KafkaRecordDeserializationSchema<T>;
  readonly deadLetterTopic: string | undefined;
  readonly config: KafkaSourceConfig;
}

/**
 * Reads Kafka topics; as Flink's `KafkaSource` (FLIP-27), built with
 * {@link KafkaSource.builder}. One split per topic-partition, assigned by the enumerator to
 * a fixed reader (no consumer-group rebalancing); per-partition watermarks; the offsets are
 * in checkpoints and, when a checkpoint completes, committed to the group for monitoring.
 *
 * ```ts
 * const source = KafkaSource.builder<string>()
 *   .setBootstrapServers('localhost:9092')
 *   .setTopics('orders')
 *   .setGroupId('order-stats')
 *   .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
 *   .setValueOnlyDeserializer(new SimpleStringSchema())
 *   .build();
 * env.fromSource(source, WatermarkStrategy.forBoundedOutOfOrderness(Duration.ofSeconds(5)), 'orders');
 * ```
 *
 * Building does no I/O (job modules build in every worker): the enumerator connects when
 * the job starts, and fails it with CONNECTION_FAILED (brokers unreachable after the
 * retries) or INPUT_NOT_FOUND (a missing topic) then.
 */
export class KafkaSource<T> implements Source<T, KafkaPartitionSplit> {
  private readonly settings: KafkaSourceSettings<T>;

  /** @internal use {@link KafkaSource.builder} */
  constructor(settings: KafkaSourceSettings<T>) {
    this.settings = settings;
  }

  /** A builder; `T` is the type of the records the deserializer emits. */
  static builder<T = never>(): KafkaSourceBuilder<T> {
    return new KafkaSourceBuilder<T>();
  }

  getBoundedness(): Boundedness {
    return this.settings.stopping !== undefined ? 'BOUNDED' : 'CONTINUOUS_UNBOUNDED';
  }

  createEnumerator(context: SplitEnumeratorContext<KafkaPartitionSplit>): SplitEnumerator<KafkaPartitionSplit> {
    return this.enumerator(context, undefined);
  }

  /** Continues with the partitions assigned at the checkpoint (their readers have their offsets). */
  restoreEnumerator(context: SplitEnumeratorContext<KafkaPartitionSplit>, checkpoint: unknown): SplitEnumerator<KafkaPartitionSplit> {
    return this.enumerator(context, checkpoint as KafkaSourceEnumState);
  }

  createReader(context: SourceReaderContext): SourceReader<T, KafkaPartitionSplit> {
    const s = this.settings;
    return new KafkaSourceReader<T>(context, { config: s.config, deserializer: s.deserializer, deadLetterTopic: s.deadLetterTopic, sourceName: this.toString() });
  }

  toString(): string {
    const sub = this.settings.subscription;
    return `KafkaSource ${sub.kind === 'topics' ? sub.topics.join(',') : String(sub.pattern)}`;
  }

  private enumerator(context: SplitEnumeratorContext<KafkaPartitionSplit>, restored: KafkaSourceEnumState | undefined): KafkaSourceEnumerator {
    const s = this.settings;
    return new KafkaSourceEnumerator(context, {
      config: s.config,
      subscription: s.subscription,
      starting: s.starting,
      stopping: s.stopping,
      sourceName: this.toString(),
      restored,
    });
  }
}

/**
 * Configures a {@link KafkaSource}; as Flink's `KafkaSourceBuilder`. Required: bootstrap
 * servers, topics (or a pattern) and a deserializer. Defaults: start at the earliest
 * offsets, unbounded, partition discovery every 5 minutes.
 */
export class KafkaSourceBuilder<T> {
  private subscription: TopicSubscription | undefined;
  private starting = OffsetsInitializer.earliest();
  private stopping: OffsetsInitializer | undefined;
  private deserializer: KafkaRecordDeserializationSchema<T> | undefined;
  private deadLetterTopic: string | undefined;
  private readonly properties = new Map<string, string>();

  /** `host:port[,host:port...]`; Kafka's `bootstrap.servers`. */
  setBootstrapServers(servers: string): this {
    this.properties.set('bootstrap.servers', servers);
    return this;
  }

  /** Reads these topics (all their partitions). */
  setTopics(...topics: (string | readonly string[])[]): this {
    this.subscription = { kind: 'topics', topics: topics.flat() };
    return this;
  }

  /**
   * Reads every topic whose whole name matches `pattern` (as Java's `Pattern.matches`); with
   * partition discovery, topics created later that match are picked up while the job runs.
   */
  setTopicPattern(pattern: RegExp): this {
    this.subscription = { kind: 'pattern', pattern };
    return this;
  }

  /** The consumer group: committed offsets are read from and written to it. Kafka's `group.id`. */
  setGroupId(groupId: string): this {
    this.properties.set('group.id', groupId);
    return this;
  }

  /** Where reading starts per partition (default `OffsetsInitializer.earliest()`); checkpointed offsets win on restore. */
  setStartingOffsets(initializer: OffsetsInitializer): this {
    this.starting = initializer;
    return this;
  }

  /**
   * Makes the source bounded: each partition is read up to the offset `stopping` gives when
   * the job starts (e.g. `OffsetsInitializer.latest()`: what was in the topic then), and the
   * source ends when every partition got there (empty ones at once). No partition discovery.
   */
  setBounded(stopping: OffsetsInitializer): this {
    this.stopping = stopping;
    return this;
  }

  /** The deserializer of whole records (key, value, headers, metadata). */
  setDeserializer<R>(deserializer: KafkaRecordDeserializationSchema<R>): KafkaSourceBuilder<R> {
    const self = this as unknown as KafkaSourceBuilder<R>;
    self.deserializer = deserializer;
    return self;
  }

  /** Deserializes only record values, e.g. `new SimpleStringSchema()` or `new JsonDeserializationSchema<Order>()`. */
  setValueOnlyDeserializer<R>(schema: DeserializationSchema<R>): KafkaSourceBuilder<R> {
    return this.setDeserializer(Schemas.valueOnly(schema));
  }

  /**
   * Records the deserializer rejects go to `topic` instead of failing the job: key, value
   * and headers as read, plus header `rivulet.error` (the reason) and
   * `rivulet.source.{topic,partition,offset,timestamp}`; they are counted as malformed
   * records in the job's metrics. Rivulet's addition; Flink has no equivalent.
   */
  setDeadLetterTopic(topic: string): this {
    this.deadLetterTopic = topic;
    return this;
  }

  /** A Kafka client property; see `KAFKA_SOURCE_PROPERTIES` for the supported keys. */
  setProperty(key: KafkaSourceProperty | (string & {}), value: string): this {
    this.properties.set(key, value);
    return this;
  }

  /** Several properties at once. */
  setProperties(properties: Readonly<Record<string, string>>): this {
    for (const [k, v] of Object.entries(properties)) this.properties.set(k, v);
    return this;
  }

  /**
   * @throws RivuletError(INVALID_ARGUMENT) naming what is missing or wrong: no topics, no
   *   deserializer, no bootstrap servers, an unknown property or a bad value.
   */
  build(): KafkaSource<T> {
    if (this.subscription === undefined || (this.subscription.kind === 'topics' && this.subscription.topics.length === 0)) {
      throw new RivuletError('INVALID_ARGUMENT', 'KafkaSource: no topics; call setTopics(...) or setTopicPattern(/.../)');
    }
    if (this.deserializer === undefined) {
      throw new RivuletError('INVALID_ARGUMENT', 'KafkaSource: no deserializer; call setValueOnlyDeserializer(new SimpleStringSchema()) or setDeserializer(...)');
    }
    if (this.deadLetterTopic === '') throw new RivuletError('INVALID_ARGUMENT', 'KafkaSource: the dead-letter topic must not be empty');
    const config = resolveKafkaSourceConfig(this.properties, this.stopping !== undefined);
    if (this.starting.spec.kind === 'committed' && config.groupId === undefined) {
      throw new RivuletError('INVALID_ARGUMENT', 'KafkaSource: OffsetsInitializer.committedOffsets() needs a group id; call setGroupId(...)');
    }
    return new KafkaSource<T>({
      subscription: this.subscription,
      starting: this.starting,
      stopping: this.stopping,
      deserializer: this.deserializer,
      deadLetterTopic: this.deadLetterTopic,
      config,
    });
  }
}
