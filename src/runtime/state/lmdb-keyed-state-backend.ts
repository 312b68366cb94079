/**
 * LmdbStateBackend's keyed state: bytes in an embedded LMDB database (the `lmdb` package)
 * in a working directory of its own, so state can be far larger than the JS heap — LMDB
 * memory-maps the file and the OS pages it in and out. As Flink's RocksDBKeyedStateBackend.
 *
 * Layout. One LMDB record per (state, key, namespace) value, and per map entry for map
 * states, under the binary key
 *
 *     [key group: 2 bytes BE][state id: 2 bytes BE][key length: 2][key][namespace length: 2][namespace][user key]
 *
 * (the key as key-serializer.ts encodes it, the namespace in UTF-8, the user key — map
 * states only — with the state's user key serde). LMDB orders keys by bytes, so one key
 * group is one contiguous range, a state within a key group too, and one map is the range
 * of its (key, namespace) prefix: a snapshot reads the operator's key groups in a single
 * ordered scan, and a restore writes only the key groups of this subtask's range. Values
 * are the state serde's bytes, which are also what snapshots carry.
 *
 * Write cache. Writes go to an in-memory map (encoded bytes, or a deletion mark) that reads
 * consult first; it is written to LMDB in one synchronous transaction when it holds
 * `writeBatchSize` entries or 16 MiB, and before every scan (snapshot, map iteration, key
 * listing). LMDB is working state, not durable state (checkpoints are), so it is opened
 * with noSync.
 *
 * Single-threaded: all calls come from the subtask's thread.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as Lmdb from 'lmdb';
import type { RootDatabase } from 'lmdb';
import type { Key } from '../../core/keys.ts';
import { RivuletError } from '../../core/errors.ts';
import { Serdes } from '../../core/serde.ts';
import type { Serde } from '../../core/serde.ts';
import type {
  InternalKvState,
  InternalMapState,
  KeyedStateBackend,
  KeyedStateBackendOptions,
  KeyedStateEntry,
  KeyedStateSnapshot,
  KvStateOptions,
  MapStateOptions,
  SnapshotStateMeta,
} from './keyed-state-backend.ts';
import { VOID_NAMESPACE } from './keyed-state-backend.ts';
import { assignToKeyGroup } from './key-groups.ts';
import type { KeyGroupRange } from './key-groups.ts';
import { decodeKey, encodeKey } from './key-serializer.ts';
import { checkRestoredCompatible, checkSameRegistration, inRange, mapStateMeta, restoredStateMetas, valueStateMeta } from './state-meta.ts';

/** The lmdb library (a native addon), loaded when the first LMDB backend opens rather than with every job. */
let lmdbLibrary: typeof Lmdb | undefined;
function lmdb(): typeof Lmdb {
  return (lmdbLibrary ??= createRequire(import.meta.url)('lmdb') as typeof Lmdb);
}

export interface LmdbKeyedStateBackendOptions extends KeyedStateBackendOptions {
  /** The working directory of this backend: created, and deleted by dispose(). */
  readonly directory: string;
  /** Pending writes kept before they are written in one transaction; default 4096. */
  readonly writeBatchSize?: number;
}

/** Largest LMDB key (lmdb-js is built with 1978). */
const MAX_KEY_BYTES = 1978;
const MAX_CACHED_BYTES = 16 << 20;
/** Entries per transaction when restoring (LMDB bounds the dirty pages of one transaction). */
const RESTORE_BATCH = 8192;
const EMPTY = Buffer.alloc(0);

/** Where an LMDB key's parts are. */
interface ParsedKey {
  keyGroup: number;
  stateId: number;
  keyStart: number;
  keyEnd: number;
  namespace: string;
  userKeyStart: number;
}

