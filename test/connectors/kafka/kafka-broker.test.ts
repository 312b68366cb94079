/**
 * Real Apache Kafka brokers (test/support/kafka-cluster.ts) with the client the Kafka
 * connectors build on, @platformatic/kafka: records with keys and headers round-trip,
 * transactions commit and abort as `read_committed` readers expect, and a three-broker
 * cluster keeps producing and consuming with one broker down. These pin the broker set-up
 * and the client API the KafkaSource and KafkaSink use.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Consumer, FetchIsolationLevels, ProduceAcks, Producer, stringDeserializers, stringSerializers } from '@platformatic/kafka';
import type { MessageToProduce } from '@platformatic/kafka';
import { startKafkaCluster } from '../../support/kafka-cluster.ts';
import type { KafkaTestCluster } from '../../support/kafka-cluster.ts';

interface Received {
  readonly partition: number;
  readonly offset: bigint;
  readonly key: string;
  readonly value: string;
  readonly headers: Record<string, string>;
}

let clientIds = 0;
const clientId = (role: string): string => `rivulet-test-${role}-${++clientIds}`;

/**
 * Reads `count` distinct records of `topic` from the earliest offsets with a fresh consumer
 * group. Distinct by partition and offset: a group consumer is at-least-once, and when the
 * group rebalances right after the first join (it can, while the broker creates the offsets
 * topic), uncommitted partitions are read again from the earliest offset.
 */
async function consume(
  bootstrapBrokers: readonly string[],
  topic: string,
  count: number,
  isolationLevel: number,
): Promise<Received[]> {
  const consumer = new Consumer({
    clientId: clientId('consumer'),
    groupId: clientId('group'),
    bootstrapBrokers: [...bootstrapBrokers],
    deserializers: stringDeserializers,
    isolationLevel,
    autocommit: false,
    maxWaitTime: 200,
  });
  try {
    const stream = await consumer.consume({ topics: [topic], mode: 'earliest' });
    const received = new Map<string, Received>();
    const timer = setTimeout(() => stream.destroy(new Error(`Read ${received.size} of ${count} records of ${topic} in 20 s`)), 20_000);
    try {
      for await (const m of stream) {
        received.set(`${m.partition}@${m.offset}`, { partition: m.partition, offset: m.offset, key: m.key, value: m.value, headers: Object.fromEntries(m.headers) });
        if (received.size >= count) break;
      }
    } finally {
      clearTimeout(timer);
      await stream.close();
    }
    return [...received.values()].sort((a, b) => a.partition - b.partition || Number(a.offset - b.offset));
  } finally {
    await consumer.close();
  }
}

const byValue = (a: Received, b: Received): number => a.value.localeCompare(b.value);

