/**
 * KafkaSource unbounded against a real single-node Kafka broker: topic pattern with
 * partition discovery, per-partition watermarks and idleness, checkpoint + restore with no loss and no
 * duplicates, and offsets committed to the group. An unbounded job is ended by a record
 * the test produces last, on which a map throws STOP (the job fails with it; nothing else
 * in these tests ends an unbounded job). Waits are for conditions, never for a time.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Admin, Producer } from '@platformatic/kafka';
import {
  Duration,
  ExternalizedCheckpointRetention,
  KafkaSource,
  OutputTag,
  RestartStrategies,
  SimpleStringSchema,
  StreamExecutionEnvironment,
  TumblingEventTimeWindows,
  WatermarkStrategy,
} from '../../../src/index.ts';
import type { Sink, SinkWriter } from '../../../src/index.ts';
import { CommitOnCheckpointSink, readCommitted } from '../../runtime/checkpoint/fixtures/checkpointed-job.ts';
import { startKafkaCluster } from '../../support/kafka-cluster.ts';
import type { KafkaTestCluster } from '../../support/kafka-cluster.ts';

let cluster: KafkaTestCluster;
let producer: Producer;
let admin: Admin;
const root = mkdtempSync(join(tmpdir(), 'rivulet-kafka-source-'));

before(async () => {
  cluster = await startKafkaCluster({ brokers: 1 });
  producer = new Producer({ clientId: 'test-producer', bootstrapBrokers: [...cluster.bootstrapBrokers], idempotent: true });
  admin = new Admin({ clientId: 'test-admin', bootstrapBrokers: [...cluster.bootstrapBrokers] });
});

after(async () => {
  await producer?.close();
  await admin?.close();
  await cluster?.stop();
  rmSync(root, { recursive: true, force: true });
});

async function produce(topic: string, partition: number, values: readonly string[], ts?: (i: number) => number): Promise<void> {
  await producer.send({
    messages: values.map((v, i) => ({ topic, partition, value: Buffer.from(v), ...(ts !== undefined ? { timestamp: BigInt(ts(i)) } : {}) })),
  });
}

/** Resolves once `condition()` holds, checking every 20 ms (no deadline: the test timeout is the limit). */
async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((r) => setTimeout(r, 20));
}

/** A sink into an array of this process (jobs run in-process from tests). */
class ArraySink<T> implements Sink<T> {
  readonly items: T[] = [];
  createWriter(): SinkWriter<T> {
    const items = this.items;
    return { write: (v: T) => void items.push(v), flush() {}, close() {} };
  }
  toString(): string {
    return 'ArraySink';
  }
}

const STOP = 'STOP';
function stopOn(v: string): string {
  if (v === STOP) throw new Error('test over: STOP record');
  return v;
}

void test('topic pattern with partition discovery picks up a new partition and a new topic while running', async () => {
  await cluster.createTopic('disc-a', 2);
  await produce('disc-a', 0, ['a0-0', 'a0-1']);
  await produce('disc-a', 1, ['a1-0']);
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
  const source = KafkaSource.builder()
    .setBootstrapServers(cluster.bootstrapServers)
    .setTopicPattern(/disc-.*/)
    .setValueOnlyDeserializer(new SimpleStringSchema())
    .setProperty('partition.discovery.interval.ms', '100')
    .build();
  const sink = new ArraySink<string>();
  env.fromSource(source, undefined, 'kafka').map(stopOn).sinkTo(sink);
  const job = env.execute('discovery');
  job.catch(() => {});
  await until(() => sink.items.length === 3);
  await admin.createPartitions({ topics: [{ name: 'disc-a', count: 3 }] });
  await produce('disc-a', 2, ['a2-0']);
  await cluster.createTopic('disc-b', 1);
  await produce('disc-b', 0, ['b0-0']);
  await until(() => sink.items.length === 5);
  await produce('disc-b', 0, [STOP]);
  await assert.rejects(job, /STOP record/);
  assert.deepEqual([...sink.items].sort(), ['a0-0', 'a0-1', 'a1-0', 'a2-0', 'b0-0']);
});