function parseKey(k: Buffer): ParsedKey {
  const keyLen = k.readUInt16BE(4);
  const keyEnd = 6 + keyLen;
  const nsLen = k.readUInt16BE(keyEnd);
  return {
    keyGroup: k.readUInt16BE(0),
    stateId: k.readUInt16BE(2),
    keyStart: 6,
    keyEnd,
    namespace: k.toString('utf8', keyEnd + 2, keyEnd + 2 + nsLen),
    userKeyStart: keyEnd + 2 + nsLen,
  };
}

/** [keyGroup][stateId] (stateId may be 0x10000 for "after the last state": then [keyGroup + 1][0]). */
function groupStatePrefix(keyGroup: number, stateId: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  if (stateId > 0xffff) {
    b.writeUInt16BE(keyGroup + 1, 0);
    b.writeUInt16BE(0, 2);
  } else {
    b.writeUInt16BE(keyGroup, 0);
    b.writeUInt16BE(stateId, 2);
  }
  return b;
}

/** The smallest byte string greater than every string starting with `prefix`. */
function prefixEnd(prefix: Buffer): Buffer {
  const b = Buffer.from(prefix);
  for (let i = b.length - 1; i >= 0; i--) {
    if (b[i]! < 0xff) {
      b[i]!++;
      return b.subarray(0, i + 1);
    }
  }
  throw new RivuletError('INTERNAL', 'No key range end for an all-0xff prefix');
}

/**
 * Working directories of backends not disposed yet. A subtask that fails (or a test that
 * never closes its harness) does not dispose its backend; the directories go when the
 * process (or worker thread) exits.
 */
const liveDirectories = new Set<string>();
let exitHookInstalled = false;
function trackDirectory(dir: string): void {
  liveDirectories.add(dir);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const d of liveDirectories) rmSync(d, { recursive: true, force: true });
  });
}

