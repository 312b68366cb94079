/**
 * `npm run bench:codec`: the cost of moving record batches between threads, per record —
 * Rivulet's columnar record-batch codec (src/runtime/network/record-batch-codec.ts) against
 * msgpackr packing whole batches (what remote channels used before) — on the records the
 * flights job exchanges at its keyBy: `{ dep_epoch, dep_delay, origin }`, 440 batches of
 * 512 (about what crosses threads in one run at p=2). Each contender runs in a fresh
 * process; "cold" is the first pass (what a ~300 ms job mostly sees), "warm" the median
 * of the next 15 passes.
 *
 *   npm run bench:codec
 */
import { execFileSync } from 'node:child_process';
import { Packr, Unpackr } from 'msgpackr';
import { decodeRecordBatch, encodeRecordBatch } from '../src/runtime/network/record-batch-codec.ts';

const BATCHES = 440;
const SIZE = 512;
const PASSES = 16;

function batches(): [unknown[], number[]][] {
  const origins = ['EWR', 'JFK', 'LGA'];
  const out: [unknown[], number[]][] = [];
  for (let b = 0; b < BATCHES; b++) {
    const values: unknown[] = [];
    const timestamps: number[] = [];
    for (let i = 0; i < SIZE; i++) {
      const epoch = 1357035420 + (b * SIZE + i) * 60;
      values.push({ dep_epoch: epoch, dep_delay: ((b * SIZE + i) % 61) - 10, origin: origins[(b + i) % 3]! });
      timestamps.push(epoch * 1000);
    }
    out.push([values, timestamps]);
  }
  return out;
}

function run(contender: string): void {
  const input = batches();
  const packr = new Packr();
  const unpackr = new Unpackr();
  const encode = contender === 'msgpackr' ? (v: unknown[], t: number[]) => Uint8Array.prototype.slice.call(packr.pack([v, t])) : encodeRecordBatch;
  const decode = contender === 'msgpackr' ? (b: Uint8Array) => unpackr.unpack(b) as [unknown[], number[]] : decodeRecordBatch;
  const rows: { encodeNs: number; decodeNs: number; bytes: number }[] = [];
  let check = 0;
  for (let pass = 0; pass < PASSES; pass++) {
    let t = performance.now();
    const encoded = input.map(([v, ts]) => encode(v, ts));
    const encodeMs = performance.now() - t;
    t = performance.now();
    for (const e of encoded) check += decode(e)[0].length;
    const decodeMs = performance.now() - t;
    rows.push({ encodeNs: (encodeMs * 1e6) / (BATCHES * SIZE), decodeNs: (decodeMs * 1e6) / (BATCHES * SIZE), bytes: encoded.reduce((a, e) => a + e.length, 0) / (BATCHES * SIZE) });
  }
  if (check !== PASSES * BATCHES * SIZE) throw new Error('lost records');
  const warm = rows.slice(1);
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(JSON.stringify({ contender, cold: rows[0], warm: { encodeNs: median(warm.map((r) => r.encodeNs)), decodeNs: median(warm.map((r) => r.decodeNs)), bytes: rows[0]!.bytes } }));
}

const [, , contender] = process.argv;
if (contender !== undefined) {
  run(contender);
} else {
  console.log('| codec | bytes / record | encode ns / record (cold, warm) | decode ns / record (cold, warm) |');
  console.log('|---|---:|---:|---:|');
  for (const c of ['msgpackr', 'columnar']) {
    const r = JSON.parse(execFileSync(process.execPath, [import.meta.filename, c], { encoding: 'utf8' }).trim()) as {
      cold: { encodeNs: number; decodeNs: number; bytes: number };
      warm: { encodeNs: number; decodeNs: number; bytes: number };
    };
    console.log(`| ${c} | ${r.cold.bytes.toFixed(1)} | ${r.cold.encodeNs.toFixed(0)}, ${r.warm.encodeNs.toFixed(0)} | ${r.cold.decodeNs.toFixed(0)}, ${r.warm.decodeNs.toFixed(0)} |`);
  }
}
