import { RivuletError } from '../../../core/errors.ts';
import type { Sink, SinkWriter, SinkWriterContext } from '../../../core/sink.ts';
import { DeliveryGuarantee } from './delivery-guarantee.ts';
import type { KafkaRecordSerializationSchema } from './kafka-record-serialization-schema.ts';
import type { KafkaWriterConfig } from './kafka-writer.ts';
import { isKafkaWriterState, KafkaNonTransactionalWriter, KafkaTransactionalWriter } from './kafka-writer.ts';

/** Default transaction.timeout.ms: the brokers' default `transaction.max.timeout.ms` (15 minutes). */
export const DEFAULT_TRANSACTION_TIMEOUT_MS = 15 * 60_000;

/** Default buffer.memory: the Java producer's (32 MiB). */
export const DEFAULT_BUFFER_MEMORY = 32 * 1024 * 1024;

/** The producer properties `setProperty` accepts (Kafka's names), with what they mean here. */
export const KAFKA_SINK_PROPERTIES = {
  'bootstrap.servers': 'comma-separated host:port list (setBootstrapServers)',
  'client.id': 'client id prefix (default: the transactional id prefix or "rivulet-kafka-sink"); subtask index appended',
  acks: 'NONE only: "all"/"-1", "1" (default) or "0"; AT_LEAST_ONCE and EXACTLY_ONCE always use all',
  'transaction.timeout.ms': `EXACTLY_ONCE: ms before the broker aborts an open transaction (default ${DEFAULT_TRANSACTION_TIMEOUT_MS}); must exceed the checkpoint interval and not exceed the brokers' transaction.max.timeout.ms`,
  'request.timeout.ms': 'ms to wait for a broker response',
  retries: 'retries of a failed request (default 10)',
  'retry.backoff.ms': 'ms between retries (default 100)',
  'compression.type': 'none, gzip, snappy, lz4 or zstd',
  'buffer.memory': `bytes of records written but not yet acknowledged per subtask above which the sink takes no more input (backpressure; default ${DEFAULT_BUFFER_MEMORY})`,
} as const;
export type KafkaSinkProperty = keyof typeof KAFKA_SINK_PROPERTIES;

/**
 * Writes a stream to Kafka topics; Flink's `KafkaSink` (flink-connector-kafka) on
 * `@platformatic/kafka`. Build it with `KafkaSink.builder<T>()`. The delivery guarantee
 * (default NONE, as Flink) decides what a checkpoint means for the records written so far:
 * see {@link DeliveryGuarantee}, and `KafkaTransactionalWriter` for EXACTLY_ONCE's
 * transactions and their recovery. EXACTLY_ONCE output is visible to `read_committed`
 * consumers only after the checkpoint that follows it completes (or at the end of input
 * without checkpointing).
 */
export class KafkaSink<T> implements Sink<T> {
  private readonly config: KafkaWriterConfig<T>;
  /** The transaction timeout warning was given (once per sink; see restoreWriter). */
  private warnedTimeout = false;

  /** Use `KafkaSink.builder()`. */
  constructor(config: KafkaWriterConfig<T>) {
    this.config = config;
  }

  static builder<T>(): KafkaSinkBuilder<T> {
    return new KafkaSinkBuilder<T>();
  }

  get deliveryGuarantee(): DeliveryGuarantee {
    return this.config.deliveryGuarantee;
  }

  createWriter(context: SinkWriterContext): SinkWriter<T> {
    return this.restoreWriter(context, []);
  }

  /** EXACTLY_ONCE: commits the restored checkpoint's transactions and aborts those failed attempts left open (see KafkaTransactionalWriter). */
  restoreWriter(context: SinkWriterContext, recoveredState: readonly unknown[]): SinkWriter<T> {
    if (this.config.deliveryGuarantee !== DeliveryGuarantee.EXACTLY_ONCE) return new KafkaNonTransactionalWriter(this.config, context);
    this.warnIfTimeoutBelowInterval(context);
    return new KafkaTransactionalWriter(this.config, context, recoveredState.filter(isKafkaWriterState));
  }

  /**
   * As Flink's docs warn: a transaction stays open from its first record until the checkpoint
   * after it completes, so a transaction.timeout.ms below the checkpoint interval lets the
   * broker abort transactions before they are committed (their records are lost).
   */
  private warnIfTimeoutBelowInterval(context: SinkWriterContext): void {
    const interval = context.checkpointIntervalMs;
    if (this.warnedTimeout || interval === undefined || this.config.transactionTimeoutMs >= interval) return;
    this.warnedTimeout = true;
    console.warn(
      `KafkaSink (uid ${context.operatorUid}): transaction.timeout.ms=${this.config.transactionTimeoutMs} is smaller than the checkpoint interval (${interval} ms); ` +
        'the brokers will abort transactions before their checkpoint completes and their records are lost. ' +
        'Set transaction.timeout.ms well above the checkpoint interval plus the longest expected downtime.',
    );
  }

