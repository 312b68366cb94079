/**
 * Loads a CSV file (optionally gzipped) into a Kafka topic, one record per data row (the
 * header line is skipped), the row's text as the value; creates the topic if it is missing.
 *
 *   node scripts/kafka-load.ts --bootstrap-servers 127.0.0.1:9092 --topic flights --partitions 4 \
 *     --file data/nycflights13/flights_2013.csv.gz [--key-column origin] [--skip N] [--limit N] \
 *     [--replication-factor R] [--batch-size 2000]
 *
 * Partitions: with `--key-column`, the record key is that column and the partition is the
 * Java client's (murmur2 of the key), so equal keys share a partition; without it, records
 * have no key and row i (0-based, counting data rows from the top of the file, `--skip`ped
 * ones included) goes to partition `i % partitions`, so the split is known in advance.
 * `--skip N` / `--limit N` load only rows N … N+limit-1. The producer is idempotent (acks
 * all): a retried batch is not written twice. Prints the rate at the end.
 *
 * Rows are split on the line breaks only: values with quoted line breaks are not supported.
 *
 * Without `--file` it only creates the topic: `--topic departures --partitions 4
 * --retention-ms=-1` makes an output topic for the flights example that keeps its records.
 * (Kafka deletes records by their timestamp after `retention.ms`, 7 days by default, and the
 * flights results carry 2013 event times: in a topic with the default they vanish within
 * minutes.)
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { createGunzip } from 'node:zlib';
import { Admin, Producer, compatibilityPartitioner, stringSerializers } from '@platformatic/kafka';
import type { MessageToProduce } from '@platformatic/kafka';

export interface KafkaLoadOptions {
  readonly bootstrapServers: string;
  readonly topic: string;
  readonly file: string;
  /** Partitions of the topic if it has to be created (default 1). */
  readonly partitions?: number;
  /** Replication factor if the topic has to be created (default: min(3, brokers)). */
  readonly replicationFactor?: number;
  readonly keyColumn?: string | undefined;
  readonly skip?: number;
  readonly limit?: number | undefined;
  /** Records per produce request (default 2000). */
  readonly batchSize?: number;
}

export interface KafkaLoadResult {
  readonly records: number;
  /** The topic's partition count. */
  readonly partitions: number;
  readonly millis: number;
}

/**
 * Creates `topic` unless it exists; waits until every partition has a leader. Returns its
 * partition count. `retentionMs` (-1: keep forever) is set on a topic this creates.
 */
