/**
 * FileSink's two-phase commit: a checkpointed job writing CSV part files fails mid-stream
 * (a user function throws once); a run restored from the latest completed checkpoint then
 * leaves committed part files whose union equals the failure-free output exactly (no loss,
 * no duplicates), computed independently; no in-progress file remains.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import {
  DataGeneratorSource,
  ExternalizedCheckpointRetention,
  FileSink,
  KeyedProcessFunction,
  RateLimiterStrategy,
  RichMapFunction,
  StreamExecutionEnvironment,
  ValueStateDescriptor,
  WatermarkStrategy,
  RestartStrategies,
} from '../../src/index.ts';
import type { Collector, CompletedCheckpointStats, JobListener, ValueState } from '../../src/index.ts';
import { setEnvironmentDefaults } from '../../src/api/execution-context.ts';

const root = mkdtempSync(join(tmpdir(), 'rivulet-filesink-eo-'));
after(() => rmSync(root, { recursive: true, force: true }));

interface Event {
  readonly key: string;
  readonly value: number;
}
interface Row {
  readonly key: string;
  readonly n: number;
  readonly value: number;
}

class FailAt extends RichMapFunction<Event, Event> {
  private readonly failAt: number | undefined;
  constructor(failAt: number | undefined) {
    super();
    this.failAt = failAt;
  }
  map(e: Event): Event {
    if (e.value === this.failAt) throw new Error(`injected failure at value ${e.value}`);
    return e;
  }
}

class Count extends KeyedProcessFunction<string, Event, Row> {
  private count!: ValueState<number>;
  override open(): void {
    this.count = this.getRuntimeContext().getState(new ValueStateDescriptor<number>('count', 0));
  }
  processElement(e: Event, _ctx: KeyedProcessFunction.Context<string>, out: Collector<Row>): void {
    const n = (this.count.value() ?? 0) + 1;
    this.count.update(n);
    out.collect({ key: e.key, n, value: e.value });
  }
}

const COUNT = 3000;
const KEYS = 7;

async function run(dir: string, parallelism: number, failAt: number | undefined, restoreFrom?: string): Promise<{ error: unknown; completed: CompletedCheckpointStats[] }> {
  const completed: CompletedCheckpointStats[] = [];
  const listener: JobListener = { onCheckpointCompleted: (s) => void completed.push(s) };
  setEnvironmentDefaults(restoreFrom === undefined ? {} : { savepointRestore: { path: restoreFrom, allowNonRestoredState: false } });
  let error: unknown;
  try {
    const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(parallelism);
    env.registerJobListener(listener);
    env.enableCheckpointing(50);
    // The test restores by hand after the injected failure (the default with checkpointing would restart).
    env.setRestartStrategy(RestartStrategies.noRestart());
    env.getCheckpointConfig().setCheckpointStorage(join(dir, 'ckpt')).setExternalizedCheckpointRetention(ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
    const source = new DataGeneratorSource<Event>((i) => ({ key: `k${i % KEYS}`, value: i }), COUNT, RateLimiterStrategy.perSecond(4000));
    env
      .fromSource(source, WatermarkStrategy.noWatermarks<Event>(), 'events')
      .uid('events')
      .map(new FailAt(failAt))
      .uid('fail-at')
      .keyBy((e) => e.key)
      .process(new Count())
      .uid('count')
      .sinkTo(FileSink.forCsv<Row>(join(dir, 'out'), { columns: ['key', 'n', 'value'] }))
      .uid('csv-sink');
    await env.execute('file-sink-exactly-once');
  } catch (e) {
    error = e;
  } finally {
    setEnvironmentDefaults({});
  }
  return { error, completed };
}

/** Data lines of every committed part file; each part starts with the header. */
function committedRows(out: string): string[] {
  const parts = readdirSync(out).filter((f) => f.startsWith('part-'));
  for (const p of parts) assert.match(p, /^part-\d+-\d+\.csv$/);
  return parts.flatMap((p) => {
    const lines = readFileSync(join(out, p), 'utf8').split('\n');
    assert.equal(lines[0], 'key,n,value', `${p} starts with the header`);
    assert.equal(lines.at(-1), '', `${p} ends with a line break`);
    return lines.slice(1, -1);
  });
}

function expectedRows(): string[] {
  const seen = new Map<string, number>();
  const rows: string[] = [];
  for (let i = 0; i < COUNT; i++) {
    const key = `k${i % KEYS}`;
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    rows.push(`${key},${n},${i}`);
  }
  return rows.sort();
}

