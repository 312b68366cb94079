/**
 * `npm run bench:kafka`: Kafka → Rivulet → Kafka pass-through throughput against a
 * hand-written @platformatic/kafka consume → produce loop, on the same real broker (one
 * KRaft node on loopback, started here; jars from `bash .ci/install-kafka`).
 *
 * For each record size (100 B and 1 KiB values, random bytes, no key) the input topic (2
 * partitions) is loaded once; every contender then copies all of it into a fresh output
 * topic, in a fresh process (bench/kafka-passthrough-run.ts), RUNS times; medians of wall
 * and CPU time are reported with records/s and MB/s (value bytes). Contenders: the loop;
 * Rivulet AT_LEAST_ONCE and EXACTLY_ONCE (1 s checkpoints) at parallelism 1 and 2. Each run's
 * output is checked to hold every record (end offsets; for EXACTLY_ONCE, a read_committed
 * count). Record the printed tables in BENCHMARKS.md.
 *
 *   RUNS=3 RECORDS_100=400000 RECORDS_1K=100000 npm run bench:kafka
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { Admin, Producer } from '@platformatic/kafka';
import { startKafkaCluster } from '../test/support/kafka-cluster.ts';

const RUNS = Number(process.env['RUNS'] ?? 3);
const SIZES: [number, number][] = [
  [100, Number(process.env['RECORDS_100'] ?? 400_000)],
  [1024, Number(process.env['RECORDS_1K'] ?? 100_000)],
];
const RUN = join(import.meta.dirname, 'kafka-passthrough-run.ts');

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const cluster = await startKafkaCluster({ brokers: 1, heapMb: 1024 });
const brokers = [...cluster.bootstrapBrokers];
const admin = new Admin({ clientId: 'bench-admin', bootstrapBrokers: brokers });

/** Sum of the end offsets of `topic` (for a transactional topic this includes commit markers). */
async function endOffsets(topic: string): Promise<number> {
  const res = await admin.listOffsets({ topics: [{ name: topic, partitions: [{ partitionIndex: 0, timestamp: -1n }, { partitionIndex: 1, timestamp: -1n }] }] });
  let sum = 0;
  for (const t of res) for (const p of t.partitions) sum += Number(p.offset);
  return sum;
}

async function load(topic: string, size: number, count: number): Promise<void> {
  await cluster.createTopic(topic, 2, 1);
  const producer = new Producer({ clientId: 'bench-load', bootstrapBrokers: brokers });
  const value = randomBytes(size);
  const batch = 2000;
  for (let i = 0; i < count; i += batch) {
    const n = Math.min(batch, count - i);
    await producer.send({ messages: Array.from({ length: n }, () => ({ topic, value })) });
  }
  await producer.close();
}

interface Row {
  label: string;
  wall: number;
  cpu: number;
}

let topicSeq = 0;
function contender(label: string, input: string, count: number, args: (out: string) => string[], exactlyOnce: boolean): Promise<Row> {
  return (async () => {
    const walls: number[] = [];
    const cpuMs: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const out = `out-${++topicSeq}`;
      await cluster.createTopic(out, 2, 1);
      const line = execFileSync(process.execPath, [RUN, ...args(out)], { encoding: 'utf8', maxBuffer: 1 << 26 }).trim().split('\n').pop()!;
      const m = JSON.parse(line) as { wallMs: number; cpuMs: number };
      const written = await endOffsets(out);
      // Transactions add one commit marker per partition and transaction to the end offsets.
      if (exactlyOnce ? written < count : written !== count) throw new Error(`${label}: output ${out} has ${written} offsets, expected ${count}`);
      walls.push(m.wallMs);
      cpuMs.push(m.cpuMs);
    }
    return { label, wall: median(walls), cpu: median(cpuMs) };
  })();
}

console.log(`kafka pass-through bench: Kafka (one KRaft broker, 127.0.0.1), input topics with 2 partitions`);
console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, node ${process.version}; median of ${RUNS} runs, each in a fresh process`);
try {
  for (const [size, count] of SIZES) {
    const input = `in-${size}`;
    await load(input, size, count);
    const b = cluster.bootstrapServers;
    const rows: Row[] = [];
    rows.push(await contender('hand-written loop', input, count, (out) => ['loop', b, input, out, String(count)], false));
    for (const p of [1, 2]) rows.push(await contender(`rivulet p=${p} AT_LEAST_ONCE`, input, count, (out) => ['rivulet', b, input, out, String(count), String(p), 'AT_LEAST_ONCE', '1000'], false));
    for (const p of [1, 2]) rows.push(await contender(`rivulet p=${p} EXACTLY_ONCE`, input, count, (out) => ['rivulet', b, input, out, String(count), String(p), 'EXACTLY_ONCE', '1000'], true));
    const base = rows[0]!;
    console.log(`\n${count.toLocaleString('en-US')} records of ${size} B (value bytes ${((count * size) / 1e6).toFixed(0)} MB)`);
    console.log('| contender | wall ms | CPU ms | records/s | MB/s | vs loop (throughput) |');
    console.log('|---|---:|---:|---:|---:|---:|');
    for (const r of rows) {
      const rps = count / (r.wall / 1000);
      console.log(`| ${r.label} | ${r.wall.toFixed(0)} | ${r.cpu.toFixed(0)} | ${Math.round(rps).toLocaleString('en-US')} | ${((rps * size) / 1e6).toFixed(1)} | ${(base.wall / r.wall).toFixed(2)} |`);
    }
    for (const p of [1, 2]) {
      const alo = rows.find((r) => r.label === `rivulet p=${p} AT_LEAST_ONCE`)!;
      const eo = rows.find((r) => r.label === `rivulet p=${p} EXACTLY_ONCE`)!;
      console.log(`p=${p}: EXACTLY_ONCE at ${((alo.wall / eo.wall) * 100).toFixed(0)}% of AT_LEAST_ONCE throughput`);
    }
  }
} finally {
  await admin.close();
  await cluster.stop();
}
