/**
 * `npm run bench:state`: the keyed state backends on their own (no job around them).
 *
 * 1. ValueState get + update on KEYS keys (default 1,000,000), through the user-facing
 *    handle (DefaultKeyedStateStore, as `getRuntimeContext().getState()` hands out): per
 *    operation setCurrentKey(key), value(), update(value + 1). Keys are visited in a
 *    pseudo-random order, twice: the first pass creates every key, the second updates.
 *    Reported as operations per second, for HashMapStateBackend (heap) and LmdbStateBackend.
 * 2. Snapshot of STATE_MIB (default 1024) MiB of keyed state: STATE_MIB x 1024 keys with a
 *    1 KiB value each (a 1,017-character string: 1 KiB in MessagePack, 1 KiB key included).
 *    For LMDB and the heap: the time to fill it, to take `snapshot()` (a full copy by key
 *    group), to encode the snapshot into a checkpoint blob (snapshot-format.ts, what the
 *    task writes), the blob's size, and the time to restore the snapshot into a new backend
 *    (LMDB: also at parallelism 2, half the key groups each). Then 1% of the keys are
 *    updated and a second snapshot is taken: snapshots are full, so it costs the same.
 *
 * Run with a large heap for the heap backend's 1 GiB (the npm script passes
 * --max-old-space-size=12288). Record the printed figures in BENCHMARKS.md.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { ValueStateDescriptor } from '../src/index.ts';
import { SnapshotKind, encodeSnapshot } from '../src/runtime/checkpoint/snapshot-format.ts';
import { DefaultKeyedStateStore } from '../src/runtime/state/default-keyed-state-store.ts';
import { HeapKeyedStateBackend } from '../src/runtime/state/heap-keyed-state-backend.ts';
import { computeKeyGroupRangeForOperatorIndex } from '../src/runtime/state/key-groups.ts';
import type { KeyGroupRange } from '../src/runtime/state/key-groups.ts';
import { VOID_NAMESPACE } from '../src/runtime/state/keyed-state-backend.ts';
import type { KeyedStateBackend, KeyedStateSnapshot } from '../src/runtime/state/keyed-state-backend.ts';
import { LmdbKeyedStateBackend } from '../src/runtime/state/lmdb-keyed-state-backend.ts';

const KEYS = Number(process.env['KEYS'] ?? 1_000_000);
const STATE_MIB = Number(process.env['STATE_MIB'] ?? 1024);
const MAX_P = 128;
/** Which backends to run (comma-separated `heap,lmdb`); default both. */
const ONLY = (process.env['ONLY'] ?? 'heap,lmdb').split(',');
const FULL: KeyGroupRange = { startKeyGroup: 0, endKeyGroup: MAX_P - 1 };

const root = mkdtempSync(join(tmpdir(), 'rivulet-bench-state-'));
let dirs = 0;

function create(kind: 'heap' | 'lmdb', keyGroupRange: KeyGroupRange = FULL): KeyedStateBackend {
  const options = { operatorUid: 'bench', maxParallelism: MAX_P, keyGroupRange };
  return kind === 'heap' ? new HeapKeyedStateBackend(options) : new LmdbKeyedStateBackend({ ...options, directory: join(root, `b${dirs++}`) });
}

/** A permutation of 0..n-1 (multiplicative, n-independent stride), so accesses are not sequential. */
function shuffled(n: number): Uint32Array {
  const out = new Uint32Array(n);
  let stride = 2_654_435_761 % n;
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  while (gcd(stride, n) !== 1) stride++;
  for (let i = 0, k = 0; i < n; i++, k = (k + stride) % n) out[i] = k;
  return out;
}

function seconds(t0: number): number {
  return (performance.now() - t0) / 1000;
}

const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const mib = (bytes: number): string => `${fmt(bytes / 2 ** 20, 0)} MiB`;

async function valueStateOps(kind: 'heap' | 'lmdb'): Promise<{ insert: number; update: number }> {
  const b = create(kind);
  const s = new DefaultKeyedStateStore({ backend: b, namespace: () => VOID_NAMESPACE, ttlTimeProvider: () => 0 }).getState(new ValueStateDescriptor<number>('count', 0));
  const order = shuffled(KEYS);
  const pass = (): number => {
    const t0 = performance.now();
    for (let i = 0; i < KEYS; i++) {
      b.setCurrentKey(order[i]!);
      s.update(s.value()! + 1);
    }
    return KEYS / seconds(t0);
  };
  const insert = pass();
  const update = pass();
  b.setCurrentKey(order[7]!);
  if (s.value() !== 2) throw new Error('wrong count');
  await b.dispose();
  return { insert, update };
}

