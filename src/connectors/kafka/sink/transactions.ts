/**
 * Kafka transactions of a KafkaSink that outlive their producer — Flink's KafkaSink
 * recovery (`FlinkKafkaInternalProducer.resumeTransaction`, `TransactionAborter`) on
 * `@platformatic/kafka`:
 *
 * - **Commit a transaction of a dead producer** whose checkpoint completed: EndTxn(commit)
 *   with the transactional id, producer id and epoch stored in the checkpoint, sent to the
 *   transaction coordinator (FindCoordinator) over a plain `Connection` with the library's
 *   protocol APIs (`findCoordinatorV4..6`, `endTxnV0..4`, `describeTransactionsV0`), as the
 *   Producer client offers no way to resume a transaction. Idempotent: a transaction
 *   already committed answers without error.
 * - **Abort lingering transactions** of failed attempts: transactional ids are
 *   `<prefix>-<subtask>-<n>` with n counting up without gaps; every id from the first one
 *   the checkpoint did not use is initialized (InitProducerId, which aborts an open
 *   transaction of that id and fences its producer) until one that was never used (epoch 0).
 */
import type { Broker, Connection } from '@platformatic/kafka';
import { kafkaLibrary } from '../kafka-library.ts';
import { RivuletError } from '../../../core/errors.ts';

/** A pre-committed transaction as stored in a checkpoint (plain data). */
export interface PreparedTransaction {
  readonly checkpointId: number;
  readonly transactionalId: string;
  /** Decimal; undefined when the producer was not yet initialized at the barrier (then looked up with DescribeTransactions). */
  readonly producerId: string | undefined;
  readonly producerEpoch: number | undefined;
}

/**
 * InitProducerId without a current producer id and epoch (-1, -1): the coordinator bumps the
 * epoch of an existing transactional id, aborting its open transaction. (The client's default,
 * 0 and 0, is refused with PRODUCER_FENCED for an id that exists.)
 */
export const FRESH_PRODUCER = { producerId: -1n, producerEpoch: -1 };

export function transactionalId(prefix: string, subtask: number, n: number): string {
  return `${prefix}-${subtask}-${n}`;
}

const FIND_COORDINATOR = 10;
const END_TXN = 26;
const TRANSACTION_KEY_TYPE = 1;
/** Errors on which a commit is retried: the coordinator moves, loads, or still writes markers of a previous step. */
const RETRIABLE = ['CONCURRENT_TRANSACTIONS', 'COORDINATOR_LOAD_IN_PROGRESS', 'COORDINATOR_NOT_AVAILABLE', 'NOT_COORDINATOR'];
/** Errors after which the transaction cannot be committed any more (aborted on timeout, or fenced). */
const LOST = ['INVALID_TXN_STATE', 'PRODUCER_FENCED', 'INVALID_PRODUCER_EPOCH', 'INVALID_PRODUCER_ID_MAPPING'];

/** Options of the short-lived clients used for recovery. */
export interface RecoveryClientOptions {
  readonly clientId: string;
  readonly bootstrapBrokers: string[];
  /** transaction.timeout.ms of the producers the probe initializes. */
  readonly transactionTimeoutMs: number;
}

interface ApiVersionRange {
  readonly apiKey: number;
  readonly minVersion: number;
  readonly maxVersion: number;
}

