/**
 * Creates the keyed state backend of one keyed operator subtask from the job's
 * StateBackendConfig (as Flink's StateBackendLoader): the api only records which backend
 * the job chose; the runtime instantiates it here, per subtask.
 *
 * Without a choice in the job, the backend named by the environment variable
 * RIVULET_STATE_BACKEND (`hashmap` or `lmdb`) is used, else the heap — so a whole test
 * suite can be run against the LMDB backend (`RIVULET_STATE_BACKEND=lmdb npm test`).
 */
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RivuletError } from '../../core/errors.ts';
import type { StateBackendConfig } from '../../core/state-backend.ts';
import { HeapKeyedStateBackend } from './heap-keyed-state-backend.ts';
import type { KeyedStateBackend, KeyedStateBackendOptions } from './keyed-state-backend.ts';
import { LmdbKeyedStateBackend } from './lmdb-keyed-state-backend.ts';

export interface KeyedBackendFactoryOptions extends KeyedStateBackendOptions {
  readonly subtaskIndex: number;
}

/** The backend used when the job chose none. */
export function defaultStateBackendConfig(): StateBackendConfig {
  const fromEnv = process.env['RIVULET_STATE_BACKEND'];
  if (fromEnv === undefined || fromEnv === '' || fromEnv === 'hashmap') return { kind: 'hashmap' };
  if (fromEnv === 'lmdb') return { kind: 'lmdb', path: undefined, writeBatchSize: 4096 };
  throw new RivuletError('INVALID_ARGUMENT', `RIVULET_STATE_BACKEND must be "hashmap" or "lmdb", got "${fromEnv}"`);
}

export function createKeyedStateBackend(config: StateBackendConfig | undefined, options: KeyedBackendFactoryOptions): KeyedStateBackend {
  const c = config ?? defaultStateBackendConfig();
  const { operatorUid, maxParallelism, keyGroupRange } = options;
  if (c.kind === 'hashmap') return new HeapKeyedStateBackend({ operatorUid, maxParallelism, keyGroupRange });
  // A directory per backend instance: subtasks of one job (and a restarted attempt) never share one.
  const safeUid = operatorUid.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 80);
  const directory = join(c.path ?? join(tmpdir(), 'rivulet-lmdb'), `${safeUid}-${options.subtaskIndex}-${process.pid}-${randomUUID().slice(0, 8)}`);
  return new LmdbKeyedStateBackend({ operatorUid, maxParallelism, keyGroupRange, directory, writeBatchSize: c.writeBatchSize });
}
