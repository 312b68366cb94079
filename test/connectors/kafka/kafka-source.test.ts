/**
 * KafkaSource against a real single-node Kafka (KRaft) broker on loopback, one per file:
 * bounded reads, starting offsets, bad records, missing topics and unreachable brokers.
 * Unbounded runs, watermarks and recovery are in kafka-source-unbounded.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Admin, Producer } from '@platformatic/kafka';
import {
  JsonDeserializationSchema,
  KafkaRecordDeserializationSchema,
  KafkaSource,
  OffsetResetStrategy,
  OffsetsInitializer,
  RivuletError,
  SimpleStringSchema,
  StreamExecutionEnvironment,
} from '../../../src/index.ts';
import type { KafkaConsumerRecord } from '../../../src/index.ts';
import { startKafkaCluster } from '../../support/kafka-cluster.ts';
import type { KafkaTestCluster } from '../../support/kafka-cluster.ts';

let cluster: KafkaTestCluster;
let producer: Producer;
let admin: Admin;

before(async () => {
  cluster = await startKafkaCluster({ brokers: 1 });
  producer = new Producer({ clientId: 'test-producer', bootstrapBrokers: [...cluster.bootstrapBrokers], idempotent: true });
  admin = new Admin({ clientId: 'test-admin', bootstrapBrokers: [...cluster.bootstrapBrokers] });
});

after(async () => {
  await producer?.close();
  await admin?.close();
  await cluster?.stop();
});

/** Produces `values` to one partition, in order, with timestamps `ts(i)`. */
async function produce(topic: string, partition: number, values: readonly string[], ts?: (i: number) => number, key?: string): Promise<void> {
  await producer.send({
    messages: values.map((v, i) => ({
      topic,
      partition,
      value: Buffer.from(v),
      ...(key !== undefined ? { key: Buffer.from(key) } : {}),
      ...(ts !== undefined ? { timestamp: BigInt(ts(i)) } : {}),
    })),
  });
}

function byPartition(records: readonly { partition: number; value: string }[]): Map<number, string[]> {
  const m = new Map<number, string[]>();
  for (const r of records) m.set(r.partition, [...(m.get(r.partition) ?? []), r.value]);
  return m;
}

interface Rec {
  partition: number;
  offset: number;
  value: string;
  timestamp: number;
}
const recSchema = KafkaRecordDeserializationSchema.of<Rec>((r: KafkaConsumerRecord, out) =>
  out.collect({ partition: r.partition, offset: r.offset, value: r.value?.toString() ?? '', timestamp: r.timestamp }),
);

function bounded(topic: string): ReturnType<typeof KafkaSource.builder<Rec>> {
  return KafkaSource.builder()
    .setBootstrapServers(cluster.bootstrapServers)
    .setTopics(topic)
    .setDeserializer(recSchema)
    .setBounded(OffsetsInitializer.latest());
}

for (const parallelism of [1, 2]) {
  void test(`bounded read from earliest at p=${parallelism} returns every record, in order per partition, with Kafka timestamps (an empty partition ends too)`, async () => {
    const topic = `bounded-p${parallelism}`;
    await cluster.createTopic(topic, 4);
    const expected = new Map<number, string[]>();
    for (let p = 0; p < 3; p++) {
      const values = Array.from({ length: 500 + p * 100 }, (_, i) => `p${p}-${i}`);
      expected.set(p, values);
      await produce(topic, p, values, (i) => 1_700_000_000_000 + i);
    }
    // partition 3 stays empty
    const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(parallelism);
    const out = await env.fromSource(bounded(topic).build(), undefined, 'kafka').executeAndCollect();
    assert.equal(out.length, 500 + 600 + 700);
    assert.deepEqual(byPartition(out), expected);
    for (const r of out) assert.equal(r.timestamp, 1_700_000_000_000 + Number(r.value.split('-')[1]));
  });
}