function pickVersion<A>(apis: readonly ApiVersionRange[], key: number, byVersion: ReadonlyMap<number, A>): A {
  const range = apis.find((a) => a.apiKey === key);
  if (range !== undefined) {
    for (const v of [...byVersion.keys()].sort((a, b) => b - a)) if (v >= range.minVersion && v <= range.maxVersion) return byVersion.get(v)!;
  }
  throw new RivuletError('EXTERNAL_SYSTEM_FAILED', `KafkaSink: the Kafka cluster supports no version of API ${key} this client speaks (needs Kafka 3.0 or newer)`);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Commits transactions of earlier attempts whose checkpoint completed. Returns the ids that
 * could not be committed any more (aborted by a transaction timeout or fenced), which the
 * caller reports: their records are lost, as in Flink.
 */
export async function commitRecoveredTransactions(options: RecoveryClientOptions, transactions: readonly PreparedTransaction[]): Promise<string[]> {
  if (transactions.length === 0) return [];
  const kafka = kafkaLibrary();
  const client = new kafka.Producer({ clientId: options.clientId, bootstrapBrokers: options.bootstrapBrokers });
  const lost: string[] = [];
  try {
    const apis = await client.listApis();
    const findCoordinator = pickVersion(apis, FIND_COORDINATOR, new Map([[6, kafka.findCoordinatorV6.api], [5, kafka.findCoordinatorV5.api], [4, kafka.findCoordinatorV4.api]]));
    const endTxn = pickVersion(apis, END_TXN, new Map([[4, kafka.endTxnV4.api], [3, kafka.endTxnV3.api], [2, kafka.endTxnV2.api], [1, kafka.endTxnV1.api], [0, kafka.endTxnV0.api]]));
    for (const t of transactions) {
      for (let attempt = 0; ; attempt++) {
        try {
          const bootstrap = await client.connections.getFirstAvailable(parseBrokers(options.bootstrapBrokers));
          const found = await findCoordinator.async(bootstrap, TRANSACTION_KEY_TYPE, [t.transactionalId]);
          const c = found.coordinators[0]!;
          const coordinator: Connection = await client.connections.get({ host: c.host, port: c.port });
          let producerId = t.producerId === undefined ? undefined : BigInt(t.producerId);
          let producerEpoch = t.producerEpoch;
          if (producerId === undefined || producerEpoch === undefined) {
            const d = await kafka.describeTransactionsV0.api.async(coordinator, [t.transactionalId]);
            const s = d.transactionStates[0]!;
            producerId = s.producerId;
            producerEpoch = s.producerEpoch;
          }
          await endTxn.async(coordinator, t.transactionalId, producerId, producerEpoch, true);
          break;
        } catch (e) {
          if (LOST.some((id) => kafka.findErrorBy(e as Error, 'apiId', id) !== null)) {
            lost.push(t.transactionalId);
            break;
          }
          const retriable = RETRIABLE.some((id) => kafka.findErrorBy(e as Error, 'apiId', id) !== null) || kafka.findErrorBy(e as Error, 'code', 'PLT_KFK_NETWORK') !== null;
          if (!retriable || attempt >= 20) {
            throw new RivuletError('EXTERNAL_SYSTEM_FAILED', `KafkaSink could not commit the transaction ${t.transactionalId} of checkpoint ${t.checkpointId} after a restore: ${(e as Error).message}`, { checkpointId: t.checkpointId }, { cause: e });
          }
          await sleep(Math.min(1000, 50 * 2 ** attempt));
        }
      }
    }
  } finally {
    await client.close().catch(() => {});
  }
  return lost;
}

function parseBrokers(servers: readonly string[]): Broker[] {
  return servers.map((s) => {
    const i = s.lastIndexOf(':');
    return { host: s.slice(0, i), port: Number(s.slice(i + 1)) };
  });
}

/**
 * Aborts the open transactions of ids `<prefix>-<subtask>-<from>`, `-<from+1>`, ... up to the
 * first id never used before, and returns that id's number (free for the next transaction).
 */
export async function abortLingeringTransactions(options: RecoveryClientOptions, prefix: string, subtask: number, from: number): Promise<number> {
  for (let n = from; ; n++) {
    const producer = new (kafkaLibrary().Producer)({
      clientId: options.clientId,
      bootstrapBrokers: options.bootstrapBrokers,
      idempotent: true,
      transactionalId: transactionalId(prefix, subtask, n),
      timeout: options.transactionTimeoutMs,
      retries: 20,
      retryDelay: 100,
    });
    try {
      // Begin = FindCoordinator + InitProducerId: the coordinator aborts an open transaction of this id.
      const tx = await producer.beginTransaction(FRESH_PRODUCER);
      const epoch = producer.producerEpoch;
      await tx.cancel();
      if (epoch === 0) return n;
    } finally {
      await producer.close(true).catch(() => {});
    }
  }
}
