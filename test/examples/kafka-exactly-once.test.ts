/**
 * End-to-end exactly-once of examples/kafka/flights-departures.ts (issue #5): real rows of
 * data/nycflights13 loaded with scripts/kafka-load.ts into topics of four partitions on a
 * three-broker cluster (replication factor 3, min.insync.replicas 2), the windowed flights
 * job Kafka -> Kafka with EXACTLY_ONCE and checkpoints (fixtures/kafka-flights-job.ts: the
 * example's pipeline plus one injected failure), bounded so that it ends. Seeded runs inject
 * (a) a user function that throws once at a seeded departure, (b) a worker thread that
 * dies (p=2, worker threads), (c) a broker (seeded) stopped while the job runs and started
 * again. The output topic, read with read_committed, must equal the plain-loop computation
 * over the same rows: no loss, no duplicates.
 *
 * Test names carry the seed and what it chose, so a failing run can be repeated alone
 * (`node --test --test-name-pattern 'seed 2' …`).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, before, test } from 'node:test';
import type { TestContext } from 'node:test';
import { Consumer, Producer, stringSerializers } from '@platformatic/kafka';
import { StreamExecutionEnvironment } from '../../src/index.ts';
import type { JobExecutionResult, TopicPartitionOffset } from '../../src/index.ts';
import { ensureTopic, loadCsv } from '../../scripts/kafka-load.ts';
import { startKafkaCluster } from '../support/kafka-cluster.ts';
import type { KafkaTestCluster } from '../support/kafka-cluster.ts';
import type { KafkaFlightsJobOptions } from './fixtures/kafka-flights-job.ts';
import { buildKafkaFlightsJob } from './fixtures/kafka-flights-job.ts';
import type { OriginHourRow } from './flights-reference.ts';
import { referenceDeparturesPerOriginHour, rowToCsv } from './flights-reference.ts';
import { ROOT } from './run-example.ts';
import { rng } from '../support/seeded-random.ts';

/** Data rows of the slice: the first ROWS departures of 2013 (about a month). */
const ROWS = 30_000;
const PARTITIONS = 4;
const CHECKPOINT_INTERVAL_MS = 100;

const root = mkdtempSync(join(tmpdir(), 'rivulet-kafka-eo-'));
const lines = gunzipSync(readFileSync(join(ROOT, 'data', 'nycflights13', 'flights_2013.csv.gz')))
  .toString('utf8')
  .split('\n', ROWS + 1);
const header = lines[0]!;
const rows = lines.slice(1);
const slice = join(root, 'flights.csv');
writeFileSync(slice, [header, ...rows].join('\n') + '\n');
const expected = referenceDeparturesPerOriginHour(slice).rows.map(rowToCsv).sort();
const iEpoch = header.split(',').indexOf('dep_epoch');
const departures = rows.map((r) => r.split(',')[iEpoch]!).filter((e) => e !== '').map(Number);

let cluster: KafkaTestCluster;
before(async () => {
  // log.retention.ms -1: the sink writes the windows' event time (2013) as the records'
  // timestamps (CreateTime, as Flink's KafkaSink), which the default retention (7 days)
  // counts as expired: a broker's retention check (30 s after it starts, then every 5
  // minutes) would delete the output written so far, from every replica.
  cluster = await startKafkaCluster({ brokers: 3, config: { 'min.insync.replicas': 2, 'log.retention.ms': -1 } });
});
after(async () => {
  await cluster?.stop();
  rmSync(root, { recursive: true, force: true });
});

/** The departure time of a flight between 55% and 98% of the slice (mostly after a completed checkpoint or more). */
function failurePoint(random: () => number): number {
  return departures[Math.floor(departures.length * (0.55 + 0.43 * random()))]!;
}

const END = '__end__';

/**
 * Asserts that the committed output equals the reference, saying what differs in a few
 * lines (with read_uncommitted counts, which tell aborted from lost output).
 */
async function assertExactlyOnce(topic: string, seed: number): Promise<void> {
  const actual = await readOutput(topic, 2);
  if (actual.length === expected.length && actual.every((r, i) => r === expected[i])) return;
  const count = (xs: readonly string[]): Map<string, number> => {
    const m = new Map<string, number>();
    for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1);
    return m;
  };
  const want = count(expected);
  const got = count(actual);
  const missing = [...want].filter(([r, n]) => (got.get(r) ?? 0) < n).map(([r]) => r);
  const extra = [...got].filter(([r, n]) => (want.get(r) ?? 0) < n).map(([r]) => r);
  const uncommitted = await readOutput(topic, 2, 0);
  assert.fail(
    `seed ${seed}: ${topic} has ${actual.length} committed rows, expected ${expected.length} (${uncommitted.length} rows read_uncommitted); ` +
      `${missing.length} missing, e.g. ${missing.slice(0, 3).join(' | ')}; ${extra.length} unexpected or duplicated, e.g. ${extra.slice(0, 3).join(' | ')}`,
  );
}

