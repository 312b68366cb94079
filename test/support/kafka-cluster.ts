/**
 * Real Apache Kafka brokers for tests, examples and local experiments: KRaft mode, each
 * broker a JVM with the combined broker+controller roles (for three brokers, a three-voter
 * controller quorum), listening on 127.0.0.1 only, each with its own temporary data
 * directory that the storage tool formats before the first start.
 *
 * The jars come from Maven Central: `bash .ci/install-kafka` (run by `npm test`'s pretest)
 * copies them to `${RIVULET_CACHE:-~/.cache/rivulet}/kafka-<version>/libs`, the version
 * being the one in `.ci/kafka/pom.xml`. $RIVULET_KAFKA_LIBS points somewhere else; the JVM
 * is `$JAVA_HOME/bin/java`, else `java` (17+).
 *
 * A JVM takes seconds to start, so a test file shares one cluster between its tests
 * (`before`/`after`). `stop()` kills the JVMs and removes the temporary directory; should a
 * test process end without it, an `exit` hook does the same. (A process killed by a signal
 * it does not handle runs no hook: then the JVMs outlive it.)
 *
 * Each broker logs to `<tmp>/broker-<id>/server.log` (its stdout and stderr to
 * `stdout.log` beside it); a broker that fails to start reports the tail of both.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Admin } from '@platformatic/kafka';

export interface KafkaClusterOptions {
  /** How many brokers, each also a controller (default 1). */
  readonly brokers?: 1 | 3;
  /** `auto.create.topics.enable` (default false: tests create their topics). */
  readonly autoCreateTopics?: boolean;
  /** JVM heap per broker in MiB (default 384, so three brokers fit beside the tests). */
  readonly heapMb?: number;
  /** Client ports of the brokers, in order (default: free ports the OS picks). */
  readonly ports?: readonly number[];
  /** Controller ports of the brokers, in order (default: free ports the OS picks). */
  readonly controllerPorts?: readonly number[];
  /** Extra or overriding `server.properties` entries, for every broker. */
  readonly config?: Readonly<Record<string, string | number | boolean>>;
  /** Where the brokers' directories go (default: a new directory under the OS temp dir,
   *  removed by `stop()`; a given directory is kept). */
  readonly dir?: string;
  /** How long one broker may take to start (default 60 s; the machine may be busy). */
  readonly startupTimeoutMs?: number;
}

export interface KafkaTestBroker {
  /** `node.id`, 1-based; `brokers[i]` has node id `i + 1`. */
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
  readonly controllerPort: number;
  /** `host:port` of this broker's client listener. */
  readonly address: string;
  readonly dataDir: string;
  readonly logFile: string;
  readonly running: boolean;
}

export interface KafkaTestCluster {
  /** Comma-separated `host:port` of all brokers, e.g. `127.0.0.1:41234`. */
  readonly bootstrapServers: string;
  /** The same as a list, the form @platformatic/kafka's `bootstrapBrokers` takes. */
  readonly bootstrapBrokers: readonly string[];
  readonly brokers: readonly KafkaTestBroker[];
  readonly clusterId: string;
  /** The cluster's temporary directory. */
  readonly dir: string;
  /** Creates a topic (replication factor default: the number of brokers) and waits until
   *  every partition has a leader. */
  createTopic(name: string, partitions: number, replicationFactor?: number): Promise<void>;
  /** Stops broker `i` (0-based): SIGTERM, i.e. a controlled shutdown, SIGKILL after 15 s. */
  stopBroker(i: number): Promise<void>;
  /** Starts broker `i` again on the same ports and data, and waits until it serves. */
  startBroker(i: number): Promise<void>;
  /** Kills all brokers and removes the temporary directory (a given `dir` is kept, and its
   *  brokers are shut down cleanly). */
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const LOG_TAIL_BYTES = 6000;

/** The Kafka version `.ci/install-kafka` installs, from `.ci/kafka/pom.xml`. */
export function kafkaVersion(): string {
  const pom = readFileSync(join(REPO_ROOT, '.ci', 'kafka', 'pom.xml'), 'utf8');
  const m = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(pom);
  if (m?.[1] === undefined) throw new Error('No <kafka.version> in .ci/kafka/pom.xml');
  return m[1];
}

/** The directory of Kafka's jars that `.ci/install-kafka` fills. */
export function kafkaLibsDir(): string {
  const explicit = process.env.RIVULET_KAFKA_LIBS;
  if (explicit !== undefined && explicit !== '') return explicit;
  const cache = process.env.RIVULET_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'rivulet');
  const home = join(cache, `kafka-${kafkaVersion()}`);
  if (!existsSync(join(home, '.complete'))) {
    throw new Error(`Apache Kafka ${kafkaVersion()} is not installed in ${home}. Install it with \`bash .ci/install-kafka\` (npm test does), or point RIVULET_KAFKA_LIBS at a directory of Kafka's jars.`);
  }
  return join(home, 'libs');
}