void test('isolation.level=read_committed drops the records of aborted transactions and still ends where the log ends in an aborted one', async () => {
  const topic = 'transactions';
  await cluster.createTopic(topic, 1);
  await produce(topic, 0, ['plain-0']);
  // Two transactional producers interleaved on the one partition: A commits, B aborts; the log ends in B's last batch and its ABORT marker.
  const producerFor = (id: string): Producer => new Producer({ clientId: id, bootstrapBrokers: [...cluster.bootstrapBrokers], idempotent: true, transactionalId: id, acks: -1 });
  const pa = producerFor('tx-committed');
  const pb = producerFor('tx-aborted');
  try {
    const a = await pa.beginTransaction();
    const b = await pb.beginTransaction();
    const send = async (tx: typeof a, value: string): Promise<void> => {
      await tx.send({ messages: [{ topic, partition: 0, value: Buffer.from(value) }] });
    };
    await send(a, 'committed-1');
    await send(b, 'aborted-1');
    await send(a, 'committed-2');
    await send(b, 'aborted-2');
    await a.commit();
    await send(b, 'aborted-3');
    await b.abort();
  } finally {
    await pa.close();
    await pb.close();
  }
  // The brokers write the COMMIT/ABORT markers after EndTxn returns; until B's marker is in
  // the log, the last stable offset stays at B's first record (2), and a bounded
  // read_committed source that resolves "latest" then would rightly stop there. Wait for the
  // markers: the last stable offset reaches the end of the log (8).
  for (;;) {
    const [t] = await admin.listOffsets({ topics: [{ name: topic, partitions: [{ partitionIndex: 0, timestamp: -1n }] }], isolationLevel: 1 });
    if (t?.partitions[0]?.offset === 8n) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const run = async (isolation: string, maxPartitionFetchBytes = 1_048_576): Promise<Rec[]> => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(1);
    const source = bounded(topic).setProperty('isolation.level', isolation).setProperty('max.partition.fetch.bytes', String(maxPartitionFetchBytes));
    return env.fromSource(source.build(), undefined, 'kafka').executeAndCollect();
  };
  // One fetch response for all, and (1 byte) one batch per response: then an aborted transaction's
  // batches and its ABORT marker come in different responses, and the reader must track it across them.
  for (const bytes of [1_048_576, 1]) {
    const committed = await run('read_committed', bytes);
    // Offsets: plain-0 0, committed-1 1, aborted-1 2, committed-2 3, aborted-2 4; then aborted-3 and the two markers.
    assert.deepEqual(
      committed.map((r) => [r.value, r.offset]),
      [
        ['plain-0', 0],
        ['committed-1', 1],
        ['committed-2', 3],
      ],
      `max.partition.fetch.bytes=${bytes}`,
    );
  }
  // read_uncommitted (the default, as Flink's): every record, control records left out.
  const all = await run('read_uncommitted');
  assert.deepEqual(
    all.map((r) => r.value),
    ['plain-0', 'committed-1', 'aborted-1', 'committed-2', 'aborted-2', 'aborted-3'],
  );
});