/**
 * Every record of `topic` as a CSV row, read with read_committed (default) up to an end
 * marker this function writes to each partition first (so "everything" needs no timing; a
 * transaction left open would hold the marker back, and fail the read after 60 s).
 *
 * Reads with Fetch requests and filters aborted transactions itself, as the Java consumer
 * does: @platformatic/kafka's consumer drops an aborted transaction's records only when its
 * abort marker is in the same fetch response, and a response never spans two log segments,
 * so records of aborted transactions (a failed attempt's) would come out as committed.
 */
async function readOutput(topic: string, partitions: number, isolationLevel: 0 | 1 = 1): Promise<string[]> {
  const producer = new Producer({ clientId: 'end-marker', bootstrapBrokers: [...cluster.bootstrapBrokers], serializers: stringSerializers, acks: -1 });
  await producer.send({ messages: Array.from({ length: partitions }, (_, partition) => ({ topic, partition, value: END })) });
  await producer.close();
  const consumer = new Consumer({ clientId: 'reader', groupId: `reader-${topic}-${isolationLevel}`, bootstrapBrokers: [...cluster.bootstrapBrokers], isolationLevel, maxWaitTime: 100 });
  const deadline = Date.now() + 60_000;
  const seen: string[] = [];
  try {
    for (let partition = 0; partition < partitions; partition++) {
      let offset = 0n;
      let ended = false;
      /** Aborted transactions of the responses so far not yet reached, by first offset; and those reached, by producer id. */
      const upcoming: { producerId: bigint; firstOffset: bigint }[] = [];
      const known = new Set<string>();
      const abortedProducers = new Set<bigint>();
      while (!ended) {
        if (Date.now() > deadline) throw new Error(`no end marker on partition ${partition} of ${topic} after 60 s`);
        const metadata = await consumer.metadata({ topics: [topic], forceUpdate: true });
        const t = metadata.topics.get(topic)!;
        const response = await consumer.fetch({
          node: t.partitions[partition]!.leader,
          topics: [{ topicId: t.id, partitions: [{ partition, currentLeaderEpoch: -1, fetchOffset: offset, lastFetchedEpoch: -1, partitionMaxBytes: 1_048_576 }] }],
          isolationLevel,
        });
        const p = response.responses.flatMap((r) => r.partitions).find((x) => x.partitionIndex === partition);
        const batches = p?.records ?? [];
        if (batches.length === 0) {
          await new Promise((r) => setTimeout(r, 100));
          continue;
        }
        for (const a of p!.abortedTransactions ?? []) {
          const key = `${a.producerId}@${a.firstOffset}`;
          if (known.has(key)) continue;
          known.add(key);
          upcoming.push({ producerId: a.producerId, firstOffset: a.firstOffset });
        }
        upcoming.sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0));
        const from = offset;
        for (const batch of batches) {
          const last = batch.firstOffset + BigInt(batch.lastOffsetDelta);
          if (last < offset) continue;
          offset = last + 1n;
          while (upcoming.length > 0 && upcoming[0]!.firstOffset <= last) abortedProducers.add(upcoming.shift()!.producerId);
          if ((batch.attributes & 0x20) !== 0) {
            // A control batch: an abort marker ends the producer's aborted transaction.
            if (batch.records[0]?.key?.readInt16BE(2) === 0) abortedProducers.delete(batch.producerId);
            continue;
          }
          if ((batch.attributes & 0x10) !== 0 && abortedProducers.has(batch.producerId)) continue;
          for (const r of batch.records) {
            if (batch.firstOffset + BigInt(r.offsetDelta) < from) continue;
            const value = r.value?.toString('utf8') ?? '';
            if (value === END) {
              ended = true;
              break;
            }
            const row = JSON.parse(value) as OriginHourRow;
            assert.equal(r.key?.toString('utf8'), row.origin, `the key of ${value}`);
            seen.push(rowToCsv(row));
          }
          if (ended) break;
        }
      }
    }
    return seen.sort();
  } finally {
    await consumer.close();
  }
}

