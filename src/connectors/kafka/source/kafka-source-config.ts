import { RivuletError } from '../../../core/errors.ts';

/**
 * The Kafka client properties a {@link KafkaSource} understands (`setProperty(key, value)`,
 * Kafka's and Flink's names), with their defaults. Anything else is rejected at `build()`
 * naming the supported keys, so a typo does not pass silently.
 */
export const KAFKA_SOURCE_PROPERTIES = {
  'bootstrap.servers': 'comma-separated host:port list (setBootstrapServers)',
  'group.id': 'consumer group for committed offsets (setGroupId)',
  'client.id.prefix': 'prefix of the client ids (default: the group id or "rivulet-kafka-source")',
  'partition.discovery.interval.ms': 'ms between topic/partition discovery runs; <= 0 disables (default 300000; off when bounded)',
  'commit.offsets.on.checkpoint': 'true|false: commit read offsets to the group when a checkpoint completes (default true with a group id)',
  'isolation.level': 'read_uncommitted|read_committed (default read_uncommitted, as Flink; read_committed reads up to the last stable offset and drops records of aborted transactions)',
  'allow.auto.create.topics': 'true|false: a missing topic is created by the broker instead of failing the job (default false)',
  'fetch.max.wait.ms': 'ms a fetch waits on the broker for data (default 500)',
  'fetch.min.bytes': 'bytes a fetch waits for (default 1)',
  'fetch.max.bytes': 'bytes per fetch response at most (default 52428800)',
  'max.partition.fetch.bytes': 'bytes per partition per fetch at most (default 1048576)',
  'request.timeout.ms': 'ms a request may take (default 30000)',
  'socket.connection.setup.timeout.ms': 'ms to connect to a broker (default 10000)',
  'retries': 'attempts after the first when a broker cannot be reached (default 5)',
  'retry.backoff.ms': 'ms between attempts (default 1000)',
} as const;
export type KafkaSourceProperty = keyof typeof KAFKA_SOURCE_PROPERTIES;

/** The properties resolved and checked; plain data. */
export interface KafkaSourceConfig {
  readonly bootstrapServers: readonly string[];
  readonly groupId: string | undefined;
  readonly clientIdPrefix: string;
  readonly discoveryIntervalMs: number;
  readonly commitOffsetsOnCheckpoint: boolean;
  readonly readCommitted: boolean;
  readonly autoCreateTopics: boolean;
  readonly fetchMaxWaitMs: number;
  readonly fetchMinBytes: number;
  readonly fetchMaxBytes: number;
  readonly maxPartitionFetchBytes: number;
  readonly requestTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly retries: number;
  readonly retryBackoffMs: number;
}

function fail(message: string): never {
  throw new RivuletError('INVALID_ARGUMENT', `KafkaSource: ${message}`);
}

function intProperty(props: ReadonlyMap<string, string>, key: KafkaSourceProperty, dflt: number, min: number): number {
  const raw = props.get(key);
  if (raw === undefined) return dflt;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min) fail(`property ${key} must be an integer >= ${min}, got "${raw}"`);
  return n;
}

function boolProperty(props: ReadonlyMap<string, string>, key: KafkaSourceProperty, dflt: boolean): boolean {
  const raw = props.get(key);
  if (raw === undefined) return dflt;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  return fail(`property ${key} must be true or false, got "${raw}"`);
}

/**
 * Checks and resolves the properties.
 * @throws RivuletError(INVALID_ARGUMENT) for an unknown key, a bad value or no bootstrap servers.
 */
export function resolveKafkaSourceConfig(props: ReadonlyMap<string, string>, bounded: boolean): KafkaSourceConfig {
  for (const key of props.keys()) {
    if (!Object.hasOwn(KAFKA_SOURCE_PROPERTIES, key)) {
      fail(`unknown property "${key}"; supported: ${Object.keys(KAFKA_SOURCE_PROPERTIES).join(', ')}`);
    }
  }
  const servers = (props.get('bootstrap.servers') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (servers.length === 0) fail('no bootstrap servers; call setBootstrapServers("host:port[,host:port...]")');
  for (const s of servers) if (!/^[^\s:]+:\d+$/.test(s)) fail(`bootstrap server "${s}" is not host:port`);
  const groupId = props.get('group.id');
  if (groupId === '') fail('group.id must not be empty');
  const isolation = props.get('isolation.level') ?? 'read_uncommitted';
  if (isolation !== 'read_uncommitted' && isolation !== 'read_committed') fail(`isolation.level must be read_uncommitted or read_committed, got "${isolation}"`);
  const discovery = intProperty(props, 'partition.discovery.interval.ms', 300_000, Number.MIN_SAFE_INTEGER);
  return {
    bootstrapServers: servers,
    groupId,
    clientIdPrefix: props.get('client.id.prefix') ?? groupId ?? 'rivulet-kafka-source',
    // Flink turns discovery off for bounded sources: the set of splits is fixed at start.
    discoveryIntervalMs: bounded ? 0 : Math.max(0, discovery),
    commitOffsetsOnCheckpoint: groupId !== undefined && boolProperty(props, 'commit.offsets.on.checkpoint', true),
    readCommitted: isolation === 'read_committed',
    autoCreateTopics: boolProperty(props, 'allow.auto.create.topics', false),
    fetchMaxWaitMs: intProperty(props, 'fetch.max.wait.ms', 500, 0),
    fetchMinBytes: intProperty(props, 'fetch.min.bytes', 1, 0),
    fetchMaxBytes: intProperty(props, 'fetch.max.bytes', 52_428_800, 1),
    maxPartitionFetchBytes: intProperty(props, 'max.partition.fetch.bytes', 1_048_576, 1),
    requestTimeoutMs: intProperty(props, 'request.timeout.ms', 30_000, 1),
    connectTimeoutMs: intProperty(props, 'socket.connection.setup.timeout.ms', 10_000, 1),
    retries: intProperty(props, 'retries', 5, 0),
    retryBackoffMs: intProperty(props, 'retry.backoff.ms', 1000, 0),
  };
}

/** Options shared by the Admin, Consumer and Producer clients of a source. */
export function baseClientOptions(config: KafkaSourceConfig, role: string): {
  clientId: string;
  bootstrapBrokers: string[];
  timeout: number;
  connectTimeout: number;
  retries: number;
  retryDelay: number;
} {
  return {
    clientId: `${config.clientIdPrefix}-${role}`.replace(/\s+/g, '_'),
    bootstrapBrokers: [...config.bootstrapServers],
    timeout: config.requestTimeoutMs,
    connectTimeout: config.connectTimeoutMs,
    retries: config.retries,
    retryDelay: config.retryBackoffMs,
  };
}
