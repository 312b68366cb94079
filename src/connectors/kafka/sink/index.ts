/** KafkaSink's public names (DESIGN.md §8). */
export { DeliveryGuarantee } from './delivery-guarantee.ts';
export { KafkaSink, KafkaSinkBuilder, KAFKA_SINK_PROPERTIES, DEFAULT_TRANSACTION_TIMEOUT_MS } from './kafka-sink.ts';
export type { KafkaSinkProperty } from './kafka-sink.ts';
export { FlinkFixedPartitioner, JsonSerializationSchema, KafkaRecordSerializationSchema, KafkaRecordSerializationSchemaBuilder } from './kafka-record-serialization-schema.ts';
export type { HeaderProvider, KafkaPartitioner, KafkaProducerRecord, KafkaSinkContext, SerializationSchema, SerializationSchemaLike } from './kafka-record-serialization-schema.ts';