/** Loads rows [skip, skip + limit) of the slice into `topic` (row i -> partition i % PARTITIONS; created if missing, replication factor 3). */
async function loadRows(topic: string, skip: number, limit: number): Promise<void> {
  const r = await loadCsv({ bootstrapServers: cluster.bootstrapServers, topic, file: slice, partitions: PARTITIONS, replicationFactor: 3, skip, limit });
  assert.equal(r.records, limit);
}

/** Where each partition of a topic that `load` filled ends after `count` rows. */
function endOffsets(topic: string, count: number): TopicPartitionOffset[] {
  return Array.from({ length: PARTITIONS }, (_, partition) => ({ topic, partition, offset: Math.floor((count - partition + PARTITIONS - 1) / PARTITIONS) }));
}

/**
 * A run's own input topic, holding the first `firstRows` rows of the slice so far, its
 * output topic (two partitions, replication factor 3), and the options of the job, which
 * reads the input up to the slice's end offsets: the rest of the rows are loaded while it
 * runs, so it cannot end before then, whatever the machine's speed.
 */
async function newRun(name: string, firstRows: number): Promise<{ dir: string; options: KafkaFlightsJobOptions }> {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  const inputTopic = `in-${name}`;
  await loadRows(inputTopic, 0, firstRows);
  await ensureTopic(cluster.bootstrapServers, `out-${name}`, 2, 3);
  return {
    dir,
    options: {
      bootstrapServers: cluster.bootstrapServers,
      inputTopic,
      outputTopic: `out-${name}`,
      groupId: `eo-${name}`,
      stoppingOffsets: endOffsets(inputTopic, ROWS),
      checkpointDir: join(dir, 'ckpt'),
      checkpointInterval: CHECKPOINT_INTERVAL_MS,
    },
  };
}

/** Counts a job's completed checkpoints; `next()` waits for one more. */
class CheckpointWatch {
  completed = 0;
  private waiters: { target: number; resolve: () => void }[] = [];
  private readonly job: Promise<unknown>;
  private readonly seed: number;
  constructor(job: Promise<unknown>, seed: number) {
    this.job = job;
    this.seed = seed;
  }
  onCompleted(): void {
    this.completed++;
    for (const w of this.waiters) if (this.completed >= w.target) w.resolve();
    this.waiters = this.waiters.filter((w) => this.completed < w.target);
  }
  /** Resolves when the next checkpoint completes; rejects if the job ends first or none completes within 90 s. */
  next(what: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`seed ${this.seed}: no checkpoint completed ${what} within 90 s`)), 90_000);
      this.waiters.push({ target: this.completed + 1, resolve: () => (clearTimeout(timer), resolve()) });
      this.job
        .then(
          () => reject(new Error(`seed ${this.seed}: the job ended before a checkpoint completed ${what}`)),
          (e: unknown) => reject(e instanceof Error ? e : new Error(String(e))),
        )
        .finally(() => clearTimeout(timer));
    });
  }
}

/** Runs the job in this thread (p=2); the diagnostics say which checkpoint a restart restored. */
function inProcess(t: TestContext, options: KafkaFlightsJobOptions, seed: number): { job: Promise<JobExecutionResult>; checkpoints: CheckpointWatch } {
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
  const holder: { watch?: CheckpointWatch } = {};
  env.registerJobListener({
    onCheckpointCompleted: () => holder.watch?.onCompleted(),
    onJobRestarting: (r) => t.diagnostic(`restarted from checkpoint ${r.checkpointId ?? 'none'}: ${r.error.message}`),
  });
  buildKafkaFlightsJob(env, options);
  const job = env.execute('kafka-flights');
  job.catch(() => undefined); // awaited by the caller; a failure surfaces there
  const watch = new CheckpointWatch(job, seed);
  holder.watch = watch;
  return { job, checkpoints: watch };
}

/** Rows loaded before a run starts; the failure points (55% to 98%) are in the rest, loaded after its first checkpoint. */
const FIRST_ROWS = Math.floor(ROWS * 0.5);

void test('the slice: real rows, windows of several origins and days', () => {
  assert.equal(rows.length, ROWS);
  assert.ok(expected.length > 500, `windows: ${expected.length}`);
});

const THROW_SEEDS = 3;
for (let seed = 1; seed <= THROW_SEEDS; seed++) {
  const failAt = failurePoint(rng(5000 + seed));
  void test(`p=2 seed ${seed}: a user function throws once at departure ${failAt}; read_committed sees the failure-free output once`, async (t) => {
    const { dir, options } = await newRun(`throw-${seed}`, FIRST_ROWS);
    const { job, checkpoints } = inProcess(t, { ...options, failure: { kind: 'throw', failAtEpoch: failAt, onceMarker: join(dir, 'failed.marker') } }, seed);
    await checkpoints.next('after the start');
    await loadRows(options.inputTopic, FIRST_ROWS, ROWS - FIRST_ROWS);
    const result = await job;
    assert.equal(result.getRestarts(), 1, `seed ${seed}: one restart`);
    await assertExactlyOnce(options.outputTopic, seed);
  });
}