export async function ensureTopic(bootstrapServers: string, topic: string, partitions: number, replicationFactor?: number, retentionMs?: number): Promise<number> {
  const admin = new Admin({ clientId: 'rivulet-kafka-load', bootstrapBrokers: bootstrapServers.split(',') });
  try {
    const existing = await admin.metadata({ topics: [] , forceUpdate: true });
    if (!(await admin.listTopics()).includes(topic)) {
      await admin.createTopics({
        topics: [topic],
        partitions,
        replicas: replicationFactor ?? Math.min(3, existing.brokers.size),
        ...(retentionMs !== undefined ? { configs: [{ name: 'retention.ms', value: String(retentionMs) }] } : {}),
      });
    }
    for (let attempt = 0; ; attempt++) {
      const metadata = await admin.metadata({ topics: [topic], forceUpdate: true });
      const t = metadata.topics.get(topic);
      if (t !== undefined && t.partitions.length === t.partitionsCount && t.partitions.every((p) => p.leader >= 0)) return t.partitionsCount;
      if (attempt === 300) throw new Error(`topic ${topic}: not every partition has a leader after 30 s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await admin.close();
  }
}

/** The data rows of a CSV file (gzipped if it starts with the gzip magic), header first. */
async function* lines(file: string): AsyncGenerator<string> {
  const handle = await open(file);
  const magic = Buffer.alloc(2);
  await handle.read(magic, 0, 2, 0);
  await handle.close();
  const raw = createReadStream(file);
  const input = magic[0] === 0x1f && magic[1] === 0x8b ? raw.pipe(createGunzip()) : raw;
  for await (const line of createInterface({ input, crlfDelay: Infinity })) if (line !== '') yield line;
}

/** Loads the rows; see the file comment. */
export async function loadCsv(o: KafkaLoadOptions): Promise<KafkaLoadResult> {
  const started = performance.now();
  const partitions = await ensureTopic(o.bootstrapServers, o.topic, o.partitions ?? 1, o.replicationFactor);
  const skip = o.skip ?? 0;
  const limit = o.limit ?? Infinity;
  const batchSize = o.batchSize ?? 2000;
  const producer = new Producer({
    clientId: 'rivulet-kafka-load',
    bootstrapBrokers: o.bootstrapServers.split(','),
    serializers: stringSerializers,
    idempotent: true,
    acks: -1,
    partitioner: compatibilityPartitioner,
    retries: 10,
  });
  let keyIndex = -1;
  let row = -1; // -1: the header
  let records = 0;
  let batch: MessageToProduce<string, string, string, string>[] = [];
  try {
    for await (const line of lines(o.file)) {
      if (row === -1) {
        if (o.keyColumn !== undefined) {
          keyIndex = line.split(',').indexOf(o.keyColumn);
          if (keyIndex < 0) throw new Error(`${o.file} has no column ${o.keyColumn}: ${line}`);
        }
        row++;
        continue;
      }
      const i = row++;
      if (i < skip) continue;
      if (records >= limit) break;
      batch.push(keyIndex >= 0 ? { topic: o.topic, key: line.split(',')[keyIndex] ?? '', value: line } : { topic: o.topic, partition: i % partitions, value: line });
      records++;
      if (batch.length === batchSize) {
        await producer.send({ messages: batch });
        batch = [];
      }
    }
    if (batch.length > 0) await producer.send({ messages: batch });
  } finally {
    await producer.close();
  }
  return { records, partitions, millis: performance.now() - started };
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      'bootstrap-servers': { type: 'string', default: '127.0.0.1:9092' },
      topic: { type: 'string' },
      file: { type: 'string' },
      partitions: { type: 'string', default: '1' },
      'replication-factor': { type: 'string' },
      'key-column': { type: 'string' },
      skip: { type: 'string', default: '0' },
      limit: { type: 'string' },
      'batch-size': { type: 'string', default: '2000' },
      'retention-ms': { type: 'string' },
    },
  });
  const count = (name: string, v: string | undefined, min: number): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}, not ${v}`);
    return n;
  };
  if (values.topic === undefined) {
    console.error('usage: node scripts/kafka-load.ts --topic T [--file F] [--bootstrap-servers H:P] [--partitions N] [--replication-factor R] [--retention-ms MS] [--key-column C] [--skip N] [--limit N] [--batch-size N]');
    process.exit(2);
  }
  if (values.file === undefined) {
    const retention = count('retention-ms', values['retention-ms'], -1);
    const n = await ensureTopic(values['bootstrap-servers'], values.topic, count('partitions', values.partitions, 1)!, count('replication-factor', values['replication-factor'], 1), retention);
    console.log(`topic ${values.topic}: ${n} partitions`);
    process.exit(0);
  }
  const r = await loadCsv({
    bootstrapServers: values['bootstrap-servers'],
    topic: values.topic,
    file: values.file,
    partitions: count('partitions', values.partitions, 1)!,
    ...(values['replication-factor'] !== undefined ? { replicationFactor: count('replication-factor', values['replication-factor'], 1)! } : {}),
    keyColumn: values['key-column'],
    skip: count('skip', values.skip, 0)!,
    limit: count('limit', values.limit, 0),
    batchSize: count('batch-size', values['batch-size'], 1)!,
  });
  const rate = r.records / (r.millis / 1000);
  console.log(`${r.records} records into ${values.topic} (${r.partitions} partitions) in ${(r.millis / 1000).toFixed(1)} s: ${Math.round(rate)} records/s`);
}
