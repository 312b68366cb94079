/**
 * The broker calls of a KafkaSource that are not fetches: connecting (with logged retries),
 * topic and partition discovery, offset resolution, and committing offsets to the group.
 * Coordination code, run by the enumerator (and by readers to commit); not on the data path.
 */
import type { Admin } from '@platformatic/kafka';
import { kafkaLibrary } from '../kafka-library.ts';
import { RivuletError } from '../../../core/errors.ts';
import type { KafkaSourceConfig } from './kafka-source-config.ts';
import { baseClientOptions } from './kafka-source-config.ts';
import type { OffsetsSpec } from './offsets-initializer.ts';
import { OffsetResetStrategy, topicPartitionKey } from './offsets-initializer.ts';

/** Which topics a source reads. */
export type TopicSubscription = { readonly kind: 'topics'; readonly topics: readonly string[] } | { readonly kind: 'pattern'; readonly pattern: RegExp };

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

const LATEST = -1n;
const EARLIEST = -2n;

/** The innermost message of an error from the client (it wraps causes in MultipleErrors). */
export function describeKafkaError(e: unknown): string {
  const parts: string[] = [];
  let cur: unknown = e;
  for (let depth = 0; cur instanceof Error && depth < 6; depth++) {
    parts.push(cur.message);
    const inner = (cur as { errors?: unknown[] }).errors;
    cur = Array.isArray(inner) && inner.length > 0 ? inner[inner.length - 1] : cur.cause;
  }
  if (parts.length === 0) return String(e);
  return [...new Set(parts)].join(': ');
}

export class KafkaAdminClient {
  private readonly config: KafkaSourceConfig;
  private readonly admin: Admin;
  private readonly sourceName: string;

  constructor(config: KafkaSourceConfig, role: string, sourceName: string) {
    this.config = config;
    this.sourceName = sourceName;
    this.admin = new (kafkaLibrary().Admin)({ ...baseClientOptions(config, role), autocreateTopics: config.autoCreateTopics });
  }