function asBuffer(b: Uint8Array): Buffer {
  return Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

export class LmdbKeyedStateBackend implements KeyedStateBackend {
  readonly operatorUid: string;
  readonly maxParallelism: number;
  readonly keyGroupRange: KeyGroupRange;
  private readonly directory: string;
  private readonly writeBatchSize: number;
  private readonly db: RootDatabase<Buffer, Buffer>;

  // ---- state that is not checkpointed (rebuilt on restore) ----
  private readonly states = new Map<string, LmdbState>();
  /** State ids by name: of registered states and of restored ones. */
  private readonly ids = new Map<string, number>();
  private readonly namesById: string[] = [];
  private readonly statesById: (LmdbState | undefined)[] = [];
  private restoredMetas = new Map<string, SnapshotStateMeta>();
  private readonly keyListeners: ((key: Key) => void)[] = [];
  /** Pending writes by LMDB key (latin1 string of its bytes): bytes, or null for a deletion. */
  private readonly cache = new Map<string, Buffer | null>();
  private cachedBytes = 0;
  private disposed = false;

  // ---- the current key, encoded once per setCurrentKey ----
  private currentKey: Key | undefined;
  private currentKeyGroup = 0;
  private currentKeyBytes: Buffer = EMPTY;
  /** Where keys are assembled; reused for every access. */
  private scratch = Buffer.allocUnsafe(256);

  constructor(options: LmdbKeyedStateBackendOptions) {
    this.operatorUid = options.operatorUid;
    this.maxParallelism = options.maxParallelism;
    this.keyGroupRange = options.keyGroupRange;
    this.directory = options.directory;
    this.writeBatchSize = options.writeBatchSize ?? 4096;
    mkdirSync(this.directory, { recursive: true });
    trackDirectory(this.directory);
    this.db = lmdb().open<Buffer, Buffer>({
      path: this.directory,
      keyEncoding: 'binary',
      encoding: 'binary',
      compression: false,
      cache: false,
      noSync: true,
      noMetaSync: true,
      noMemInit: true,
      // Not useWritemap: twice as fast for random updates, but it fails LMDB's assertion
      // 'x <= dl[0].mid' in mdb_freelist_save (SIGABRT) under the window operator tests.
    });
  }

  setCurrentKey(key: Key): void {
    this.currentKey = key;
    this.currentKeyGroup = assignToKeyGroup(key, this.maxParallelism);
    this.currentKeyBytes = encodeKey(key);
    if (this.keyListeners.length > 0) for (const l of this.keyListeners) l(key);
  }

  getCurrentKey(): Key {
    if (this.currentKey === undefined) throw new RivuletError('INTERNAL', 'No current key set');
    return this.currentKey;
  }

  registerKeySelectionListener(listener: (key: Key) => void): void {
    this.keyListeners.push(listener);
  }

  getOrCreateKvState<V>(name: string, options: KvStateOptions<V> = {}): InternalKvState<V> {
    const serde = (options.serde ?? Serdes.msgpack<V>()) as Serde<unknown>;
    const meta = valueStateMeta(name, serde);
    const s = this.register(name, meta, (id) => new LmdbKvState<unknown>(this, name, id, meta, serde, options.snapshotTransformer as ((v: unknown) => unknown) | undefined));
    return s as unknown as InternalKvState<V>;
  }

  getOrCreateMapState<UK extends Key, UV>(name: string, options: MapStateOptions<UK, UV> = {}): InternalMapState<UK, UV> {
    const keySerde = (options.userKeySerde ?? Serdes.msgpack<UK>()) as Serde<unknown>;
    const valueSerde = (options.userValueSerde ?? Serdes.msgpack<UV>()) as Serde<unknown>;
    const meta = mapStateMeta(name, keySerde, valueSerde);
    const s = this.register(
      name,
      meta,
      (id) => new LmdbMapState<Key, unknown>(this, name, id, meta, keySerde as Serde<Key>, valueSerde, options.snapshotTransformer as ((v: unknown) => unknown) | undefined),
    );
    return s as unknown as InternalMapState<UK, UV>;
  }

  private register(name: string, meta: SnapshotStateMeta, create: (id: number) => LmdbState): LmdbState {
    const existing = this.states.get(name);
    if (existing !== undefined) {
      checkSameRegistration(this.operatorUid, existing.meta, meta);
      return existing;
    }
    checkRestoredCompatible(this.operatorUid, this.restoredMetas.get(name), meta);
    const s = create(this.idOf(name));
    this.states.set(name, s);
    this.statesById[s.id] = s;
    return s;
  }

  private idOf(name: string): number {
    let id = this.ids.get(name);
    if (id === undefined) {
      id = this.namesById.length;
      if (id > 0xffff) throw new RivuletError('INTERNAL', `Operator uid "${this.operatorUid}" has more than 65536 states`);
      this.ids.set(name, id);
      this.namesById.push(name);
    }
    return id;
  }

  // -------------------------------------------------------------------------------------
  // Access by the states: keys are assembled in `scratch`, reads consult the write cache.
  // -------------------------------------------------------------------------------------

  /** @internal assembles the key of (current key, `stateId`, namespace, userKey) in scratch; returns its length. */
  buildKey(stateId: number, namespace: Buffer, userKey: Uint8Array | undefined): number {
    if (this.currentKey === undefined) throw new RivuletError('INTERNAL', 'No current key set');
    const kb = this.currentKeyBytes;
    const len = 8 + kb.length + namespace.length + (userKey?.length ?? 0);
    if (len > MAX_KEY_BYTES) {
      throw new RivuletError(
        'INVALID_ARGUMENT',
        `Key too large for the LMDB state backend (${len} bytes with namespace and map key; at most ${MAX_KEY_BYTES}) in operator uid "${this.operatorUid}": use shorter keys.`,
        { operatorUid: this.operatorUid },
      );
    }
    if (this.scratch.length < len) this.scratch = Buffer.allocUnsafe(Math.max(len, this.scratch.length * 2));
    const s = this.scratch;
    s.writeUInt16BE(this.currentKeyGroup, 0);
    s.writeUInt16BE(stateId, 2);
    s.writeUInt16BE(kb.length, 4);
    kb.copy(s, 6);
    let o = 6 + kb.length;
    s.writeUInt16BE(namespace.length, o);
    namespace.copy(s, o + 2);
    o += 2 + namespace.length;
    if (userKey !== undefined) s.set(userKey, o);
    return len;
  }

  /** @internal the value bytes under the key in scratch[0, len) (valid until the next read), or undefined. */
  read(len: number): Buffer | undefined {
    if (this.cache.size > 0) {
      const cached = this.cache.get(this.scratch.toString('latin1', 0, len));
      if (cached !== undefined) return cached ?? undefined;
    }
    const v = this.db.getBinaryFast(this.scratch.subarray(0, len));
    // lmdb-js hands out its global read buffer with a `length` of the value but the
    // byteLength of the whole buffer: a plain view keeps serdes that use byteLength or
    // open-ended subarrays on the value's bytes.
    return v === undefined ? undefined : v.subarray(0, v.length);
  }

  /** @internal writes (or, with null, deletes) the key in scratch[0, len). */
  write(len: number, value: Uint8Array | null): void {
    this.writeAt(this.scratch.toString('latin1', 0, len), value === null ? null : asBuffer(value));
  }

  private writeAt(key: string, value: Buffer | null): void {
    const before = this.cache.get(key);
    if (before != null) this.cachedBytes -= before.length;
    this.cache.set(key, value);
    if (value !== null) this.cachedBytes += value.length;
    if (this.cache.size >= this.writeBatchSize || this.cachedBytes >= MAX_CACHED_BYTES) this.flush();
  }

  /** @internal writes the pending writes to LMDB. */
  flush(): void {
    if (this.cache.size === 0) return;
    const db = this.db;
    db.transactionSync(() => {
      for (const [k, v] of this.cache) {
        const kb = Buffer.from(k, 'latin1');
        if (v === null) db.removeSync(kb);
        else db.putSync(kb, v);
      }
    });
    this.cache.clear();
    this.cachedBytes = 0;
  }

  /** @internal the committed entries in [start, end) (flush first to see everything). */
  range(start: Buffer, end: Buffer, limit?: number, exclusiveStart?: boolean): { key: Buffer; value: Buffer }[] {
    const options: { start: Buffer; end: Buffer; limit?: number; exclusiveStart?: boolean } = { start, end };
    if (limit !== undefined) options.limit = limit;
    if (exclusiveStart === true) options.exclusiveStart = true;
    return [...this.db.getRange(options)];
  }

  /** @internal the key of the current key, `stateId` and namespace, as a new Buffer. */
  prefix(stateId: number, namespace: Buffer): Buffer {
    return Buffer.from(this.scratch.subarray(0, this.buildKey(stateId, namespace, undefined)));
  }

  /** @internal marks every key in [start, end) deleted. */
  deleteRange(start: Buffer, end: Buffer): void {
    this.flush();
    const keys = [...this.db.getKeys({ start, end })];
    for (const k of keys) this.writeAt(k.toString('latin1'), null);
  }

  /** @internal whether a write for `key` (latin1) is pending. */
  isPending(key: string): boolean {
    return this.cache.has(key);
  }

  /** @internal records a write for `key` (latin1) found by a scan. */
  writeFound(key: string, value: Uint8Array | null): void {
    this.writeAt(key, value === null ? null : asBuffer(value));
  }

  // -------------------------------------------------------------------------------------
  // Scans
  // -------------------------------------------------------------------------------------

  private rangeStart(): Buffer {
    return groupStatePrefix(this.keyGroupRange.startKeyGroup, 0);
  }

  private rangeEnd(): Buffer {
    return groupStatePrefix(this.keyGroupRange.endKeyGroup, 0x10000);
  }

  numKeys(): number {
    this.flush();
    const keys = new Set<string>();
    for (const k of this.db.getKeys({ start: this.rangeStart(), end: this.rangeEnd() })) {
      const kl = k.readUInt16BE(4);
      keys.add(k.toString('latin1', 0, 2) + k.toString('latin1', 4, 6 + kl));
    }
    return keys.size;
  }

  getKeys(stateName: string, namespace: string): Key[] {
    const id = this.ids.get(stateName);
    if (id === undefined) return [];
    this.flush();
    const out: Key[] = [];
    let last = '';
    for (let kg = this.keyGroupRange.startKeyGroup; kg <= this.keyGroupRange.endKeyGroup; kg++) {
      for (const k of this.db.getKeys({ start: groupStatePrefix(kg, id), end: groupStatePrefix(kg, id + 1) })) {
        const p = parseKey(k);
        if (p.namespace !== namespace) continue;
        const ks = k.toString('latin1', 0, p.keyEnd);
        if (ks === last) continue; // the next entry of the same map
        last = ks;
        out.push(decodeKey(k, p.keyStart, p.keyEnd));
      }
    }
    return out;
  }

  snapshot(): KeyedStateSnapshot {
    this.flush();
    const keyGroups: { keyGroup: number; entries: KeyedStateEntry[] }[] = [];
    let group: { keyGroup: number; entries: KeyedStateEntry[] } | undefined;
    let lastKey: Buffer | undefined;
    let lastKeyBytes: Uint8Array = EMPTY;
    const isMap = this.namesById.map((name) => (this.states.get(name)?.meta ?? this.restoredMetas.get(name))?.kind === 'map');
    for (const { key: k, value } of this.db.getRange({ start: this.rangeStart(), end: this.rangeEnd(), snapshot: true })) {
      const p = parseKey(k);
      const name = this.namesById[p.stateId];
      if (name === undefined) throw new RivuletError('INTERNAL', `LMDB holds an entry of unknown state id ${p.stateId}`);
      const state = this.statesById[p.stateId];
      let bytes: Uint8Array = value;
      if (state?.transformer !== undefined) {
        const v = state.transformer(state.valueSerde.decode(value));
        if (v === undefined) continue;
        bytes = state.valueSerde.encode(v);
      }
      if (group === undefined || group.keyGroup !== p.keyGroup) {
        group = { keyGroup: p.keyGroup, entries: [] };
        keyGroups.push(group);
      }
      // Keys and values of a range scan are fresh copies (small ones share Node's buffer
      // pool), so the snapshot keeps views of them rather than copying again — a separate
      // ArrayBuffer per value makes V8 collect garbage over and over for large state.
      // Consecutive entries of one key (its states and map entries) share the key's bytes.
      const keyBytes = k.subarray(p.keyStart, p.keyEnd);
      if (lastKey === undefined || !keyBytes.equals(lastKey)) {
        lastKey = keyBytes;
        lastKeyBytes = keyBytes;
      }
      const entry: { state: string; key: Uint8Array; namespace: string; userKey?: Uint8Array; value: Uint8Array } = {
        state: name,
        key: lastKeyBytes,
        namespace: p.namespace,
        value: bytes,
      };
      if (isMap[p.stateId] === true) entry.userKey = k.subarray(p.userKeyStart);
      group.entries.push(entry);
    }
    const states: SnapshotStateMeta[] = [];
    for (const name of this.namesById) {
      const meta = this.states.get(name)?.meta ?? this.restoredMetas.get(name);
      if (meta !== undefined) states.push(meta);
    }
    return {
      formatVersion: 1,
      operatorUid: this.operatorUid,
      maxParallelism: this.maxParallelism,
      keyGroupRange: this.keyGroupRange,
      states,
      keyGroups,
    };
  }

  restore(snapshots: readonly KeyedStateSnapshot[]): void {
    this.flush();
    if (this.range(this.rangeStart(), this.rangeEnd(), 1).length > 0) {
      throw new RivuletError('INTERNAL', `restore() on the keyed state backend of operator uid "${this.operatorUid}", which already holds state`, { operatorUid: this.operatorUid });
    }
    this.restoredMetas = restoredStateMetas(this.operatorUid, this.maxParallelism, snapshots);
    for (const s of this.states.values()) checkRestoredCompatible(this.operatorUid, this.restoredMetas.get(s.name), s.meta);
    let batch: [Buffer, Buffer][] = [];
    const writeBatch = (): void => {
      const db = this.db;
      db.transactionSync(() => {
        for (const [k, v] of batch) db.putSync(k, v);
      });
      batch = [];
    };
    for (const snap of snapshots) {
      for (const g of snap.keyGroups) {
        if (!inRange(this.keyGroupRange, g.keyGroup)) continue;
        for (const e of g.entries) {
          const id = this.idOf(e.state);
          const ns = Buffer.from(e.namespace, 'utf8');
          const uk = e.userKey ?? EMPTY;
          const k = Buffer.allocUnsafe(8 + e.key.length + ns.length + uk.length);
          k.writeUInt16BE(g.keyGroup, 0);
          k.writeUInt16BE(id, 2);
          k.writeUInt16BE(e.key.length, 4);
          k.set(e.key, 6);
          k.writeUInt16BE(ns.length, 6 + e.key.length);
          ns.copy(k, 8 + e.key.length);
          k.set(uk, 8 + e.key.length + ns.length);
          batch.push([k, asBuffer(e.value)]);
          if (batch.length >= RESTORE_BATCH) writeBatch();
        }
      }
    }
    if (batch.length > 0) writeBatch();
  }

  /** @internal incremental cleanup of state `s`, over its key groups in turn. */
  scan(s: LmdbState, maxEntries: number, visit: (key: Buffer, value: Buffer) => void): void {
    const range = this.keyGroupRange;
    const groups = range.endKeyGroup - range.startKeyGroup + 1;
    let budget = maxEntries;
    let groupsLeft = groups;
    while (budget > 0 && groupsLeft > 0) {
      if (s.scanKeyGroup < range.startKeyGroup || s.scanKeyGroup > range.endKeyGroup) s.scanKeyGroup = range.startKeyGroup;
      const after = s.scanAfter;
      const found = this.range(after ?? groupStatePrefix(s.scanKeyGroup, s.id), groupStatePrefix(s.scanKeyGroup, s.id + 1), budget, after !== undefined);
      for (const { key, value } of found) {
        s.scanAfter = key;
        visit(key, value);
      }
      if (found.length < budget) {
        // This key group is done: on to the next one (looking at an empty one costs one unit).
        s.scanKeyGroup = s.scanKeyGroup >= range.endKeyGroup ? range.startKeyGroup : s.scanKeyGroup + 1;
        s.scanAfter = undefined;
        groupsLeft--;
        budget -= Math.max(1, found.length);
      } else {
        budget = 0;
      }
    }
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.cache.clear();
    await this.db.close();
    rmSync(this.directory, { recursive: true, force: true });
    liveDirectories.delete(this.directory);
  }
}

/** What both kinds of LMDB state have. */
abstract class LmdbState {
  readonly name: string;
  readonly id: number;
  readonly meta: SnapshotStateMeta;
  /** The serde of the stored values (for maps: of the user values). */
  readonly valueSerde: Serde<unknown>;
  readonly transformer: ((v: unknown) => unknown) | undefined;
  protected readonly backend: LmdbKeyedStateBackend;
  protected namespace = VOID_NAMESPACE;
  protected namespaceBytes: Buffer = EMPTY;
  /** Where the incremental cleanup stopped. */
  scanKeyGroup = -1;
  scanAfter: Buffer | undefined = undefined;

  constructor(backend: LmdbKeyedStateBackend, name: string, id: number, meta: SnapshotStateMeta, valueSerde: Serde<unknown>, transformer: ((v: unknown) => unknown) | undefined) {
    this.backend = backend;
    this.name = name;
    this.id = id;
    this.meta = meta;
    this.valueSerde = valueSerde;
    this.transformer = transformer;
  }

  setCurrentNamespace(namespace: string): void {
    if (namespace !== this.namespace) {
      this.namespace = namespace;
      this.namespaceBytes = Buffer.from(namespace, 'utf8');
    }
  }

  scanIncrementally(maxEntries: number, transform: (value: any) => any): void {
    const b = this.backend;
    b.scan(this, maxEntries, (key, bytes) => {
      const k = key.toString('latin1');
      if (b.isPending(k)) return; // a newer value waits in the cache; it is checked on its next access
      const v = this.valueSerde.decode(bytes);
      const r: unknown = transform(v);
      if (r === undefined) b.writeFound(k, null);
      else if (r !== v) b.writeFound(k, this.valueSerde.encode(r));
    });
  }
}

class LmdbKvState<V> extends LmdbState implements InternalKvState<V> {
  get(): V | undefined {
    const b = this.backend;
    const bytes = b.read(b.buildKey(this.id, this.namespaceBytes, undefined));
    return bytes === undefined ? undefined : (this.valueSerde.decode(bytes) as V);
  }

  put(value: V): void {
    const b = this.backend;
    b.write(b.buildKey(this.id, this.namespaceBytes, undefined), this.valueSerde.encode(value));
  }

  clear(): void {
    const b = this.backend;
    b.write(b.buildKey(this.id, this.namespaceBytes, undefined), null);
  }
}

class LmdbMapState<UK extends Key, UV> extends LmdbState implements InternalMapState<UK, UV> {
  private readonly keySerde: Serde<UK>;

  constructor(
    backend: LmdbKeyedStateBackend,
    name: string,
    id: number,
    meta: SnapshotStateMeta,
    keySerde: Serde<UK>,
    valueSerde: Serde<unknown>,
    transformer: ((v: unknown) => unknown) | undefined,
  ) {
    super(backend, name, id, meta, valueSerde, transformer);
    this.keySerde = keySerde;
  }

  get(userKey: UK): UV | undefined {
    const b = this.backend;
    const bytes = b.read(b.buildKey(this.id, this.namespaceBytes, this.keySerde.encode(userKey)));
    return bytes === undefined ? undefined : (this.valueSerde.decode(bytes) as UV);
  }

  put(userKey: UK, value: UV): void {
    const b = this.backend;
    b.write(b.buildKey(this.id, this.namespaceBytes, this.keySerde.encode(userKey)), this.valueSerde.encode(value));
  }

  contains(userKey: UK): boolean {
    const b = this.backend;
    return b.read(b.buildKey(this.id, this.namespaceBytes, this.keySerde.encode(userKey))) !== undefined;
  }

  remove(userKey: UK): void {
    const b = this.backend;
    b.write(b.buildKey(this.id, this.namespaceBytes, this.keySerde.encode(userKey)), null);
  }

  entries(): [UK, UV][] {
    const b = this.backend;
    b.flush();
    const prefix = b.prefix(this.id, this.namespaceBytes);
    return b.range(prefix, prefixEnd(prefix)).map(({ key, value }) => [this.keySerde.decode(key.subarray(prefix.length)), this.valueSerde.decode(value) as UV]);
  }

  isEmpty(): boolean {
    const b = this.backend;
    b.flush();
    const prefix = b.prefix(this.id, this.namespaceBytes);
    return b.range(prefix, prefixEnd(prefix), 1).length === 0;
  }

  clear(): void {
    const b = this.backend;
    const prefix = b.prefix(this.id, this.namespaceBytes);
    b.deleteRange(prefix, prefixEnd(prefix));
  }
}
