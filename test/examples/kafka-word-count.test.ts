/**
 * The Kafka word count example (examples/kafka/word-count.ts) through the real CLI at -p 2,
 * exactly-once with checkpoints, against a real broker: text lines of the bundled data's
 * READMEs into a 2-partition topic; the output topic, read back with Rivulet's own bounded
 * KafkaSource at read_committed, must hold for every word exactly the running counts
 * 1, 2, …, n once each, n being its count in a plain loop over the same lines.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Admin, Producer } from '@platformatic/kafka';
import { KafkaRecordDeserializationSchema, KafkaSource, OffsetsInitializer, StreamExecutionEnvironment } from '../../src/index.ts';
import { PACKAGE_ROOT, rivulet } from '../cli/run-cli.ts';
import { startKafkaCluster } from '../support/kafka-cluster.ts';
import type { KafkaTestCluster } from '../support/kafka-cluster.ts';

let cluster: KafkaTestCluster;

before(async () => {
  cluster = await startKafkaCluster({ brokers: 1 });
});

after(async () => {
  await cluster?.stop();
});

const lines = ['nycflights13', 'sx_mathoverflow']
  .flatMap((d) => readFileSync(join(PACKAGE_ROOT, 'data', d, 'README.md'), 'utf8').split('\n'))
  .filter((l) => l.trim() !== '');

/** The independent computation: word → occurrences, tokenized as the job documents it. */
function countWords(text: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of text) {
    for (const word of line.toLowerCase().split(/\W+/)) {
      if (word !== '') counts.set(word, (counts.get(word) ?? 0) + 1);
    }
  }
  return counts;
}

/** Waits until the last stable offset of every partition is the end of its log (all transaction markers written). */
async function awaitStable(topic: string, partitions: number): Promise<void> {
  const admin = new Admin({ clientId: 'stable', bootstrapBrokers: [...cluster.bootstrapBrokers] });
  try {
    const request = { topics: [{ name: topic, partitions: Array.from({ length: partitions }, (_, partitionIndex) => ({ partitionIndex, timestamp: -1n })) }] };
    for (;;) {
      const [committed] = await admin.listOffsets({ ...request, isolationLevel: 1 });
      const [all] = await admin.listOffsets({ ...request, isolationLevel: 0 });
      const ends = (t: typeof all): string => (t?.partitions ?? []).map((p) => `${p.partitionIndex}:${p.offset}`).sort().join(',');
      if (ends(committed) === ends(all)) return;
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    await admin.close();
  }
}

void test('word count Kafka -> Kafka at -p 2, exactly once: every word gets the running counts 1..n once each', async () => {
  await cluster.createTopic('lines', 2);
  await cluster.createTopic('word-counts', 2);
  const producer = new Producer({ clientId: 'lines', bootstrapBrokers: [...cluster.bootstrapBrokers], idempotent: true });
  try {
    await producer.send({ messages: lines.map((l, i) => ({ topic: 'lines', partition: i % 2, value: Buffer.from(l) })) });
  } finally {
    await producer.close();
  }

  const run = await rivulet([
    'run',
    '-p',
    '2',
    'examples/kafka/word-count.ts',
    '--bootstrap-servers',
    cluster.bootstrapServers,
    '--input-topic',
    'lines',
    '--output-topic',
    'word-counts',
    '--checkpoint-interval',
    '100',
    '--bounded',
  ]);
  assert.equal(run.code, 0, run.stderr);

  await awaitStable('word-counts', 2);
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(1);
  const source = KafkaSource.builder()
    .setBootstrapServers(cluster.bootstrapServers)
    .setTopics('word-counts')
    .setStartingOffsets(OffsetsInitializer.earliest())
    .setBounded(OffsetsInitializer.latest())
    .setProperty('isolation.level', 'read_committed')
    .setDeserializer(KafkaRecordDeserializationSchema.of<string>((r, out) => out.collect(`${r.key?.toString('utf8') ?? ''}=${r.value?.toString('utf8') ?? ''}`)))
    .build();
  const emitted = await env.fromSource(source, undefined, 'word counts').executeAndCollect();

  const expected = [...countWords(lines)].flatMap(([word, n]) => Array.from({ length: n }, (_, i) => `${word}=${i + 1}`));
  assert.ok(expected.length > 200, `only ${expected.length} words in the input`);
  assert.deepEqual(emitted.sort(), expected.sort());
});