void test('per-partition watermarks: a partition with older timestamps is not late, and a lagging partition holds the window back', async () => {
  const topic = 'watermarks';
  await cluster.createTopic(topic, 2);
  // partition 0 is ahead (10 s .. 20 s), partition 1 behind (0 .. 10 s): with one watermark
  // for the subtask, whichever partition is emitted second would be late.
  await produce(topic, 0, Array.from({ length: 100 }, (_, i) => `p0-${i}`), (i) => 10_000 + i * 100);
  await produce(topic, 1, Array.from({ length: 100 }, (_, i) => `p1-${i}`), (i) => i * 100);
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(1);
  env.getConfig().setAutoWatermarkInterval(10);
  const source = KafkaSource.builder()
    .setBootstrapServers(cluster.bootstrapServers)
    .setTopics(topic)
    .setValueOnlyDeserializer(new SimpleStringSchema())
    .setProperty('partition.discovery.interval.ms', '0')
    .build();
  const late = new OutputTag<string>('late');
  const seen = new ArraySink<string>();
  const windows = new ArraySink<string>();
  const stream = env.fromSource(source, WatermarkStrategy.forMonotonousTimestamps<string>(), 'kafka').map(stopOn);
  stream.sinkTo(seen);
  const counted = stream
    .keyBy(() => 'all')
    .window(TumblingEventTimeWindows.of(Duration.ofSeconds(5)))
    .sideOutputLateData(late)
    .aggregate(
      { createAccumulator: () => 0, add: (_v: string, n: number) => n + 1, getResult: (n: number) => n, merge: (a: number, b: number) => a + b },
      (_k: string, w, counts: Iterable<number>, out) => {
        for (const c of counts) out.collect(`${w.start}:${c}`);
      },
    );
  counted.sinkTo(windows);
  const lateSink = new ArraySink<string>();
  counted.getSideOutput(late).sinkTo(lateSink);
  const job = env.execute('watermarks');
  job.catch(() => {});
  await until(() => seen.items.length === 200);
  // Partition 1 is at 9.9 s (watermark 9899): only [0, 5 s) fires; partition 0, at 19.9 s,
  // does not make the others fire.
  await until(() => windows.items.length >= 1);
  assert.deepEqual(windows.items, ['0:50']);
  // Partition 1 catches up (25 s): the watermark is partition 0's 19899 now.
  await produce(topic, 1, ['p1-late'], () => 25_000);
  await until(() => windows.items.length >= 3);
  assert.deepEqual(windows.items, ['0:50', '5000:50', '10000:50']);
  assert.deepEqual(lateSink.items, []);
  await produce(topic, 1, [STOP]);
  await assert.rejects(job, /STOP record/);
});

void test('withIdleness per partition: a partition that went quiet does not hold the windows back', async () => {
  const topic = 'idleness';
  await cluster.createTopic(topic, 2);
  await produce(topic, 1, ['p1-0'], () => 0);
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(1);
  env.getConfig().setAutoWatermarkInterval(10);
  const source = KafkaSource.builder()
    .setBootstrapServers(cluster.bootstrapServers)
    .setTopics(topic)
    .setValueOnlyDeserializer(new SimpleStringSchema())
    .setProperty('partition.discovery.interval.ms', '0')
    .build();
  const late = new OutputTag<string>('late');
  const seen = new ArraySink<string>();
  const windows = new ArraySink<string>();
  const strategy = WatermarkStrategy.forMonotonousTimestamps<string>().withIdleness(Duration.ofMillis(300));
  const stream = env.fromSource(source, strategy, 'kafka').map(stopOn);
  stream.sinkTo(seen);
  const counted = stream
    .keyBy(() => 'all')
    .window(TumblingEventTimeWindows.of(Duration.ofSeconds(5)))
    .sideOutputLateData(late)
    .aggregate(
      { createAccumulator: () => 0, add: (_v: string, n: number) => n + 1, getResult: (n: number) => n, merge: (a: number, b: number) => a + b },
      (_k: string, w, counts: Iterable<number>, out) => {
        for (const c of counts) out.collect(`${w.start}:${c}`);
      },
    );
  counted.sinkTo(windows);
  const lateSink = new ArraySink<string>();
  counted.getSideOutput(late).sinkTo(lateSink);
  const job = env.execute('idleness');
  job.catch(() => {});
  // Partition 1's only record (at 0 s) is read before partition 0 has any: it is never late.
  await until(() => seen.items.includes('p1-0'));
  await produce(topic, 0, Array.from({ length: 100 }, (_, i) => `p0-${i}`), (i) => i * 100);
  // Partition 0 stays active (a record now and then, all in [10 s, 15 s)); partition 1, at
  // 0 s, would hold the watermark there — it goes idle after 300 ms without records, and
  // [0, 5 s) and [5 s, 10 s) fire on partition 0's watermark alone.
  let extra = 0;
  await until(async () => {
    if (windows.items.length >= 2) return true;
    await produce(topic, 0, [`p0-extra-${extra}`], () => 10_000 + Math.min(extra, 3999));
    extra++;
    return false;
  });
  assert.deepEqual(windows.items.slice(0, 2), ['0:51', '5000:50']);
  assert.deepEqual(lateSink.items, []);
  await produce(topic, 1, [STOP]);
  await assert.rejects(job, /STOP record/);
});