void describe('a single Kafka broker', () => {
  let cluster: KafkaTestCluster;
  before(async () => {
    cluster = await startKafkaCluster({ brokers: 1 });
  });
  after(async () => {
    await cluster?.stop();
  });

  void test('records with keys and headers round-trip through a 3-partition topic', async () => {
    await cluster.createTopic('round-trip', 3);
    // Idempotent: a plain producer's retry (a slow broker on a loaded machine) can write a
    // batch twice, and the reader below would then stop before the last records.
    const producer = new Producer({ clientId: clientId('producer'), bootstrapBrokers: [...cluster.bootstrapBrokers], serializers: stringSerializers, idempotent: true });
    const messages: MessageToProduce<string, string, string, string>[] = Array.from({ length: 30 }, (_, i) => ({
      topic: 'round-trip',
      key: `key-${i % 7}`,
      value: `value-${String(i).padStart(2, '0')}`,
      headers: { seq: String(i), source: 'rivulet' },
    }));
    try {
      const result = await producer.send({ messages, acks: ProduceAcks.ALL });
      assert.ok((result.offsets ?? []).length > 0);
    } finally {
      await producer.close();
    }

    const received = await consume(cluster.bootstrapBrokers, 'round-trip', messages.length, FetchIsolationLevels.READ_UNCOMMITTED);
    assert.deepEqual(
      received.map(({ key, value, headers }) => ({ key, value, headers })).sort((a, b) => a.value.localeCompare(b.value)),
      messages.map((m) => ({ key: m.key, value: m.value, headers: m.headers })),
    );
    // The default partitioner hashes the key: one key, one partition; and all three are used.
    const partitionOfKey = new Map<string, number>();
    for (const r of received) {
      assert.equal(partitionOfKey.get(r.key) ?? r.partition, r.partition, `key ${r.key} in two partitions`);
      partitionOfKey.set(r.key, r.partition);
    }
    assert.equal(new Set(received.map((r) => r.partition)).size, 3);
    // Offsets grow by one per record within a partition (no transaction markers here).
    for (const p of [0, 1, 2]) {
      const offsets = received.filter((r) => r.partition === p).map((r) => r.offset);
      assert.deepEqual(offsets, offsets.map((_, i) => BigInt(i)));
    }
  });

  void test('a read_committed consumer sees committed transactions and skips aborted ones', async () => {
    await cluster.createTopic('transactions', 2);
    const producer = new Producer({
      clientId: clientId('tx-producer'),
      bootstrapBrokers: [...cluster.bootstrapBrokers],
      serializers: stringSerializers,
      idempotent: true, // required for transactions (acks = all)
      transactionalId: 'rivulet-test-tx',
      // The broker answers CONCURRENT_TRANSACTIONS while it writes the previous transaction's
      // markers, and COORDINATOR_NOT_AVAILABLE while it creates its transaction log: retry soon.
      retryDelay: 100,
    });
    const batch = (name: string): MessageToProduce<string, string, string, string>[] =>
      Array.from({ length: 4 }, (_, i) => ({ topic: 'transactions', key: `k${i}`, value: `${name}-${i}` }));
    try {
      const first = await producer.beginTransaction();
      await first.send({ messages: batch('committed-1') });
      await first.commit();

      const aborted = await producer.beginTransaction();
      await aborted.send({ messages: batch('aborted') });
      await aborted.abort();

      // A committed transaction after the aborted one: once a reader has it, the aborted
      // records lie behind its position, so not seeing them means they were filtered.
      const last = await producer.beginTransaction();
      await last.send({ messages: batch('committed-2') });
      await last.commit();
    } finally {
      await producer.close();
    }

    const committed = await consume(cluster.bootstrapBrokers, 'transactions', 8, FetchIsolationLevels.READ_COMMITTED);
    assert.deepEqual(committed.map((r) => r.value).sort(), [...batch('committed-1'), ...batch('committed-2')].map((m) => m.value).sort());

    // The aborted records are in the log: a read_uncommitted reader gets all twelve.
    const everything = await consume(cluster.bootstrapBrokers, 'transactions', 12, FetchIsolationLevels.READ_UNCOMMITTED);
    assert.equal(everything.filter((r) => r.value.startsWith('aborted-')).length, 4);
  });
});

void describe('three Kafka brokers', () => {
  let cluster: KafkaTestCluster;
  before(async () => {
    cluster = await startKafkaCluster({ brokers: 3 });
  });
  after(async () => {
    await cluster?.stop();
  });

  void test('a topic replicated three times serves producers and consumers with a broker down', async () => {
    await cluster.createTopic('replicated', 3, 3);
    const values = (from: number, to: number): string[] => Array.from({ length: to - from }, (_, i) => `v${String(from + i).padStart(3, '0')}`);
    const send = async (batch: string[]): Promise<void> => {
      const producer = new Producer({
        clientId: clientId('producer'),
        bootstrapBrokers: [...cluster.bootstrapBrokers],
        serializers: stringSerializers,
        idempotent: true,
        retryDelay: 250,
      });
      try {
        await producer.send({ messages: batch.map((v) => ({ topic: 'replicated', key: v, value: v })), acks: ProduceAcks.ALL });
      } finally {
        await producer.close();
      }
    };

    await send(values(0, 30));
    await cluster.stopBroker(0);
    assert.equal(cluster.brokers[0]?.running, false);
    await send(values(30, 60));
    const read = await consume(cluster.bootstrapBrokers, 'replicated', 60, FetchIsolationLevels.READ_UNCOMMITTED);
    assert.deepEqual(read.sort(byValue).map((r) => r.value), values(0, 60));

    await cluster.startBroker(0);
    assert.equal(cluster.brokers[0]?.running, true);
    await send(values(60, 70));
    const all = await consume(cluster.bootstrapBrokers, 'replicated', 70, FetchIsolationLevels.READ_UNCOMMITTED);
    assert.deepEqual(all.sort(byValue).map((r) => r.value), values(0, 70));
  });
});