/**
 * The committed rows hold the failure-free output exactly once. At p=1 they equal
 * expectedRows(). At p > 1 a key's running count `n` depends on how the source subtasks'
 * records interleave at the keyed operator, so only what does not depend on it is checked:
 * every value exactly once under its key, each key's counts exactly 1..N (every state update
 * once), and within one source split (a contiguous index range, read in order) a key's
 * counts rise with the values.
 */
function assertExactlyOnce(rows: string[], parallelism: number): void {
  if (parallelism === 1) {
    assert.deepEqual([...rows].sort(), expectedRows());
    return;
  }
  const parsed = rows.map((r) => {
    const [key, n, value] = r.split(',');
    return { key: key!, n: Number(n), value: Number(value) };
  });
  assert.deepEqual(
    parsed.map((r) => r.value).sort((a, b) => a - b),
    Array.from({ length: COUNT }, (_, i) => i),
    'every value exactly once',
  );
  for (const r of parsed) assert.equal(r.key, `k${r.value % KEYS}`, `value ${r.value} under its key`);
  const splitOf = (value: number): number => Math.floor(((value + 1) * parallelism - 1) / COUNT);
  for (let k = 0; k < KEYS; k++) {
    const mine = parsed.filter((r) => r.key === `k${k}`);
    assert.deepEqual(
      mine.map((r) => r.n).sort((a, b) => a - b),
      Array.from({ length: mine.length }, (_, i) => i + 1),
      `k${k}: counts 1..${mine.length}`,
    );
    for (let split = 0; split < parallelism; split++) {
      const inSplit = mine.filter((r) => splitOf(r.value) === split).sort((a, b) => a.value - b.value);
      for (let i = 1; i < inSplit.length; i++) assert.ok(inSplit[i]!.n > inSplit[i - 1]!.n, `k${k}, split ${split}: value ${inSplit[i]!.value} counted after ${inSplit[i - 1]!.value}`);
    }
  }
}

for (const parallelism of [1, 2]) {
  void test(`p=${parallelism}: failure mid-stream, restore from the latest checkpoint: committed CSV part files hold the failure-free output exactly once`, async () => {
    const dir = join(root, `p${parallelism}`);
    const out = join(dir, 'out');
    const first = await run(dir, parallelism, 2400);
    assert.match(String((first.error as Error | undefined)?.message), /injected failure at value 2400/);
    assert.ok(first.completed.length >= 2, `completed checkpoints: ${first.completed.length}`);
    const before = committedRows(out);
    assert.ok(before.length > 0 && before.length < COUNT, `committed before the failure: ${before.length}`);
    assert.ok(readdirSync(out).some((f) => f.endsWith('.inprogress')), 'the failed attempt left in-progress files');

    const second = await run(dir, parallelism, undefined, first.completed.at(-1)!.metadataLocation);
    assert.equal(second.error, undefined, String(second.error));
    assert.deepEqual(readdirSync(out).filter((f) => f.startsWith('.')), [], 'no in-progress files remain');
    const rows = committedRows(out);
    assert.equal(rows.length, COUNT);
    assertExactlyOnce(rows, parallelism);
  });
}

void test('a restore commits pending parts idempotently and deletes in-progress leftovers', () => {
  const dir = join(root, 'unit');
  const sink = FileSink.forJsonLines<number>(dir);
  const context = { subtaskIndex: 0, parallelism: 1, operatorUid: 'u', checkpointingEnabled: true };
  const w = sink.createWriter(context);
  w.write(1, 0);
  const s1 = w.snapshotState!(1);
  w.write(2, 0);
  void w.flush(true);
  assert.deepEqual(readdirSync(dir).sort(), ['.part-0-0.jsonl.inprogress', '.part-0-1.jsonl.inprogress'], 'nothing committed at the end of input with checkpointing');
  void w.notifyCheckpointComplete!(1);
  assert.deepEqual(readdirSync(dir).sort(), ['.part-0-1.jsonl.inprogress', 'part-0-0.jsonl']);
  void w.close();
  // Restored from checkpoint 1 (its part already committed): the leftover goes, numbering continues.
  const r = sink.restoreWriter(context, [s1]);
  assert.deepEqual(readdirSync(dir).sort(), ['part-0-0.jsonl']);
  r.write(2, 0);
  r.snapshotState!(2);
  void r.notifyCheckpointComplete!(2);
  assert.deepEqual(readdirSync(dir).sort(), ['part-0-0.jsonl', 'part-0-1.jsonl']);
  assert.equal(readFileSync(join(dir, 'part-0-1.jsonl'), 'utf8'), '2\n');
  // A second restore from checkpoint 1 is a no-op for its committed part.
  sink.restoreWriter(context, [s1]);
  assert.equal(readFileSync(join(dir, 'part-0-0.jsonl'), 'utf8'), '1\n');
});
