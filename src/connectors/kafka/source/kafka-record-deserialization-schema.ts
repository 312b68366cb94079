import type { Collector } from '../../../core/functions.ts';

/**
 * One record as read from Kafka, handed to a {@link KafkaRecordDeserializationSchema}; as
 * Kafka's `ConsumerRecord`. Valid during the `deserialize` call only (keep what you need).
 */
export interface KafkaConsumerRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  /** Epoch ms: the producer's create time or the broker's log-append time. */
  readonly timestamp: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** In the order they were produced; a key may occur more than once. */
  readonly headers: readonly (readonly [key: string, value: Buffer | null])[];
}

/**
 * Turns Kafka records into stream records; as Flink's `KafkaRecordDeserializationSchema`.
 * `deserialize` may emit zero, one or several records through `out`; throwing means the
 * record is malformed: the job fails naming topic, partition and offset, or, with
 * `setDeadLetterTopic`, the raw record goes to the dead-letter topic.
 */
export interface KafkaRecordDeserializationSchema<T> {
  deserialize(record: KafkaConsumerRecord, out: Collector<T>): void;
}

/** Turns one value's bytes into a record; as Flink's `DeserializationSchema`. Throws for bad input. */
export interface DeserializationSchema<T> {
  deserialize(message: Buffer): T;
}

/** UTF-8 text; as Flink's `SimpleStringSchema`. A null value (tombstone) becomes ''. */
export class SimpleStringSchema implements DeserializationSchema<string> {
  deserialize(message: Buffer): string {
    return message.toString('utf8');
  }
  toString(): string {
    return 'SimpleStringSchema';
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A JSON document per value; as Flink's `JsonDeserializationSchema`. Invalid UTF-8 or JSON
 * throws, which makes the record malformed. The parsed value is not checked against `T`.
 */
export class JsonDeserializationSchema<T = unknown> implements DeserializationSchema<T> {
  deserialize(message: Buffer): T {
    return JSON.parse(strictUtf8.decode(message)) as T;
  }
  toString(): string {
    return 'JsonDeserializationSchema';
  }
}

const EMPTY = Buffer.alloc(0);

/** The value-only schema behind `KafkaRecordDeserializationSchema.valueOnly`. */
class ValueOnlyDeserializationSchema<T> implements KafkaRecordDeserializationSchema<T> {
  private readonly schema: DeserializationSchema<T>;
  constructor(schema: DeserializationSchema<T>) {
    this.schema = schema;
  }
  deserialize(record: KafkaConsumerRecord, out: Collector<T>): void {
    out.collect(this.schema.deserialize(record.value ?? EMPTY));
  }
  toString(): string {
    return `valueOnly(${String(this.schema)})`;
  }
}

/** Factories with Flink's names (`KafkaRecordDeserializationSchema.valueOnly(...)`). */
export const KafkaRecordDeserializationSchema = {
  /** Deserializes only the value with `schema`; key, headers and metadata are ignored. */
  valueOnly<T>(schema: DeserializationSchema<T>): KafkaRecordDeserializationSchema<T> {
    return new ValueOnlyDeserializationSchema(schema);
  },
  /** A schema from a function (record, out) => void. */
  of<T>(deserialize: (record: KafkaConsumerRecord, out: Collector<T>) => void): KafkaRecordDeserializationSchema<T> {
    return { deserialize };
  },
};