interface SnapshotFigures {
  fill: number;
  snapshot: number;
  entries: number;
  payloadBytes: number;
  encode: number;
  blobBytes: number;
  restore: number;
  restoreHalf?: number;
  secondSnapshot: number;
  secondBlobBytes: number;
}

function payloadBytes(s: KeyedStateSnapshot): { entries: number; bytes: number } {
  let entries = 0;
  let bytes = 0;
  for (const g of s.keyGroups) {
    for (const e of g.entries) {
      entries++;
      bytes += e.key.length + e.value.length + e.namespace.length + (e.userKey?.length ?? 0);
    }
  }
  return { entries, bytes };
}

async function snapshotBench(kind: 'heap' | 'lmdb'): Promise<SnapshotFigures> {
  const keys = STATE_MIB * 1024;
  const b = create(kind);
  const s = new DefaultKeyedStateStore({ backend: b, namespace: () => VOID_NAMESPACE, ttlTimeProvider: () => 0 }).getState(new ValueStateDescriptor<string>('payload'));
  const base = 'x'.repeat(1017 - 12);
  let t0 = performance.now();
  for (let k = 0; k < keys; k++) {
    b.setCurrentKey(k);
    s.update(`${String(k).padStart(12, '0')}${base}`);
  }
  const fill = seconds(t0);

  t0 = performance.now();
  let snap: KeyedStateSnapshot | undefined = b.snapshot();
  const snapshot = seconds(t0);
  const { entries, bytes } = payloadBytes(snap);

  t0 = performance.now();
  let blob: Uint8Array | undefined = encodeSnapshot(SnapshotKind.STATE, snap);
  const encode = seconds(t0);
  const blobBytes = blob.length;
  blob = undefined;

  t0 = performance.now();
  const restored = create(kind);
  restored.restore([snap]);
  restored.getOrCreateKvState('user:payload'); // heap: restored entries decode at registration
  const restore = seconds(t0);
  await restored.dispose();

  let restoreHalf: number | undefined;
  if (kind === 'lmdb') {
    // Rescale to parallelism 2: each new subtask reads the one old snapshot, keeps half.
    t0 = performance.now();
    for (let i = 0; i < 2; i++) {
      const half = create(kind, computeKeyGroupRangeForOperatorIndex(MAX_P, 2, i));
      half.restore([snap]);
      await half.dispose();
    }
    restoreHalf = seconds(t0) / 2;
  }
  snap = undefined;

  for (let k = 0; k < keys; k += 100) {
    b.setCurrentKey(k);
    s.update(`${String(k).padStart(12, '1')}${base}`);
  }
  t0 = performance.now();
  const second = b.snapshot();
  const secondSnapshot = seconds(t0);
  const secondBlobBytes = payloadBytes(second).bytes;
  await b.dispose();
  const figures: SnapshotFigures = { fill, snapshot, entries, payloadBytes: bytes, encode, blobBytes, restore, secondSnapshot, secondBlobBytes };
  if (restoreHalf !== undefined) figures.restoreHalf = restoreHalf;
  return figures;
}

try {
  console.log(`# state backends — ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${fmt(totalmem() / 2 ** 30, 0)} GiB, Node ${process.version}`);
  console.log(`\n## ValueState get+update, ${fmt(KEYS)} keys (ops/s)`);
  console.log('| backend | first pass (creates keys) | second pass (updates) |');
  console.log('|---|---:|---:|');
  for (const kind of (['heap', 'lmdb'] as const).filter((k) => ONLY.includes(k))) {
    const r = await valueStateOps(kind);
    console.log(`| ${kind === 'heap' ? 'HashMapStateBackend' : 'LmdbStateBackend'} | ${fmt(r.insert)} | ${fmt(r.update)} |`);
  }
  console.log(`\n## Snapshot of ${fmt(STATE_MIB)} MiB of keyed state (${fmt(STATE_MIB * 1024)} keys x 1 KiB)`);
  console.log('| backend | fill | snapshot() | entries | payload | encode blob | blob size | restore (p=1) | restore (p=2, per subtask) | snapshot after 1% changed | its payload |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const kind of (['lmdb', 'heap'] as const).filter((k) => ONLY.includes(k))) {
    const r = await snapshotBench(kind);
    console.log(
      `| ${kind === 'heap' ? 'HashMapStateBackend' : 'LmdbStateBackend'} | ${fmt(r.fill, 1)} s | ${fmt(r.snapshot, 2)} s | ${fmt(r.entries)} | ${mib(r.payloadBytes)} | ${fmt(r.encode, 2)} s | ${mib(r.blobBytes)} | ${fmt(r.restore, 2)} s | ${r.restoreHalf === undefined ? '—' : `${fmt(r.restoreHalf, 2)} s`} | ${fmt(r.secondSnapshot, 2)} s | ${mib(r.secondBlobBytes)} |`,
    );
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