function javaCommand(): string {
  const javaHome = process.env.JAVA_HOME;
  return javaHome !== undefined && javaHome !== '' ? join(javaHome, 'bin', 'java') : 'java';
}

/** Distinct free ports on 127.0.0.1 (all held open until all are known, so no repeats). */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () =>
      new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
        const server = createServer();
        server.once('error', reject);
        server.listen(0, HOST, () => resolve(server));
      })),
  );
  const ports = servers.map((s) => {
    const address = s.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    return address.port;
  });
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  return ports;
}

/** Kafka's cluster ids are 16 random bytes in unpadded base64url (`Uuid.toString`). */
function randomClusterId(): string {
  // Passed as `--cluster-id=<id>`: a base64url id may begin with '-', which the storage
  // tool's argument parser would otherwise take for an option (1 run in 64 failed so).
  return randomBytes(16).toString('base64url');
}

/** The cluster id in a formatted data directory's `meta.properties`, if there is one. */
function formattedClusterId(dataDir: string): string | undefined {
  try {
    return /^cluster\.id=(.+)$/m.exec(readFileSync(join(dataDir, 'meta.properties'), 'utf8'))?.[1]?.trim();
  } catch {
    return undefined;
  }
}

const LOG4J2_PROPERTIES = `# Written by test/support/kafka-cluster.ts
status = warn
appender.file.type = File
appender.file.name = file
appender.file.fileName = \${sys:kafka.logs.dir}/server.log
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = file
logger.request.name = kafka.request.logger
logger.request.level = WARN
`;

/** `server.properties` for one combined broker+controller of an n-node cluster. */
function serverProperties(
  node: { nodeId: number; port: number; controllerPort: number; dataDir: string },
  voters: string,
  brokerCount: number,
  options: KafkaClusterOptions,
): string {
  const minIsr = Math.min(2, brokerCount);
  const props: Record<string, string | number | boolean> = {
    'process.roles': 'broker,controller',
    'node.id': node.nodeId,
    'controller.quorum.voters': voters,
    listeners: `PLAINTEXT://${HOST}:${node.port},CONTROLLER://${HOST}:${node.controllerPort}`,
    'advertised.listeners': `PLAINTEXT://${HOST}:${node.port}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'log.dirs': node.dataDir,
    'auto.create.topics.enable': options.autoCreateTopics ?? false,
    'num.partitions': 1,
    'default.replication.factor': brokerCount,
    // Internal topics: replicated over every broker; fewer partitions than the default 50,
    // so that the first consumer group or transaction does not wait for 50 partitions.
    'offsets.topic.replication.factor': brokerCount,
    'offsets.topic.num.partitions': 4,
    'transaction.state.log.replication.factor': brokerCount,
    'transaction.state.log.min.isr': minIsr,
    'transaction.state.log.num.partitions': 4,
    'share.coordinator.state.topic.replication.factor': brokerCount,
    'share.coordinator.state.topic.min.isr': minIsr,
    'group.initial.rebalance.delay.ms': 0,
    // Fewer threads: up to three brokers share a small machine with the tests.
    'num.network.threads': 2,
    'num.io.threads': 2,
    'num.recovery.threads.per.data.dir': 1,
    'background.threads': 2,
    ...options.config,
  };
  return Object.entries(props).map(([k, v]) => `${k}=${String(v)}`).join('\n') + '\n';
}

/** The last `LOG_TAIL_BYTES` of a file, or a note that it is missing. */
function tail(file: string): string {
  try {
    const text = readFileSync(file, 'utf8');
    return text.length > LOG_TAIL_BYTES ? `…${text.slice(-LOG_TAIL_BYTES)}` : text;
  } catch {
    return `(no ${file})`;
  }
}

interface BrokerState {
  nodeId: number;
  port: number;
  controllerPort: number;
  brokerDir: string;
  dataDir: string;
  propertiesFile: string;
  logFile: string;
  stdoutFile: string;
  child: ChildProcess | undefined;
  exited: Promise<number | null> | undefined;
}

/** Runs a JVM to completion, its output into `outFile`; rejects with the output's tail. */
async function runJava(args: string[], outFile: string, what: string): Promise<void> {
  const out = await open(outFile, 'a');
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(javaCommand(), args, { stdio: ['ignore', out.fd, out.fd] });
      child.once('error', reject);
      child.once('exit', (c) => resolve(c));
    });
    if (code !== 0) throw new Error(`${what} failed (exit ${String(code)}):\n${tail(outFile)}`);
  } finally {
    await out.close();
  }
}

function jvmArgs(libs: string, log4jFile: string, logsDir: string, heapMb: number): string[] {
  return [
    `-Xmx${heapMb}m`,
    '-Xms64m',
    '-XX:+UseSerialGC', // few GC threads; the heap is small
    '-XX:TieredStopAtLevel=1', // C1 only: starts faster, plenty fast for tests
    '-XX:-UsePerfData',
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${log4jFile}`,
    `-Dkafka.logs.dir=${logsDir}`,
    '-cp',
    join(libs, '*'),
  ];
}

