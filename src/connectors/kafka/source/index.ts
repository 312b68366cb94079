/** The Kafka source's public names. */
export { KafkaSource, KafkaSourceBuilder } from './kafka-source.ts';
export { OffsetsInitializer, OffsetResetStrategy } from './offsets-initializer.ts';
export type { TopicPartitionOffset } from './offsets-initializer.ts';
export { KafkaRecordDeserializationSchema, SimpleStringSchema, JsonDeserializationSchema } from './kafka-record-deserialization-schema.ts';
export type { DeserializationSchema, KafkaConsumerRecord } from './kafka-record-deserialization-schema.ts';
export type { KafkaPartitionSplit } from './kafka-partition-split.ts';
export { KAFKA_SOURCE_PROPERTIES } from './kafka-source-config.ts';
export type { KafkaSourceProperty } from './kafka-source-config.ts';
export { DEAD_LETTER_ERROR_HEADER } from './kafka-source-reader.ts';
