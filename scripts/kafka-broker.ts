/**
 * Starts real Apache Kafka brokers (KRaft) in the foreground for local experiments, the same
 * set-up the tests use (test/support/kafka-cluster.ts), and stops them on Ctrl-C.
 *
 *   npm run kafka:broker                          # one broker on 127.0.0.1:9092
 *   npm run kafka:broker -- --brokers 3 --auto-create-topics
 *   node scripts/kafka-broker.ts --port 19092 --dir /tmp/my-kafka
 *
 * Options: --port P (client port of the first broker, default 9092; broker i listens on
 * P + i and its controller on P + 100 + i), --brokers 1|3, --auto-create-topics,
 * --heap-mb N, --dir D (keep data and logs in D; without it a temporary directory is used
 * and removed on exit; a formatted D is reused as it is, new data lands in an empty one).
 * The jars come from `bash .ci/install-kafka` (npm test and `npm run kafka:broker` run it).
 */
import { mkdir } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { kafkaVersion, startKafkaCluster } from '../test/support/kafka-cluster.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '9092' },
    brokers: { type: 'string', default: '1' },
    'auto-create-topics': { type: 'boolean', default: false },
    'heap-mb': { type: 'string' },
    dir: { type: 'string' },
  },
});

const port = Number(values.port);
const brokers = Number(values.brokers);
if (brokers !== 1 && brokers !== 3) throw new Error(`--brokers must be 1 or 3, not ${values.brokers}`);
if (!Number.isInteger(port) || port <= 0 || port + 102 > 65535) throw new Error(`bad --port ${values.port}`);
if (values.dir !== undefined) await mkdir(values.dir, { recursive: true });

const started = Date.now();
const cluster = await startKafkaCluster({
  brokers,
  ports: Array.from({ length: brokers }, (_, i) => port + i),
  controllerPorts: Array.from({ length: brokers }, (_, i) => port + 100 + i),
  autoCreateTopics: values['auto-create-topics'],
  ...(values['heap-mb'] !== undefined ? { heapMb: Number(values['heap-mb']) } : {}),
  ...(values.dir !== undefined ? { dir: values.dir } : {}),
});
console.log(`Apache Kafka ${kafkaVersion()}: ${brokers} broker(s) up in ${Date.now() - started} ms (KRaft, cluster ${cluster.clusterId})`);
console.log(`bootstrap servers: ${cluster.bootstrapServers}`);
for (const b of cluster.brokers) console.log(`  broker ${b.nodeId}: ${b.address}, log ${b.logFile}`);
console.log('Ctrl-C stops.');

let stopping = false;
const shutdown = (): void => {
  if (stopping) return;
  stopping = true;
  console.log('stopping…');
  cluster.stop().then(() => process.exit(0), (e: unknown) => {
    console.error(e);
    process.exit(1);
  });
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
// Stay alive until a signal: the brokers are detached child processes.
setInterval(() => undefined, 1 << 30);