void test('starting offsets: latest, timestamp, specific offsets, committed with a reset strategy', async () => {
  const topic = 'starting-offsets';
  await cluster.createTopic(topic, 2);
  await produce(topic, 0, ['a0', 'a1', 'a2', 'a3'], (i) => 1000 + i * 100);
  await produce(topic, 1, ['b0', 'b1'], (i) => 1000 + i * 100);
  const run = async (b: ReturnType<typeof KafkaSource.builder<Rec>>): Promise<string[]> => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(1);
    const out = await env.fromSource(b.build(), undefined, 'kafka').executeAndCollect();
    return out.map((r) => r.value).sort();
  };
  // latest, bounded by latest: nothing
  assert.deepEqual(await run(bounded(topic).setStartingOffsets(OffsetsInitializer.latest())), []);
  // the first record at or after timestamp 1150: a2, a3 and b1 (b has nothing later than 1100 → at its end)
  assert.deepEqual(await run(bounded(topic).setStartingOffsets(OffsetsInitializer.timestamp(1150))), ['a2', 'a3']);
  assert.deepEqual(await run(bounded(topic).setStartingOffsets(OffsetsInitializer.timestamp(1100))), ['a1', 'a2', 'a3', 'b1']);
  // specific offsets; partition 1 not given → earliest (default reset)
  assert.deepEqual(await run(bounded(topic).setStartingOffsets(OffsetsInitializer.offsets([{ topic, partition: 0, offset: 3 }]))), ['a3', 'b0', 'b1']);
  // committed: partition 0 has a committed offset, partition 1 falls back to LATEST
  await admin.alterConsumerGroupOffsets({ groupId: 'g-start', topics: [{ name: topic, partitionOffsets: [{ partition: 0, offset: 2n }] }] });
  assert.deepEqual(
    await run(bounded(topic).setGroupId('g-start').setProperty('commit.offsets.on.checkpoint', 'false').setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.LATEST))),
    ['a2', 'a3'],
  );
  // committed with NONE and no committed offset: an error naming the partition
  await assert.rejects(
    run(bounded(topic).setGroupId('g-none').setStartingOffsets(OffsetsInitializer.committedOffsets())),
    (e: unknown) => e instanceof RivuletError && e.code === 'INPUT_NOT_FOUND' && /starting-offsets-0/.test(e.message) && /g-none/.test(e.message),
  );
});

void test('value-only string and JSON deserializers', async () => {
  const topic = 'json-values';
  await cluster.createTopic(topic, 1);
  await produce(topic, 0, ['{"a":1}', '{"a":2}']);
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(1);
  const json = KafkaSource.builder()
    .setBootstrapServers(cluster.bootstrapServers)
    .setTopics(topic)
    .setValueOnlyDeserializer(new JsonDeserializationSchema<{ a: number }>())
    .setBounded(OffsetsInitializer.latest())
    .build();
  assert.deepEqual(await env.fromSource(json, undefined, 'json').executeAndCollect(), [{ a: 1 }, { a: 2 }]);
  const env2 = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(1);
  const str = KafkaSource.builder()
    .setBootstrapServers(cluster.bootstrapServers)
    .setTopics(topic)
    .setValueOnlyDeserializer(new SimpleStringSchema())
    .setBounded(OffsetsInitializer.latest())
    .build();
  assert.deepEqual(await env2.fromSource(str, undefined, 'str').executeAndCollect(), ['{"a":1}', '{"a":2}']);
});

void test('an undeserializable record fails the job naming topic, partition and offset', async () => {
  const topic = 'bad-json';
  await cluster.createTopic(topic, 2);
  await produce(topic, 1, ['{"a":1}', '{"a":2}', 'not json', '{"a":4}']);
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(1);
  const source = KafkaSource.builder()
    .setBootstrapServers(cluster.bootstrapServers)
    .setTopics(topic)
    .setValueOnlyDeserializer(new JsonDeserializationSchema())
    .setBounded(OffsetsInitializer.latest())
    .build();
  await assert.rejects(env.fromSource(source, undefined, 'json').executeAndCollect(), (e: unknown) => {
    assert.ok(e instanceof RivuletError);
    assert.equal(e.code, 'MALFORMED_RECORD');
    assert.match(e.message, /topic "bad-json" partition 1 offset 2/);
    assert.match(e.message, /setDeadLetterTopic/);
    assert.equal(e.context.topic, 'bad-json');
    assert.equal(e.context.partition, 1);
    assert.equal(e.context.offset, 2);
    return true;
  });
});