/** Starts brokers in KRaft mode and waits until they all serve metadata. */
export async function startKafkaCluster(options: KafkaClusterOptions = {}): Promise<KafkaTestCluster> {
  const count = options.brokers ?? 1;
  const heapMb = options.heapMb ?? 384;
  const startupTimeoutMs = options.startupTimeoutMs ?? 60_000;
  const libs = kafkaLibsDir();
  const ownsDir = options.dir === undefined;
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'rivulet-kafka-')));
  // A data directory formatted before (a `dir` reused) keeps its cluster id.
  const clusterId = formattedClusterId(join(dir, 'broker-1', 'data')) ?? randomClusterId();
  const picked = await freePorts(2 * count - (options.ports?.length ?? 0) - (options.controllerPorts?.length ?? 0));
  const ports = options.ports?.slice(0, count) ?? picked.splice(0, count);
  const controllerPorts = options.controllerPorts?.slice(0, count) ?? picked.splice(0, count);
  if (ports.length !== count || controllerPorts.length !== count) throw new Error(`Need ${count} ports and ${count} controller ports`);

  const log4jFile = join(dir, 'log4j2.properties');
  await writeFile(log4jFile, LOG4J2_PROPERTIES);
  const voters = controllerPorts.map((p, i) => `${i + 1}@${HOST}:${p}`).join(',');
  const states: BrokerState[] = [];
  for (let i = 0; i < count; i++) {
    const nodeId = i + 1;
    const brokerDir = join(dir, `broker-${nodeId}`);
    const state: BrokerState = {
      nodeId,
      port: ports[i]!,
      controllerPort: controllerPorts[i]!,
      brokerDir,
      dataDir: join(brokerDir, 'data'),
      propertiesFile: join(brokerDir, 'server.properties'),
      logFile: join(brokerDir, 'server.log'),
      stdoutFile: join(brokerDir, 'stdout.log'),
      child: undefined,
      exited: undefined,
    };
    await mkdir(state.dataDir, { recursive: true });
    await writeFile(state.propertiesFile, serverProperties(state, voters, count, options));
    states.push(state);
  }
  const bootstrapBrokers = states.map((s) => `${HOST}:${s.port}`);

  // If the test process ends without stop() (a crash, a failed before()), take the JVMs along.
  const killAll = (): void => {
    for (const s of states) killGroup(s, 'SIGKILL');
    if (ownsDir) rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', killAll);

  const launch = (s: BrokerState): void => {
    const out = openSync(s.stdoutFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(javaCommand(), [...jvmArgs(libs, log4jFile, s.brokerDir, heapMb), 'kafka.Kafka', s.propertiesFile], {
        detached: true, // its own process group, killed as a group
        stdio: ['ignore', out, out],
      });
    } finally {
      closeSync(out); // the child has its own copy
    }
    s.child = child;
    s.exited = new Promise((resolve) => {
      child.once('exit', (code) => resolve(code));
      child.once('error', () => resolve(null));
    });
  };

  /** Resolves when `s` is listed in the metadata `s` itself serves, with all of `peers`. */
  const waitServing = async (s: BrokerState, peers: readonly BrokerState[]): Promise<void> => {
    const deadline = Date.now() + startupTimeoutMs;
    const admin = new Admin({ clientId: `rivulet-test-wait-${s.nodeId}`, bootstrapBrokers: [`${HOST}:${s.port}`], retries: 0, timeout: 2000 });
    try {
      for (;;) {
        const exitedEarly = await Promise.race([s.exited!.then((code) => ({ code })), sleep(250).then(() => undefined)]);
        if (exitedEarly !== undefined) {
          throw new Error(`Kafka broker ${s.nodeId} exited (code ${String(exitedEarly.code)}) while starting.\n` +
            `--- ${s.logFile}:\n${tail(s.logFile)}\n--- ${s.stdoutFile}:\n${tail(s.stdoutFile)}`);
        }
        try {
          const metadata = await admin.metadata({ topics: [], forceUpdate: true });
          if (peers.every((p) => metadata.brokers.has(p.nodeId))) return;
        } catch {
          // not listening yet, or not yet registered
        }
        if (Date.now() > deadline) {
          throw new Error(`Kafka broker ${s.nodeId} did not serve metadata within ${startupTimeoutMs} ms.\n` +
            `--- ${s.logFile}:\n${tail(s.logFile)}\n--- ${s.stdoutFile}:\n${tail(s.stdoutFile)}`);
        }
      }
    } finally {
      await admin.close().catch(() => undefined);
    }
  };

  const running = (): BrokerState[] => states.filter((s) => s.child !== undefined);

  const stopOne = async (s: BrokerState, signal: NodeJS.Signals, graceMs: number): Promise<void> => {
    if (s.child === undefined) return;
    killGroup(s, signal);
    const timer = setTimeout(() => killGroup(s, 'SIGKILL'), graceMs);
    await s.exited;
    clearTimeout(timer);
    s.child = undefined;
    s.exited = undefined;
  };

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    // A temporary directory's data is thrown away: SIGKILL, no controlled shutdown needed.
    // Data kept in a given directory gets a clean shutdown (SIGTERM), to restart from.
    await Promise.all(states.map((s) => (ownsDir ? stopOne(s, 'SIGKILL', 0) : stopOne(s, 'SIGTERM', 15_000))));
    process.removeListener('exit', killAll);
    if (ownsDir) await rm(dir, { recursive: true, force: true });
  };

  try {
    // The storage tool writes meta.properties and the bootstrap metadata into each data dir;
    // one JVM per broker, at most two at a time.
    const format = (s: BrokerState): Promise<void> =>
      runJava([...jvmArgs(libs, log4jFile, s.brokerDir, 256), 'kafka.tools.StorageTool', 'format', `--cluster-id=${clusterId}`, '--config', s.propertiesFile, '--ignore-formatted'],
        s.stdoutFile, `Formatting the storage of Kafka broker ${s.nodeId}`);
    const unformatted = states.filter((s) => formattedClusterId(s.dataDir) === undefined);
    for (let i = 0; i < unformatted.length; i += 2) await Promise.all(unformatted.slice(i, i + 2).map(format));
    for (const s of states) launch(s);
    await Promise.all(states.map((s) => waitServing(s, states)));
  } catch (e) {
    await stop();
    throw e;
  }

  const brokerView = (s: BrokerState): KafkaTestBroker => ({
    nodeId: s.nodeId,
    host: HOST,
    port: s.port,
    controllerPort: s.controllerPort,
    address: `${HOST}:${s.port}`,
    dataDir: s.dataDir,
    logFile: s.logFile,
    get running() {
      return s.child !== undefined;
    },
  });

  const stateAt = (i: number): BrokerState => {
    const s = states[i];
    if (s === undefined) throw new RangeError(`No broker ${i}; the cluster has ${states.length} (0-based)`);
    return s;
  };

  return {
    bootstrapServers: bootstrapBrokers.join(','),
    bootstrapBrokers,
    brokers: states.map(brokerView),
    clusterId,
    dir,
    async createTopic(name, partitions, replicationFactor = count) {
      const up = running();
      const admin = new Admin({ clientId: 'rivulet-test-create-topic', bootstrapBrokers: up.map((s) => `${HOST}:${s.port}`) });
      try {
        await admin.createTopics({ topics: [name], partitions, replicas: replicationFactor });
        const deadline = Date.now() + 30_000;
        for (;;) {
          const metadata = await admin.metadata({ topics: [name], forceUpdate: true });
          const topic = metadata.topics.get(name);
          if (topic !== undefined && topic.partitionsCount === partitions && topic.partitions.every((p) => p.leader >= 0)) return;
          if (Date.now() > deadline) throw new Error(`Topic ${name} has no leader for every partition after 30 s`);
          await sleep(100);
        }
      } finally {
        await admin.close();
      }
    },
    async stopBroker(i) {
      await stopOne(stateAt(i), 'SIGTERM', 15_000);
    },
    async startBroker(i) {
      const s = stateAt(i);
      if (s.child !== undefined) return;
      launch(s);
      await waitServing(s, running());
    },
    stop,
  };
}

function killGroup(s: BrokerState, signal: NodeJS.Signals): void {
  const pid = s.child?.pid;
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
