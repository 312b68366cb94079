import { RivuletError } from '../../../core/errors.ts';
import { stringifyJson } from '../../common/json.ts';
import { SimpleStringSchema } from '../source/kafka-record-deserialization-schema.ts';

/** Turns one value into bytes; as Flink's `SerializationSchema`. Throwing fails the job at that record. */
export interface SerializationSchema<T> {
  serialize(element: T): Uint8Array;
}

/** A JSON document (UTF-8) per element; bigints as numbers. As Flink's `JsonSerializationSchema`. */
export class JsonSerializationSchema<T = unknown> implements SerializationSchema<T> {
  serialize(element: T): Uint8Array {
    return Buffer.from(stringifyJson(element), 'utf8');
  }
  toString(): string {
    return 'JsonSerializationSchema';
  }
}

/**
 * A schema for `setKeySerializationSchema` / `setValueSerializationSchema`: a
 * SerializationSchema, or (for strings) Flink's `SimpleStringSchema` (UTF-8).
 */
export type SerializationSchemaLike<T> = SerializationSchema<T> | ([T] extends [string] ? SimpleStringSchema : never);

/**
 * Chooses the partition of a record; as Flink's `FlinkKafkaPartitioner`. `partitions` are
 * the target topic's partition numbers (ascending); the result must be one of them.
 */
export interface KafkaPartitioner<T> {
  /** Called once per sink subtask before the first record. */
  open?(subtaskIndex: number, parallelism: number): void;
  partition(record: T, key: Uint8Array | undefined, value: Uint8Array | undefined, targetTopic: string, partitions: readonly number[]): number;
}

/** Every subtask writes to one partition (`subtask % partitions`); as Flink's `FlinkFixedPartitioner`. */
export class FlinkFixedPartitioner<T> implements KafkaPartitioner<T> {
  private subtaskIndex = 0;
  open(subtaskIndex: number): void {
    this.subtaskIndex = subtaskIndex;
  }
  partition(_record: T, _key: Uint8Array | undefined, _value: Uint8Array | undefined, _topic: string, partitions: readonly number[]): number {
    return partitions[this.subtaskIndex % partitions.length]!;
  }
}

/**
 * A record to produce. `partition` undefined: Kafka's default partitioner (murmur2 of the
 * key, as the Java client; round robin without a key); a function: chosen once the topic's
 * partitions are known.
 */
export interface KafkaProducerRecord {
  readonly topic: string;
  readonly partition?: number | ((partitions: readonly number[]) => number);
  readonly key?: Buffer;
  /** Undefined: a null value (tombstone). */
  readonly value?: Buffer;
  readonly headers?: ReadonlyMap<string, Buffer>;
  /** Epoch ms; undefined: the broker's or producer's time. */
  readonly timestamp?: number;
}

/** What the sink tells a serialization schema; as Flink's `KafkaSinkContext`. */
export interface KafkaSinkContext {
  readonly subtaskIndex: number;
  readonly parallelism: number;
}

/**
 * Turns stream records into Kafka records; as Flink's `KafkaRecordSerializationSchema`.
 * Build one with `KafkaRecordSerializationSchema.builder()`, or implement it.
 */
export interface KafkaRecordSerializationSchema<T> {
  open?(context: KafkaSinkContext): void;
  /** @param timestamp the record's event timestamp (epoch ms) or NO_TIMESTAMP (a negative number). */
  serialize(element: T, context: KafkaSinkContext, timestamp: number): KafkaProducerRecord;
}

export const KafkaRecordSerializationSchema = {
  builder<T>(): KafkaRecordSerializationSchemaBuilder<T> {
    return new KafkaRecordSerializationSchemaBuilder<T>();
  },
};

/** Headers of a record; as Flink's `HeaderProvider`. */
export type HeaderProvider<T> = (element: T) => ReadonlyMap<string, Uint8Array | string> | Readonly<Record<string, Uint8Array | string>>;

/** As Flink's `KafkaRecordSerializationSchemaBuilder`: a topic (or selector) and a value schema are required. */
export class KafkaRecordSerializationSchemaBuilder<T> {
  private topic: string | undefined;
  private topicSelector: ((element: T) => string) | undefined;
  private valueSchema: SerializationSchema<T> | undefined;
  private keySchema: SerializationSchema<T> | undefined;
  private partitioner: KafkaPartitioner<T> | undefined;
  private headerProvider: HeaderProvider<T> | undefined;

  /** Every record goes to `topic`. */
  setTopic(topic: string): this {
    if (topic.length === 0) throw invalid('setTopic needs a topic name');
    this.topic = topic;
    return this;
  }

  /** The topic of each record; as Flink's `TopicSelector`. */
  setTopicSelector(selector: (element: T) => string): this {
    this.topicSelector = selector;
    return this;
  }

  setValueSerializationSchema(schema: SerializationSchemaLike<T>): this {
    this.valueSchema = asSerializationSchema(schema);
    return this;
  }

  /** Without a key schema, records have no key (round-robin partitions unless a partitioner is set). */
  setKeySerializationSchema(schema: SerializationSchemaLike<T>): this {
    this.keySchema = asSerializationSchema(schema);
    return this;
  }

  /** Default: Kafka's default partitioner (murmur2 of the key, as the Java client). */
  setPartitioner(partitioner: KafkaPartitioner<T>): this {
    this.partitioner = partitioner;
    return this;
  }

  setHeaderProvider(provider: HeaderProvider<T>): this {
    this.headerProvider = provider;
    return this;
  }

  /** @throws RivuletError(INVALID_ARGUMENT) without a value schema, or without exactly one of topic and topic selector. */
  build(): KafkaRecordSerializationSchema<T> {
    if ((this.topic === undefined) === (this.topicSelector === undefined)) throw invalid('set exactly one of setTopic and setTopicSelector');
    if (this.valueSchema === undefined) throw invalid('setValueSerializationSchema is required');
    const topic = this.topic;
    const selector = this.topicSelector;
    const valueSchema = this.valueSchema;
    const keySchema = this.keySchema;
    const partitioner = this.partitioner;
    const headerProvider = this.headerProvider;
    return {
      open(context: KafkaSinkContext): void {
        partitioner?.open?.(context.subtaskIndex, context.parallelism);
      },
      serialize(element: T, _context: KafkaSinkContext, timestamp: number): KafkaProducerRecord {
        const target = topic ?? selector!(element);
        const value = toBuffer(valueSchema.serialize(element));
        const key = keySchema === undefined ? undefined : toBuffer(keySchema.serialize(element));
        const record: { -readonly [K in keyof KafkaProducerRecord]: KafkaProducerRecord[K] } = { topic: target, value };
        if (key !== undefined) record.key = key;
        if (timestamp >= 0) record.timestamp = timestamp;
        if (partitioner !== undefined) record.partition = (partitions) => partitioner.partition(element, key, value, target, partitions);
        if (headerProvider !== undefined) {
          const given = headerProvider(element);
          const headers = new Map<string, Buffer>();
          for (const [k, v] of given instanceof Map ? given : Object.entries(given)) headers.set(k, typeof v === 'string' ? Buffer.from(v, 'utf8') : toBuffer(v));
          record.headers = headers;
        }
        return record;
      },
    };
  }
}

function asSerializationSchema<T>(schema: SerializationSchemaLike<T>): SerializationSchema<T> {
  if (schema instanceof SimpleStringSchema) return { serialize: (s: T) => Buffer.from(s as string, 'utf8') };
  return schema;
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function invalid(message: string): RivuletError {
  return new RivuletError('INVALID_ARGUMENT', `KafkaRecordSerializationSchema: ${message}`);
}
