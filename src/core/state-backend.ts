/**
 * Which state backend keeps an operator's keyed state; as Flink's `StateBackend`
 * implementations, chosen with `env.setStateBackend(...)`. These are plain configuration
 * objects (the job's graph carries them to every worker); the runtime creates one keyed
 * state backend per keyed operator subtask from them.
 */

/** Keyed state as objects on the JS heap: fastest, bounded by the heap. The default. */
export class HashMapStateBackend {
  readonly kind = 'hashmap';
  toString(): string {
    return 'HashMapStateBackend';
  }
}

export interface LmdbStateBackendOptions {
  /**
   * Directory under which each keyed operator subtask gets its own LMDB environment
   * (working state, deleted when the subtask ends). Default: the OS temp directory.
   */
  readonly path?: string;
  /**
   * Number of pending writes kept in memory before they are written to LMDB in one
   * transaction (reads see them at once). Default 4096.
   */
  readonly writeBatchSize?: number;
}

/**
 * Keyed state in an embedded LMDB database on local disk (memory-mapped): state may be far
 * larger than the JS heap. Every access serializes with the state's serde; as Flink's
 * `EmbeddedRocksDBStateBackend`.
 */
export class LmdbStateBackend {
  readonly kind = 'lmdb';
  readonly path: string | undefined;
  readonly writeBatchSize: number;

  /** @throws RangeError for a writeBatchSize below 1. */
  constructor(options: LmdbStateBackendOptions = {}) {
    this.path = options.path;
    this.writeBatchSize = options.writeBatchSize ?? 4096;
    if (!Number.isInteger(this.writeBatchSize) || this.writeBatchSize < 1) {
      throw new RangeError(`writeBatchSize must be a positive integer, got ${this.writeBatchSize}`);
    }
  }
  toString(): string {
    return `LmdbStateBackend(${this.path ?? 'tmp'})`;
  }
}

/** The state backends a job can choose. */
export type StateBackend = HashMapStateBackend | LmdbStateBackend;

/** What the job graph carries: the backend's settings as plain data. */
export type StateBackendConfig = { readonly kind: 'hashmap' } | { readonly kind: 'lmdb'; readonly path: string | undefined; readonly writeBatchSize: number };

/** The plain-data form of `backend`. */
export function stateBackendConfig(backend: StateBackend): StateBackendConfig {
  return backend.kind === 'hashmap' ? { kind: 'hashmap' } : { kind: 'lmdb', path: backend.path, writeBatchSize: backend.writeBatchSize };
}