void test('checkpoint and restore: a failure after a checkpoint resumes from the checkpointed offsets, no loss, no duplicates; offsets are committed to the group', async () => {
  const topic = 'recovery';
  const groupId = 'recovery-group';
  await cluster.createTopic(topic, 3);
  const phase1: string[] = [];
  for (let p = 0; p < 3; p++) {
    const values = Array.from({ length: 300 }, (_, i) => `first-${p}-${i}`);
    phase1.push(...values);
    await produce(topic, p, values);
  }
  const dir = join(root, 'recovery');
  const commitDir = join(dir, 'out');
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
  env.enableCheckpointing(30);
  env.setRestartStrategy(RestartStrategies.fixedDelayRestart(1, Duration.ofMillis(10)));
  env.getCheckpointConfig().setCheckpointStorage(join(dir, 'ckpt')).setExternalizedCheckpointRetention(ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
  const source = KafkaSource.builder()
    .setBootstrapServers(cluster.bootstrapServers)
    .setTopics(topic)
    .setGroupId(groupId)
    .setValueOnlyDeserializer(new SimpleStringSchema())
    .build();
  let failed = false;
  env
    .fromSource(source, undefined, 'kafka')
    .uid('kafka')
    .map((v: string) => {
      if (v === 'FAIL' && !failed) {
        failed = true;
        throw new Error('injected failure after a checkpoint');
      }
      return stopOn(v);
    })
    .uid('fail-once')
    .sinkTo(new CommitOnCheckpointSink(commitDir))
    .uid('commit');
  const job = env.execute('kafka-recovery');
  job.catch(() => {});
  // Phase 1 is committed by the sink, so a checkpoint holding offsets past it completed.
  await until(() => readCommitted(commitDir).length === phase1.length);
  // The group's offsets follow the checkpoints.
  const committedSum = async (): Promise<number> => {
    const groups = await admin.listConsumerGroupOffsets({ groups: [groupId] });
    let sum = 0;
    for (const g of groups) for (const t of g.topics) for (const p of t.partitions) sum += Math.max(0, Number(p.committedOffset));
    return sum;
  };
  await until(async () => (await committedSum()) === phase1.length);
  // Phase 2 has the record the map fails on once, in the middle.
  const phase2: string[] = [];
  for (let p = 0; p < 3; p++) {
    const values = Array.from({ length: 200 }, (_, i) => `second-${p}-${i}`);
    if (p === 1) values.splice(100, 0, 'FAIL');
    await produce(topic, p, values);
    phase2.push(...values);
  }
  await until(() => readCommitted(commitDir).length === phase1.length + phase2.length);
  await until(async () => (await committedSum()) === phase1.length + phase2.length);
  await produce(topic, 0, [STOP]);
  await assert.rejects(job, /STOP record|injected failure/);
  assert.equal(failed, true);
  assert.deepEqual(readCommitted(commitDir).sort(), [...phase1, ...phase2].sort());
});