  toString(): string {
    return `KafkaSink (${this.config.deliveryGuarantee}) ${this.config.bootstrapServers.join(',')}`;
  }
}

/** As Flink's `KafkaSinkBuilder`. */
export class KafkaSinkBuilder<T> {
  private readonly properties = new Map<string, string>();
  private serializer: KafkaRecordSerializationSchema<T> | undefined;
  private deliveryGuarantee: DeliveryGuarantee = DeliveryGuarantee.NONE;
  private transactionalIdPrefix: string | undefined;

  /** `host:port[,host:port...]`. */
  setBootstrapServers(servers: string): this {
    return this.setProperty('bootstrap.servers', servers);
  }

  setRecordSerializer(serializer: KafkaRecordSerializationSchema<T>): this {
    this.serializer = serializer;
    return this;
  }

  /** Default NONE (as Flink). */
  setDeliveryGuarantee(guarantee: DeliveryGuarantee): this {
    this.deliveryGuarantee = guarantee;
    return this;
  }

  /**
   * EXACTLY_ONCE: the prefix of the transactional ids (`<prefix>-<subtask>-<n>`); must be
   * unique among the jobs writing to the same cluster, and stay the same across restores.
   */
  setTransactionalIdPrefix(prefix: string): this {
    this.transactionalIdPrefix = prefix;
    return this;
  }

  /** A producer property, by Kafka's name; see {@link KAFKA_SINK_PROPERTIES}. Checked in `build`. */
  setProperty(key: string, value: string): this {
    this.properties.set(key, value);
    return this;
  }

  /**
   * @throws RivuletError(INVALID_ARGUMENT) without bootstrap servers or record serializer,
   * with EXACTLY_ONCE but no transactional id prefix, for an unknown property or a bad value.
   */
  build(): KafkaSink<T> {
    const p = this.properties;
    for (const k of p.keys()) if (!(k in KAFKA_SINK_PROPERTIES)) fail(`unknown property "${k}"; supported: ${Object.keys(KAFKA_SINK_PROPERTIES).join(', ')}`);
    const servers = (p.get('bootstrap.servers') ?? '').split(',').map((s) => s.trim()).filter((s) => s.length > 0);
    if (servers.length === 0) fail('no bootstrap servers; call setBootstrapServers("host:port[,host:port...]")');
    for (const s of servers) if (!/^[^\s:]+:\d+$/.test(s)) fail(`bootstrap server "${s}" is not host:port`);
    if (this.serializer === undefined) fail('setRecordSerializer is required');
    const exactlyOnce = this.deliveryGuarantee === DeliveryGuarantee.EXACTLY_ONCE;
    const prefix = this.transactionalIdPrefix;
    if (exactlyOnce && (prefix === undefined || prefix.length === 0)) fail('EXACTLY_ONCE needs setTransactionalIdPrefix');
    const acksText = p.get('acks') ?? '1';
    const acks = ({ all: -1, '-1': -1, '1': 1, '0': 0 } as const)[acksText as 'all'];
    if (acks === undefined) fail(`acks must be all, -1, 1 or 0, got "${acksText}"`);
    const compression = p.get('compression.type');
    if (compression !== undefined && !['none', 'gzip', 'snappy', 'lz4', 'zstd'].includes(compression)) fail(`compression.type must be none, gzip, snappy, lz4 or zstd, got "${compression}"`);
    const requestTimeout = p.get('request.timeout.ms');
    return new KafkaSink<T>({
      bootstrapServers: servers,
      serializer: this.serializer!,
      deliveryGuarantee: this.deliveryGuarantee,
      transactionalIdPrefix: prefix ?? 'rivulet-kafka-sink',
      clientId: p.get('client.id') ?? prefix ?? 'rivulet-kafka-sink',
      acks,
      transactionTimeoutMs: positiveInt(p, 'transaction.timeout.ms', DEFAULT_TRANSACTION_TIMEOUT_MS),
      requestTimeoutMs: requestTimeout === undefined ? undefined : positiveInt(p, 'request.timeout.ms', 0),
      retries: positiveInt(p, 'retries', 10, true),
      retryBackoffMs: positiveInt(p, 'retry.backoff.ms', 100, true),
      compression: compression as KafkaWriterConfig<T>['compression'],
      bufferMemory: positiveInt(p, 'buffer.memory', DEFAULT_BUFFER_MEMORY),
    });
  }
}

function positiveInt(p: ReadonlyMap<string, string>, key: string, fallback: number, zeroOk = false): number {
  const text = p.get(key);
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || (n === 0 && !zeroOk)) fail(`${key} must be a ${zeroOk ? 'non-negative' : 'positive'} integer, got "${text}"`);
  return n;
}

function fail(message: string): never {
  throw new RivuletError('INVALID_ARGUMENT', `KafkaSink: ${message}`);
}