void test('with a dead-letter topic, an undeserializable record goes there with the reason in a header and the job goes on', async () => {
  const topic = 'bad-json-dlq';
  const dlq = 'bad-json-dlq.dead-letter';
  await cluster.createTopic(topic, 1);
  await cluster.createTopic(dlq, 1);
  await produce(topic, 0, ['{"a":1}', 'oops', '{"a":3}'], undefined, 'k');
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(1);
  const source = KafkaSource.builder()
    .setBootstrapServers(cluster.bootstrapServers)
    .setTopics(topic)
    .setValueOnlyDeserializer(new JsonDeserializationSchema<{ a: number }>())
    .setDeadLetterTopic(dlq)
    .setBounded(OffsetsInitializer.latest())
    .build();
  const stream = env.fromSource(source, undefined, 'json');
  const out = await stream.executeAndCollect();
  assert.deepEqual(out, [{ a: 1 }, { a: 3 }]);
  // the dead-letter topic holds the raw record
  const env2 = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(1);
  const dead = KafkaSource.builder()
    .setBootstrapServers(cluster.bootstrapServers)
    .setTopics(dlq)
    .setDeserializer(
      KafkaRecordDeserializationSchema.of<{ key: string; value: string; headers: Record<string, string> }>((r, o) =>
        o.collect({ key: r.key?.toString() ?? '', value: r.value?.toString() ?? '', headers: Object.fromEntries(r.headers.map(([k, v]) => [k, v?.toString() ?? ''])) }),
      ),
    )
    .setBounded(OffsetsInitializer.latest())
    .build();
  const dl = await env2.fromSource(dead, undefined, 'dlq').executeAndCollect();
  assert.equal(dl.length, 1);
  assert.equal(dl[0]!.key, 'k');
  assert.equal(dl[0]!.value, 'oops');
  assert.match(dl[0]!.headers['rivulet.error']!, /JSON/);
  assert.equal(dl[0]!.headers['rivulet.source.topic'], topic);
  assert.equal(dl[0]!.headers['rivulet.source.partition'], '0');
  assert.equal(dl[0]!.headers['rivulet.source.offset'], '1');
});

void test('a missing topic fails the job naming it', async () => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(1);
  await assert.rejects(env.fromSource(bounded('no-such-topic').build(), undefined, 'kafka').executeAndCollect(), (e: unknown) => {
    assert.ok(e instanceof RivuletError);
    assert.equal(e.code, 'INPUT_NOT_FOUND');
    assert.match(e.message, /"no-such-topic" does not exist/);
    assert.match(e.message, /allow\.auto\.create\.topics/);
    return true;
  });
});

void test('an unreachable broker is retried with a log line, then fails naming the bootstrap servers', async () => {
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (msg: string) => warnings.push(msg);
  try {
    const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(1);
    const source = KafkaSource.builder()
      .setBootstrapServers('127.0.0.1:1')
      .setTopics('t')
      .setValueOnlyDeserializer(new SimpleStringSchema())
      .setProperty('retries', '1')
      .setProperty('retry.backoff.ms', '10')
      .build();
    await assert.rejects(env.fromSource(source, undefined, 'kafka').executeAndCollect(), (e: unknown) => {
      assert.ok(e instanceof RivuletError);
      assert.equal(e.code, 'CONNECTION_FAILED');
      assert.match(e.message, /bootstrap servers 127\.0\.0\.1:1 after 2 attempts/);
      return true;
    });
  } finally {
    console.warn = warn;
  }
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /cannot reach Kafka bootstrap servers 127\.0\.0\.1:1 \(attempt 1\/2/);
});

void test('build() rejects a missing deserializer, no topics and unknown properties', () => {
  assert.throws(() => KafkaSource.builder().setBootstrapServers('h:1').setTopics('t').build(), /no deserializer/);
  assert.throws(() => KafkaSource.builder().setBootstrapServers('h:1').setValueOnlyDeserializer(new SimpleStringSchema()).build(), /no topics/);
  assert.throws(
    () => KafkaSource.builder().setBootstrapServers('h:1').setTopics('t').setValueOnlyDeserializer(new SimpleStringSchema()).setProperty('fetch.max.wiat.ms', '1').build(),
    /unknown property "fetch.max.wiat.ms"/,
  );
});