  /**
   * Reaches the cluster: tries once plus `retries` times, `retry.backoff.ms` apart, logging
   * each failed attempt on stderr.
   * @throws RivuletError(CONNECTION_FAILED) naming the bootstrap servers and the last cause.
   */
  async connect(): Promise<void> {
    const servers = this.config.bootstrapServers.join(',');
    const attempts = this.config.retries + 1;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.admin.metadata({ topics: [], retries: 0, forceUpdate: true });
        return;
      } catch (e) {
        const cause = describeKafkaError(e);
        if (attempt >= attempts) {
          throw new RivuletError(
            'CONNECTION_FAILED',
            `${this.sourceName}: cannot reach the Kafka cluster at bootstrap servers ${servers} after ${attempts} attempts (${cause}). ` +
              `Check that the brokers run and that bootstrap.servers is right; retries and retry.backoff.ms set how long the source tries.`,
            {},
            { cause: e },
          );
        }
        console.warn(`[rivulet] ${this.sourceName}: cannot reach Kafka bootstrap servers ${servers} (attempt ${attempt}/${attempts}: ${cause}); retrying in ${this.config.retryBackoffMs} ms`);
        await new Promise((r) => setTimeout(r, this.config.retryBackoffMs));
      }
    }
  }

  /**
   * The partitions of the subscribed topics.
   * @throws RivuletError(INPUT_NOT_FOUND) naming a listed topic that does not exist (unless
   *   `allow.auto.create.topics=true`, which asks the broker to create it).
   */
  async discoverPartitions(subscription: TopicSubscription): Promise<TopicPartition[]> {
    let topics: string[];
    if (subscription.kind === 'topics') {
      topics = [...subscription.topics];
    } else {
      const re = subscription.pattern;
      topics = (await this.admin.listTopics({ includeInternals: false })).filter((t) => fullMatch(re, t));
    }
    if (topics.length === 0) return [];
    let metadata;
    try {
      metadata = await this.admin.metadata({ topics, forceUpdate: true, autocreateTopics: this.config.autoCreateTopics });
    } catch (e) {
      const missing = /Unknown topic ([^\s]+?)\.?$/m.exec(describeKafkaError(e))?.[1];
      if (missing !== undefined || /UNKNOWN_TOPIC_OR_PARTITION|Unknown topic/i.test(describeKafkaError(e))) {
        const name = missing ?? topics.join(', ');
        throw new RivuletError(
          'INPUT_NOT_FOUND',
          `${this.sourceName}: Kafka topic "${name}" does not exist on ${this.config.bootstrapServers.join(',')}. ` +
            `Create it first, or set property allow.auto.create.topics=true to have the broker create it.`,
          {},
          { cause: e },
        );
      }
      throw e;
    }
    const out: TopicPartition[] = [];
    for (const topic of topics) {
      const t = metadata.topics.get(topic);
      if (t === undefined) continue;
      for (let p = 0; p < t.partitionsCount; p++) out.push({ topic, partition: p });
    }
    return out;
  }

  /**
   * Concrete offsets for `partitions` by `spec`, keyed `topic-partition`.
   * @throws RivuletError(INPUT_NOT_FOUND) for a partition without a committed offset under
   *   reset strategy NONE, naming it and the group.
   */
  async resolveOffsets(spec: OffsetsSpec, partitions: readonly TopicPartition[]): Promise<Map<string, number>> {
    const result = new Map<string, number>();
    if (partitions.length === 0) return result;
    switch (spec.kind) {
      case 'earliest':
        return this.listOffsets(partitions, EARLIEST);
      case 'latest':
        return this.listOffsets(partitions, LATEST);
      case 'timestamp': {
        const found = await this.listOffsets(partitions, BigInt(spec.timestamp));
        const none = partitions.filter((tp) => (found.get(topicPartitionKey(tp.topic, tp.partition)) ?? -1) < 0);
        if (none.length > 0) for (const [k, v] of await this.listOffsets(none, LATEST)) found.set(k, v);
        return found;
      }
      case 'offsets': {
        const missing: TopicPartition[] = [];
        for (const tp of partitions) {
          const key = topicPartitionKey(tp.topic, tp.partition);
          const o = spec.offsets.get(key);
          if (o === undefined) missing.push(tp);
          else result.set(key, o);
        }
        for (const [k, v] of await this.reset(spec.reset, missing, 'no offset was given')) result.set(k, v);
        return result;
      }
      case 'committed': {
        const groupId = this.config.groupId;
        if (groupId === undefined) {
          throw new RivuletError('INVALID_ARGUMENT', `${this.sourceName}: OffsetsInitializer.committedOffsets() needs a group id; call setGroupId(...)`);
        }
        const byTopic = new Map<string, number[]>();
        for (const tp of partitions) byTopic.set(tp.topic, [...(byTopic.get(tp.topic) ?? []), tp.partition]);
        const groups = await this.admin.listConsumerGroupOffsets({
          groups: [{ groupId, topics: [...byTopic].map(([name, partitionIndexes]) => ({ name, partitionIndexes })) }],
        });
        for (const g of groups) {
          for (const t of g.topics) {
            for (const p of t.partitions) if (p.committedOffset >= 0n) result.set(topicPartitionKey(t.name, p.partitionIndex), Number(p.committedOffset));
          }
        }
        const missing = partitions.filter((tp) => !result.has(topicPartitionKey(tp.topic, tp.partition)));
        for (const [k, v] of await this.reset(spec.reset, missing, `group "${groupId}" has no committed offset`)) result.set(k, v);
        return result;
      }
    }
  }

  private async reset(strategy: OffsetResetStrategy, partitions: readonly TopicPartition[], why: string): Promise<Map<string, number>> {
    if (partitions.length === 0) return new Map();
    if (strategy === OffsetResetStrategy.NONE) {
      const names = partitions.map((tp) => topicPartitionKey(tp.topic, tp.partition)).join(', ');
      throw new RivuletError(
        'INPUT_NOT_FOUND',
        `${this.sourceName}: ${why} for partition(s) ${names} and the offset reset strategy is NONE. ` +
          `Use OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST) (or LATEST) to start such partitions anyway.`,
      );
    }
    return this.listOffsets(partitions, strategy === OffsetResetStrategy.EARLIEST ? EARLIEST : LATEST);
  }

  private async listOffsets(partitions: readonly TopicPartition[], timestamp: bigint): Promise<Map<string, number>> {
    const byTopic = new Map<string, { partitionIndex: number; timestamp: bigint }[]>();
    for (const tp of partitions) {
      let list = byTopic.get(tp.topic);
      if (list === undefined) byTopic.set(tp.topic, (list = []));
      list.push({ partitionIndex: tp.partition, timestamp });
    }
    const listed = await this.admin.listOffsets({
      topics: [...byTopic].map(([name, ps]) => ({ name, partitions: ps })),
      isolationLevel: this.config.readCommitted ? 1 : 0,
    });
    const out = new Map<string, number>();
    for (const t of listed) for (const p of t.partitions) out.set(topicPartitionKey(t.name, p.partitionIndex), Number(p.offset));
    return out;
  }

  /** Commits `offsets` (next offset to read, by topic and partition) for the group, as a simple (group-less) consumer. */
  async commitOffsets(groupId: string, offsets: ReadonlyMap<string, { topic: string; partition: number; offset: number }>): Promise<void> {
    const byTopic = new Map<string, { partition: number; offset: bigint }[]>();
    for (const o of offsets.values()) {
      let list = byTopic.get(o.topic);
      if (list === undefined) byTopic.set(o.topic, (list = []));
      list.push({ partition: o.partition, offset: BigInt(o.offset) });
    }
    if (byTopic.size === 0) return;
    await this.admin.alterConsumerGroupOffsets({ groupId, topics: [...byTopic].map(([name, partitionOffsets]) => ({ name, partitionOffsets })) });
  }

  async close(): Promise<void> {
    await this.admin.close();
  }
}

/** Java's `Pattern.matcher(topic).matches()`: the whole name must match. */
export function fullMatch(pattern: RegExp, topic: string): boolean {
  const flags = pattern.flags.replace(/[gy]/g, '');
  return new RegExp(`^(?:${pattern.source})$`, flags).test(topic);
}