const FIXTURES = join(import.meta.dirname, 'fixtures');
const RUN_JOB = join(import.meta.dirname, '..', 'runtime', 'checkpoint', 'fixtures', 'run-job.ts');
const WORKER_SEEDS = 2;
for (let seed = 1; seed <= WORKER_SEEDS; seed++) {
  const failAt = failurePoint(rng(6000 + seed));
  void test(`p=2 seed ${seed}: a worker thread dies at departure ${failAt}; read_committed sees the failure-free output once`, async (t) => {
    const { dir, options } = await newRun(`worker-${seed}`, FIRST_ROWS);
    const marker = join(dir, 'exited.marker');
    const args = ['--bootstrap-servers', options.bootstrapServers, '--input-topic', options.inputTopic, '--output-topic', options.outputTopic, '--group-id', options.groupId];
    args.push('--checkpoint-dir', options.checkpointDir, '--interval', String(CHECKPOINT_INTERVAL_MS), '--fail-at', String(failAt), '--fail-once', marker, '--worker-exit', 'true');
    args.push('--stopping-offsets', options.stoppingOffsets!.map((o) => o.offset).join(','));
    const child = spawn(process.execPath, [RUN_JOB, join(FIXTURES, 'kafka-flights-job-main.ts'), '2', '-', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const checkpoints = new CheckpointWatch(exited, seed);
    const events: { event: string; error?: string; checkpointId?: number }[] = [];
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      const lines = stdout.split('\n');
      stdout = lines.pop()!;
      for (const l of lines.filter((x) => x.startsWith('{'))) {
        const e = JSON.parse(l) as (typeof events)[number];
        events.push(e);
        if (e.event === 'completed') checkpoints.onCompleted();
        if (e.event === 'restored') t.diagnostic(`restored checkpoint ${e.checkpointId ?? '?'}`);
      }
    });
    await checkpoints.next('after the start');
    await loadRows(options.inputTopic, FIRST_ROWS, ROWS - FIRST_ROWS);
    const status = await exited;
    const executed = events.find((e) => e.event === 'executed');
    assert.ok(executed !== undefined, `seed ${seed}: ${stderr}`);
    assert.equal(executed.error, undefined, `seed ${seed}: ${stderr}`);
    assert.equal(status, 0, `seed ${seed}: ${stderr}`);
    assert.ok(existsSync(marker), `seed ${seed}: a worker thread exited`);
    await assertExactlyOnce(options.outputTopic, seed);
  });
}

const BROKER_SEEDS = 2;
for (let seed = 1; seed <= BROKER_SEEDS; seed++) {
  const broker = Math.floor(rng(7000 + seed)() * 3);
  void test(`p=2 seed ${seed}: broker ${broker + 1} stops while the job runs and starts again; read_committed sees the output once`, async (t) => {
    // The job's input ends at the slice's end offsets, but the topic gets its rows in three
    // parts: 40% before the job, 35% while the broker is down, the rest once it is back, so
    // the job runs through the outage and the restart whatever the machine's speed.
    const a = Math.floor(ROWS * 0.4);
    const b = Math.floor(ROWS * 0.75);
    const { options } = await newRun(`broker-${seed}`, a);
    const load = (skip: number, limit: number): Promise<void> => loadRows(options.inputTopic, skip, limit);
    const { job, checkpoints } = inProcess(t, options, seed);
    const nextCheckpoint = (what: string): Promise<void> => checkpoints.next(what);
    await nextCheckpoint('after the start');
    await cluster.stopBroker(broker);
    t.diagnostic(`broker ${broker + 1} stopped after checkpoint ${checkpoints.completed}`);
    await load(a, b - a);
    await nextCheckpoint(`while broker ${broker + 1} was down`);
    await cluster.startBroker(broker);
    t.diagnostic(`broker ${broker + 1} started after checkpoint ${checkpoints.completed}`);
    await load(b, ROWS - b);
    const result = await job;
    t.diagnostic(`restarts: ${result.getRestarts()}, checkpoints: ${checkpoints.completed}`);
    await assertExactlyOnce(options.outputTopic, seed);
  });
}
